//! Where a command's credentials come from, in this order:
//! 1. the environment (`KAJABI_CLIENT_ID`/`KAJABI_CLIENT_SECRET`, `KAJABI_ACCESS_TOKEN`,
//!    `KAJABI_BASE_URL`), nothing stored;
//! 2. the login `kajabi login` stored ([`crate::config`]), whose session is resumed and
//!    written back when it changes, so that consecutive commands share one token;
//! 3. none: operations that need no token still work, the others fail with exit code 3.

use std::path::PathBuf;

use kajabi_api::{Client, ClientBuilder, DEFAULT_BASE_URL};

use crate::{
    config::{self, Stored, StoredSession},
    failure::Failure,
};

/// A ready client and what it was made from.
pub(crate) struct Credentials {
    pub(crate) client: Client,
    pub(crate) source: Source,
}

/// Where the credentials came from.
pub(crate) enum Source {
    Environment,
    Config { path: PathBuf, stored: Stored },
    None,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
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

/// The client for this command.
pub(crate) fn resolve() -> Result<Credentials, Failure> {
    let (id, secret, token) = (
        var("KAJABI_CLIENT_ID"),
        var("KAJABI_CLIENT_SECRET"),
        var("KAJABI_ACCESS_TOKEN"),
    );
    if id.is_some() || secret.is_some() || token.is_some() {
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
    if let Some((path, stored)) = config::load()? {
        let (builder, _) = builder(stored.base_url.as_deref());
        let builder =
            builder.client_credentials(stored.client_id.clone(), stored.client_secret.clone());
        let client = match &stored.session {
            Some(session) => builder.build_with_session(session.to_tokens())?,
            None => builder.build()?,
        };
        return Ok(Credentials {
            client,
            source: Source::Config { path, stored },
        });
    }
    Ok(Credentials {
        client: builder(None).0.build()?,
        source: Source::None,
    })
}

impl Credentials {
    /// Writes the session back to the stored login when the command changed it (a first
    /// token, a renewal).
    pub(crate) fn persist(self) -> Result<(), Failure> {
        let Source::Config { path, mut stored } = self.source else {
            return Ok(());
        };
        let tokens = self.client.session_tokens();
        let unchanged = match (&stored.session, &tokens) {
            (Some(old), Some(new)) => old.same_as(new),
            (None, None) => true,
            _ => false,
        };
        if unchanged {
            return Ok(());
        }
        stored.session = tokens.as_ref().map(StoredSession::from_tokens);
        config::save(&path, &stored)
    }

    /// Where the credentials came from, for `kajabi auth status`.
    pub(crate) fn describe(&self) -> String {
        match &self.source {
            Source::Environment => "credentials from the environment".into(),
            Source::Config { path, .. } => format!("credentials from {}", path.display()),
            Source::None => "no credentials".into(),
        }
    }
}
