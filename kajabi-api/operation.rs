//! The per-operation table the build derives from the spec, and the one exit of every call.

use std::future::Future;

use progenitor_client::ResponseValue;
use reqwest::header::HeaderName;
use tracing::Instrument;

use crate::{transport::Carried, Error};

/// What the spec says about one operation that the generated code does not carry itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The SDK method name, e.g. `list_contacts`.
    pub name: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template, e.g. `/v1/contacts/{id}`.
    pub path: &'static str,
    /// Whether the call carries `Authorization: Bearer …`.
    pub secured: bool,
    /// What it is to the token lifecycle.
    pub role: Role,
    /// The request body's declared media type, if it takes a body.
    pub request_media: Option<&'static str>,
    /// The success response's declared media type, if it has a body.
    pub response_media: Option<&'static str>,
    /// Query parameter names as they go on the wire, e.g. `page[number]`.
    pub query: &'static [&'static str],
    /// Whether it pages through `page[number]` and `page[size]`.
    pub paginated: bool,
}

/// What an operation is to the token lifecycle, derived by `kajabi-spec` from the operation's
/// shape, never from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// Exchanges a grant for tokens (`POST /v1/oauth/token`).
    TokenGrant,
    /// Revokes a token (`POST /v1/oauth/revoke`).
    Revoke,
    /// Any other operation.
    Ordinary,
}

/// Every operation the client was generated with, sorted by path, then method.
pub fn operations() -> &'static [Operation] {
    crate::generated::OPERATIONS
}

/// Runs a generated call in its tracing span and turns progenitor's error into [`Error`].
/// The generated `send` of every operation builder ends here.
pub(crate) async fn send<T>(
    name: &'static str,
    call: impl Future<Output = Result<ResponseValue<T>, progenitor_client::Error<()>>>,
) -> Result<ResponseValue<T>, Error> {
    let (method, path) =
        crate::generated::operation(name).map_or(("", ""), |op| (op.method, op.path));
    let span = tracing::info_span!(
        "kajabi.call",
        operation = name,
        method,
        path,
        status = tracing::field::Empty,
        attempt = tracing::field::Empty,
        request_id = tracing::field::Empty,
        duration_ms = tracing::field::Empty,
    );
    if span.is_disabled() {
        // No subscriber wants it: skip the clock and the field records.
        return call
            .await
            .map_err(|e| from_generated(e).with_operation(name));
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
            let error = from_generated(e).with_operation(name);
            if let Some(id) = error.request_id() {
                span.record("request_id", id);
            }
            span.in_scope(|| tracing::debug!(error = %error, "call failed"));
            Err(error)
        }
    }
}

fn from_generated(error: progenitor_client::Error<()>) -> Error {
    use progenitor_client::Error as E;
    match error {
        E::UnexpectedResponse(response) => match response
            .extensions()
            .get::<Carried>()
            .and_then(Carried::take)
        {
            Some(carried) => carried,
            // A status the spec does not declare for this operation, e.g. 204 where 200 is.
            None => Error::from_status(
                response.status(),
                response.headers(),
                bytes::Bytes::new(),
                false,
            ),
        },
        E::CommunicationError(e) | E::InvalidUpgrade(e) => Error::transport(e),
        E::ResponseBodyError(e) => Error::transport(e),
        E::InvalidResponsePayload(body, e) => Error::decode(body, &e),
        E::ErrorResponse(response) => Error::from_status(
            response.status(),
            response.headers(),
            bytes::Bytes::new(),
            false,
        ),
        E::InvalidRequest(detail) | E::Custom(detail) => Error::invalid_request(detail),
    }
}
