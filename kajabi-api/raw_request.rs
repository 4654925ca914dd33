//! Any request, for what the spec lacks (like `gh api`): [`Client::request`] sends a method
//! and path of your choosing through the same hook as every generated operation, so that it
//! gets the bearer token (renewed once on a 401), the retries, the size limit and the typed
//! [`Error`] of the generated calls.

use bytes::Bytes;
use reqwest::{
    header::{HeaderValue, ACCEPT, CONTENT_TYPE},
    Method,
};
use serde_json::Value;

use crate::{contract::Client, Error, Operation, Role};

/// A request of [`Client::request`] as the call path sees it: an operation outside the
/// generated table, named `request`, secured, with the media types set on the request itself.
/// One per method, because retries ask the method whether a resend is safe.
const fn request_of(method: &'static str) -> Operation {
    Operation {
        name: "request",
        method,
        path: "",
        secured: true,
        role: Role::Ordinary,
        returns_credentials: false,
        request_media: None,
        response_media: None,
    }
}

static GET: Operation = request_of("GET");
static POST: Operation = request_of("POST");
static PUT: Operation = request_of("PUT");
static PATCH: Operation = request_of("PATCH");
static DELETE: Operation = request_of("DELETE");
static HEAD: Operation = request_of("HEAD");
static OPTIONS: Operation = request_of("OPTIONS");

fn request_operation(method: &Method) -> Result<&'static Operation, Error> {
    Ok(match *method {
        Method::GET => &GET,
        Method::POST => &POST,
        Method::PUT => &PUT,
        Method::PATCH => &PATCH,
        Method::DELETE => &DELETE,
        Method::HEAD => &HEAD,
        Method::OPTIONS => &OPTIONS,
        _ => {
            return Err(Error::invalid_request(format!(
                "{method} is not a method Kajabi's API uses"
            )))
        }
    })
}

/// JSON:API, Kajabi's media type, then plain JSON.
const ACCEPT_MEDIA: &str = "application/vnd.api+json, application/json";

/// The body's media type.
const BODY_MEDIA: &str = "application/vnd.api+json";

impl Client {
    /// Sends `method` to `path` (below the base URL, e.g. `/v1/contacts`) with `query` and
    /// an optional JSON body (as `application/vnd.api+json`), with the bearer token, and
    /// returns the response body as JSON, or `None` when it has none.
    ///
    /// # Errors
    /// An [`Error::is_request`] error for a method or path that cannot be sent; otherwise as
    /// any call: a status error with Kajabi's decoded body, a transport error, or a decode
    /// error for a success body that is not JSON.
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        query: &[(String, String)],
        body: Option<&Value>,
    ) -> Result<Option<Value>, Error> {
        let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .map_err(|_| Error::invalid_request(format!("{method:?} is not an HTTP method")))?;
        if !path.starts_with('/') || path.starts_with("//") {
            return Err(Error::invalid_request(format!(
                "the path {path:?} must start with one `/` (it goes below the base URL)"
            )));
        }
        let mut url = url::Url::parse(&format!("{}{path}", self.baseurl)).map_err(|e| {
            Error::invalid_request(format!("the path {path:?} does not parse: {e}"))
        })?;
        if !query.is_empty() {
            url.query_pairs_mut().extend_pairs(query);
        }
        let mut request = reqwest::Request::new(method.clone(), url);
        let headers = request.headers_mut();
        headers.insert(ACCEPT, HeaderValue::from_static(ACCEPT_MEDIA));
        if let Some(body) = body {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(BODY_MEDIA));
            let bytes = serde_json::to_vec(body)
                .map_err(|e| Error::invalid_request(format!("the body does not encode: {e}")))?;
            *request.body_mut() = Some(reqwest::Body::from(bytes));
        }
        let operation = request_operation(&method)?;
        let response = crate::call::send_raw(self, request, operation).await?;
        let bytes: Bytes = response
            .bytes()
            .await
            .map_err(|e| Error::transport(e).with_operation(operation))?;
        if bytes.is_empty() {
            return Ok(None);
        }
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::decode(bytes.clone(), &e).with_operation(operation))
    }
}
