//! An offline, stateful, local stand-in for Kajabi's public API.
//!
//! The sandbox is a real HTTP server on loopback, built from the same OpenAPI document the
//! `kajabi-api` SDK is generated from (embedded at compile time). It serves every operation in
//! the document, issues and checks OAuth tokens, and answers with bodies that are valid
//! against the document, so it can sit behind a validating proxy (Prism) in CI.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = kajabi_sandbox::Sandbox::start().await?;
//! let base_url = sandbox.base_url(); // e.g. "http://127.0.0.1:41234"
//! // Point the client at `base_url` with `sandbox.client_id()` / `sandbox.client_secret()`.
//! # let _ = base_url;
//! # Ok(()) }
//! ```
//!
//! # What it does
//!
//! - **OAuth**: `POST /v1/oauth/token` grants tokens for the configured client credentials
//!   and rotates them on `refresh_token`; access tokens expire after [`Config::token_ttl`];
//!   `POST /v1/oauth/revoke` invalidates both tokens of a pair. Every case is in the
//!   [OAuth](#oauth) table below.
//! - **Auth**: every operation the spec secures needs `Authorization: Bearer <live access
//!   token>`, else 401 with a JSON:API error body. `GET /v1/version` needs none.
//! - **Answers**: the first declared 2xx status, the declared media type, a deterministic
//!   example body built from the schema (examples where the spec has valid ones). `/v1/me`
//!   and `/v1/version` read like real answers (`Sandbox User`, the spec's `info.version`).
//! - **Ids and echo**: `{id}` comes back as `data.id`; `data.attributes` sent with a
//!   create or update come back in the answer where the schema has them; created contacts,
//!   hooks and contact notes get fresh ids (`"8"`, `"9"`, ...) and can be read back, updated
//!   and deleted.
//! - **Lists**: every paginated list has [`COLLECTION_SIZE`] items (ids `"1"` to `"7"`),
//!   `page[size]` defaults to [`DEFAULT_PAGE_SIZE`] and is clamped to `1..=`[`MAX_PAGE_SIZE`].
//! - **Errors**: unknown path → 404, known path with another method → 405 (with `Allow`),
//!   both with JSON:API bodies; a JSON request body that is not JSON → 400, else 422, where
//!   the operation declares one (else the body is ignored). Apart from 404/405 for what the
//!   spec does not have, every status is one the operation declares. One deliberate gap:
//!   revoke's 401 is declared without content, yet carries Kajabi's documented JSON body.
//! - **State**: tokens and created resources live in memory, per [`Sandbox`]; two sandboxes
//!   share nothing. Unknown query parameters are ignored.
//!
//! # Standalone, behind Prism
//!
//! ```text
//! cargo run -p kajabi-sandbox -- --port 4010
//! # kajabi sandbox listening on http://127.0.0.1:4010
//! prism proxy openapi.yaml http://127.0.0.1:4010 --errors
//! ```
//!
//! # OAuth
//!
//! | request | answer |
//! | --- | --- |
//! | `grant_type=client_credentials` + right `client_id`/`client_secret` | 200 `{"access_token","refresh_token","token_type":"Bearer","expires_in"}` |
//! | … wrong or missing credentials | 401 `{"error":"invalid_client",...}` |
//! | `grant_type=refresh_token` + live refresh token | 200, new pair; the old pair is revoked |
//! | … unknown, used or revoked refresh token | 400 `invalid_grant` |
//! | `grant_type` missing or other | 400 `unsupported_grant_type` |
//! | body not a form | 400 `invalid_request` |
//! | revoke, bad or missing bearer | 401 `{"error":"invalid_token",...}` (`application/json`) |
//! | revoke, `token=` access or refresh token of any pair | 200, empty body; both tokens of that pair revoked |
//! | revoke, `token=` unknown | 200, empty body, nothing revoked (RFC 7009) |
//! | revoke, no `token` | 200, empty body; the **bearer's own** pair is revoked ("log me out") |
//!
//! Refresh tokens do not expire; they end when used or revoked.

#![deny(missing_docs)]

mod api;
mod catalog;
mod oauth;
mod pagination;
mod problems;
mod resources;
mod routes;
mod server;
mod spec;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

pub use pagination::{COLLECTION_SIZE, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};

/// The client id [`Config::default`] accepts.
pub const DEMO_CLIENT_ID: &str = "sandbox-client-id";

/// The client secret [`Config::default`] accepts.
pub const DEMO_CLIENT_SECRET: &str = "sandbox-client-secret";

/// The access token lifetime [`Config::default`] uses (`expires_in`), in seconds.
pub const DEFAULT_TOKEN_TTL_SECS: u64 = 7200;

/// How a [`Sandbox`] is set up.
#[derive(Clone, Debug)]
pub struct Config {
    /// The one client id the token endpoint accepts.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// How long an access token lives; also the `expires_in` of token responses (whole
    /// seconds). Default 7200 s.
    pub token_ttl: Duration,
    /// Port to listen on at 127.0.0.1; 0 picks a free one.
    pub port: u16,
}

impl Default for Config {
    /// The demo credentials ([`DEMO_CLIENT_ID`], [`DEMO_CLIENT_SECRET`]), 7200 s tokens, any
    /// free port.
    fn default() -> Config {
        Config {
            client_id: DEMO_CLIENT_ID.to_string(),
            client_secret: DEMO_CLIENT_SECRET.to_string(),
            token_ttl: Duration::from_secs(DEFAULT_TOKEN_TTL_SECS),
            port: 0,
        }
    }
}

/// A running sandbox server. Dropping it shuts the server down and frees the port.
///
/// Start it from within a Tokio runtime (for example a `#[tokio::test]`); the server runs as
/// a task of that runtime.
pub struct Sandbox {
    addr: SocketAddr,
    app: Arc<server::App>,
    task: tokio::task::JoinHandle<()>,
}

impl Sandbox {
    /// Starts a sandbox with [`Config::default`].
    ///
    /// # Errors
    /// When called outside a Tokio runtime, or when the port cannot be bound.
    pub async fn start() -> std::io::Result<Sandbox> {
        Sandbox::start_with(Config::default()).await
    }

    /// Starts a sandbox with `config`.
    ///
    /// # Errors
    /// When called outside a Tokio runtime, or when the port cannot be bound.
    pub async fn start_with(config: Config) -> std::io::Result<Sandbox> {
        let (addr, app, task) = server::spawn(config).await?;
        Ok(Sandbox { addr, app, task })
    }

    /// The server's base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The client id the token endpoint accepts.
    pub fn client_id(&self) -> &str {
        &self.app.config.client_id
    }

    /// The client secret the token endpoint accepts.
    pub fn client_secret(&self) -> &str {
        &self.app.config.client_secret
    }

    /// How many `POST /v1/oauth/token` requests have been answered, whatever the outcome.
    pub fn token_requests(&self) -> usize {
        self.app.token_requests.load(Ordering::SeqCst)
    }

    /// How many requests have been answered, of any kind and outcome.
    pub fn requests(&self) -> usize {
        self.app.requests.load(Ordering::SeqCst)
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url())
            .field("client_id", &self.client_id())
            .field("client_secret", &"<redacted>")
            .field("requests", &self.requests())
            .finish()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}
