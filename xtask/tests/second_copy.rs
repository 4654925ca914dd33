//! `cargo xtask sync-spec` in a second copy of the repository that shares this one's target
//! directory (a global `CARGO_TARGET_DIR` or `build.target-dir`): cargo reuses the xtask binary
//! built here, and the task must still vendor into the copy it was run in.
//!
//! Each test copies the repository (without `target/` and `.git`) into a temporary directory
//! and runs the xtask binary of this target directory there. The first step of each is a
//! `--check`, which writes nothing: if the task looked at this repository's `openapi.yaml`
//! instead, the test fails there, before anything could be written to it.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{json, Value};
use tempfile::TempDir;

/// This repository's root: xtask lives one level below it.
fn this_repository() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent directory")
        .to_path_buf()
}

/// Copies the repository's tree into `to`, links as links, without build output and history.
fn copy_tree(from: &Path, to: &Path) {
    fs::create_dir_all(to).expect("the copy's directory is created");
    for entry in fs::read_dir(from).expect("the repository lists") {
        let entry = entry.expect("an entry");
        let name = entry.file_name();
        if name == "target" || name == ".git" {
            continue;
        }
        let (source, dest) = (entry.path(), to.join(&name));
        let kind = entry.file_type().expect("the entry's type");
        if kind.is_symlink() {
            let link = fs::read_link(&source).expect("the link reads");
            #[cfg(unix)]
            std::os::unix::fs::symlink(&link, &dest).expect("the link is copied");
            #[cfg(not(unix))]
            fs::copy(source.parent().expect("a parent").join(link), &dest)
                .expect("the linked file is copied");
        } else if kind.is_dir() {
            copy_tree(&source, &dest);
        } else {
            fs::copy(&source, &dest).expect("the file is copied");
        }
    }
}

/// A second copy of the repository whose `openapi.yaml` differs from this one's by a comment,
/// so that a `--check` against it tells the two apart.
struct SecondCopy {
    _dir: TempDir,
    root: PathBuf,
}

impl SecondCopy {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let root = dir.path().join("kajabi-api");
        copy_tree(&this_repository(), &root);
        let mut spec = fs::read(root.join("openapi.yaml")).expect("the copy has openapi.yaml");
        spec.extend_from_slice(b"\n# the second copy\n");
        fs::write(root.join("openapi.yaml"), spec).expect("the copy's spec is written");
        SecondCopy { _dir: dir, root }
    }

    fn spec(&self) -> PathBuf {
        self.root.join("openapi.yaml")
    }

    /// Runs this target directory's xtask in the copy (in its `sandbox/` directory, below the
    /// root), as `cargo xtask` does when it reuses the binary: `CARGO_MANIFEST_DIR` is xtask's
    /// directory in the workspace cargo found there. Without it, as when the binary is run
    /// directly.
    fn xtask(&self, args: &[&str], as_cargo_runs_it: bool) -> Output {
        let mut command = Command::new(env!("CARGO_BIN_EXE_xtask"));
        command.args(args).current_dir(self.root.join("sandbox"));
        if as_cargo_runs_it {
            command.env("CARGO_MANIFEST_DIR", self.root.join("xtask"));
        } else {
            command.env_remove("CARGO_MANIFEST_DIR");
        }
        command.output().expect("the xtask binary runs")
    }
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The vendored document with another `info.version`, as JSON text (JSON is YAML), in its own
/// temporary directory.
fn upstream() -> (TempDir, PathBuf, Vec<u8>) {
    let text = fs::read_to_string(this_repository().join("openapi.yaml"))
        .expect("the repository's openapi.yaml is readable");
    let mut doc: Value = kajabi_spec::load(&text).expect("the vendored document parses");
    doc["info"]["version"] = json!("9.9.9");
    let bytes = serde_json::to_vec_pretty(&doc).expect("a JSON value serializes");
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("upstream.yaml");
    fs::write(&path, &bytes).expect("the source is written");
    (dir, path, bytes)
}

fn sync_spec_writes_the_copy_it_runs_in(as_cargo_runs_it: bool) {
    let ours = fs::read(this_repository().join("openapi.yaml")).expect("our openapi.yaml");
    let copy = SecondCopy::new();
    let copy_spec = copy.spec();
    let copy_spec = copy_spec.to_str().expect("temporary paths are UTF-8");

    // The copy's own document is up to date with itself; this repository's is not.
    let check = copy.xtask(
        &["sync-spec", "--check", "--from", copy_spec],
        as_cargo_runs_it,
    );
    assert_eq!(
        check.status.code(),
        Some(0),
        "the check compared another file than the copy's openapi.yaml: {}",
        stderr(&check)
    );

    let (_upstream_dir, upstream, new) = upstream();
    let sync = copy.xtask(
        &[
            "sync-spec",
            "--from",
            upstream.to_str().expect("temporary paths are UTF-8"),
        ],
        as_cargo_runs_it,
    );
    assert_eq!(sync.status.code(), Some(0), "{}", stderr(&sync));
    assert!(
        fs::read(copy.spec()).expect("the copy's openapi.yaml") == new,
        "the copy's openapi.yaml is not the new document"
    );
    assert!(
        fs::read(this_repository().join("openapi.yaml")).expect("our openapi.yaml") == ours,
        "this repository's openapi.yaml changed"
    );
}

#[test]
fn cargo_xtask_in_a_second_copy_vendors_into_that_copy() {
    sync_spec_writes_the_copy_it_runs_in(true);
}

#[test]
fn the_binary_run_directly_in_a_second_copy_vendors_into_that_copy() {
    sync_spec_writes_the_copy_it_runs_in(false);
}

#[test]
fn outside_any_workspace_sync_spec_refuses_and_names_the_way_out() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["sync-spec", "--check", "--from", "upstream.yaml"])
        .current_dir(dir.path())
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .expect("the xtask binary runs");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--spec"), "{}", stderr(&out));
    assert!(
        !dir.path().join("openapi.yaml").exists(),
        "a document was written outside any workspace"
    );
}
