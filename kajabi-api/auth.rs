//! The OAuth token lifecycle: getting, caching, refreshing and dropping the bearer token.
//!
//! - The first call that needs a token gets one with the client's credentials: the
//!   `client_credentials` grant, or the spec's `username`/`password` exchange (no `grant_type`),
//!   from the operation whose [`crate::Role`] is `TokenGrant` in the generated table (its path,
//!   its media types), never from a path written here.
//! - The token is cached and reused until shortly before `expires_in` runs out: it is renewed
//!   at `expires_in − margin` (default margin 60 s), or half-way for tokens shorter-lived than
//!   two margins. Renewal tries the `refresh_token` grant first (when the server issued a
//!   refresh token) and falls back to the client's credentials when it is refused.
//! - One renewal runs at a time: callers that find the token stale wait on one lock and
//!   re-check after it, so 100 tasks on a cold client cause one token request (single flight).
//!   The fast path is a lock-free read of a ready `Authorization` header value.
//! - A 401 from an API call renews the token once, unless another task already did, and the
//!   call is retried once ([`crate::call`]); a second 401 is returned as is.
//!
//! Time comes from a clock that tests can replace ([`crate::ClientBuilder::clock`]).

use std::{fmt, sync::Arc, time::Duration};

use arc_swap::ArcSwapOption;
use bytes::Bytes;
use reqwest::header::{HeaderValue, ACCEPT, CONTENT_TYPE};
use tokio::time::Instant;
use tracing::Instrument;

use crate::{
    body::read_bounded,
    contract::by_role,
    error::{Error, MAX_ERROR_BODY},
    operation::Operation,
    retry::{send_retrying, Attempts, RetryPolicy},
    transport::Transport,
    SecretString,
};

/// The clock the token lifecycle reads.
pub(crate) type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// The client's credentials and token cache, shared by all clones of a [`crate::Client`].
///
/// It is the generated client's inner state; its `Debug` shows no secret.
#[derive(Clone)]
pub struct Session {
    pub(crate) shared: Arc<Shared>,
}

pub(crate) struct Shared {
    credentials: Option<Credentials>,
    /// The token operation of the generated table and its URL; `None` if the API has none.
    token_endpoint: Option<(&'static Operation, String)>,
    token: ArcSwapOption<Token>,
    renewing: tokio::sync::Mutex<()>,
    clock: Clock,
    margin: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_body: usize,
    /// The user's middleware chain around the HTTP client, if any was set.
    #[cfg(feature = "middleware")]
    pub(crate) middleware: Option<reqwest_middleware::ClientWithMiddleware>,
}

/// What the client gets new tokens with.
pub(crate) enum Credentials {
    /// The `client_credentials` grant.
    Client {
        client_id: String,
        client_secret: SecretString,
    },
    /// The spec's third exchange: only `username` and `password`.
    Password {
        username: String,
        password: SecretString,
    },
}

impl Credentials {
    /// The token request's form for these credentials.
    fn grant(&self) -> by_role::TokenForm {
        match self {
            Self::Client {
                client_id,
                client_secret,
            } => by_role::TokenForm {
                grant_type: Some("client_credentials".into()),
                client_id: Some(client_id.clone()),
                client_secret: Some(client_secret.clone()),
                ..Default::default()
            },
            Self::Password { username, password } => by_role::TokenForm {
                username: Some(username.clone()),
                password: Some(password.clone()),
                ..Default::default()
            },
        }
    }
}

/// A bearer token with its ready header value.
pub(crate) struct Token {
    pub(crate) header: HeaderValue,
    pub(crate) access: SecretString,
    refresh: Option<SecretString>,
    renew_at: Option<Instant>,
}

pub(crate) struct SessionConfig {
    pub(crate) base_url: String,
    /// The operation tokens come from: the table's `TokenGrant` ([`operation::with_role`]).
    pub(crate) token_operation: Option<&'static Operation>,
    pub(crate) credentials: Option<Credentials>,
    pub(crate) access_token: Option<SecretString>,
    pub(crate) refresh_token: Option<SecretString>,
    pub(crate) clock: Clock,
    pub(crate) margin: Duration,
    pub(crate) retry: RetryPolicy,
    pub(crate) max_body: usize,
    #[cfg(feature = "middleware")]
    pub(crate) middleware: Option<reqwest_middleware::ClientWithMiddleware>,
}

impl Session {
    pub(crate) fn new(config: SessionConfig) -> Result<Self, Error> {
        let token = match config.access_token {
            Some(access) => Some(Arc::new(Token::new(access, config.refresh_token, None)?)),
            None => None,
        };
        Ok(Self {
            shared: Arc::new(Shared {
                credentials: config.credentials,
                token_endpoint: config
                    .token_operation
                    .map(|op| (op, format!("{}{}", config.base_url, op.path))),
                token: ArcSwapOption::new(token),
                renewing: tokio::sync::Mutex::new(()),
                clock: config.clock,
                margin: config.margin,
                retry: config.retry,
                max_body: config.max_body,
                #[cfg(feature = "middleware")]
                middleware: config.middleware,
            }),
        })
    }

    /// The current token if it can be sent as it is: fresh, or stale with nothing to renew it
    /// (the server decides). `None` when [`Session::bearer`] has to get one first. Every
    /// call's fast path: a lock-free read and a clock read, no future.
    pub(crate) fn ready(&self) -> Option<Arc<Token>> {
        let token = self.shared.token.load_full()?;
        (self.is_fresh(&token) || !self.can_renew(&token)).then_some(token)
    }

    /// The current token, renewed first if it is missing or stale.
    pub(crate) async fn bearer(&self, http: &reqwest::Client) -> Result<Arc<Token>, Error> {
        if let Some(token) = self.ready() {
            return Ok(token);
        }
        let shared = &self.shared;
        if shared.credentials.is_none() && shared.token.load().is_none() {
            return Err(Error::missing_credentials());
        }
        let _turn = shared.renewing.lock().await;
        let current = shared.token.load_full();
        if let Some(token) = &current {
            if self.is_fresh(token) {
                return Ok(token.clone());
            }
        }
        // Boxed: renewal is rare, and inline its state would grow every caller's future.
        Box::pin(self.renew(http, current.as_deref())).await
    }

    /// After a 401 with `rejected`: a newer token, if one can be had. `None` leaves the 401.
    pub(crate) async fn after_unauthorized(
        &self,
        http: &reqwest::Client,
        rejected: &Arc<Token>,
    ) -> Option<Arc<Token>> {
        if !self.can_renew(rejected) {
            return None;
        }
        let _turn = self.shared.renewing.lock().await;
        let current = self.shared.token.load_full();
        match current {
            Some(token) if !Arc::ptr_eq(&token, rejected) => Some(token),
            _ => self.renew(http, Some(rejected)).await.ok(),
        }
    }

    /// The operation tokens come from, for errors about getting one.
    pub(crate) fn token_operation(&self) -> Option<&'static Operation> {
        self.shared.token_endpoint.as_ref().map(|(op, _)| *op)
    }

    /// The cached token, without renewing it.
    pub(crate) fn current(&self) -> Option<Arc<Token>> {
        self.shared.token.load_full()
    }

    /// Drops the cached session if it is still `token`.
    pub(crate) fn forget(&self, token: &Arc<Token>) {
        let current = self.shared.token.load();
        if current.as_ref().is_some_and(|t| Arc::ptr_eq(t, token)) {
            self.shared.token.compare_and_swap(&*current, None);
        }
    }

    /// Drops the cached session if `secret` is its access or refresh token.
    pub(crate) fn forget_secret(&self, secret: &SecretString) {
        if let Some(token) = self.current() {
            let matches = same_secret(&token.access, secret)
                || token
                    .refresh
                    .as_ref()
                    .is_some_and(|r| same_secret(r, secret));
            if matches {
                self.forget(&token);
            }
        }
    }

    /// The cached tokens and the time left until their renewal, for
    /// [`crate::Client::session_tokens`].
    pub(crate) fn export(&self) -> Option<(SecretString, Option<SecretString>, Option<Duration>)> {
        let token = self.current()?;
        let now = (self.shared.clock)();
        let renew_in = token.renew_at.map(|at| at.saturating_duration_since(now));
        Some((token.access.clone(), token.refresh.clone(), renew_in))
    }

    /// Installs tokens kept from another process, to be renewed after `renew_in`.
    pub(crate) fn import(
        &self,
        access: SecretString,
        refresh: Option<SecretString>,
        renew_in: Option<Duration>,
    ) -> Result<(), Error> {
        let renew_at = renew_in.map(|d| (self.shared.clock)() + d);
        let token = Token::new(access, refresh, renew_at)?;
        self.shared.token.store(Some(Arc::new(token)));
        Ok(())
    }

    /// Whether a new token can be had: with credentials, or the token's refresh token.
    fn can_renew(&self, token: &Token) -> bool {
        self.shared.credentials.is_some() || token.refresh.is_some()
    }

    fn is_fresh(&self, token: &Token) -> bool {
        token.renew_at.is_none_or(|at| (self.shared.clock)() < at)
    }

    /// Gets a new token: the refresh grant first, the client's credentials after. Runs under the
    /// `renewing` lock.
    async fn renew(
        &self,
        http: &reqwest::Client,
        stale: Option<&Token>,
    ) -> Result<Arc<Token>, Error> {
        let refresh = stale.and_then(|t| t.refresh.clone());
        let mut result = Err(Error::missing_credentials());
        if let Some(refresh_token) = refresh {
            let body = by_role::TokenForm {
                grant_type: Some("refresh_token".into()),
                refresh_token: Some(refresh_token),
                ..Default::default()
            };
            result = self.request_token(http, &body).await;
            if let Err(e) = &result {
                tracing::debug!(error = %e, "refresh grant refused; falling back to the credentials");
            }
        }
        if result.is_err() {
            if let Some(credentials) = &self.shared.credentials {
                result = self.request_token(http, &credentials.grant()).await;
            }
        }
        let token = Arc::new(result?);
        self.shared.token.store(Some(token.clone()));
        Ok(token)
    }

    async fn request_token(
        &self,
        http: &reqwest::Client,
        body: &by_role::TokenForm,
    ) -> Result<Token, Error> {
        let Some((op, url)) = &self.shared.token_endpoint else {
            return Err(Error::config(
                "the API has no token operation to get a token from",
            ));
        };
        let op: &'static Operation = op;
        let form = serde_urlencoded::to_string(body)
            .map_err(|_| Error::invalid_request("the token form does not encode"))?;
        let request = http
            .post(url)
            .header(
                ACCEPT,
                HeaderValue::from_static(op.response_media.unwrap_or("application/json")),
            )
            .header(
                CONTENT_TYPE,
                HeaderValue::from_static(
                    op.request_media
                        .unwrap_or("application/x-www-form-urlencoded"),
                ),
            )
            .body(form)
            .build()
            .map_err(|e| Error::transport(e).with_operation(op))?;
        // A rate-limited token request is retried like any call: it gates all of them. In a
        // span of its own (when a subscriber takes INFO), never the caller's: it serves every
        // call waiting for a token.
        let span = tracing::level_enabled!(tracing::Level::INFO)
            .then(|| crate::trace::token_span(op))
            .filter(|span| !span.is_disabled());
        let mut attempts = Attempts::new(
            Transport::direct(http),
            &self.shared.retry,
            span.as_ref(),
            Some(op.path),
        );
        let sending = send_retrying(request, &mut attempts);
        let response = match &span {
            Some(span) => sending.instrument(span.clone()).await,
            None => sending.await,
        }
        .map_err(|e| Error::from_send(e).with_operation(op))?;
        let status = response.status();
        let headers = response.headers().clone();
        let (bytes, truncated) = read_bounded(response, MAX_ERROR_BODY).await;
        if !status.is_success() {
            let sent = [&body.client_secret, &body.refresh_token, &body.password];
            let secrets: Vec<&str> = sent
                .into_iter()
                .flatten()
                .map(SecretString::secret)
                .collect();
            return Err(Error::from_status(status, &headers, bytes, truncated)
                .with_operation(op)
                .scrub(&secrets));
        }
        let parsed: by_role::TokenResponse = serde_json::from_slice(&bytes)
            .map_err(|e| Error::decode(Bytes::new(), &e).with_operation(op))?;
        let access = parsed.access_token.ok_or_else(|| {
            let missing = serde::de::Error::missing_field("access_token");
            Error::decode(Bytes::new(), &missing).with_operation(op)
        })?;
        let issued = (self.shared.clock)();
        let renew_at = parsed.expires_in.and_then(|secs| {
            let ttl = Duration::from_secs(u64::try_from(secs).ok()?);
            // The margin before expiry, but never less than half the token's life, so that a
            // short-lived token is not renewed at once (or on every call).
            let early = ttl.saturating_sub(self.shared.margin).max(ttl / 2);
            Some(issued + early)
        });
        Token::new(access, parsed.refresh_token, renew_at)
    }
}

impl Token {
    fn new(
        access: SecretString,
        refresh: Option<SecretString>,
        renew_at: Option<Instant>,
    ) -> Result<Self, Error> {
        let mut header =
            HeaderValue::try_from(format!("Bearer {}", access.secret())).map_err(|_| {
                Error::config("the access token has characters not allowed in an HTTP header")
            })?;
        header.set_sensitive(true);
        Ok(Self {
            header,
            access,
            refresh,
            renew_at,
        })
    }
}

/// Compares two secrets in time independent of where they differ.
fn same_secret(a: &SecretString, b: &SecretString) -> bool {
    let (a, b) = (a.secret().as_bytes(), b.secret().as_bytes());
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut f = f.debug_struct("Session");
        match &self.shared.credentials {
            Some(Credentials::Client {
                client_id,
                client_secret,
            }) => f
                .field("client_id", client_id)
                .field("client_secret", client_secret),
            Some(Credentials::Password { username, password }) => {
                f.field("username", username).field("password", password)
            }
            None => f.field("credentials", &None::<()>),
        };
        f.field(
            "token",
            &self.shared.token.load().as_ref().map(|_| "[redacted]"),
        )
        .field("retry", &self.shared.retry)
        .finish_non_exhaustive()
    }
}

/// The `Instant` clock of tokio (pausable in tests).
pub(crate) fn system_clock() -> Clock {
    Arc::new(Instant::now)
}

#[cfg(test)]
mod tests {
    use std::{
        io::{BufRead, BufReader, Write},
        net::TcpListener,
    };

    use super::*;
    use crate::Role;

    /// A token operation under a path no code names: only the table could send a request there.
    static MOVED_GRANT: Operation = Operation {
        name: "grant",
        method: "POST",
        path: "/api/v9/auth/grant",
        secured: false,
        role: Role::TokenGrant,
        returns_credentials: true,
        request_media: Some("application/x-www-form-urlencoded"),
        response_media: Some("application/json"),
    };

    fn config(base_url: String, token_operation: Option<&'static Operation>) -> SessionConfig {
        SessionConfig {
            base_url,
            token_operation,
            credentials: Some(Credentials::Client {
                client_id: "id".into(),
                client_secret: SecretString::new("secret"),
            }),
            access_token: None,
            refresh_token: None,
            clock: system_clock(),
            margin: Duration::from_secs(60),
            retry: RetryPolicy::disabled(),
            max_body: 1024,
            #[cfg(feature = "middleware")]
            middleware: None,
        }
    }

    #[tokio::test]
    async fn the_token_request_goes_to_the_token_operations_path() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        // One exchange on a plain thread: the request line, then a token.
        let server = std::thread::spawn(move || {
            let (stream, _) = listener.accept().unwrap();
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            reader.read_line(&mut request_line).unwrap();
            let body = r#"{"access_token":"at-1","expires_in":7200}"#;
            write!(
                &stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            )
            .unwrap();
            request_line.trim_end().to_string()
        });
        let session = Session::new(config(base_url, Some(&MOVED_GRANT))).unwrap();
        let token = session.bearer(&reqwest::Client::new()).await.unwrap();
        assert_eq!(token.access.secret(), "at-1");
        assert_eq!(server.join().unwrap(), "POST /api/v9/auth/grant HTTP/1.1");
    }

    #[tokio::test]
    async fn without_a_token_operation_no_token_is_requested() {
        // Port 9 (discard) on loopback: a request would fail as transport, not as config.
        let session = Session::new(config("http://127.0.0.1:9".into(), None)).unwrap();
        let Err(error) = session.bearer(&reqwest::Client::new()).await else {
            panic!("a token without a token operation");
        };
        assert!(error.is_config(), "{error:?}");
    }
}
