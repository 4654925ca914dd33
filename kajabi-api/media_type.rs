//! The spec's media types on the wire.
//!
//! The generator types every JSON body as `application/json` (the normalizer renames
//! `application/vnd.api+json` so that it can). `Accept` is fixed at generation time (codegen's
//! wrap pass writes each operation's declared media type into its request code); the
//! request body's `Content-Type` is set here, from the per-operation table built from the spec
//! ([`crate::Operation`]). No media type is listed by hand.

use reqwest::{
    header::{HeaderValue, CONTENT_TYPE},
    Request,
};

use crate::Operation;

/// Sets a request body's `Content-Type` to the body's declared media type.
pub(crate) fn apply(request: &mut Request, operation: &Operation) {
    if let (Some(media), true) = (operation.request_media, request.body().is_some()) {
        request
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(media));
    }
}
