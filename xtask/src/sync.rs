//! `sync-spec`: fetch, vet, compare, report, and (unless `--check`) replace the vendored file.

use std::fs::{self, Permissions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use kajabi_spec::diff::diff;
use kajabi_spec::Normalized;

use crate::fetch::{self, FetchError, Source};
use crate::vet::{self, Refusal};

/// What `sync-spec` was asked to do.
#[derive(Debug)]
pub struct Options {
    /// Where to read the new document.
    pub source: Source,
    /// The vendored document.
    pub spec: PathBuf,
    /// Only compare; write nothing.
    pub check: bool,
}

/// How a run ended, short of an error.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The vendored file already has the source's bytes.
    UpToDate,
    /// The vendored file was replaced.
    Updated,
    /// `--check`: the source differs from the vendored file.
    Differs,
}

/// Why the run stopped; in every case the vendored file is as it was.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// Nothing usable came from the source.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// The document arrived but the build could not use it.
    #[error("refused the document fetched from {origin} ({size} bytes): {refusal}")]
    Refused {
        /// The URL or path.
        origin: String,
        /// How many bytes arrived.
        size: usize,
        /// Why it was refused.
        refusal: Refusal,
    },
    /// The vendored file exists but cannot be read.
    #[error("cannot read the vendored document {}: {source}", path.display())]
    ReadVendored {
        /// The vendored file.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// The new document could not be written next to the vendored file or moved over it.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The vendored file.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
}

/// Runs `sync-spec`, printing progress and the change report on stdout.
///
/// # Errors
/// See [`SyncError`]; the vendored file is untouched whenever this fails.
pub fn run(options: &Options) -> Result<Outcome, SyncError> {
    let spec = &options.spec;
    let vendored = match fs::read(spec) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(source) => {
            return Err(SyncError::ReadVendored {
                path: spec.clone(),
                source,
            })
        }
    };
    let fetched = fetch::fetch(&options.source)?;
    println!(
        "source:   {} ({} bytes)",
        options.source,
        fetched.bytes.len()
    );
    match &vendored {
        Some(bytes) => println!("vendored: {} ({} bytes)", spec.display(), bytes.len()),
        None => println!("vendored: {} (missing)", spec.display()),
    }
    if vendored.as_deref() == Some(fetched.bytes.as_slice()) {
        println!(
            "{} matches the source byte for byte; nothing to do.",
            spec.display()
        );
        return Ok(Outcome::UpToDate);
    }

    let new = vet::vet(&fetched.bytes, fetched.content_type.as_deref()).map_err(|refusal| {
        SyncError::Refused {
            origin: options.source.to_string(),
            size: fetched.bytes.len(),
            refusal,
        }
    })?;
    let old = baseline(vendored.as_deref());
    let changes = diff(&old, &new);
    if changes.is_empty() {
        println!("the text differs from the vendored file, but the API is the same (documentation, examples or formatting only).");
    }
    print!("{changes}");

    if options.check {
        println!(
            "{} differs from the source; run `cargo xtask sync-spec` to update it.",
            spec.display()
        );
        return Ok(Outcome::Differs);
    }
    write_atomically(spec, &fetched.bytes).map_err(|source| SyncError::Write {
        path: spec.clone(),
        source,
    })?;
    println!("updated {} from {}.", spec.display(), options.source);
    Ok(Outcome::Updated)
}

/// The vendored document, normalized, to compare against. A missing or unusable vendored file
/// does not block replacing it: the report then lists every operation as added.
fn baseline(vendored: Option<&[u8]>) -> Normalized {
    let empty = || Normalized {
        document: serde_json::Value::Object(serde_json::Map::new()),
        operations: Vec::new(),
    };
    let Some(bytes) = vendored else {
        println!("note: there is no vendored document yet; every operation is listed as added.");
        return empty();
    };
    let parsed = std::str::from_utf8(bytes)
        .map_err(|_| Refusal::NotText)
        .and_then(vet::parse)
        .and_then(|value| Ok(kajabi_spec::normalize(&value)?));
    parsed.unwrap_or_else(|refusal| {
        println!("note: the vendored document is unusable ({refusal}); every operation is listed as added.");
        empty()
    })
}

/// Replaces `target` with `bytes` in one rename, so that readers (and a crash) see the old
/// file or the new one, never half of one. The temporary file lives in the target's directory,
/// as a rename across file systems is not atomic; it is removed if anything fails.
fn write_atomically(target: &Path, bytes: &[u8]) -> io::Result<()> {
    // A bare file name's parent is "", which the temporary file's path resolves against the
    // working directory, like ".".
    let dir = target.parent().unwrap_or(Path::new("."));
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".tmp")
        .tempfile_in(dir)?;
    temp.write_all(bytes)?;
    // Keep the vendored file's mode: it is read-only in the repository to stop hand edits,
    // and the temporary file starts out private (0600).
    if let Some(permissions) = permissions_for(target) {
        temp.as_file().set_permissions(permissions)?;
    }
    temp.as_file().sync_all()?;
    temp.persist(target).map_err(|e| e.error)?;
    Ok(())
}

fn permissions_for(target: &Path) -> Option<Permissions> {
    match fs::metadata(target) {
        Ok(metadata) => Some(metadata.permissions()),
        Err(_) => new_file_permissions(),
    }
}

/// An ordinary file's mode (the temporary file starts out 0600); elsewhere the default.
fn new_file_permissions() -> Option<Permissions> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        Some(Permissions::from_mode(0o644))
    }
    #[cfg(not(unix))]
    {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .expect("the directory lists")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_write_replaces_the_file_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let target = dir.path().join("openapi.yaml");
        fs::write(&target, "old").expect("write");
        write_atomically(&target, b"new").expect("the write succeeds");
        assert_eq!(fs::read(&target).expect("read"), b"new");
        assert_eq!(listing(dir.path()), ["openapi.yaml"]);
    }

    #[test]
    fn a_failed_rename_leaves_the_target_and_no_temporary_file() {
        // A rename cannot replace a non-empty directory: the last step fails, after the
        // temporary file was written.
        let dir = tempfile::tempdir().expect("a temporary directory");
        let target = dir.path().join("openapi.yaml");
        fs::create_dir(&target).expect("mkdir");
        fs::write(target.join("keep"), "old").expect("write");
        assert!(write_atomically(&target, b"new").is_err());
        assert_eq!(listing(dir.path()), ["openapi.yaml"]);
        assert_eq!(fs::read(target.join("keep")).expect("read"), b"old");
    }
}
