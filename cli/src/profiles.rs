//! Profiles: named logins in the config file ([`crate::config`]), one of them active.
//!
//! A command uses the profile named by `--profile NAME`, else `KAJABI_PROFILE`, else the one
//! `kajabi auth switch` made active, else `default`. A profile named (by the flag or the
//! variable) that the file lacks is a usage error listing the known ones; an unnamed one
//! that does not exist is simply not logged in. Each login's secrets go to the keyring
//! ([`crate::keyring_store`]) where one is available, else to the file, with a one-line
//! notice saying so.

use std::{path::Path, sync::OnceLock};

use kajabi_api::SessionTokens;

use crate::{
    config::{self, Config, Profile, Secrets, StoredSession},
    failure::{Failure, AUTH},
    keyring_store::{self, Keyring, Unavailable},
};

/// The profile used when none is named or active, and that earlier versions' login reads as.
pub(crate) const DEFAULT: &str = "default";

/// The environment variable naming the profile when `--profile` does not.
pub(crate) const VARIABLE: &str = "KAJABI_PROFILE";

static CHOSEN: OnceLock<Option<String>> = OnceLock::new();

/// Reads `--profile` (checked by clap with [`parse_name`]), else `KAJABI_PROFILE`, once,
/// before anything else.
pub(crate) fn init(flag: Option<&String>) -> Result<(), Failure> {
    let chosen =
        match flag {
            Some(name) => Some(name.clone()),
            None => match std::env::var(VARIABLE) {
                Ok(name) if !name.is_empty() => Some(parse_name(&name).map_err(|why| {
                    Failure::usage(format!("{VARIABLE}: {why}; nothing was sent"))
                })?),
                _ => None,
            },
        };
    let _ = CHOSEN.set(chosen);
    Ok(())
}

/// A profile's name: 1 to 64 letters, digits, `-`, `_` or `.`, so that it reads the same in
/// a shell, the file and the keyring.
pub(crate) fn parse_name(text: &str) -> Result<String, String> {
    let fits = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.');
    if text.is_empty() || text.len() > 64 || !text.chars().all(fits) {
        return Err(format!(
            "{text:?} is not a profile name: use 1 to 64 letters, digits, '-', '_' or '.'"
        ));
    }
    Ok(text.to_string())
}

/// The profile named by `--profile` or `KAJABI_PROFILE`, if any.
pub(crate) fn chosen() -> Option<&'static str> {
    CHOSEN.get().and_then(Option::as_deref)
}

/// The profile this command uses, of those in `config`.
pub(crate) fn in_use(config: &Config) -> String {
    chosen()
        .or(config.active.as_deref())
        .unwrap_or(DEFAULT)
        .to_string()
}

/// A usage error when `name` was named by the user (flag or variable) and `config` lacks it.
pub(crate) fn check_known(config: &Config, name: &str) -> Result<(), Failure> {
    if chosen() == Some(name) && !config.profiles.contains_key(name) {
        return Err(unknown(config, name));
    }
    Ok(())
}

/// "no profile x; the profiles are: …", one line.
pub(crate) fn unknown(config: &Config, name: &str) -> Failure {
    let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
    Failure::usage(if known.is_empty() {
        format!("no profile {name:?}: there are no profiles yet; create it with `kajabi login --profile {name}`")
    } else {
        format!(
            "no profile {name:?}; the profiles are: {} (`kajabi login --profile {name}` creates it)",
            known.join(", ")
        )
    })
}

/// A profile's login with its secrets. `Debug` shows no secret.
#[derive(Debug)]
pub(crate) struct Login {
    pub(crate) name: String,
    pub(crate) base_url: Option<String>,
    pub(crate) client_id: String,
    pub(crate) secrets: Secrets,
}

/// Where a login's secrets are kept.
#[derive(Debug)]
pub(crate) enum Place {
    File,
    Keyring(Keyring),
}

impl Place {
    /// `keyring` or `file`, as `kajabi auth status` says it.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Place::File => "file",
            Place::Keyring(_) => "keyring",
        }
    }
}

/// Where new secrets may go.
pub(crate) enum Vault {
    Keyring(Keyring),
    /// `KAJABI_KEYRING=off`.
    Off,
    /// No keyring on this machine, or it does not answer.
    Unavailable(Unavailable),
}

/// The vault for `name`'s secrets in the config file at `path`.
pub(crate) fn vault(name: &str, path: &Path) -> Result<Vault, Failure> {
    if !keyring_store::enabled()? {
        return Ok(Vault::Off);
    }
    Ok(match Keyring::open(name, path) {
        Ok(keyring) => Vault::Keyring(keyring),
        Err(why) => Vault::Unavailable(why),
    })
}

/// The login of `name` in `config` (read from the config file at `path`), with its secrets
/// from the keyring when they are there; `None` when the profile does not exist.
pub(crate) fn load(
    config: &Config,
    path: &Path,
    name: &str,
) -> Result<Option<(Login, Place)>, Failure> {
    let Some(profile) = config.profiles.get(name) else {
        return Ok(None);
    };
    if !profile.keyring {
        let secrets = Secrets {
            client_secret: profile.client_secret.clone().ok_or_else(|| {
                Failure::usage(format!("the profile {name} has no client secret"))
            })?,
            session: profile.session.clone(),
        };
        return Ok(Some((login(name, profile, secrets), Place::File)));
    }
    let keyring = match vault(name, path)? {
        Vault::Keyring(keyring) => keyring,
        Vault::Off => {
            return Err(Failure {
                code: AUTH,
                message: format!(
                    "the login of profile {name} is in the keyring, which {}=off turns off; unset it, or run `kajabi login --profile {name}` to keep the login in the file",
                    keyring_store::VARIABLE
                ),
            })
        }
        Vault::Unavailable(why) => return Err(unreadable(name, &why)),
    };
    from_keyring(name, profile, keyring).map(Some)
}

/// `profile`'s login with its secrets from `keyring`.
pub(crate) fn from_keyring(
    name: &str,
    profile: &Profile,
    keyring: Keyring,
) -> Result<(Login, Place), Failure> {
    match keyring.load() {
        Ok(Some(secrets)) => Ok((login(name, profile, secrets), Place::Keyring(keyring))),
        Ok(None) => {
            let why = if cfg!(target_os = "linux") {
                " (the kernel's keyring does not survive a reboot)"
            } else {
                ""
            };
            Err(Failure {
                code: AUTH,
                message: format!(
                    "the keyring no longer holds the login of profile {name}{why}; run `kajabi login --profile {name}`"
                ),
            })
        }
        Err(why) => Err(unreadable(name, &why)),
    }
}

fn unreadable(name: &str, why: &Unavailable) -> Failure {
    Failure {
        code: AUTH,
        message: format!(
            "cannot read the login of profile {name} from the keyring ({why}); run `kajabi login --profile {name}` ({}=off keeps it in the file)",
            keyring_store::VARIABLE
        ),
    }
}

fn login(name: &str, profile: &Profile, secrets: Secrets) -> Login {
    Login {
        name: name.to_string(),
        base_url: profile.base_url.clone(),
        client_id: profile.client_id.clone(),
        secrets,
    }
}

/// Stores `login` as its profile in `config` and the file at `path`: its secrets in the
/// keyring of `vault`, else in the file. Returns where they went, and the one-line notice to
/// print when that is the file.
pub(crate) fn store(
    path: &Path,
    config: &mut Config,
    login: &Login,
    vault: Vault,
) -> Result<(Place, Option<String>), Failure> {
    let in_file = || {
        format!(
            "the client secret and tokens are kept in {} (mode 0600)",
            path.display()
        )
    };
    let (place, notice) = match vault {
        Vault::Keyring(keyring) => match keyring.save(&login.secrets) {
            Ok(()) => (Place::Keyring(keyring), None),
            Err(why) => {
                // Whatever an earlier login left there is stale now.
                let _ = keyring.delete();
                (
                    Place::File,
                    Some(format!(
                        "the keyring is not available ({why}); {} instead",
                        in_file()
                    )),
                )
            }
        },
        Vault::Off => (
            Place::File,
            Some(format!(
                "{}, as {}=off asks",
                in_file(),
                keyring_store::VARIABLE
            )),
        ),
        Vault::Unavailable(why) => (
            Place::File,
            Some(format!(
                "the keyring is not available ({why}); {} instead",
                in_file()
            )),
        ),
    };
    config
        .profiles
        .insert(login.name.clone(), record(login, &place));
    config::save(path, config)?;
    Ok((place, notice))
}

/// The file's record of `login` whose secrets are in `place`.
fn record(login: &Login, place: &Place) -> Profile {
    let in_file = matches!(place, Place::File);
    Profile {
        base_url: login.base_url.clone(),
        client_id: login.client_id.clone(),
        keyring: !in_file,
        client_secret: in_file.then(|| login.secrets.client_secret.clone()),
        session: if in_file {
            login.secrets.session.clone()
        } else {
            None
        },
    }
}

/// Keeps the session `tokens` (renewed or new) of `login`, where its secrets are; a keyring
/// that fails now moves them to the file, with a one-line notice on stderr. The file is
/// read again first, so that a change another command made meanwhile is kept; a profile
/// logged out meanwhile stays logged out.
pub(crate) fn save_session(
    path: &Path,
    login: &mut Login,
    place: &mut Place,
    tokens: Option<&SessionTokens>,
) -> Result<(), Failure> {
    login.secrets.session = tokens.map(StoredSession::from_tokens);
    let mut config = config::load(path)?;
    if !config.profiles.contains_key(&login.name) {
        return Ok(());
    }
    if let Place::Keyring(keyring) = place {
        match keyring.save(&login.secrets) {
            Ok(()) => return Ok(()),
            Err(why) => {
                eprintln!(
                    "kajabi: the keyring is not available ({why}); the login of profile {} is kept in {} (mode 0600) instead",
                    login.name,
                    path.display()
                );
                *place = Place::File;
            }
        }
    }
    config
        .profiles
        .insert(login.name.clone(), record(login, place));
    config::save(path, &config)
}

/// Removes the profile `name` from `config` and the file at `path`, and its secrets from the
/// keyring.
pub(crate) fn remove(
    path: &Path,
    config: &mut Config,
    name: &str,
    place: Option<&Place>,
) -> Result<(), Failure> {
    let stored = config.profiles.remove(name);
    if let Some(Place::Keyring(keyring)) = place {
        keyring.delete().map_err(|why| {
            Failure::other(format!(
                "cannot remove the login of profile {name} from the keyring ({why})"
            ))
        })?;
    } else if stored.as_ref().is_some_and(|p| p.keyring) && keyring_store::enabled()? {
        // Not loaded (the keyring failed to answer then): try to remove it all the same.
        if let Ok(keyring) = Keyring::open(name, path) {
            let _ = keyring.delete();
        }
    }
    config::save(path, config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use kajabi_api::SecretString;

    fn login() -> Login {
        Login {
            name: "work".into(),
            base_url: Some("http://127.0.0.1:1".into()),
            client_id: "work-id".into(),
            secrets: Secrets {
                client_secret: SecretString::new("work-secret"),
                session: Some(StoredSession {
                    access_token: SecretString::new("work-access"),
                    refresh_token: None,
                    renew_at: None,
                }),
            },
        }
    }

    fn keyring(path: &Path) -> Keyring {
        keyring_store::use_mock();
        Keyring::open("work", path).unwrap()
    }

    #[test]
    fn a_login_goes_to_the_keyring_and_the_file_keeps_no_secret() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let mut config = Config::default();
        let (place, notice) =
            store(&path, &mut config, &login(), Vault::Keyring(keyring(&path))).unwrap();
        assert!(notice.is_none(), "{notice:?}");
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("\"keyring\": true"), "{text}");
        for secret in ["work-secret", "work-access"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        let Place::Keyring(keyring) = place else {
            panic!("the keyring holds the secrets");
        };
        // A later command reads the login back from the file and the keyring.
        let config = config::load(&path).unwrap();
        let (loaded, place) = from_keyring("work", &config.profiles["work"], keyring).unwrap();
        assert_eq!(loaded.client_id, "work-id");
        assert_eq!(loaded.secrets.client_secret.secret(), "work-secret");
        assert_eq!(place.name(), "keyring");
        // Logging out removes both.
        let mut config = config;
        remove(&path, &mut config, "work", Some(&place)).unwrap();
        assert!(!path.exists());
        let Place::Keyring(keyring) = place else {
            unreachable!()
        };
        assert!(keyring.load().unwrap().is_none());
    }

    #[test]
    fn a_broken_keyring_falls_back_to_the_file_and_says_so_in_one_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let keyring = keyring(&path);
        keyring
            .mock()
            .set_error(keyring::Error::PlatformFailure("no keyring daemon".into()));
        let mut config = Config::default();
        let (place, notice) = store(&path, &mut config, &login(), Vault::Keyring(keyring)).unwrap();
        assert_eq!(place.name(), "file");
        let notice = notice.expect("a notice");
        assert!(!notice.contains('\n') && !notice.contains("work-secret"));
        assert!(
            notice.contains("the keyring is not available (the keyring failed: no keyring daemon)")
                && notice.contains("(mode 0600) instead"),
            "{notice}"
        );
        let (loaded, place) = load(&config::load(&path).unwrap(), &path, "work")
            .unwrap()
            .unwrap();
        assert_eq!(place.name(), "file");
        assert_eq!(loaded.secrets.client_secret.secret(), "work-secret");
    }

    #[test]
    fn a_renewed_session_moves_to_the_file_when_the_keyring_fails_then() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let mut config = Config::default();
        let (mut place, _) =
            store(&path, &mut config, &login(), Vault::Keyring(keyring(&path))).unwrap();
        let Place::Keyring(keyring) = &place else {
            panic!("in the keyring");
        };
        keyring
            .mock()
            .set_error(keyring::Error::NoStorageAccess("locked".into()));
        let mut login = login();
        let renewed = SessionTokens::new(SecretString::new("renewed-access"), None, None);
        save_session(&path, &mut login, &mut place, Some(&renewed)).unwrap();
        assert_eq!(place.name(), "file");
        let stored = &config::load(&path).unwrap().profiles["work"];
        assert!(!stored.keyring);
        assert_eq!(
            stored.session.as_ref().unwrap().access_token.secret(),
            "renewed-access"
        );
    }

    #[test]
    fn a_keyring_that_lost_the_login_says_to_log_in_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.json");
        let profile = record(&login(), &Place::Keyring(keyring(&path)));
        let failure = from_keyring("work", &profile, keyring(&path)).unwrap_err();
        assert_eq!(failure.code, AUTH);
        assert!(
            failure.message.contains("kajabi login --profile work"),
            "{}",
            failure.message
        );
    }

    #[test]
    fn profile_names_are_plain_words() {
        assert_eq!(parse_name("work-2.eu_x"), Ok("work-2.eu_x".into()));
        for bad in ["", "a b", "x/y", "é", &"a".repeat(65)] {
            assert!(parse_name(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn an_unknown_profile_lists_the_known_ones() {
        let mut config = Config::default();
        assert!(unknown(&config, "x").message.contains("no profiles yet"));
        config
            .profiles
            .insert("b".into(), record(&login(), &Place::File));
        config
            .profiles
            .insert("a".into(), record(&login(), &Place::File));
        let failure = unknown(&config, "x");
        assert_eq!(failure.code, crate::failure::USAGE);
        assert!(
            failure.message.contains("the profiles are: a, b"),
            "{}",
            failure.message
        );
    }
}
