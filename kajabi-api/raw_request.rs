//! Any request, for what the spec lacks (like `gh api`): [`Client::request`] sends a method
//! and path of your choosing through the same hook as every generated operation, so that it
//! gets the bearer token (renewed once on a 401), the retries, the size limit and the typed
//! [`Error`] of the generated calls.

use bytes::Bytes;
use progenitor_client::{ClientHooks, OperationInfo};
use reqwest::{
    header::{HeaderValue, ACCEPT, CONTENT_TYPE},
    Method,
};
use serde_json::Value;
use tracing::Instrument;

use crate::{generated::Client, transport::Carried, Error};

/// The name requests sent with [`Client::request`] go by in errors and traces.
const OPERATION: &str = "request";

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
        let span = tracing::info_span!(
            "kajabi.call",
            operation = OPERATION,
            method = method.as_str(),
            path,
            status = tracing::field::Empty,
            attempt = tracing::field::Empty,
        );
        let info = OperationInfo {
            operation_id: OPERATION,
        };
        // An operation name outside the table: the hook adds the bearer and leaves the media
        // types set above alone.
        let response = ClientHooks::exec(self, request, &info)
            .instrument(span)
            .await
            .map_err(|e| Error::transport(e).with_operation(OPERATION))?;
        if let Some(error) = response
            .extensions()
            .get::<Carried>()
            .and_then(Carried::take)
        {
            return Err(error.with_operation(OPERATION));
        }
        let bytes: Bytes = response
            .bytes()
            .await
            .map_err(|e| Error::transport(e).with_operation(OPERATION))?;
        if bytes.is_empty() {
            return Ok(None);
        }
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::decode(bytes.clone(), &e).with_operation(OPERATION))
    }
}
