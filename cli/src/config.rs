//! The file `kajabi login` writes: its profiles (the base URL and client id of each, with the
//! client secret and the session's tokens when the keyring does not hold them,
//! [`crate::keyring_store`]) and the profile `kajabi auth switch` made active.
//!
//! It lives in the platform's config directory (`$XDG_CONFIG_HOME/kajabi/config.json` on
//! Linux), or in `$KAJABI_CONFIG_DIR`. It is written atomically with mode 0600 in a 0700
//! directory; a file others can read, or one that does not parse, is refused with an error
//! that says what to do, and never quoted (it may hold secrets).
//!
//! The file of one login that earlier versions wrote (`{"client_id": …, "client_secret": …}`
//! at the top) reads as the profile `default`, and is rewritten in the current shape the next
//! time anything changes.

use std::{
    collections::BTreeMap,
    fs,
    io::Write,
    path::{Path, PathBuf},
    time::{Duration, UNIX_EPOCH},
};

use kajabi_api::{SecretString, SessionTokens};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::failure::Failure;

const FILE: &str = "config.json";

/// The whole file.
#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Config {
    /// The profile `kajabi auth switch` chose; `default` when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) active: Option<String>,
    #[serde(default)]
    pub(crate) profiles: BTreeMap<String, Profile>,
}

/// One profile's stored login. `Debug` shows no secret.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) base_url: Option<String>,
    pub(crate) client_id: String,
    /// The secrets are in the keyring, not here.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) keyring: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) client_secret: Option<SecretString>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) session: Option<StoredSession>,
}

/// A login's secrets, wherever they are kept. `Debug` shows no secret.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Secrets {
    pub(crate) client_secret: SecretString,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) session: Option<StoredSession>,
}

/// The session's tokens; `renew_at` in seconds since the Unix epoch.
#[derive(Debug, Clone, Serialize, Deserialize)]
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

/// The config file at `path`; an empty one when there is none.
pub(crate) fn load(path: &Path) -> Result<Config, Failure> {
    let text = match fs::read(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
        Err(e) => {
            return Err(Failure::usage(format!(
                "cannot read the config file {}: {e}",
                path.display()
            )))
        }
    };
    check_private(path)?;
    // serde's message may quote the offending value, a secret: say only where and what kind.
    let invalid = |e: serde_json::Error| {
        let place = if e.line() > 0 {
            format!(" at line {}, column {}", e.line(), e.column())
        } else {
            String::new()
        };
        Failure::usage(format!(
            "the config file {} is not a valid kajabi login (a {:?} problem{place}); delete it and run `kajabi login`",
            path.display(),
            e.classify(),
        ))
    };
    let value: Value = serde_json::from_slice(&text).map_err(invalid)?;
    let config = if is_single_login(&value) {
        let profile: Profile = serde_json::from_value(value).map_err(invalid)?;
        Config {
            active: None,
            profiles: BTreeMap::from([(crate::profiles::DEFAULT.to_string(), profile)]),
        }
    } else {
        serde_json::from_value(value).map_err(invalid)?
    };
    for (name, profile) in &config.profiles {
        if !profile.keyring && profile.client_secret.is_none() {
            return Err(Failure::usage(format!(
                "the config file {} has no client secret for the profile {name}; run `kajabi login --profile {name}`",
                path.display()
            )));
        }
    }
    Ok(config)
}

/// The shape earlier versions wrote: one login at the top.
fn is_single_login(value: &Value) -> bool {
    value.get("client_id").is_some() && value.get("profiles").is_none()
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

/// Writes `config` atomically, readable by its owner only; removes the file instead when it
/// would say nothing (no profile, none chosen).
pub(crate) fn save(path: &Path, config: &Config) -> Result<(), Failure> {
    let chose = config
        .active
        .as_deref()
        .is_some_and(|a| a != crate::profiles::DEFAULT);
    if config.profiles.is_empty() && !chose {
        return delete(path);
    }
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
    let text = serde_json::to_vec_pretty(config)
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

/// Removes the file; none is fine.
fn delete(path: &Path) -> Result<(), Failure> {
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(Failure::other(format!(
            "cannot remove {}: {e}",
            path.display()
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_single_login_of_earlier_versions_reads_as_the_default_profile() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let single = r#"{"base_url": "http://127.0.0.1:1", "client_id": "id", "client_secret": "old-secret",
            "session": {"access_token": "old-access", "refresh_token": "old-refresh", "renew_at": 5}}"#;
        let mut options = fs::OpenOptions::new();
        options.write(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options
            .open(&path)
            .unwrap()
            .write_all(single.as_bytes())
            .unwrap();
        let config = load(&path).unwrap();
        assert_eq!(config.active, None);
        let default = &config.profiles["default"];
        assert_eq!(default.client_id, "id");
        assert!(!default.keyring);
        assert_eq!(
            default.client_secret.as_ref().unwrap().secret(),
            "old-secret"
        );
        let session = default.session.as_ref().unwrap();
        assert_eq!(session.access_token.secret(), "old-access");
        assert_eq!(session.renew_at, Some(5));
        // Written back in the current shape, it reads the same.
        save(&path, &config).unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"profiles\""), "{text}");
        let again = load(&path).unwrap();
        assert_eq!(
            again.profiles["default"]
                .client_secret
                .as_ref()
                .unwrap()
                .secret(),
            "old-secret"
        );
    }

    #[test]
    fn deleting_is_done_when_the_file_is_gone_and_fails_otherwise() {
        let dir = tempfile::tempdir().unwrap();
        delete(&dir.path().join(FILE)).expect("nothing to remove is fine");
        // A directory in the file's place cannot be removed as a file.
        let failure = delete(dir.path()).unwrap_err();
        assert!(
            failure.message.starts_with("cannot remove"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn a_profile_without_its_secret_and_not_in_the_keyring_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(FILE);
        let config = Config {
            active: None,
            profiles: BTreeMap::from([(
                "work".to_string(),
                Profile {
                    base_url: None,
                    client_id: "id".into(),
                    keyring: false,
                    client_secret: None,
                    session: None,
                },
            )]),
        };
        save(&path, &config).unwrap();
        let failure = load(&path).unwrap_err();
        assert_eq!(failure.code, crate::failure::USAGE);
        assert!(failure.message.contains("kajabi login --profile work"));
    }
}
