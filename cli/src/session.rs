//! `kajabi login`, `kajabi logout` and `kajabi auth status|switch|token`.

use std::io::{BufRead, IsTerminal};

use clap::ArgMatches;
use kajabi_api::SecretString;
use serde_json::{json, Map, Value};

use crate::{
    config::{self, Secrets, StoredSession},
    credentials::{self, Source},
    failure::{Failure, AUTH},
    output,
    profiles::{self, Login},
};

/// Checks the client credentials by getting a token, then stores them with the session as
/// the profile in use.
pub(crate) async fn login(matches: &ArgMatches) -> Result<(), Failure> {
    let stdin_is_terminal = std::io::stdin().is_terminal();
    let client_id = match matches.get_one::<String>("client-id") {
        Some(id) => id.clone(),
        None if stdin_is_terminal => {
            eprint!("Client id: ");
            read_line()?
        }
        None => {
            return Err(Failure::usage(
                "--client-id is needed when stdin is not a terminal",
            ))
        }
    };
    let client_secret = if matches.get_flag("client-secret-stdin") {
        SecretString::new(read_line()?)
    } else if stdin_is_terminal {
        rpassword::prompt_password("Client secret: ")
            .map(SecretString::new)
            .map_err(|e| Failure::usage(format!("cannot read the client secret: {e}")))?
    } else {
        return Err(Failure::usage(
            "no terminal to ask for the client secret on: pipe it in with --client-secret-stdin",
        ));
    };
    if client_id.is_empty() || client_secret.secret().is_empty() {
        return Err(Failure::usage("the client id and secret must not be empty"));
    }
    let path = config::path()?;
    let mut config = config::load(&path)?;
    let name = profiles::in_use(&config);
    let vault = profiles::vault(&name, &path)?;
    // The flag wins over the environment; the URL is stored unless it is Kajabi's own.
    let base_url = matches.get_one::<String>("base-url").cloned().or_else(|| {
        std::env::var("KAJABI_BASE_URL")
            .ok()
            .filter(|u| !u.is_empty())
    });
    let (builder, _) = credentials::builder(None);
    let builder = match &base_url {
        Some(url) => builder.base_url(url.clone()),
        None => builder,
    };
    let client = builder
        .client_credentials(client_id.clone(), client_secret.clone())
        .build()?;
    client.access_token().await?;
    let login = Login {
        name: name.clone(),
        base_url,
        client_id: client_id.clone(),
        secrets: Secrets {
            client_secret,
            session: client
                .session_tokens()
                .as_ref()
                .map(StoredSession::from_tokens),
        },
    };
    // A first login becomes the active profile: there is no other to prefer.
    let active = config.active.as_deref().unwrap_or(profiles::DEFAULT);
    if active != name && !config.profiles.contains_key(active) {
        config.active = Some(name.clone());
    }
    let (place, notice) = profiles::store(&path, &mut config, &login, vault)?;
    if let Some(notice) = notice {
        eprintln!("kajabi: {notice}");
    }
    let kept = match place {
        profiles::Place::Keyring(_) => "its secrets in the keyring".to_string(),
        profiles::Place::File => format!("in {}", path.display()),
    };
    eprintln!(
        "Logged in to {} as client {client_id}: profile {name}, {kept}",
        client.base_url(),
    );
    if config.active.as_deref().unwrap_or(profiles::DEFAULT) != name {
        eprintln!(
            "Use it with --profile {name}, or make it the default with `kajabi auth switch {name}`"
        );
    }
    Ok(())
}

fn read_line() -> Result<String, Failure> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| Failure::usage(format!("cannot read stdin: {e}")))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

/// Revokes the session stored for the profile in use (`POST /v1/oauth/revoke` through the
/// SDK's `logout`, which asks for no token when there is no session) and removes that
/// login, whatever credentials the environment holds.
pub(crate) async fn logout() -> Result<(), Failure> {
    let path = config::path()?;
    let mut config = config::load(&path)?;
    let name = profiles::in_use(&config);
    profiles::check_known(&config, &name)?;
    let environment = credentials::environment();
    let remains = if environment.is_empty() {
        String::new()
    } else {
        format!(
            "; {} in the environment remain in use",
            environment.join(", ")
        )
    };
    if !config.profiles.contains_key(&name) {
        return Err(Failure {
            code: AUTH,
            message: format!("profile {name} has no stored login: nothing to log out of{remains}"),
        });
    }
    let place = match profiles::load(&config, &path, &name) {
        Ok(Some((login, place))) => {
            revoke(&login).await?;
            Some(place)
        }
        Ok(None) => None,
        // The secrets are out of reach (the keyring lost them): nothing to revoke with, but
        // the login is still forgotten.
        Err(failure) => {
            eprintln!("kajabi: {failure}; nothing was revoked");
            None
        }
    };
    profiles::remove(&path, &mut config, &name, place.as_ref())?;
    eprintln!("Logged out of profile {name}: its stored login is removed{remains}");
    Ok(())
}

async fn revoke(login: &Login) -> Result<(), Failure> {
    let client = credentials::client_for(login, true)?;
    match client.logout().await {
        Ok(()) => Ok(()),
        // The session is already dead (revoked, expired, its renewal refused): there is
        // nothing left to revoke, only to forget.
        Err(e) if e.is_auth() => {
            eprintln!("The session was already revoked or expired.");
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}

/// `kajabi auth status|switch|token`.
pub(crate) async fn auth(matches: &ArgMatches) -> Result<(), Failure> {
    match matches.subcommand() {
        Some(("switch", sub)) => switch(sub),
        Some(("token", _)) => token().await,
        _ => status(matches).await,
    }
}

/// The profiles, the one in use, where its credentials come from, and whom they belong to
/// (`GET /v1/me`); never a secret.
async fn status(matches: &ArgMatches) -> Result<(), Failure> {
    let format = matches.get_one::<String>("format").map(String::as_str);
    let json = match format {
        None if matches.get_one::<String>("jq").is_none() => false,
        None | Some("json") => true,
        Some(other) => {
            return Err(Failure::usage(format!(
                "`kajabi auth status` prints text, or JSON with --format json, not --format {other}"
            )))
        }
    };
    let mut printer = output::Printer::new(matches)?;
    let path = config::path()?;
    let config = config::load(&path)?;
    let credentials = credentials::resolve()?;
    let in_use = profiles::in_use(&config);
    let me = match credentials.source {
        Source::None => None,
        _ => Some(
            credentials
                .client
                .call_operation("get_me", &Map::new(), None)
                .await,
        ),
    };
    let user = match &me {
        Some(Ok(me)) => {
            let text = |pointer: &str| me.pointer(pointer).cloned().unwrap_or(Value::Null);
            json!({"name": text("/data/attributes/name"), "email": text("/data/attributes/email")})
        }
        _ => Value::Null,
    };
    let profile_in_use = match &credentials.source {
        Source::Profile { login, .. } => Some(login.name.as_str()),
        _ => None,
    };
    let source = credentials.source_name();
    let report = json!({
        "base_url": credentials.client.base_url(),
        "user": user,
        "source": source,
        "environment": credentials::environment(),
        "profile": profile_in_use,
        "config_file": path.display().to_string(),
        "profiles": config.profiles.iter().map(|(name, profile)| json!({
            "name": name,
            "in_use": *name == in_use,
            "client_id": profile.client_id,
            "base_url": profile.base_url.as_deref().unwrap_or(kajabi_api::DEFAULT_BASE_URL),
            "secrets": if profile.keyring { "keyring" } else { "file" },
        })).collect::<Vec<_>>(),
    });
    if json {
        printer.response(&report)?;
    } else {
        output::write_line(&status_text(&report, &in_use))?;
    }
    match me {
        None => {
            credentials.persist()?;
            Err(Failure {
                code: AUTH,
                message: format!("not logged in (profile {in_use}): set KAJABI_CLIENT_ID and KAJABI_CLIENT_SECRET (or KAJABI_ACCESS_TOKEN), or run `kajabi login`"),
            })
        }
        Some(Err(e)) => {
            credentials.persist()?;
            Err(e.into())
        }
        Some(Ok(_)) => credentials.persist(),
    }
}

/// The text form of `auth status`'s report.
fn status_text(report: &Value, in_use: &str) -> String {
    let text = |value: &Value| value.as_str().unwrap_or("?").to_string();
    let mut lines = Vec::new();
    if !report["user"].is_null() {
        lines.push(format!(
            "Logged in to {} as {} <{}>",
            text(&report["base_url"]),
            text(&report["user"]["name"]),
            text(&report["user"]["email"])
        ));
    }
    let environment = || {
        report["environment"]
            .as_array()
            .map(|names| names.iter().map(text).collect::<Vec<_>>().join(", "))
            .unwrap_or_default()
    };
    lines.push(match report["source"].as_str() {
        Some("environment") => format!("Credentials: environment variables ({})", environment()),
        Some("keyring") => format!("Credentials: profile {in_use}, secrets in the keyring"),
        Some("file") => format!(
            "Credentials: profile {in_use}, secrets in {}",
            text(&report["config_file"])
        ),
        _ => format!("Credentials: none (profile {in_use} has no login)"),
    });
    let profiles = report["profiles"].as_array().cloned().unwrap_or_default();
    if profiles.is_empty() {
        lines.push("Profiles: none; `kajabi login --profile NAME` creates one".into());
    } else {
        lines.push(format!("Profiles ({}):", text(&report["config_file"])));
        let width = profiles
            .iter()
            .map(|p| text(&p["name"]).len())
            .max()
            .unwrap_or(0);
        for profile in &profiles {
            let mark = if profile["in_use"] == true { '*' } else { ' ' };
            lines.push(format!(
                "{mark} {:width$}  client {}  {}  secrets in the {}",
                text(&profile["name"]),
                text(&profile["client_id"]),
                text(&profile["base_url"]),
                text(&profile["secrets"]),
            ));
        }
    }
    lines.join("\n")
}

/// `kajabi auth switch NAME`: makes NAME the profile commands use.
fn switch(matches: &ArgMatches) -> Result<(), Failure> {
    let name = matches
        .get_one::<String>("name")
        .ok_or_else(|| Failure::usage("which profile?"))?;
    let path = config::path()?;
    let mut config = config::load(&path)?;
    let Some(profile) = config.profiles.get(name) else {
        return Err(profiles::unknown(&config, name));
    };
    let line = format!(
        "Switched to profile {name} (client {} at {})",
        profile.client_id,
        profile
            .base_url
            .as_deref()
            .unwrap_or(kajabi_api::DEFAULT_BASE_URL)
    );
    config.active = Some(name.clone());
    config::save(&path, &config)?;
    eprintln!("{line}");
    let environment = credentials::environment();
    if !environment.is_empty() {
        eprintln!(
            "Note: {} in the environment are used before any profile",
            environment.join(", ")
        );
    }
    Ok(())
}

/// `kajabi auth token`: the current access token on stdout, got or renewed first if needed.
/// The one command that prints a secret, as asked.
async fn token() -> Result<(), Failure> {
    let credentials = credentials::resolve()?;
    if let Source::None = credentials.source {
        return Err(Failure {
            code: AUTH,
            message: "not logged in: set KAJABI_CLIENT_ID and KAJABI_CLIENT_SECRET (or KAJABI_ACCESS_TOKEN), or run `kajabi login`".into(),
        });
    }
    let token = credentials.client.access_token().await;
    // Keep a new or renewed session even when printing fails.
    let printed = match &token {
        Ok(token) => output::write_line(token.secret()),
        Err(_) => Ok(()),
    };
    credentials.persist()?;
    token?;
    printed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_text_names_where_the_secrets_are() {
        let report = |source: &str| {
            json!({"source": source, "environment": ["KAJABI_CLIENT_ID", "KAJABI_CLIENT_SECRET"],
                "config_file": "/home/u/.config/kajabi/config.json", "profiles": []})
        };
        let credentials = |source: &str| {
            status_text(&report(source), "work")
                .lines()
                .find(|line| line.starts_with("Credentials: "))
                .map(str::to_string)
        };
        assert_eq!(
            credentials("keyring").as_deref(),
            Some("Credentials: profile work, secrets in the keyring")
        );
        assert_eq!(
            credentials("environment").as_deref(),
            Some("Credentials: environment variables (KAJABI_CLIENT_ID, KAJABI_CLIENT_SECRET)")
        );
        assert_eq!(
            credentials("file").as_deref(),
            Some("Credentials: profile work, secrets in /home/u/.config/kajabi/config.json")
        );
        assert_eq!(
            credentials("none").as_deref(),
            Some("Credentials: none (profile work has no login)")
        );
    }
}
