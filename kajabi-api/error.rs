//! The one error type of the SDK; Kajabi's error bodies it decodes are in [`crate::api_error`].

use std::{fmt, time::Duration};

use bytes::Bytes;
use reqwest::{header::HeaderMap, StatusCode};

use self::cause::{body_limit_hit, is_timeout};
pub use self::kind::ErrorKind;
use crate::{
    api_error::{ApiError, OAuthErrorCode},
    retry::{self, Attempt},
    Operation,
};

/// How much of an error body is kept; the rest is not read.
pub const MAX_ERROR_BODY: usize = 64 * 1024;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// A failed Kajabi API call; the one error type of the SDK.
///
/// Every call returns it on failure: a bad configuration, a failed or timed-out
/// transport, an error status from Kajabi (with its body decoded into [`ApiError`] when it is
/// one of Kajabi's two error shapes), or a success body that does not match the schema.
/// Like `reqwest::Error`, it is a small boxed struct: ask it with the `is_*` predicates and
/// accessors. `Display` is one lowercase sentence saying what happened and what to do; the
/// cause is reached through [`std::error::Error::source`]. No secret is ever part of it: tokens
/// travel in headers and form bodies, neither of which an error keeps, and errors of calls
/// that sent a credential are scrubbed of it in case the server echoes it back.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: Kind,
    operation: Option<&'static Operation>,
    status: Option<StatusCode>,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    content_type: Option<String>,
    body: Bytes,
    truncated: bool,
    api: Option<ApiError>,
    detail: Option<String>,
    source: Option<BoxError>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Config,
    MissingCredentials,
    Request,
    Transport,
    Timeout,
    Status,
    Decode,
    /// A webhook delivery that is not a Kajabi event (see `crate::webhooks`).
    Webhook,
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    fn new(kind: Kind) -> Self {
        Self {
            inner: Box::new(Inner {
                kind,
                operation: None,
                status: None,
                request_id: None,
                retry_after: None,
                content_type: None,
                body: Bytes::new(),
                truncated: false,
                api: None,
                detail: None,
                source: None,
            }),
        }
    }

    pub(crate) fn config(detail: impl Into<String>) -> Self {
        let mut e = Self::new(Kind::Config);
        e.inner.detail = Some(detail.into());
        e
    }

    pub(crate) fn missing_credentials() -> Self {
        Self::new(Kind::MissingCredentials)
    }

    pub(crate) fn invalid_request(detail: impl Into<String>) -> Self {
        let mut e = Self::new(Kind::Request);
        e.inner.detail = Some(detail.into());
        e
    }

    pub(crate) fn transport(source: reqwest::Error) -> Self {
        if let Some(limit) = body_limit_hit(&source) {
            return Self::body_too_large(limit);
        }
        let kind = if is_timeout(&source) {
            Kind::Timeout
        } else {
            Kind::Transport
        };
        let mut e = Self::new(kind);
        e.inner.source = Some(Box::new(source.without_url()));
        e
    }

    /// An attempt that got no response: reqwest's failure, or a middleware's.
    pub(crate) fn from_send(error: crate::transport::SendError) -> Self {
        match error {
            crate::transport::SendError::Reqwest(e) => Self::transport(e),
            #[cfg(feature = "middleware")]
            crate::transport::SendError::Middleware(e) => {
                let mut error = Self::new(Kind::Transport);
                let source: BoxError = match e {
                    reqwest_middleware::Error::Middleware(e) => e.into(),
                    other => Box::new(other),
                };
                error.inner.detail = Some(format!("a middleware failed: {source}"));
                error.inner.source = Some(source);
                error
            }
        }
    }

    pub(crate) fn body_too_large(limit: usize) -> Self {
        let mut e = Self::new(Kind::Transport);
        e.inner.detail = Some(format!(
            "the response body is larger than the {limit}-byte limit"
        ));
        e
    }

    /// An error status. `body` is at most [`MAX_ERROR_BODY`] bytes; `truncated` says whether
    /// the server sent more.
    pub(crate) fn from_status(
        status: StatusCode,
        headers: &HeaderMap,
        body: Bytes,
        truncated: bool,
    ) -> Self {
        let mut e = Self::new(Kind::Status);
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        };
        e.inner.status = Some(status);
        e.inner.request_id = header("x-request-id").or_else(|| header("request-id"));
        e.inner.retry_after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(crate::retry::parse_retry_after);
        e.inner.content_type = header("content-type");
        e.inner.api = ApiError::decode(&body);
        e.inner.body = body;
        e.inner.truncated = truncated;
        e
    }

    /// A success body that does not match the schema. Only serde's classification and position
    /// are kept in the message, never the offending value (it could be a credential).
    pub(crate) fn decode(body: Bytes, source: &serde_json::Error) -> Self {
        let mut e = Self::new(Kind::Decode);
        let what = match source.classify() {
            serde_json::error::Category::Io => "an I/O error",
            serde_json::error::Category::Syntax => "invalid JSON",
            serde_json::error::Category::Data => "JSON of the wrong shape",
            serde_json::error::Category::Eof => "truncated JSON",
        };
        e.inner.detail = Some(format!(
            "{what} at line {} column {}",
            source.line(),
            source.column()
        ));
        e.inner.truncated = body.len() > MAX_ERROR_BODY;
        e.inner.body = body.slice(..body.len().min(MAX_ERROR_BODY));
        e
    }

    /// A success body the client will not act on: `detail` says why (it must not quote the
    /// body, which may carry credentials).
    pub(crate) fn unusable_body(detail: impl Into<String>) -> Self {
        let mut e = Self::new(Kind::Decode);
        e.inner.detail = Some(detail.into());
        e
    }

    /// A webhook delivery that cannot be read: `detail` is one line and never quotes the body.
    pub(crate) fn webhook(detail: impl Into<String>) -> Self {
        let mut e = Self::new(Kind::Webhook);
        e.inner.detail = Some(detail.into());
        e
    }

    /// Names the operation that failed, unless the error already names one (a failed token
    /// request inside an API call stays the token request's error).
    pub(crate) fn with_operation(mut self, operation: &'static Operation) -> Self {
        let named = *self.inner.operation.get_or_insert(operation);
        // The body is the named operation's answer; a token response's holds the tokens:
        // keep none of it.
        if named.returns_credentials {
            self.inner.body = Bytes::new();
        }
        self
    }

    /// Replaces every occurrence of the `secrets` in the server's error text, for errors of
    /// calls that sent a credential the server might echo back. Strings under 8 bytes are
    /// left alone.
    pub(crate) fn scrub(mut self, secrets: &[&str]) -> Self {
        // Shorter strings are no credential worth the name and would mangle ordinary words.
        let secrets: Vec<&str> = secrets.iter().copied().filter(|s| s.len() >= 8).collect();
        if secrets.is_empty() {
            return self;
        }
        let clean = |text: &mut String| {
            for secret in &secrets {
                if text.contains(secret) {
                    *text = text.replace(secret, "[redacted]");
                }
            }
        };
        match &mut self.inner.api {
            Some(ApiError::OAuth(e)) => {
                if let OAuthErrorCode::Other(code) = &mut e.error {
                    clean(code);
                }
                if let Some(text) = &mut e.error_description {
                    clean(text);
                }
            }
            Some(ApiError::JsonApi(errors)) => {
                for e in errors {
                    for text in [&mut e.title, &mut e.detail, &mut e.code]
                        .into_iter()
                        .flatten()
                    {
                        clean(text);
                    }
                }
            }
            None => {}
        }
        let body = String::from_utf8_lossy(&self.inner.body);
        if secrets.iter().any(|s| body.contains(s)) {
            let mut body = body.into_owned();
            clean(&mut body);
            self.inner.body = Bytes::from(body);
        }
        self
    }

    /// Whether the client was misconfigured (base URL, credentials, TLS).
    pub fn is_config(&self) -> bool {
        matches!(self.inner.kind, Kind::Config | Kind::MissingCredentials)
    }

    /// Whether the request could not be built from the arguments given (a missing required
    /// parameter, a value of the wrong form).
    pub fn is_request(&self) -> bool {
        self.inner.kind == Kind::Request
    }

    /// Whether the call failed in transport: connection refused or reset, a body cut short,
    /// a body over the size limit.
    pub fn is_transport(&self) -> bool {
        self.inner.kind == Kind::Transport
    }

    /// Whether the call ran out of time (connect or whole-request timeout).
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == Kind::Timeout
    }

    /// Whether Kajabi answered with an error status; see [`Error::status`].
    pub fn is_status(&self) -> bool {
        self.inner.kind == Kind::Status
    }

    /// Whether a success response's body did not match the operation's schema, or a webhook
    /// delivery is not a Kajabi event ([`crate::webhooks::Event::parse`]).
    pub fn is_decode(&self) -> bool {
        matches!(self.inner.kind, Kind::Decode | Kind::Webhook)
    }

    /// Whether authentication failed: a 401, a 403, a rejected client credential (OAuth
    /// `invalid_client` or `invalid_grant`, whatever the status), or no credentials
    /// configured at all.
    pub fn is_auth(&self) -> bool {
        matches!(
            self.kind(),
            ErrorKind::MissingCredentials | ErrorKind::Unauthorized | ErrorKind::Forbidden
        )
    }

    /// What kind of failure this is, for a `match`:
    ///
    /// ```
    /// # fn handle(error: kajabi_api::Error) -> Option<()> {
    /// use kajabi_api::ErrorKind;
    /// match error.kind() {
    ///     ErrorKind::NotFound => None,
    ///     ErrorKind::Validation => {
    ///         for pointer in error.source_pointers() {
    ///             eprintln!("invalid: {pointer}");
    ///         }
    ///         None
    ///     }
    ///     _ => panic!("{error}"),
    /// }
    /// # }
    /// ```
    pub fn kind(&self) -> ErrorKind {
        match self.inner.kind {
            Kind::Config => ErrorKind::Config,
            Kind::MissingCredentials => ErrorKind::MissingCredentials,
            Kind::Request => ErrorKind::Request,
            Kind::Transport => ErrorKind::Transport,
            Kind::Timeout => ErrorKind::Timeout,
            Kind::Decode => ErrorKind::Decode,
            Kind::Webhook => ErrorKind::Webhook,
            Kind::Status => self.status_kind(),
        }
    }

    /// [`Error::kind`] of an error status.
    fn status_kind(&self) -> ErrorKind {
        let refused = matches!(
            &self.inner.api,
            Some(ApiError::OAuth(e))
                if matches!(e.error, OAuthErrorCode::InvalidClient | OAuthErrorCode::InvalidGrant)
        );
        let json_api = matches!(self.inner.api, Some(ApiError::JsonApi(_)));
        match self.inner.status.map_or(0, |s| s.as_u16()) {
            _ if refused => ErrorKind::Unauthorized,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            400 | 422 if json_api => ErrorKind::Validation,
            429 => ErrorKind::RateLimited,
            400..=499 => ErrorKind::ClientStatus,
            500..=599 => ErrorKind::ServerStatus,
            _ => ErrorKind::UnexpectedStatus,
        }
    }

    /// Whether the status is 404 Not Found.
    pub fn is_not_found(&self) -> bool {
        self.kind() == ErrorKind::NotFound
    }

    /// Whether the status is 403 Forbidden: the API key lacks the permission for the call.
    pub fn is_forbidden(&self) -> bool {
        self.kind() == ErrorKind::Forbidden
    }

    /// Whether Kajabi refused the request's content: 400 or 422 with a JSON:API `errors`
    /// body. [`Error::source_pointers`] says where. A refused credential (OAuth
    /// `invalid_grant`, `invalid_client`) is [`Error::is_auth`] instead.
    pub fn is_validation(&self) -> bool {
        self.kind() == ErrorKind::Validation
    }

    /// The JSON pointers (`source.pointer`, e.g. `/data/attributes/email`) of the JSON:API
    /// errors in the body, in their order; empty for any other error.
    pub fn source_pointers(&self) -> impl Iterator<Item = &str> + '_ {
        let errors = match &self.inner.api {
            Some(ApiError::JsonApi(errors)) => errors.as_slice(),
            _ => &[],
        };
        errors
            .iter()
            .filter_map(|e| e.source.as_ref()?.pointer.as_deref())
    }

    /// Whether the status is 401 Unauthorized (an unknown, expired or revoked token).
    pub fn is_unauthorized(&self) -> bool {
        self.inner.status == Some(StatusCode::UNAUTHORIZED)
    }

    /// Whether the status is 429 Too Many Requests; see [`Error::retry_after`].
    pub fn is_rate_limited(&self) -> bool {
        self.inner.status == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    /// Whether trying the same call again later may succeed without doing anything twice.
    ///
    /// The failure is classified by the one classification that also tells the SDK's own retry
    /// loop whether to resend at once (the two rules side by side: [`crate::RetryPolicy`]): true for 429, a connection that could not be made, and 503 with
    /// `Retry-After` (the server did not act on the request); for 502, 503, 504, a timeout or
    /// a connection lost mid-request only when the operation is idempotent (a `POST` may have
    /// been carried out); false for anything else, which would fail the same way again.
    pub fn is_retryable(&self) -> bool {
        let attempt = match self.inner.kind {
            Kind::Status => match self.inner.status {
                Some(status) => Attempt::Status(status, self.inner.retry_after.is_some()),
                None => return false,
            },
            Kind::Timeout | Kind::Transport => {
                match self
                    .inner
                    .source
                    .as_deref()
                    .and_then(|e| e.downcast_ref::<reqwest::Error>())
                {
                    Some(e) => Attempt::Transport(e),
                    // A body over the size limit: it would be as large again.
                    None => return false,
                }
            }
            _ => return false,
        };
        let idempotent = self.inner.operation.is_some_and(Operation::is_idempotent);
        retry::classify(attempt).may_succeed_later(idempotent)
    }

    /// The HTTP status, for errors that come from a response.
    pub fn status(&self) -> Option<StatusCode> {
        self.inner.status
    }

    /// The SDK method (operation) that failed, e.g. `"get_me"`.
    pub fn operation(&self) -> Option<&'static str> {
        self.inner.operation.map(|op| op.name)
    }

    /// Kajabi's decoded error body, when it was one of its error shapes.
    pub fn api_error(&self) -> Option<&ApiError> {
        self.inner.api.as_ref()
    }

    /// The `x-request-id` (or `request-id`) response header, for support requests.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// How long the server asked to wait (`Retry-After`), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The raw response body, at most [`MAX_ERROR_BODY`] bytes (empty for token responses,
    /// which carry credentials).
    pub fn body(&self) -> &[u8] {
        &self.inner.body
    }

    /// Whether the server sent more than [`Error::body`] holds.
    pub fn body_truncated(&self) -> bool {
        self.inner.truncated
    }

    fn subject(&self) -> &str {
        self.inner.operation.map_or("kajabi request", |op| op.name)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let subject = self.subject();
        let detail = self.inner.detail.as_deref().unwrap_or("");
        match self.inner.kind {
            Kind::Config => write!(f, "invalid client configuration: {detail}"),
            Kind::MissingCredentials => write!(
                f,
                "{subject} needs a bearer token but no credentials are configured; \
                 set a client id and secret or an access token"
            ),
            Kind::Request => write!(f, "{subject} could not be built: {detail}"),
            Kind::Timeout => write!(f, "{subject} timed out; retry later or raise the timeout"),
            Kind::Transport if detail.is_empty() => {
                write!(
                    f,
                    "{subject} failed in transport; check the network and the base URL"
                )
            }
            Kind::Transport => write!(f, "{subject} failed: {detail}"),
            Kind::Decode => write!(
                f,
                "{subject} returned a body that does not match the API schema ({detail})"
            ),
            Kind::Webhook => write!(f, "the webhook delivery is not a Kajabi event: {detail}"),
            Kind::Status => {
                let status = self
                    .inner
                    .status
                    .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                write!(f, "{subject} returned {status}")?;
                match &self.inner.api {
                    Some(api) => {
                        // "401 Unauthorized: Unauthorized: …" says the reason twice.
                        let text = api.to_string();
                        let reason = status.canonical_reason().unwrap_or("");
                        let text = match text.strip_prefix(reason) {
                            Some("") => "",
                            Some(rest) => rest.strip_prefix(": ").unwrap_or(&text),
                            None => &text,
                        };
                        if !text.is_empty() {
                            write!(f, ": {text}")?;
                        }
                    }
                    None if self.inner.body.is_empty() => f.write_str(" with an empty body")?,
                    None => write!(
                        f,
                        " with a body that is not a Kajabi error ({})",
                        self.inner
                            .content_type
                            .as_deref()
                            .unwrap_or("no content type")
                    )?,
                }
                let hint = match status.as_u16() {
                    401 => "; the token is invalid, expired or revoked: check the credentials",
                    403 => "; the API key lacks the permission for this call",
                    404 => "; check the id",
                    429 => "; rate limited: retry later",
                    500..=599 => "; Kajabi or a proxy failed: retry later",
                    _ => "",
                };
                f.write_str(hint)?;
                if let Some(id) = &self.inner.request_id {
                    write!(f, " (request id {id})")?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("kajabi_api::Error");
        d.field("kind", &self.inner.kind);
        if let Some(op) = self.inner.operation {
            d.field("operation", &op.name);
        }
        if let Some(status) = self.inner.status {
            d.field("status", &status);
        }
        if let Some(api) = &self.inner.api {
            d.field("api", api);
        }
        if let Some(detail) = &self.inner.detail {
            d.field("detail", detail);
        }
        if let Some(id) = &self.inner.request_id {
            d.field("request_id", id);
        }
        if !self.inner.body.is_empty() {
            d.field("body_len", &self.inner.body.len());
        }
        if let Some(source) = &self.inner.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner.source.as_deref().map(|e| e as _)
    }
}

pub(crate) mod cause;
mod kind;
#[cfg(test)]
mod tests;
