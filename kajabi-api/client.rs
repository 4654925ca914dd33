//! Building a [`Client`] and the calls that are more than one generated operation:
//! revoking tokens and logging out.

use std::{fmt, net::IpAddr, sync::Arc, time::Duration};

use url::Url;

use crate::{
    auth::{self, Credentials, Session, SessionConfig},
    contract::{by_role, Client},
    operation, Error, RetryPolicy, Role, SecretString,
};

/// Kajabi's production API.
pub const DEFAULT_BASE_URL: &str = "https://api.kajabi.com";

const DEFAULT_MAX_BODY: usize = 16 * 1024 * 1024;

/// Builds a [`Client`]; see [`Client::builder`].
///
/// Defaults: base URL `https://api.kajabi.com`, connect timeout 10 s, whole-request timeout
/// 30 s, [`RetryPolicy::default`], token renewal 60 s before expiry, success bodies capped at
/// 16 MiB, at most 5 redirects (reqwest drops `Authorization` on a redirect to another host).
/// Setters never fail: every check happens in [`ClientBuilder::build`].
#[must_use]
pub struct ClientBuilder {
    base_url: String,
    client_id: Option<String>,
    client_secret: Option<SecretString>,
    username: Option<String>,
    password: Option<SecretString>,
    access_token: Option<SecretString>,
    refresh_token: Option<SecretString>,
    connect_timeout: Duration,
    timeout: Duration,
    user_agent: Option<String>,
    http: Option<reqwest::Client>,
    retry: RetryPolicy,
    refresh_margin: Duration,
    max_body: usize,
    clock: Option<auth::Clock>,
    #[cfg(feature = "middleware")]
    middleware: Vec<Arc<dyn reqwest_middleware::Middleware>>,
}

impl Default for ClientBuilder {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.into(),
            client_id: None,
            client_secret: None,
            username: None,
            password: None,
            access_token: None,
            refresh_token: None,
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(30),
            user_agent: None,
            http: None,
            retry: RetryPolicy::default(),
            refresh_margin: Duration::from_secs(60),
            max_body: DEFAULT_MAX_BODY,
            clock: None,
            #[cfg(feature = "middleware")]
            middleware: Vec::new(),
        }
    }
}

impl ClientBuilder {
    /// The API's base URL, without the `/v1` prefix. `https://` is required, except for
    /// loopback hosts (`localhost`, `127.0.0.0/8`, `[::1]`), where `http://` is allowed for
    /// local sandboxes and mocks.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Client credentials from the Kajabi admin's "User API Keys"; the client gets and renews
    /// its tokens with them.
    pub fn client_credentials(
        mut self,
        client_id: impl Into<String>,
        client_secret: impl Into<SecretString>,
    ) -> Self {
        self.client_id = Some(client_id.into());
        self.client_secret = Some(client_secret.into());
        self
    }

    /// A Kajabi user's `username` and `password`, exchanged for tokens as the spec's third
    /// token request (`username` and `password` only, no `grant_type`). Renewal uses the
    /// refresh token when the server issued one and still accepts it, and this exchange again
    /// otherwise. Not together with [`ClientBuilder::client_credentials`]; client
    /// credentials are what Kajabi prefers.
    pub fn password(
        mut self,
        username: impl Into<String>,
        password: impl Into<SecretString>,
    ) -> Self {
        self.username = Some(username.into());
        self.password = Some(password.into());
        self
    }

    /// A ready access token. With client credentials too, it is used until it expires or is
    /// refused; alone, it is used as long as the server accepts it.
    pub fn access_token(mut self, token: impl Into<SecretString>) -> Self {
        self.access_token = Some(token.into());
        self
    }

    /// The refresh token that came with [`ClientBuilder::access_token`], for renewal.
    pub fn refresh_token(mut self, token: impl Into<SecretString>) -> Self {
        self.refresh_token = Some(token.into());
        self
    }

    /// How long to wait for a connection (default 10 s).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long one attempt may take in all, body included (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `kajabi-api-rust/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Sends through this `reqwest::Client` instead of one built here; its own timeouts,
    /// TLS, proxy and redirect settings then apply, and those of this builder do not.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// When to retry ([`RetryPolicy::disabled`] for never).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// How long before expiry a token is renewed (default 60 s).
    pub fn refresh_margin(mut self, margin: Duration) -> Self {
        self.refresh_margin = margin;
        self
    }

    /// The largest success body read, in bytes (default 16 MiB); a larger one is a transport
    /// error instead of unbounded memory.
    pub fn max_response_body(mut self, bytes: usize) -> Self {
        self.max_body = bytes;
        self
    }

    /// Replaces the clock that decides when a token is stale, so that tests can move time.
    pub fn clock(
        mut self,
        clock: impl Fn() -> tokio::time::Instant + Send + Sync + 'static,
    ) -> Self {
        self.clock = Some(Arc::new(clock));
        self
    }

    /// Adds `middleware` to the chain every API request passes through (feature
    /// `middleware`); repeatable, run in the order added.
    ///
    /// The SDK still builds its own reqwest client (timeouts, redirect limit, TLS) and wraps
    /// it: the chain runs once per attempt, inside the SDK's retry loop and after the bearer
    /// token is set, so a middleware sees the request as sent, `Authorization` included. The
    /// SDK's own middleware runs last: it drops `Authorization` from a request whose origin
    /// (scheme, host, port) a middleware changed from the base URL's, so that no token leaves
    /// for another host.
    ///
    /// Token requests do not pass through the chain: their form body carries the client
    /// secret or the password, which no middleware needs to see (their attempts are traced in
    /// the SDK's own `kajabi.token` span).
    ///
    /// A middleware's own error (`reqwest_middleware::Error::Middleware`) fails the call as a
    /// transport error with the middleware's message ([`Error::is_transport`]), and is not
    /// retried; a `reqwest_middleware::Error::Reqwest` is classified as any transport error.
    /// A retrying middleware (`reqwest-retry`) would run a second retry loop inside the SDK's:
    /// set [`RetryPolicy::disabled`] here or leave retries to the SDK.
    #[cfg(feature = "middleware")]
    pub fn middleware(mut self, middleware: impl reqwest_middleware::Middleware) -> Self {
        self.middleware.push(Arc::new(middleware));
        self
    }

    /// Builds the client.
    ///
    /// # Errors
    /// A configuration error ([`Error::is_config`]) for a base URL that does not parse, is
    /// plain `http://` to a non-loopback host, or has a query; for a client id without a
    /// secret (or the reverse); for a username without a password (or the reverse); for
    /// both client credentials and a username and password; or when the HTTP client cannot be
    /// built.
    pub fn build(self) -> Result<Client, Error> {
        let base_url = validate_base_url(&self.base_url)?;
        let client = match (self.client_id, self.client_secret) {
            (Some(client_id), Some(client_secret))
                if !client_id.is_empty() && !client_secret.secret().is_empty() =>
            {
                Some(Credentials::Client {
                    client_id,
                    client_secret,
                })
            }
            (None, None) => None,
            _ => {
                return Err(Error::config(
                    "client credentials need both a non-empty client id and secret",
                ))
            }
        };
        let user = match (self.username, self.password) {
            (Some(username), Some(password))
                if !username.is_empty() && !password.secret().is_empty() =>
            {
                Some(Credentials::Password { username, password })
            }
            (None, None) => None,
            _ => {
                return Err(Error::config(
                    "the password exchange needs both a non-empty username and password",
                ))
            }
        };
        let credentials = match (client, user) {
            (Some(_), Some(_)) => {
                return Err(Error::config(
                    "set client credentials or a username and password, not both",
                ))
            }
            (client, user) => client.or(user),
        };
        let http = match self.http {
            Some(http) => http,
            None => reqwest::Client::builder()
                .connect_timeout(self.connect_timeout)
                .timeout(self.timeout)
                .user_agent(self.user_agent.unwrap_or_else(|| {
                    concat!("kajabi-api-rust/", env!("CARGO_PKG_VERSION")).into()
                }))
                .redirect(reqwest::redirect::Policy::limited(5))
                .build()
                .map_err(|e| Error::config(format!("cannot build the HTTP client: {e}")))?,
        };
        #[cfg(feature = "middleware")]
        let middleware = match self.middleware.is_empty() {
            true => None,
            false => {
                let url = Url::parse(&base_url)
                    .map_err(|e| Error::config(format!("the base URL does not parse: {e}")))?;
                Some(crate::middleware::chain(
                    http.clone(),
                    self.middleware,
                    &url,
                ))
            }
        };
        let session = Session::new(SessionConfig {
            base_url: base_url.clone(),
            token_operation: operation::with_role(Role::TokenGrant),
            credentials,
            access_token: self.access_token,
            refresh_token: self.refresh_token,
            clock: self.clock.unwrap_or_else(auth::system_clock),
            margin: self.refresh_margin,
            retry: self.retry,
            max_body: self.max_body,
            #[cfg(feature = "middleware")]
            middleware,
        })?;
        Ok(Client::new_with_client(&base_url, http, session))
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &shown_raw(&self.base_url))
            .field("client_id", &self.client_id)
            .field("client_secret", &self.client_secret)
            .field("username", &self.username)
            .field("password", &self.password)
            .field("access_token", &self.access_token)
            .field("refresh_token", &self.refresh_token)
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .finish_non_exhaustive()
    }
}

/// The base URL without a trailing slash, or why it is refused.
///
/// No message repeats the URL as given: user info (`https://user:password@host`), a query or
/// a path may carry credentials. Messages show [`shown`] instead.
fn validate_base_url(raw: &str) -> Result<String, Error> {
    // url's parse errors name the problem, never the input.
    let url =
        Url::parse(raw).map_err(|e| Error::config(format!("the base URL does not parse: {e}")))?;
    let shown = shown(&url);
    let loopback = match url.host() {
        Some(url::Host::Domain(domain)) => domain.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => return Err(Error::config(format!("base URL {shown} has no host"))),
    };
    match url.scheme() {
        "https" => {}
        "http" if loopback => {}
        "http" => {
            return Err(Error::config(format!(
                "base URL {shown} is plain http to a non-loopback host; tokens would travel unencrypted, use https"
            )))
        }
        scheme => {
            return Err(Error::config(format!(
                "base URL {shown} has scheme {scheme:?}; use https"
            )))
        }
    }
    if url.query().is_some()
        || url.fragment().is_some()
        || !url.username().is_empty()
        || url.password().is_some()
    {
        return Err(Error::config(format!(
            "base URL {shown} must not carry a query, fragment or user info"
        )));
    }
    Ok(url.as_str().trim_end_matches('/').to_string())
}

/// A base URL as messages may show it: scheme, host and port only (`https://host:8443`), or
/// only the scheme (`a mailto: URL`) when it has no host.
fn shown(url: &Url) -> String {
    match url.host_str() {
        Some(host) => match url.port() {
            Some(port) => format!("{}://{host}:{port}", url.scheme()),
            None => format!("{}://{host}", url.scheme()),
        },
        None => format!("(a {}: URL)", url.scheme()),
    }
}

/// The builder's base URL for its `Debug`, as [`shown`] gives it.
fn shown_raw(raw: &str) -> String {
    Url::parse(raw).map_or_else(|_| "(does not parse)".into(), |url| shown(&url))
}

impl Client {
    /// A builder with the defaults listed on [`ClientBuilder`].
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: `KAJABI_BASE_URL` (optional),
    /// `KAJABI_CLIENT_ID` and `KAJABI_CLIENT_SECRET` or `KAJABI_USERNAME` and
    /// `KAJABI_PASSWORD`, and/or `KAJABI_ACCESS_TOKEN`.
    ///
    /// # Errors
    /// A configuration error when none of the credentials is set, or as [`ClientBuilder::build`].
    pub fn from_env() -> Result<Self, Error> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let mut builder = Client::builder();
        if let Some(url) = var("KAJABI_BASE_URL") {
            builder = builder.base_url(url);
        }
        let (id, secret, token) = (
            var("KAJABI_CLIENT_ID"),
            var("KAJABI_CLIENT_SECRET"),
            var("KAJABI_ACCESS_TOKEN"),
        );
        let (username, password) = (var("KAJABI_USERNAME"), var("KAJABI_PASSWORD"));
        if [&id, &secret, &token, &username, &password]
            .iter()
            .all(|v| v.is_none())
        {
            return Err(Error::config(
                "no credentials in the environment: set KAJABI_CLIENT_ID and KAJABI_CLIENT_SECRET, KAJABI_USERNAME and KAJABI_PASSWORD, or KAJABI_ACCESS_TOKEN",
            ));
        }
        if id.is_some() || secret.is_some() {
            builder =
                builder.client_credentials(id.unwrap_or_default(), secret.unwrap_or_default());
        }
        if username.is_some() || password.is_some() {
            builder = builder.password(username.unwrap_or_default(), password.unwrap_or_default());
        }
        if let Some(token) = token {
            builder = builder.access_token(token);
        }
        builder.build()
    }

    /// The base URL calls go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.baseurl
    }

    /// The current access token, getting one first if there is none or it is stale.
    ///
    /// # Errors
    /// As the token request: [`Error::is_auth`] when the credentials are refused or missing.
    ///
    /// # Security Warning
    /// The token grants API access: keep it out of logs.
    pub async fn access_token(&self) -> Result<SecretString, Error> {
        let token = self.inner.bearer(&self.client).await.map_err(|e| {
            match self.inner.token_operation() {
                Some(op) => e.with_operation(op),
                None => e,
            }
        })?;
        Ok(token.access.clone())
    }

    /// Revokes `token`, an access or a refresh token (`POST /v1/oauth/revoke`); Kajabi then
    /// invalidates both tokens of that session. A 200 with any body, or none, is success. When
    /// `token` belongs to this client's own session, the session is dropped too.
    ///
    /// # Errors
    /// As any call; a revoked or unknown bearer gives [`Error::is_unauthorized`].
    pub async fn revoke(&self, token: &SecretString) -> Result<(), Error> {
        by_role::revoke(self)
            .body(by_role::RevokeForm {
                token: token.clone(),
            })
            .send()
            .await?;
        self.inner.forget_secret(token);
        Ok(())
    }

    /// Logs out: revokes this client's session (both of its tokens) and drops it from the
    /// cache. Without a session it does nothing. A later call that needs a token gets a new
    /// one if the client has credentials.
    ///
    /// # Errors
    /// As [`Client::revoke`]; on error the session is kept, so that logging out can be retried.
    pub async fn logout(&self) -> Result<(), Error> {
        if self.inner.current().is_none() {
            return Ok(());
        }
        // A stale session is renewed first and the renewed pair revoked: the revoke call's own
        // bearer would renew it anyway, and revoking the stale token would leave the new pair
        // alive. A refused renewal is the error: the revoke call could not be authorized either.
        let token = self.inner.bearer(&self.client).await?;
        by_role::revoke(self)
            .body(by_role::RevokeForm {
                token: token.access.clone(),
            })
            .send()
            .await?;
        self.inner.forget(&token);
        Ok(())
    }
}

#[cfg(test)]
mod tests;
