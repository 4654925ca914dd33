//! [`ErrorKind`]: what [`super::Error::kind`] answers, for a `match`.

/// What kind of failure an [`crate::Error`] is, for a `match` ([`crate::Error::kind`]).
///
/// Error statuses are sorted by what a caller does about them: the ones with a branch of
/// their own in most code (401, 403, 404, 429, a validation error) have a variant each; the
/// rest are grouped by class. New variants may be added in a minor release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The client is misconfigured: base URL, credentials, TLS, a per-call option.
    Config,
    /// The call needs a bearer token and the client has no credentials to get one.
    MissingCredentials,
    /// The request could not be built from the arguments given.
    Request,
    /// The transport failed: connection refused or reset, a body cut short or over the size
    /// limit, a middleware that failed.
    Transport,
    /// The call ran out of time.
    Timeout,
    /// 401, or a token request whose credentials Kajabi refused (OAuth `invalid_client` or
    /// `invalid_grant`, whatever the status).
    Unauthorized,
    /// 403: the API key lacks the permission.
    Forbidden,
    /// 404: no such resource (or route).
    NotFound,
    /// 400 or 422 with a JSON:API `errors` body: the request's content was refused; see
    /// [`crate::Error::source_pointers`].
    Validation,
    /// 429: rate limited; see [`crate::Error::retry_after`].
    RateLimited,
    /// Any other 4xx status.
    ClientStatus,
    /// A 5xx status: Kajabi or a proxy failed.
    ServerStatus,
    /// A status that is not an error status but not one the operation declares (e.g. 204
    /// where the spec says 200, or a redirect not followed).
    UnexpectedStatus,
    /// A success body that does not match the operation's schema.
    Decode,
    /// A webhook delivery that is not a Kajabi event.
    Webhook,
}
