//! The spans of a call, with OpenTelemetry's names, so that `tracing-opentelemetry` exports
//! them as backends expect:
//!
//! - `kajabi.call` (`otel.kind` internal): one per API call; `operation`, and `request_id`
//!   once the response is in.
//! - `kajabi.token` (internal): one per token request, wherever it is started; its attempts
//!   are its children and nothing of it is written to the caller's span.
//! - `kajabi.attempt` (`otel.kind` client, `otel.name` "METHOD url.template"): one per request
//!   sent, a child of one of the two above, with the HTTP client attributes:
//!   `http.request.method`, `url.full` (no user info; the values of query parameters whose
//!   name suggests a secret are `REDACTED`), `url.template`, `server.address`, `server.port`,
//!   `http.response.status_code`, `http.request.resend_count` (from the second attempt on) and
//!   `error.type` (the status code for an error status, else what failed).
//!
//! Every field is recorded at most once per span. Spans are built only when a subscriber
//! takes INFO; header values never reach them.
//!
//! Headers go to DEBUG events of target [`HEADERS`] inside the attempt span (what `kajabi -vv`
//! prints), one before the request is sent and one when its response is in, with fields named
//! as OpenTelemetry's opt-in header attributes: `http.request.header.NAME` for the headers the
//! SDK itself sets (`accept`, `content-type`, `api-version`; `authorization` only as
//! `REDACTED`) and `http.response.header.NAME` for the server's `content-type`,
//! `x-request-id` and `retry-after`. A fixed list: headers from [`crate::CallOptions`] or a
//! middleware may carry secrets of the user's, and their values never reach an event.

use futures::future::BoxFuture;
use reqwest::header::{HeaderMap, AUTHORIZATION};
use reqwest::Request;
use tracing::{field::Empty, Instrument, Level, Span};

use crate::{
    transport::{Outcome, SendError, Transport},
    Operation,
};

/// The target of the DEBUG events that carry an attempt's headers (see the module docs).
pub(crate) const HEADERS: &str = "kajabi_api::headers";

/// The `kajabi.call` span of `operation`.
pub(crate) fn call_span(operation: &Operation) -> Span {
    tracing::info_span!(
        "kajabi.call",
        otel.kind = "internal",
        operation = operation.name,
        request_id = Empty,
    )
}

/// The `kajabi.token` span of a token request to `operation`.
pub(crate) fn token_span(operation: &Operation) -> Span {
    tracing::info_span!(
        "kajabi.token",
        otel.kind = "internal",
        operation = operation.name,
    )
}

/// Sends `request` in its own `kajabi.attempt` span under `parent`, which records how it
/// ended. `resend_count` is the number of attempts before this one.
pub(crate) fn attempt<'a>(
    parent: &Span,
    template: Option<&str>,
    resend_count: u32,
    transport: Transport<'a>,
    request: Request,
) -> BoxFuture<'a, Outcome> {
    let url = request.url();
    let method = request.method().as_str();
    let template = template.unwrap_or(url.path());
    let span = tracing::info_span!(
        parent: parent,
        "kajabi.attempt",
        otel.kind = "client",
        otel.name = format!("{method} {template}"),
        http.request.method = method,
        url.full = full_url(url),
        url.template = template,
        server.address = url.host_str().unwrap_or_default(),
        server.port = url.port_or_known_default(),
        http.response.status_code = Empty,
        http.request.resend_count = Empty,
        error.type = Empty,
    );
    if resend_count > 0 {
        span.record("http.request.resend_count", resend_count);
    }
    if tracing::enabled!(target: HEADERS, Level::DEBUG) {
        let headers = request.headers();
        tracing::event!(target: HEADERS, parent: &span, Level::DEBUG, {
            "http.request.header.accept" = value(headers, "accept"),
            "http.request.header.content-type" = value(headers, "content-type"),
            "http.request.header.api-version" = value(headers, "api-version"),
            "http.request.header.authorization" =
                headers.contains_key(AUTHORIZATION).then_some("REDACTED"),
        });
    }
    let sending = transport.execute(request);
    let recorded = span.clone();
    let future = async move {
        let outcome = sending.await;
        record(&recorded, &outcome);
        outcome
    };
    Box::pin(future.instrument(span))
}

/// Records the status, or what failed, on an attempt's span.
fn record(span: &Span, outcome: &Outcome) {
    match outcome {
        Ok(response) => {
            let status = response.status();
            span.record("http.response.status_code", status.as_u16());
            if tracing::enabled!(target: HEADERS, Level::DEBUG) {
                let headers = response.headers();
                tracing::event!(target: HEADERS, parent: span, Level::DEBUG, {
                    "http.response.header.content-type" = value(headers, "content-type"),
                    "http.response.header.x-request-id" = value(headers, "x-request-id"),
                    "http.response.header.retry-after" = value(headers, "retry-after"),
                });
            }
            if status.is_client_error() || status.is_server_error() {
                span.record("error.type", status.as_str());
            }
        }
        Err(SendError::Reqwest(e)) => {
            let kind = if crate::error::cause::is_timeout(e) {
                "timeout"
            } else if e.is_connect() {
                "connect"
            } else if e.is_redirect() {
                "redirect"
            } else {
                "transport"
            };
            span.record("error.type", kind);
        }
        #[cfg(feature = "middleware")]
        Err(SendError::Middleware(_)) => {
            span.record("error.type", "middleware");
        }
    }
}

/// The value of the header `name`, if it is there and text.
fn value<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers.get(name).and_then(|value| value.to_str().ok())
}

/// `url` as `url.full` shows it: without user info, and with the values of query parameters
/// that may be credentials replaced by `REDACTED`.
pub(crate) fn full_url(url: &url::Url) -> String {
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    if url.query().is_some() {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| {
                let value = if is_secret_name(&name) {
                    "REDACTED".to_string()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        shown.query_pairs_mut().clear().extend_pairs(pairs);
    }
    shown.to_string()
}

/// Whether a query parameter's name suggests a credential.
fn is_secret_name(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    [
        "token",
        "secret",
        "password",
        "signature",
        "key",
        "code",
        "sig",
        "auth",
    ]
    .iter()
    .any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    #[test]
    fn full_urls_lose_user_info_and_secret_query_values() {
        let url = url::Url::parse(
            "https://user:pw@api.example.com/v1/x?page%5Bnumber%5D=2&access_token=abc&X-Amz-Signature=s",
        )
        .unwrap();
        assert_eq!(
            super::full_url(&url),
            "https://api.example.com/v1/x?page%5Bnumber%5D=2&access_token=REDACTED&X-Amz-Signature=REDACTED"
        );
    }
}
