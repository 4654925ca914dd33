//! Response bodies: decoding a success body into its type, bounding what is read, and
//! reading an error body for [`Error`].
//!
//! Success bodies are capped at the client's limit ([`crate::ClientBuilder::max_response_body`]);
//! error bodies at [`MAX_ERROR_BODY`], read only that far.

use bytes::{Bytes, BytesMut};
use futures::StreamExt;
use progenitor_client::ResponseValue;
use reqwest::Response;
use serde::de::DeserializeOwned;

use crate::error::{cause::BodyTooLarge, Error, MAX_ERROR_BODY};

/// How one operation's success response becomes its typed value: the statuses the spec
/// declares for it, and whether they carry a body. The generated `send` of each operation
/// names one (codegen's wrap pass reads them from progenitor's status `match`).
pub(crate) trait Success<T>: Send {
    /// The statuses the operation declares.
    fn statuses(&self) -> &'static [u16];

    /// The typed value of a response with a declared status.
    fn decode(
        self,
        response: Response,
    ) -> impl std::future::Future<Output = Result<ResponseValue<T>, Error>> + Send;
}

/// A JSON body, decoded into the operation's type, for these statuses.
pub(crate) struct Json(pub(crate) &'static [u16]);

/// No body (or one nobody reads), for these statuses.
pub(crate) struct Empty(pub(crate) &'static [u16]);

impl<T: DeserializeOwned + Send> Success<T> for Json {
    fn statuses(&self) -> &'static [u16] {
        self.0
    }

    /// What progenitor's `ResponseValue::from_response` does, without copying the headers.
    /// The response is taken apart before the future: it holds the headers and the body being
    /// collected, not the whole response.
    fn decode(
        self,
        response: Response,
    ) -> impl std::future::Future<Output = Result<ResponseValue<T>, Error>> + Send {
        let status = response.status();
        let (parts, body) = http::Response::<reqwest::Body>::from(response).into_parts();
        let headers = parts.headers;
        let collect = http_body_util::BodyExt::collect(body);
        async move {
            let full = collect.await.map_err(Error::transport)?.to_bytes();
            let inner = serde_json::from_slice(&full).map_err(|e| Error::decode(full, &e))?;
            Ok(ResponseValue::new(inner, status, headers))
        }
    }
}

impl Success<()> for Empty {
    fn statuses(&self) -> &'static [u16] {
        self.0
    }

    async fn decode(self, response: Response) -> Result<ResponseValue<()>, Error> {
        Ok(ResponseValue::empty(response))
    }
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

/// An error response as [`Error`], its body read up to [`MAX_ERROR_BODY`] and decoded.
pub(crate) async fn read_error(response: Response) -> Error {
    let status = response.status();
    let headers = response.headers().clone();
    let (body, truncated) = read_bounded(response, MAX_ERROR_BODY).await;
    Error::from_status(status, &headers, body, truncated)
}

/// A success response whose body cannot grow past `limit` bytes when read; an error if it
/// announces more.
pub(crate) fn limit_body(response: Response, limit: usize) -> Result<Response, Error> {
    match response.content_length() {
        // hyper stops at the announced length, so a known small body needs no guard.
        Some(length) if length <= limit as u64 => Ok(response),
        Some(_) => Err(Error::body_too_large(limit)),
        None => {
            let mut seen = 0usize;
            let http: http::Response<reqwest::Body> = response.into();
            Ok(http
                .map(|body| {
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
                .into())
        }
    }
}
