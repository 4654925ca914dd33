//! What a fault answers: an error in the spec's shape, a proxy's HTML page, a cut body.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, SystemTime};

use axum::body::{to_bytes, Body, Bytes};
use axum::http::header::{HeaderValue, CONTENT_LENGTH, RETRY_AFTER};
use axum::http::{Response, StatusCode};
use serde_json::{json, Value};

use super::{Fault, RetryAfter};
use crate::catalog::{Catalog, Route};
use crate::problems;

/// The answer `fault` gives instead of the normal one; `None` when it changes no status (a
/// delay or a cut body alone), so the normal answer follows.
pub(crate) fn respond(catalog: &Catalog, route: &Route, fault: &Fault) -> Option<Response<Body>> {
    let mut response = if fault.html {
        let status = status_code(fault.status.unwrap_or(502));
        proxy_page(status)
    } else {
        let status = status_code(fault.status?);
        let detail = catalog
            .spec
            .response(&route.op, status.as_str())
            .and_then(|r| r.get("description"))
            .and_then(Value::as_str)
            .unwrap_or("fault injected by the sandbox");
        error_body(catalog, route, status, detail)
    };
    if let Some(retry_after) = fault.retry_after {
        set_retry_after(&mut response, retry_after);
    }
    Some(response)
}

fn status_code(status: u16) -> StatusCode {
    StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// An error answer for `route` in the shape the spec declares for `status`: `{"error": …}`
/// where the declared schema has `error` and no `errors` (the OAuth endpoints), else the
/// JSON:API `errors` document; in the declared media type.
pub(crate) fn error_body(
    catalog: &Catalog,
    route: &Route,
    status: StatusCode,
    detail: &str,
) -> Response<Body> {
    let media = route.error_media(status);
    let schema = catalog.spec.response_schema(&route.op, status.as_str());
    let properties = schema.and_then(|s| s.get("properties"));
    let has = |name: &str| properties.and_then(|p| p.get(name)).is_some();
    if has("error") && !has("errors") {
        let body = json!({ "error": detail }).to_string();
        return problems::with_body(status, media, body);
    }
    problems::json_api(status, media, detail)
}

/// Sets `Retry-After`; an HTTP date comes from the system clock.
pub(crate) fn set_retry_after(response: &mut Response<Body>, retry_after: RetryAfter) {
    let value = match retry_after {
        RetryAfter::Seconds(secs) => secs.to_string(),
        RetryAfter::DateIn(after) => httpdate::fmt_http_date(SystemTime::now() + after),
    };
    if let Ok(value) = HeaderValue::from_str(&value) {
        response.headers_mut().insert(RETRY_AFTER, value);
    }
}

/// `Retry-After` in whole seconds, at least 1, for a wait of `wait`.
pub(crate) fn retry_after_secs(wait: Duration) -> RetryAfter {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    RetryAfter::Seconds(secs.max(1))
}

/// The kind of page nginx answers with when the upstream fails.
fn proxy_page(status: StatusCode) -> Response<Body> {
    let line = format!(
        "{} {}",
        status.as_str(),
        status.canonical_reason().unwrap_or("Error")
    );
    let page = format!(
        "<html>\r\n<head><title>{line}</title></head>\r\n<body>\r\n<center><h1>{line}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
    );
    problems::with_body(status, "text/html", page)
}

/// `response` with its body cut short: the first half sent under a `Content-Length` of the
/// whole, then the connection closed (the body ends in an error).
pub(crate) async fn cut(response: Response<Body>) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let whole = to_bytes(body, usize::MAX).await.unwrap_or_default();
    let half = whole.slice(..whole.len() / 2);
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(whole.len().max(1)));
    Response::from_parts(
        parts,
        Body::new(Cut {
            half: Some(half),
            paused: false,
        }),
    )
}

/// A body that yields its part, then fails: the server closes the connection mid-body.
struct Cut {
    half: Option<Bytes>,
    /// Whether it has paused once after its part: the server writes out what it has (the
    /// head and the part) while waiting, so that the client sees them before the close.
    paused: bool,
}

impl http_body::Body for Cut {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Bytes>, std::io::Error>>> {
        if let Some(half) = self.half.take() {
            return Poll::Ready(Some(Ok(http_body::Frame::data(half))));
        }
        if !self.paused {
            self.paused = true;
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        Poll::Ready(Some(Err(std::io::Error::other(
            "body cut short by a sandbox fault",
        ))))
    }
}
