//! What happens to every generated request between progenitor and the network.
//!
//! progenitor calls [`ClientHooks::exec`] with the built `reqwest::Request` and the operation
//! name. Here the request gets the spec's media types ([`crate::media_type`]) and, where the
//! spec's `security` asks for it, the bearer token ([`crate::auth`]); it is sent, retried per
//! [`crate::retry`], renewed-and-retried once on a 401; and an error response is read (at
//! most [`MAX_ERROR_BODY`] bytes) and decoded into [`Error`] here, where the body is still
//! available. The error reaches [`crate::operation::send`] inside a body-less response
//! ("carrier"), since `exec` can only return a response or a `reqwest::Error`.

use std::sync::{Arc, Mutex};

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use progenitor_client::{ClientHooks, ClientInfo, OperationInfo, ResponseValue};
use reqwest::{
    header::{AUTHORIZATION, CONTENT_TYPE},
    Request, Response, StatusCode,
};
use tokio::time::Instant;

use crate::{
    auth::Session,
    error::{Error, MAX_ERROR_BODY},
    generated::{self, Client},
    media_type,
    retry::{self, RetryPolicy},
};

impl ClientHooks<Session> for Client {
    async fn exec(&self, request: Request, info: &OperationInfo) -> reqwest::Result<Response> {
        execute(self.inner(), self.client(), request, info.operation_id).await
    }
}

async fn execute(
    session: &Session,
    http: &reqwest::Client,
    mut request: Request,
    name: &str,
) -> reqwest::Result<Response> {
    let operation = generated::operation(name);
    if let Some(operation) = operation {
        media_type::apply(&mut request, operation);
    }
    // An operation missing from the table cannot happen with generated code; be safe anyway.
    let secured = operation.is_none_or(|op| op.secured);
    let mut bearer = None;
    if secured {
        match session.bearer(http).await {
            Ok(token) => {
                request
                    .headers_mut()
                    .insert(AUTHORIZATION, token.header.clone());
                bearer = Some(token);
            }
            Err(e) => return Ok(carry(e)),
        }
    }
    // Read before sending: the request is gone by the time an error needs scrubbing.
    let form_values = form_values(&request);
    let policy = &session.shared.retry;
    let mut attempt = 0;
    let (result, again) = send_retrying(http, request, policy, &mut attempt).await;
    let mut response = result?;
    if response.status() == StatusCode::UNAUTHORIZED {
        if let (Some(rejected), Some(mut next)) = (&bearer, again) {
            // Rare paths are boxed: inline, their state would grow every call's future.
            if let Some(token) = Box::pin(session.after_unauthorized(http, rejected)).await {
                tracing::info!(attempt, "401: retrying once with a renewed token");
                next.headers_mut()
                    .insert(AUTHORIZATION, token.header.clone());
                bearer = Some(token);
                response = Box::pin(send_retrying(http, next, policy, &mut attempt))
                    .await
                    .0?;
            }
        }
    }
    if response.status().is_success() {
        return Ok(limit_body(response, session.shared.max_body));
    }
    let mut sent = form_values;
    sent.extend(bearer.map(|t| t.access.secret().to_string()));
    let sent: Vec<&str> = sent.iter().map(String::as_str).collect();
    Ok(carry(Box::pin(read_error(response)).await.scrub(&sent)))
}

/// A copy of `request` for another attempt; `None` for a streaming body. Cheaper than
/// `Request::try_clone`, which allocates an extension map whatever it holds.
fn copy(request: &Request) -> Option<Request> {
    let body = match request.body() {
        Some(body) => Some(reqwest::Body::from(Bytes::copy_from_slice(
            body.as_bytes()?,
        ))),
        None => None,
    };
    let mut copy = Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    *copy.timeout_mut() = request.timeout().copied();
    *copy.body_mut() = body;
    Some(copy)
}

/// Sends `request`, and sends it again while [`retry`] allows. `attempt` counts the attempts
/// of the whole call, for its span. With the response comes a copy of the last request sent,
/// for the one resend after a 401.
pub(crate) async fn send_retrying(
    http: &reqwest::Client,
    mut request: Request,
    policy: &RetryPolicy,
    attempt: &mut u32,
) -> (reqwest::Result<Response>, Option<Request>) {
    let span = tracing::Span::current();
    let started = Instant::now();
    let mut tries = 1;
    loop {
        let again = copy(&request);
        let method = request.method().clone();
        *attempt += 1;
        span.record("attempt", *attempt);
        let (wait, next) = match http.execute(request).await {
            Ok(response) => {
                let status = response.status();
                span.record("status", status.as_u16());
                if status.is_success() {
                    return (Ok(response), again);
                }
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(retry::parse_retry_after);
                let wait = retry::retry_status(&method, status, retry_after.is_some())
                    .then(|| policy.next_delay(tries, started.elapsed(), retry_after))
                    .flatten();
                let (wait, next) = match (wait, again) {
                    (Some(wait), Some(next)) => (wait, next),
                    (_, again) => return (Ok(response), again),
                };
                tracing::info!(
                    attempt = *attempt,
                    status = status.as_u16(),
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                (wait, next)
            }
            Err(e) => {
                let wait = retry::retry_transport(&method, &e)
                    .then(|| policy.next_delay(tries, started.elapsed(), None))
                    .flatten();
                let (Some(wait), Some(next)) = (wait, again) else {
                    return (Err(e), None);
                };
                tracing::info!(
                    attempt = *attempt,
                    error = %e,
                    wait_ms = wait.as_millis() as u64,
                    "retrying after a transport error"
                );
                (wait, next)
            }
        };
        Box::pin(tokio::time::sleep(wait)).await;
        request = next;
        tries += 1;
    }
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

/// A success body decoded into its type; what progenitor's `ResponseValue::from_response` does,
/// without copying the headers (the generated code calls this instead; see codegen's wrap pass).
pub(crate) async fn decode<T: serde::de::DeserializeOwned>(
    response: Response,
) -> Result<ResponseValue<T>, progenitor_client::Error<()>> {
    let status = response.status();
    let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
    let full = http_body_util::BodyExt::collect(body)
        .await
        .map_err(progenitor_client::Error::ResponseBodyError)?
        .to_bytes();
    let inner = serde_json::from_slice(&full)
        .map_err(|e| progenitor_client::Error::InvalidResponsePayload(full, e))?;
    Ok(ResponseValue::new(inner, status, parts.headers))
}

/// Reads at most `limit` bytes of a body; the flag says whether more was there. A body cut
/// short by the connection keeps what arrived.
pub(crate) async fn read_bounded(response: Response, limit: usize) -> (Bytes, bool) {
    let mut stream = response.bytes_stream();
    let mut buffer = BytesMut::new();
    while let Some(chunk) = stream.next().await {
        let Ok(chunk) = chunk else { break };
        let room = limit - buffer.len();
        if chunk.len() > room {
            buffer.extend_from_slice(&chunk[..room]);
            return (buffer.freeze(), true);
        }
        buffer.extend_from_slice(&chunk);
    }
    (buffer.freeze(), false)
}

async fn read_error(response: Response) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    let (body, truncated) = read_bounded(response, MAX_ERROR_BODY).await;
    Error::from_status(status, &headers, body, truncated)
}

/// A success response whose body cannot grow past `limit` bytes when read.
fn limit_body(response: Response, limit: usize) -> Response {
    match response.content_length() {
        // hyper stops at the announced length, so a known small body needs no guard.
        Some(length) if length <= limit as u64 => response,
        Some(_) => carry(Error::body_too_large(limit)),
        None => {
            let mut seen = 0usize;
            let http: http::Response<reqwest::Body> = response.into();
            http.map(|body| {
                let stream = http_body_util::BodyDataStream::new(body).map(move |chunk| {
                    let chunk = chunk?;
                    seen += chunk.len();
                    if seen > limit {
                        return Err(Box::new(BodyTooLarge(limit))
                            as Box<dyn std::error::Error + Send + Sync>);
                    }
                    Ok(chunk)
                });
                reqwest::Body::wrap_stream(stream)
            })
            .into()
        }
    }
}

/// The error inside a body stream cut off at the size limit; [`Error::transport`] finds it.
#[derive(Debug, thiserror::Error)]
#[error("the response body is larger than the {0}-byte limit")]
pub(crate) struct BodyTooLarge(pub(crate) usize);

/// An [`Error`] riding in a response extension from `exec` to [`crate::operation::send`].
#[derive(Clone)]
pub(crate) struct Carried(Arc<Mutex<Option<Error>>>);

impl Carried {
    pub(crate) fn take(&self) -> Option<Error> {
        self.0.lock().ok()?.take()
    }
}

fn carry(error: Error) -> Response {
    // Never a 2xx, or progenitor would try to decode the empty body as a success.
    let status = error
        .status()
        .filter(|s| !s.is_success())
        .unwrap_or(StatusCode::BAD_GATEWAY);
    let mut carrier = http::Response::new(reqwest::Body::from(Bytes::new()));
    *carrier.status_mut() = status;
    carrier
        .extensions_mut()
        .insert(Carried(Arc::new(Mutex::new(Some(error)))));
    carrier.into()
}
