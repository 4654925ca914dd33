//! Error responses in the two shapes Kajabi uses.
//!
//! - JSON:API, for every API operation:
//!   `{"errors":[{"status":"401","title":"Unauthorized","detail":"..."}]}`, served with the
//!   media type the operation declares for that status (`application/vnd.api+json`).
//! - OAuth (RFC 6749 section 5.2), for `/v1/oauth/*`:
//!   `{"error":"invalid_client","error_description":"..."}` as `application/json`, with
//!   `Cache-Control: no-store`.

use axum::body::Body;
use axum::http::header::{
    HeaderValue, ALLOW, CACHE_CONTROL, CONTENT_TYPE, PRAGMA, WWW_AUTHENTICATE,
};
use axum::http::{Response, StatusCode};
use serde_json::{json, Value};

/// The JSON:API media type, used when an operation declares none for an error.
pub(crate) const JSON_API: &str = "application/vnd.api+json";

/// Plain JSON, the OAuth endpoints' media type.
pub(crate) const JSON: &str = "application/json";

/// A JSON:API error document with one error.
pub(crate) fn json_api(status: StatusCode, media: &str, detail: &str) -> Response<Body> {
    json_api_at(status, media, detail, None)
}

/// A JSON:API error document with one error whose `source` (`{"pointer": "/data/..."}` or
/// `{"parameter": "page[size]"}`) names what was wrong.
pub(crate) fn json_api_at(
    status: StatusCode,
    media: &str,
    detail: &str,
    source: Option<Value>,
) -> Response<Body> {
    let title = status.canonical_reason().unwrap_or("Error");
    let mut error = json!({"status": status.as_str(), "title": title, "detail": detail});
    if let Some(source) = source {
        error["source"] = source;
    }
    with_body(status, media, json!({ "errors": [error] }).to_string())
}

/// 401 for an API operation: a JSON:API body plus the RFC 6750 challenge.
pub(crate) fn unauthorized(media: &str, detail: &str) -> Response<Body> {
    let mut response = json_api(StatusCode::UNAUTHORIZED, media, detail);
    response.headers_mut().insert(WWW_AUTHENTICATE, challenge());
    response
}

/// 404 for a path the spec does not have.
pub(crate) fn not_found(path: &str) -> Response<Body> {
    let detail = format!("no operation in the Kajabi API matches the path {path}");
    json_api(StatusCode::NOT_FOUND, JSON_API, &detail)
}

/// 405 for a known path and a method it does not have, with `Allow`.
pub(crate) fn method_not_allowed(method: &str, allowed: &[String]) -> Response<Body> {
    let allow = allowed.join(", ");
    let detail = format!("{method} is not allowed here; allowed: {allow}");
    let mut response = json_api(StatusCode::METHOD_NOT_ALLOWED, JSON_API, &detail);
    if let Ok(value) = HeaderValue::from_str(&allow) {
        response.headers_mut().insert(ALLOW, value);
    }
    response
}

/// An OAuth error response.
pub(crate) fn oauth(status: StatusCode, error: &str, description: &str) -> Response<Body> {
    let body = json!({"error": error, "error_description": description});
    let mut response = with_body(status, JSON, body.to_string());
    no_store(&mut response);
    if status == StatusCode::UNAUTHORIZED && error == "invalid_token" {
        response.headers_mut().insert(WWW_AUTHENTICATE, challenge());
    }
    response
}

/// Marks a response as not cacheable (RFC 6749 section 5.1).
pub(crate) fn no_store(response: &mut Response<Body>) {
    let headers = response.headers_mut();
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
}

/// A response with `body` and `Content-Type: media`.
pub(crate) fn with_body(status: StatusCode, media: &str, body: impl Into<Body>) -> Response<Body> {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let media = HeaderValue::from_str(media).unwrap_or(HeaderValue::from_static(JSON_API));
    response.headers_mut().insert(CONTENT_TYPE, media);
    response
}

/// A response with no body and no `Content-Type`.
pub(crate) fn empty(status: StatusCode) -> Response<Body> {
    let mut response = Response::new(Body::empty());
    *response.status_mut() = status;
    response
}

fn challenge() -> HeaderValue {
    HeaderValue::from_static(r#"Bearer realm="kajabi-sandbox", error="invalid_token""#)
}
