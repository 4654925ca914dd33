//! The file `kajabi login` writes: the base URL, the client credentials and the session's
//! tokens, so that consecutive commands share one token.
//!
//! It lives in the platform's config directory (`$XDG_CONFIG_HOME/kajabi/config.json` on
//! Linux), or in `$KAJABI_CONFIG_DIR`. It is written atomically with mode 0600 in a 0700
//! directory; a file others can read, or one that does not parse, is refused with an error
//! that says what to do, and never quoted (it holds secrets).

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    time::{Duration, UNIX_EPOCH},
};

use kajabi_api::{SecretString, SessionTokens};
use serde::{Deserialize, Serialize};

use crate::failure::Failure;

const FILE: &str = "config.json";

/// What `kajabi login` stores. `Debug` shows no secret.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Stored {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) base_url: Option<String>,
    pub(crate) client_id: String,
    pub(crate) client_secret: SecretString,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) session: Option<StoredSession>,
}

/// The session's tokens; `renew_at` in seconds since the Unix epoch.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StoredSession {
    pub(crate) access_token: SecretString,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) refresh_token: Option<SecretString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) renew_at: Option<u64>,
}

impl StoredSession {
    pub(crate) fn from_tokens(tokens: &SessionTokens) -> Self {
        Self {
            access_token: tokens.access_token().clone(),
            refresh_token: tokens.refresh_token().cloned(),
            renew_at: tokens
                .renew_at()
                .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
                .map(|d| d.as_secs()),
        }
    }

    pub(crate) fn to_tokens(&self) -> SessionTokens {
        SessionTokens::new(
            self.access_token.clone(),
            self.refresh_token.clone(),
            self.renew_at
                .map(|secs| UNIX_EPOCH + Duration::from_secs(secs)),
        )
    }

    /// Whether `tokens` are these (so that an unchanged session is not rewritten).
    pub(crate) fn same_as(&self, tokens: &SessionTokens) -> bool {
        self.access_token.secret() == tokens.access_token().secret()
    }
}

/// The config file's path.
pub(crate) fn path() -> Result<PathBuf, Failure> {
    if let Some(dir) = std::env::var_os("KAJABI_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir).join(FILE));
    }
    directories::ProjectDirs::from("com", "Kajabi", "kajabi")
        .map(|dirs| dirs.config_dir().join(FILE))
        .ok_or_else(|| {
            Failure::usage("no home directory to keep the login in; set KAJABI_CONFIG_DIR")
        })
}

/// The stored login, if there is one.
pub(crate) fn load() -> Result<Option<(PathBuf, Stored)>, Failure> {
    let path = path()?;
    let text = match fs::read(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Failure::usage(format!(
                "cannot read the config file {}: {e}",
                path.display()
            )))
        }
    };
    check_private(&path)?;
    // serde's message may quote the offending value, a secret: say only where and what kind.
    let stored = serde_json::from_slice(&text).map_err(|e| {
        Failure::usage(format!(
            "the config file {} is not a valid kajabi login (a {:?} problem at line {}, column {}); delete it and run `kajabi login`",
            path.display(),
            e.classify(),
            e.line(),
            e.column()
        ))
    })?;
    Ok(Some((path, stored)))
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    let mode = fs::metadata(path)
        .map_err(|e| Failure::usage(format!("cannot read {}: {e}", path.display())))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(Failure::usage(format!(
            "the config file {} holds credentials but other users may access it (mode {:o}); run `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), Failure> {
    Ok(())
}

/// Writes `stored` atomically, readable by its owner only.
pub(crate) fn save(path: &Path, stored: &Stored) -> Result<(), Failure> {
    let fail = |e: std::io::Error| {
        Failure::other(format!(
            "cannot write the config file {}: {e}",
            path.display()
        ))
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(fail)?;
    let text = serde_json::to_vec_pretty(stored)
        .map_err(|e| Failure::other(format!("cannot encode the login: {e}")))?;
    let temporary = dir.join(format!(".{FILE}.{}", std::process::id()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&temporary).and_then(|mut file| {
        file.write_all(&text)?;
        file.sync_all()
    });
    if let Err(e) = written.and_then(|()| fs::rename(&temporary, path)) {
        let _ = fs::remove_file(&temporary);
        return Err(fail(e));
    }
    Ok(())
}

/// Removes the stored login; nothing stored is fine.
pub(crate) fn delete(path: &Path) -> Result<(), Failure> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Failure::other(format!(
            "cannot remove {}: {e}",
            path.display()
        ))),
    }
}
