//! Where a command's credentials come from, in this order:
//! 1. the environment (`KAJABI_CLIENT_ID`/`KAJABI_CLIENT_SECRET`, `KAJABI_ACCESS_TOKEN`,
//!    `KAJABI_BASE_URL`), nothing stored;
//! 2. the login `kajabi login` stored for the profile in use ([`crate::profiles`]), whose
//!    session is resumed and kept again when it changes, so that consecutive commands share
//!    one token;
//! 3. none: operations that need no token still work, the others fail with exit code 3.

use std::path::PathBuf;

use kajabi_api::{Client, ClientBuilder, DEFAULT_BASE_URL};

use crate::{
    config,
    failure::Failure,
    profiles::{self, Login, Place},
};

/// The environment variables that hold credentials.
const VARIABLES: [&str; 3] = [
    "KAJABI_CLIENT_ID",
    "KAJABI_CLIENT_SECRET",
    "KAJABI_ACCESS_TOKEN",
];

/// A ready client and what it was made from.
pub(crate) struct Credentials {
    pub(crate) client: Client,
    pub(crate) source: Source,
}

/// Where the credentials came from.
pub(crate) enum Source {
    Environment,
    Profile {
        path: PathBuf,
        login: Login,
        place: Place,
    },
    None,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The credential variables set in the environment, by name.
pub(crate) fn environment() -> Vec<&'static str> {
    VARIABLES
        .into_iter()
        .filter(|name| var(name).is_some())
        .collect()
}

/// A client builder with the CLI's user agent and the base URL from the environment, else
/// `stored`, else Kajabi's.
pub(crate) fn builder(stored_base_url: Option<&str>) -> (ClientBuilder, String) {
    let base_url = var("KAJABI_BASE_URL")
        .or_else(|| stored_base_url.map(str::to_string))
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_string());
    let builder = Client::builder()
        .user_agent(concat!("kajabi-cli/", env!("CARGO_PKG_VERSION")))
        .base_url(base_url.clone());
    (crate::timeout::apply(builder), base_url)
}

/// A client for a stored login, resuming its session: at `KAJABI_BASE_URL` when set, as
/// every command, else at the login's own; with `at_home`, always at the login's own (where
/// its session lives, to revoke it).
pub(crate) fn client_for(login: &Login, at_home: bool) -> Result<Client, Failure> {
    let (mut builder, _) = builder(login.base_url.as_deref());
    if at_home {
        builder = builder.base_url(login.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL));
    }
    let builder =
        builder.client_credentials(login.client_id.clone(), login.secrets.client_secret.clone());
    Ok(match &login.secrets.session {
        Some(session) => builder.build_with_session(session.to_tokens())?,
        None => builder.build()?,
    })
}

/// The client for this command.
pub(crate) fn resolve() -> Result<Credentials, Failure> {
    let (id, secret, token) = (
        var("KAJABI_CLIENT_ID"),
        var("KAJABI_CLIENT_SECRET"),
        var("KAJABI_ACCESS_TOKEN"),
    );
    if id.is_some() || secret.is_some() || token.is_some() {
        if let Some(name) = profiles::chosen() {
            // A profile named alongside is still checked, and its being unused said.
            let path = config::path()?;
            profiles::check_known(&config::load(&path)?, name)?;
            eprintln!(
                "kajabi: the credentials in the environment ({}) are used, not the profile {name}",
                environment().join(", ")
            );
        }
        let (mut builder, _) = builder(None);
        if id.is_some() || secret.is_some() {
            builder =
                builder.client_credentials(id.unwrap_or_default(), secret.unwrap_or_default());
        }
        if let Some(token) = token {
            builder = builder.access_token(token);
        }
        return Ok(Credentials {
            client: builder.build()?,
            source: Source::Environment,
        });
    }
    let path = config::path()?;
    let config = config::load(&path)?;
    let name = profiles::in_use(&config);
    profiles::check_known(&config, &name)?;
    if let Some((login, place)) = profiles::load(&config, &path, &name)? {
        return Ok(Credentials {
            client: client_for(&login, false)?,
            source: Source::Profile { path, login, place },
        });
    }
    Ok(Credentials {
        client: builder(None).0.build()?,
        source: Source::None,
    })
}

impl Credentials {
    /// Keeps the session when the command changed it (a first token, a renewal).
    pub(crate) fn persist(self) -> Result<(), Failure> {
        let Source::Profile {
            path,
            mut login,
            mut place,
        } = self.source
        else {
            return Ok(());
        };
        let tokens = self.client.session_tokens();
        let unchanged = match (&login.secrets.session, &tokens) {
            (Some(old), Some(new)) => old.same_as(new),
            (None, None) => true,
            _ => false,
        };
        if unchanged {
            return Ok(());
        }
        profiles::save_session(&path, &mut login, &mut place, tokens.as_ref())
    }

    /// Where the credentials came from: `environment`, `keyring`, `file` or `none`.
    pub(crate) fn source_name(&self) -> &'static str {
        match &self.source {
            Source::Environment => "environment",
            Source::Profile { place, .. } => place.name(),
            Source::None => "none",
        }
    }
}
