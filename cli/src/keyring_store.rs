//! A profile's secrets (the client secret and the session's tokens, [`Secrets`]) in the
//! platform keyring through the `keyring` crate: the Keychain on macOS, the Credential
//! Manager on Windows, the kernel's keyutils on Linux (pure Rust, no D-Bus; the kernel keeps
//! them in memory, so they do not survive a reboot). One entry per profile and config file
//! holds them as one JSON string, so that they change together.
//!
//! `KAJABI_KEYRING=off` keeps them in the config file (mode 0600) instead.

use std::path::Path;

use crate::{config::Secrets, failure::Failure};

/// The environment variable that turns the keyring off.
pub(crate) const VARIABLE: &str = "KAJABI_KEYRING";

/// The keyring's service name for every entry.
const SERVICE: &str = "kajabi-cli";

/// Whether the user lets secrets go to the keyring (`KAJABI_KEYRING`: `on`, the default, or
/// `off`).
pub(crate) fn enabled() -> Result<bool, Failure> {
    match std::env::var(VARIABLE).ok().as_deref() {
        None | Some("" | "on") => Ok(true),
        Some("off") => Ok(false),
        Some(other) => Err(Failure::usage(format!(
            "{VARIABLE}={other:?} is neither `on` nor `off`"
        ))),
    }
}

/// Why the keyring could not be used: the platform's reason, which never holds a secret.
#[derive(Debug)]
pub(crate) struct Unavailable(String);

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<keyring::Error> for Unavailable {
    fn from(error: keyring::Error) -> Self {
        // Named by kind: the variants that carry data carry the stored bytes or credentials.
        Self(match error {
            keyring::Error::PlatformFailure(e) => format!("the keyring failed: {e}"),
            keyring::Error::NoStorageAccess(e) => format!("no access to the keyring: {e}"),
            keyring::Error::NoEntry => "the keyring has no such entry".into(),
            keyring::Error::BadEncoding(_) => "the keyring entry is not text".into(),
            keyring::Error::TooLong(name, limit) => {
                format!("the keyring allows at most {limit} for the {name}")
            }
            keyring::Error::Invalid(name, why) => format!("the keyring refused the {name}: {why}"),
            keyring::Error::Ambiguous(_) => "the keyring has more than one such entry".into(),
            _ => "the keyring failed".into(),
        })
    }
}

/// The keyring entry of one profile of one config file.
pub(crate) struct Keyring {
    entry: keyring::Entry,
}

/// By hand: the mock store's `Debug` would show what it holds.
impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keyring")
    }
}

impl Keyring {
    /// The entry of `profile` in the config file at `config`: the file's path is part of its
    /// name, so that two config directories (`KAJABI_CONFIG_DIR`) do not share logins.
    pub(crate) fn open(profile: &str, config: &Path) -> Result<Self, Unavailable> {
        let account = format!("{profile}@{}", config.display());
        // On Linux the crate notes the session keyring before asking for the persistent one,
        // and that request gives a process without a session keyring (a CI job, an ssh or
        // cron session without pam_keyinit) a new one: the first handle points at the keyring
        // the process just left, where the kernel denies every access. The second is right.
        keyring::Entry::new(SERVICE, &account)?;
        Ok(Self {
            entry: keyring::Entry::new(SERVICE, &account)?,
        })
    }

    /// Stores `secrets`, replacing what the entry held.
    pub(crate) fn save(&self, secrets: &Secrets) -> Result<(), Unavailable> {
        let text = serde_json::to_string(secrets)
            .map_err(|e| Unavailable(format!("cannot encode the login: {e}")))?;
        match self.entry.set_password(&text) {
            Ok(()) => Ok(()),
            // The crate reads Linux's "access denied" as "no entry" (right for a read only).
            Err(keyring::Error::NoEntry) => Err(Unavailable(
                "the keyring refused to keep the entry (access denied)".into(),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// The stored secrets; `None` when the entry is gone (a reboot clears the kernel's).
    pub(crate) fn load(&self) -> Result<Option<Secrets>, Unavailable> {
        let text = match self.entry.get_password() {
            Ok(text) => text,
            Err(keyring::Error::NoEntry) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        // serde's message may quote a secret: say only that it is not a login.
        serde_json::from_str(&text)
            .map(Some)
            .map_err(|_| Unavailable("the keyring entry is not a kajabi login".into()))
    }

    /// Removes the entry; none is fine.
    pub(crate) fn delete(&self) -> Result<(), Unavailable> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    /// The mock credential behind the entry, in tests.
    #[cfg(test)]
    pub(crate) fn mock(&self) -> &keyring::mock::MockCredential {
        self.entry
            .get_credential()
            .downcast_ref()
            .expect("tests use the mock store")
    }
}

/// Makes the keyring crate's in-memory mock the store of this (test) process.
#[cfg(test)]
pub(crate) fn use_mock() {
    keyring::set_default_credential_builder(keyring::mock::default_credential_builder());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::StoredSession;
    use kajabi_api::SecretString;

    fn secrets() -> Secrets {
        Secrets {
            client_secret: SecretString::new("mock-secret"),
            session: Some(StoredSession {
                access_token: SecretString::new("mock-access"),
                refresh_token: Some(SecretString::new("mock-refresh")),
                renew_at: Some(7),
            }),
        }
    }

    #[test]
    fn secrets_round_trip_through_the_keyring_and_are_removed() {
        use_mock();
        let keyring = Keyring::open("work", Path::new("/tmp/kajabi/config.json")).unwrap();
        assert!(keyring.load().unwrap().is_none(), "nothing stored yet");
        keyring.save(&secrets()).unwrap();
        let loaded = keyring.load().unwrap().expect("stored");
        assert_eq!(loaded.client_secret.secret(), "mock-secret");
        let session = loaded.session.unwrap();
        assert_eq!(session.access_token.secret(), "mock-access");
        assert_eq!(session.refresh_token.unwrap().secret(), "mock-refresh");
        keyring.delete().unwrap();
        assert!(keyring.load().unwrap().is_none());
        keyring.delete().expect("deleting nothing is fine");
    }

    #[test]
    fn a_failing_keyring_says_why_without_a_secret() {
        use_mock();
        let keyring = Keyring::open("work", Path::new("/tmp/kajabi/config.json")).unwrap();
        keyring
            .mock()
            .set_error(keyring::Error::NoStorageAccess("locked".to_string().into()));
        let why = keyring.save(&secrets()).unwrap_err().to_string();
        assert_eq!(why, "no access to the keyring: locked");
        keyring.mock().set_error(keyring::Error::NoEntry);
        let why = keyring.save(&secrets()).unwrap_err().to_string();
        assert_eq!(why, "the keyring refused to keep the entry (access denied)");
        keyring
            .mock()
            .set_error(keyring::Error::BadEncoding(b"mock-secret".to_vec()));
        let why = keyring.load().unwrap_err().to_string();
        assert_eq!(why, "the keyring entry is not text");
    }

    #[test]
    fn each_keyring_error_is_named_by_its_kind() {
        let named = |error: keyring::Error| Unavailable::from(error).to_string();
        assert_eq!(
            named(keyring::Error::NoEntry),
            "the keyring has no such entry"
        );
        assert_eq!(
            named(keyring::Error::TooLong("password".into(), 4)),
            "the keyring allows at most 4 for the password"
        );
        assert_eq!(
            named(keyring::Error::Invalid("service".into(), "empty".into())),
            "the keyring refused the service: empty"
        );
        assert_eq!(
            named(keyring::Error::Ambiguous(Vec::new())),
            "the keyring has more than one such entry"
        );
    }

    #[test]
    fn debug_shows_no_stored_secret() {
        use_mock();
        let keyring = Keyring::open("debug", Path::new("/tmp/kajabi/config.json")).unwrap();
        keyring.save(&secrets()).unwrap();
        assert_eq!(format!("{keyring:?}"), "Keyring");
    }
}
