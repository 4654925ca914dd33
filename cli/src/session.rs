//! `kajabi login`, `kajabi logout` and `kajabi auth status`.

use std::io::{BufRead, IsTerminal};

use clap::ArgMatches;
use kajabi_api::SecretString;
use serde_json::{Map, Value};

use crate::{
    config::{self, Stored, StoredSession},
    credentials::{self, Source},
    failure::{Failure, AUTH},
};

/// Checks the client credentials by getting a token, then stores them with the session.
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
    let path = config::path()?;
    let stored = Stored {
        base_url,
        client_id: client_id.clone(),
        client_secret,
        session: client
            .session_tokens()
            .as_ref()
            .map(StoredSession::from_tokens),
    };
    config::save(&path, &stored)?;
    eprintln!(
        "Logged in to {} as client {client_id}; the login is stored in {}",
        client.base_url(),
        path.display()
    );
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

/// Revokes the session (`POST /v1/oauth/revoke` through the SDK's `logout`) and removes the
/// stored login.
pub(crate) async fn logout() -> Result<(), Failure> {
    let credentials = credentials::resolve()?;
    if let Source::None = credentials.source {
        return Err(Failure {
            code: AUTH,
            message: "not logged in: nothing to log out of".into(),
        });
    }
    match credentials.client.logout().await {
        Ok(()) => {}
        // The session is already dead: there is nothing left to revoke, only to forget.
        Err(e) if e.is_unauthorized() => {
            eprintln!("The session was already revoked or expired.");
        }
        Err(e) => return Err(e.into()),
    }
    match &credentials.source {
        Source::Config { path, .. } => {
            config::delete(path)?;
            eprintln!("Logged out; removed {}", path.display());
        }
        _ => eprintln!("Logged out; the token is revoked"),
    }
    Ok(())
}

/// Who the credentials belong to (`GET /v1/me`), without any secret.
pub(crate) async fn status() -> Result<(), Failure> {
    let credentials = credentials::resolve()?;
    if let Source::None = credentials.source {
        return Err(Failure {
            code: AUTH,
            message: "not logged in: set KAJABI_CLIENT_ID and KAJABI_CLIENT_SECRET (or KAJABI_ACCESS_TOKEN), or run `kajabi login`".into(),
        });
    }
    let me = credentials
        .client
        .call_operation("get_me", &Map::new(), None)
        .await;
    let me = match me {
        Ok(me) => me,
        Err(e) => {
            credentials.persist()?;
            return Err(e.into());
        }
    };
    let text = |pointer: &str| me.pointer(pointer).and_then(Value::as_str).unwrap_or("?");
    println!(
        "Logged in to {} as {} <{}> ({})",
        credentials.client.base_url(),
        text("/data/attributes/name"),
        text("/data/attributes/email"),
        credentials.describe()
    );
    credentials.persist()
}
