//! The spec's media types on the wire.
//!
//! The generator types every JSON body as `application/json` (the normalizer renames
//! `application/vnd.api+json` so that it can), and the generated request says `Accept:
//! application/json`. Kajabi's JSON:API endpoints declare `application/vnd.api+json`; the
//! per-operation table built from the spec ([`crate::Operation`]) says which, and this puts it
//! back on the request. No media type is listed by hand.

use reqwest::{
    header::{HeaderValue, ACCEPT, CONTENT_TYPE},
    Request,
};

use crate::Operation;

/// Sets `Accept` to the success response's declared media type and, for a request with a
/// body, `Content-Type` to the body's declared media type.
pub(crate) fn apply(request: &mut Request, operation: &Operation) {
    let has_body = request.body().is_some();
    let headers = request.headers_mut();
    if let Some(media) = operation.response_media {
        headers.insert(ACCEPT, HeaderValue::from_static(media));
    }
    if let (Some(media), true) = (operation.request_media, has_body) {
        headers.insert(CONTENT_TYPE, HeaderValue::from_static(media));
    }
}
