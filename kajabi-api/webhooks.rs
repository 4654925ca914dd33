//! Webhooks: the events Kajabi POSTs to a hook's `target_url` (`POST /v1/hooks`), typed from
//! the spec, and a receiver for them.
//!
//! A delivery's body is `{"id": "<resource id>", "event": "<event>", "payload": …}`;
//! [`Event::parse`] reads it into one variant per event of the spec ([`EVENTS`]), whose
//! payload is typed as the event's `GET /v1/hooks/<event>_sample` response and keeps the JSON
//! Kajabi sent ([`Payload::raw`]): the spec says deliveries are only "similar to" the
//! samples, so members it does not declare are never lost. An event the spec does not know
//! yet is [`Event::Unknown`].
//!
//! # Securing the endpoint
//! Kajabi documents **no signature** on deliveries, so nothing in a request proves that it
//! comes from Kajabi, and this crate does not pretend otherwise. Protect the endpoint by
//! what only you and Kajabi know:
//! - an **unguessable path segment per hook** (`https://example.com/hooks/3q8Jd…/tag_added`,
//!   at least 128 random bits), registered as the hook's `target_url`; reject any other path,
//!   and rotate a segment by deleting the hook and creating another;
//! - **HTTPS** only, so that the segment is not readable on the way;
//! - treat an event as a notification: read the resource back through the API
//!   (`client.contacts().get(id)`) before acting on anything that matters.
//!
//! # Receiving
//! [`receive`] is the framework-agnostic core: a bounded body in, an [`Event`] or a one-line
//! reason out. With the `axum` cargo feature, `handler` and `handler_with_limit` are a
//! ready axum route around it: 400 with the reason as a one-line text body for a bad body,
//! 204 after the closure ran for a good one.
//!
//! ```ignore
//! let app = axum::Router::new().route(
//!     "/hooks/3q8JdXkz0cT1vQm9eL2uYw/tag_added", // unguessable, one per hook
//!     kajabi_api::webhooks::handler(|event| async move {
//!         if let kajabi_api::webhooks::Event::TagAdded { id, payload } = event {
//!             println!("tag added to {id}: {}", payload.raw());
//!         }
//!     }),
//! );
//! ```

use serde_json::Value;

pub use crate::contract::{Event, EVENTS};

/// The largest delivery body [`receive`] accepts by default: 1 MiB.
pub const DEFAULT_MAX_BODY: usize = 1024 * 1024;

/// A known event's payload: typed as its `_sample` response, and the JSON Kajabi sent.
#[derive(Debug, Clone)]
pub struct Payload<T> {
    typed: T,
    raw: Value,
}

impl<T> Payload<T> {
    /// The payload typed as the event's sample response. Members the schema does not declare
    /// are not in it; read them from [`Payload::raw`].
    pub fn typed(&self) -> &T {
        &self.typed
    }

    /// The payload exactly as Kajabi sent it.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// The typed payload, dropping the JSON.
    pub fn into_typed(self) -> T {
        self.typed
    }
}

impl<T: serde::de::DeserializeOwned> Payload<T> {
    pub(crate) fn decode(raw: Value) -> Result<Self, crate::Error> {
        // serde's message would quote the offending value, which may be personal data.
        let typed = T::deserialize(&raw).map_err(|_| {
            crate::Error::webhook("the payload does not have the shape of the event's sample")
        })?;
        Ok(Self { typed, raw })
    }
}

/// The delivery envelope around every event.
pub(crate) struct Envelope {
    pub(crate) id: String,
    pub(crate) event: String,
    pub(crate) payload: Value,
}

impl Envelope {
    pub(crate) fn parse(body: &[u8]) -> Result<Self, crate::Error> {
        let value: Value = serde_json::from_slice(body).map_err(|e| {
            let what = match e.classify() {
                serde_json::error::Category::Eof => "truncated JSON",
                serde_json::error::Category::Syntax | serde_json::error::Category::Io => "not JSON",
                serde_json::error::Category::Data => "JSON of the wrong shape",
            };
            crate::Error::webhook(format!("{what} at line {} column {}", e.line(), e.column()))
        })?;
        let Value::Object(mut members) = value else {
            return Err(crate::Error::webhook("the body is not a JSON object"));
        };
        let event = match members.remove("event") {
            Some(Value::String(event)) => event,
            Some(_) => return Err(crate::Error::webhook("`event` is not a string")),
            None => return Err(crate::Error::webhook("the body has no `event`")),
        };
        // The spec's example shows a string id; a number is read as its digits.
        let id = match members.remove("id") {
            Some(Value::String(id)) => id,
            Some(Value::Number(id)) => id.to_string(),
            Some(_) => return Err(crate::Error::webhook("`id` is not a string")),
            None => return Err(crate::Error::webhook("the body has no `id`")),
        };
        let payload = members
            .remove("payload")
            .ok_or_else(|| crate::Error::webhook("the body has no `payload`"))?;
        Ok(Self { id, event, payload })
    }
}

/// The receiver's core, for any HTTP framework: reads a delivery body of at most `max_body`
/// bytes ([`DEFAULT_MAX_BODY`] is the usual bound).
///
/// # Errors
/// A [`crate::Error`] whose `Display` is one line, fit for a 400 response: the body is larger
/// than `max_body`, or [`Event::parse`] refused it.
pub fn receive(body: &[u8], max_body: usize) -> Result<Event, crate::Error> {
    if body.len() > max_body {
        return Err(crate::Error::webhook(format!(
            "the body is larger than the {max_body}-byte limit"
        )));
    }
    Event::parse(body)
}

/// An axum route (`POST`) that reads a delivery with [`receive`] and [`DEFAULT_MAX_BODY`],
/// hands the [`Event`] to `on_event` and answers 204 once it has run; a bad body gets 400
/// with the one-line reason as `text/plain`, and `on_event` is not called.
#[cfg(feature = "axum")]
pub fn handler<F, Fut>(on_event: F) -> axum::routing::MethodRouter
where
    F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    handler_with_limit(DEFAULT_MAX_BODY, on_event)
}

/// [`handler`] with another body bound than [`DEFAULT_MAX_BODY`].
#[cfg(feature = "axum")]
pub fn handler_with_limit<F, Fut>(max_body: usize, on_event: F) -> axum::routing::MethodRouter
where
    F: Fn(Event) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    use axum::{http::StatusCode, response::IntoResponse};
    axum::routing::post(move |body: axum::body::Body| async move {
        // Read one byte past the bound so that `receive` reports the oversized body itself.
        let event = match axum::body::to_bytes(body, max_body.saturating_add(1)).await {
            Ok(bytes) => receive(&bytes, max_body),
            Err(_) => Err(crate::Error::webhook(format!(
                "the body is larger than the {max_body}-byte limit or was cut off"
            ))),
        };
        match event {
            Ok(event) => {
                on_event(event).await;
                StatusCode::NO_CONTENT.into_response()
            }
            Err(e) => (StatusCode::BAD_REQUEST, e.to_string()).into_response(),
        }
    })
}
