//! The call path: where every generated call enters the hand-written layer.
//!
//! progenitor's request code builds the `reqwest::Request` and stops there: codegen's wrap
//! pass cuts each operation's request code before progenitor's hooks
//! (`ClientHooks::pre`/`exec`/`post`) and makes the operation's `send` call [`send`] with the
//! built request, its entry in the operation table and how its success body decodes. From
//! there the call stays on this side:
//!
//! ```text
//! generated send ─▶ call::send (the span when a subscriber takes INFO, the crate's Error)
//!   ─▶ execute (media types, bearer; a 401's renewal and an error body in `unsuccessful`)
//!   ─▶ retry::send_rebuilding ─▶ reqwest ─▶ body::Success::decode
//! ```
//!
//! One entry ([`send`]) and one exit to the network ([`crate::retry::send_rebuilding`]). Errors
//! are the crate's [`Error`] from the first failure on: progenitor's hooks could return only a
//! response or a `reqwest::Error`, so nothing goes through them.

use std::sync::Arc;

use progenitor_client::{ClientInfo, ResponseValue};
use reqwest::{
    header::{HeaderName, AUTHORIZATION, CONTENT_TYPE},
    Request, Response, StatusCode,
};
use tracing::Instrument;

use crate::{
    auth::{Session, Token},
    body::{self, Success},
    contract::Client,
    media_type,
    retry::{self, send_rebuilding, Attempts},
    trace,
    transport::Transport,
    CallOptions, Error, Operation,
};

/// Runs one generated call in its `kajabi.call` span: the entry of every operation's `send`.
/// `build` runs progenitor's request code: once per call, and again for each retry (reqwest
/// consumes the request it sends, and building again is cheaper on the path where nothing
/// is retried than keeping a copy of every request).
/// `options` are the call's [`CallOptions`], if it was given some.
///
/// This function (generic over the operation's request closure and success type), [`traced`]
/// and [`call`] (over its success type) are compiled once per operation, so they only pass
/// `build` on as a trait object and decode: the call path below them ([`respond`]) is
/// compiled once.
pub(crate) async fn send<'a, T>(
    operation: &'static Operation,
    options: Option<&'a CallOptions>,
    build: impl Fn() -> Result<(&'a Client, Request), progenitor_client::Error<()>> + Sync,
    success: impl Success<T>,
) -> Result<ResponseValue<T>, Error> {
    let build = || build().map_err(from_build_error);
    // When no subscriber takes INFO, the span is not even built: a disabled span still
    // costs its callsite check, and with tracing's `log` feature it formats its fields.
    if !tracing::level_enabled!(tracing::Level::INFO) {
        return call(&build, operation, options, success, None)
            .await
            .map_err(|e| e.with_operation(operation));
    }
    // Boxed: the span's state would grow every call's future, also the untraced ones.
    Box::pin(traced(&build, operation, options, success)).await
}

/// The request closure of a call, as the call path takes it: one type for every operation.
type Build<'a, 'b> = &'b (dyn Fn() -> Result<(&'a Client, Request), Error> + Sync);

/// [`send`] with a subscriber that takes INFO: the call in its `kajabi.call` span (see
/// [`crate::trace`]), one child span per attempt, and the request id.
async fn traced<'a, T>(
    build: Build<'a, '_>,
    operation: &'static Operation,
    options: Option<&'a CallOptions>,
    success: impl Success<T>,
) -> Result<ResponseValue<T>, Error> {
    let span = trace::call_span(operation);
    if span.is_disabled() {
        // The subscriber filters this span out: skip the field records.
        return call(build, operation, options, success, None)
            .await
            .map_err(|e| e.with_operation(operation));
    }
    let result = call(build, operation, options, success, Some(&span))
        .instrument(span.clone())
        .await;
    match result {
        Ok(value) => {
            succeeded(&span, value.headers());
            Ok(value)
        }
        Err(e) => Err(failed(&span, e.with_operation(operation))),
    }
}

/// Records a successful call's request id on its span.
fn succeeded(span: &tracing::Span, headers: &reqwest::header::HeaderMap) {
    if let Some(id) = headers
        .get(HeaderName::from_static("x-request-id"))
        .and_then(|v| v.to_str().ok())
    {
        span.record("request_id", id);
    }
}

/// Records a failed call's request id and error on its span.
fn failed(span: &tracing::Span, error: Error) -> Error {
    if let Some(id) = error.request_id() {
        span.record("request_id", id);
    }
    span.in_scope(|| tracing::debug!(error = %error, "call failed"));
    error
}

/// The call itself: the response from [`respond`], decoded as `success` says.
async fn call<'a, T>(
    build: Build<'a, '_>,
    operation: &'static Operation,
    options: Option<&'a CallOptions>,
    success: impl Success<T>,
    span: Option<&tracing::Span>,
) -> Result<ResponseValue<T>, Error> {
    let response = respond(build, operation, options, success.statuses(), span).await?;
    success.decode(response).await
}

/// The response from [`execute`] if its status is one the operation declares (`statuses`);
/// an error for another one, e.g. 204 where the spec says 200.
async fn respond<'a>(
    build: Build<'a, '_>,
    operation: &'static Operation,
    options: Option<&'a CallOptions>,
    statuses: &'static [u16],
    span: Option<&tracing::Span>,
) -> Result<Response, Error> {
    let response = execute(build, operation, options, span).await?;
    if statuses.contains(&response.status().as_u16()) {
        return Ok(response);
    }
    Err(Error::from_status(
        response.status(),
        response.headers(),
        bytes::Bytes::new(),
        false,
    ))
}

/// Sends a request built by hand ([`Client::request`](crate::Client::request)) down the same
/// path as a generated call, in its own `kajabi.call` span; returns the success response.
pub(crate) async fn send_raw(
    client: &Client,
    request: Request,
    operation: &'static Operation,
) -> Result<Response, Error> {
    let span = trace::call_span(operation);
    // The request itself for the first attempt, copies of it for the others.
    let template = crate::retry::copy(&request);
    let first = std::sync::Mutex::new(Some(request));
    let build = || {
        let first = first.lock().unwrap_or_else(|e| e.into_inner()).take();
        first
            .or_else(|| template.as_ref().and_then(crate::retry::copy))
            .map(|request| (client, request))
            .ok_or_else(|| Error::invalid_request("the request's body cannot be sent again"))
    };
    execute(&build, operation, None, Some(&span))
        .instrument(span.clone())
        .await
        .map_err(|e| e.with_operation(operation))
}

/// Why progenitor's code could not build the request: a missing or ill-formed argument, or
/// a request reqwest refuses.
fn from_build_error(error: progenitor_client::Error<()>) -> Error {
    use progenitor_client::Error as E;
    match error {
        E::CommunicationError(e) | E::InvalidUpgrade(e) | E::ResponseBodyError(e) => {
            Error::transport(e)
        }
        E::InvalidRequest(detail) | E::Custom(detail) => Error::invalid_request(detail),
        other => Error::invalid_request(other.to_string()),
    }
}

/// Sends the request `build` gives with the spec's media types and, where the spec's
/// `security` asks for it, the bearer token, through [`send_rebuilding`]; renews the token
/// and resends once on a 401; and reads an error response into [`Error`], scrubbed of the
/// credentials sent. `build` is called again for each further attempt; `span` (when a
/// subscriber wants it) records the attempts.
///
/// Every call's future holds this function's state, so what is rare is boxed, and no
/// `Request` is kept across an await where it can be avoided: a request is 264 bytes, and
/// the future is copied as it is built up (measured by `cargo bench --bench overhead`).
///
/// `build` is a trait object, not a type parameter: every operation's `send` passes a closure
/// of its own type, and a generic `execute` (with the retry loop and the error path below it)
/// was compiled once per operation, the largest share of this crate's build.
async fn execute<'a>(
    build: Build<'a, '_>,
    operation: &'static Operation,
    options: Option<&CallOptions>,
    span: Option<&tracing::Span>,
) -> Result<Response, Error> {
    CallOptions::check(options)?;
    let (client, request) = build()?;
    let (session, http) = (client.inner(), client.client());
    let (request, bearer) = match (operation.secured, session.ready()) {
        (false, _) => (request, None),
        (true, Some(token)) => (request, Some(token)),
        (true, None) => {
            let (request, token) = Box::pin(with_token(session, http, request)).await?;
            (request, Some(token))
        }
    };
    let mut attempts = Attempts::new(
        Transport::of(http, session),
        CallOptions::retry_or(options, &session.shared.retry),
        span,
        // A request built by hand ([`send_raw`]) has no template: its span shows its path.
        (!operation.path.is_empty()).then_some(operation.path),
    );
    let extra = Extra { operation, options };
    let (first, form_values) = start(&mut attempts, request, extra, bearer.as_deref());
    let rebuild = || build().ok().map(|(_, request)| request);
    let response = send_rebuilding(
        first,
        retry::is_idempotent(operation.method),
        || again(&rebuild, extra, bearer.as_deref()),
        &mut attempts,
    )
    .await
    .map_err(Error::from_send)?;
    match response {
        response if response.status().is_success() => {
            body::limit_body(response, session.shared.max_body)
        }
        // Rare, so boxed: inline, its state would grow every call's future.
        response => {
            let sent = Sent {
                bearer,
                form_values,
            };
            Box::pin(unsuccessful(
                client,
                response,
                sent,
                &rebuild,
                extra,
                &mut attempts,
            ))
            .await
        }
    }
}

/// The credentials a call sent: an error response must not repeat them.
struct Sent {
    bearer: Option<Arc<Token>>,
    /// The values of the request's form body ([`form_values`]).
    form_values: Vec<String>,
}

/// The rest of a call whose response is not a success: on a 401, one renewal of the token
/// and one resend ([`resend_renewed`]); then an error response read into [`Error`], scrubbed
/// of the credentials sent.
async fn unsuccessful(
    client: &Client,
    mut response: Response,
    mut sent: Sent,
    rebuild: &impl Fn() -> Option<Request>,
    extra: Extra<'_>,
    attempts: &mut Attempts<'_>,
) -> Result<Response, Error> {
    let (session, http) = (client.inner(), client.client());
    if response.status() == StatusCode::UNAUTHORIZED {
        if let Some(rejected) = sent.bearer.clone() {
            let renewed =
                resend_renewed(session, http, &rejected, rebuild, extra, attempts).await?;
            if let Some((renewed_response, token)) = renewed {
                response = renewed_response;
                sent.bearer = Some(token);
            }
        }
    }
    if response.status().is_success() {
        return body::limit_body(response, session.shared.max_body);
    }
    let mut secrets = sent.form_values;
    secrets.extend(sent.bearer.map(|t| t.access.secret().to_string()));
    let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
    Err(body::read_error(response).await.scrub(&secrets))
}

/// A first or renewed token, for `request`. Rare, so the caller boxes it: the request then
/// waits on the heap, not in every call's future.
async fn with_token(
    session: &Session,
    http: &reqwest::Client,
    request: Request,
) -> Result<(Request, Arc<Token>), Error> {
    Ok((request, session.bearer(http).await?))
}

/// After a 401 with the `rejected` token: a renewed token (unless another task renewed it
/// already) and the request sent once more with it. `None` when there is no newer token or
/// the request cannot be built again; the 401 then stands.
async fn resend_renewed(
    session: &Session,
    http: &reqwest::Client,
    rejected: &Arc<Token>,
    rebuild: &impl Fn() -> Option<Request>,
    extra: Extra<'_>,
    attempts: &mut Attempts<'_>,
) -> Result<Option<(Response, Arc<Token>)>, Error> {
    let Some(next) = rebuild() else {
        return Ok(None);
    };
    let Some(token) = session.after_unauthorized(http, rejected).await else {
        return Ok(None);
    };
    tracing::info!(
        attempt = attempts.count,
        "401: retrying once with a renewed token"
    );
    let (first, _) = start(attempts, next, extra, Some(&token));
    let response = send_rebuilding(
        first,
        retry::is_idempotent(extra.operation.method),
        || again(rebuild, extra, Some(&token)),
        attempts,
    )
    .await
    .map_err(Error::from_send)?;
    Ok(Some((response, token)))
}

/// What every attempt of a call adds to what progenitor's code builds: the operation's
/// media types and the call's options.
#[derive(Clone, Copy)]
struct Extra<'a> {
    operation: &'static Operation,
    options: Option<&'a CallOptions>,
}

/// What every attempt carries on top of what progenitor's code builds: the body's media type,
/// the call's options (timeout, headers) and the bearer token, last, so that nothing
/// replaces it.
fn complete(request: &mut Request, extra: Extra<'_>, bearer: Option<&Token>) {
    media_type::apply(request, extra.operation);
    if let Some(options) = extra.options {
        options.apply(request);
    }
    if let Some(token) = bearer {
        request
            .headers_mut()
            .insert(AUTHORIZATION, token.header.clone());
    }
}

/// The request for a further attempt: `rebuild`'s, completed as the first was.
fn again(
    rebuild: &impl Fn() -> Option<Request>,
    extra: Extra<'_>,
    bearer: Option<&Token>,
) -> Option<Request> {
    let mut request = rebuild()?;
    complete(&mut request, extra, bearer);
    Some(request)
}

/// Completes `request` and starts its first attempt: its future, and the values of its form
/// body (read now, as the request is gone by the time an error needs scrubbing). A plain
/// function, so that the request never lives in the caller's future.
fn start<'a>(
    attempts: &mut Attempts<'a>,
    mut request: Request,
    extra: Extra<'_>,
    bearer: Option<&Token>,
) -> (
    impl std::future::Future<Output = crate::transport::Outcome> + 'a,
    Vec<String>,
) {
    complete(&mut request, extra, bearer);
    let form_values = form_values(&request);
    (attempts.start(request), form_values)
}

/// The values of a form body: forms only ever carry OAuth credentials, which an error from
/// the server must not repeat.
fn form_values(request: &Request) -> Vec<String> {
    let Some(body) = request.body().and_then(reqwest::Body::as_bytes) else {
        return Vec::new();
    };
    let is_form = request.headers().get(CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes()
            .starts_with(b"application/x-www-form-urlencoded")
    });
    if !is_form {
        return Vec::new();
    }
    form_urlencoded::parse(body)
        .map(|(_, value)| value.into_owned())
        .collect()
}
