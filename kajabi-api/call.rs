//! The call path: where every generated call enters the hand-written layer.
//!
//! progenitor's request code builds the `reqwest::Request` and stops there: codegen's wrap
//! pass cuts each operation's request code before progenitor's hooks
//! (`ClientHooks::pre`/`exec`/`post`) and makes the operation's `send` call [`send`] with the
//! built request, its entry in the operation table and how its success body decodes. From
//! there the call stays on this side:
//!
//! ```text
//! generated send ─▶ call::send (span, the crate's Error) ─▶ execute (media types, bearer,
//!   401 renewal, error body) ─▶ retry::send_rebuilding ─▶ reqwest ─▶ body::Success::decode
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
    generated::Client,
    media_type,
    retry::send_rebuilding,
    Error, Operation,
};

/// Runs one generated call in its `kajabi.call` span: the entry of every operation's `send`.
/// `build` runs progenitor's request code: once per call, and again for each retry (reqwest
/// consumes the request it sends, and building again is cheaper on the path where nothing
/// is retried than keeping a copy of every request).
pub(crate) async fn send<'a, T>(
    operation: &'static Operation,
    build: impl Fn() -> Result<(&'a Client, Request), progenitor_client::Error<()>>,
    success: impl Success<T>,
) -> Result<ResponseValue<T>, Error> {
    let span = tracing::info_span!(
        "kajabi.call",
        operation = operation.name,
        method = operation.method,
        path = operation.path,
        status = tracing::field::Empty,
        attempt = tracing::field::Empty,
        request_id = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    let disabled = span.is_disabled();
    let call_span = if disabled { None } else { Some(&span) };
    let call = async move {
        let (client, request) = build().map_err(from_build_error)?;
        let rebuild = || build().ok().map(|(_, request)| request);
        let response = execute(
            client.inner(),
            client.client(),
            request,
            rebuild,
            operation,
            call_span,
        )
        .await?;
        if !success.declares(response.status().as_u16()) {
            // A status the spec does not declare for this operation, e.g. 204 where 200 is.
            return Err(Error::from_status(
                response.status(),
                response.headers(),
                bytes::Bytes::new(),
                false,
            ));
        }
        success.decode(response).await
    };
    if disabled {
        // No subscriber wants it: skip the clock and the field records.
        return call.await.map_err(|e| e.with_operation(operation));
    }
    let started = std::time::Instant::now();
    let result = call.instrument(span.clone()).await;
    span.record("duration_ms", started.elapsed().as_millis() as u64);
    match result {
        Ok(value) => {
            if let Some(id) = value
                .headers()
                .get(HeaderName::from_static("x-request-id"))
                .and_then(|v| v.to_str().ok())
            {
                span.record("request_id", id);
            }
            Ok(value)
        }
        Err(e) => {
            let error = e.with_operation(operation);
            if let Some(id) = error.request_id() {
                span.record("request_id", id);
            }
            span.in_scope(|| tracing::debug!(error = %error, "call failed"));
            Err(error)
        }
    }
}

/// Sends a request built by hand ([`Client::request`](crate::Client::request)) down the same
/// path as a generated call, in its own `kajabi.call` span; returns the success response.
pub(crate) async fn send_raw(
    client: &Client,
    request: Request,
    operation: &'static Operation,
) -> Result<Response, Error> {
    let span = tracing::info_span!(
        "kajabi.call",
        operation = operation.name,
        method = operation.method,
        path = request.url().path(),
        status = tracing::field::Empty,
        attempt = tracing::field::Empty,
    );
    let template = crate::retry::copy(&request);
    let rebuild = || template.as_ref().and_then(crate::retry::copy);
    execute(
        client.inner(),
        client.client(),
        request,
        rebuild,
        operation,
        Some(&span),
    )
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

/// Puts the spec's media types and, where the spec's `security` asks for it, the bearer
/// token on `request`; sends it through [`send_rebuilding`]; renews the token and resends
/// once on a 401; and reads an error response into [`Error`], scrubbed of the credentials
/// sent. `rebuild` gives the same request again, as it was before this function's headers,
/// for each further attempt; `span` (when a subscriber wants it) records the attempts.
async fn execute(
    session: &Session,
    http: &reqwest::Client,
    mut request: Request,
    rebuild: impl Fn() -> Option<Request>,
    operation: &'static Operation,
    span: Option<&tracing::Span>,
) -> Result<Response, Error> {
    // What every attempt carries on top of what `rebuild` gives.
    let complete = |mut request: Request, bearer: Option<&Token>| {
        media_type::apply(&mut request, operation);
        if let Some(token) = bearer {
            request
                .headers_mut()
                .insert(AUTHORIZATION, token.header.clone());
        }
        request
    };
    let mut bearer: Option<Arc<Token>> = None;
    if operation.secured {
        bearer = Some(session.bearer(http).await?);
    }
    request = complete(request, bearer.as_deref());
    // Read before sending: the request is gone by the time an error needs scrubbing.
    let form_values = form_values(&request);
    let policy = &session.shared.retry;
    let none = tracing::Span::none();
    let span = span.unwrap_or(&none);
    let mut attempt = 0;
    let again = |bearer: Option<&Token>| rebuild().map(|request| complete(request, bearer));
    let result = send_rebuilding(
        http,
        request,
        || again(bearer.as_deref()),
        policy,
        &mut attempt,
        span,
    )
    .await;
    let mut response = result.map_err(Error::transport)?;
    if response.status() == StatusCode::UNAUTHORIZED {
        if let (Some(rejected), Some(next)) = (bearer.clone(), rebuild()) {
            // Rare paths are boxed: inline, their state would grow every call's future.
            if let Some(token) = Box::pin(session.after_unauthorized(http, &rejected)).await {
                tracing::info!(attempt, "401: retrying once with a renewed token");
                let next = complete(next, Some(&token));
                let renewed = Some(token);
                response = Box::pin(send_rebuilding(
                    http,
                    next,
                    || again(renewed.as_deref()),
                    policy,
                    &mut attempt,
                    span,
                ))
                .await
                .map_err(Error::transport)?;
                bearer = renewed;
            }
        }
    }
    if response.status().is_success() {
        return body::limit_body(response, session.shared.max_body);
    }
    let mut sent = form_values;
    sent.extend(bearer.map(|t| t.access.secret().to_string()));
    let sent: Vec<&str> = sent.iter().map(String::as_str).collect();
    Err(Box::pin(body::read_error(response)).await.scrub(&sent))
}

/// The values of a form body: forms only ever carry OAuth credentials, which an error from
/// the server must not repeat.
fn form_values(request: &Request) -> Vec<String> {
    let is_form = request.headers().get(CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes()
            .starts_with(b"application/x-www-form-urlencoded")
    });
    match request.body().and_then(reqwest::Body::as_bytes) {
        Some(body) if is_form => form_urlencoded::parse(body)
            .map(|(_, value)| value.into_owned())
            .collect(),
        _ => Vec::new(),
    }
}
