//! Firing an event on demand ([`Sandbox::trigger`](crate::Sandbox::trigger)) and the
//! sandbox's own routes outside `/v1`, for tests in any language:
//!
//! | request | answer |
//! | --- | --- |
//! | `POST /_sandbox/webhooks/trigger/{event}` | 202 `{"event": …, "deliveries": <hooks reached>}`; 404 `{"error", "events"}` for an event the spec does not list |
//! | `GET /_sandbox/webhooks/deliveries` | 200, every delivery recorded so far, oldest first: `[{"hook_id", "event", "target_url", "body", "outcome": {"result": "delivered" \| "failed" \| "skipped_not_loopback", "status"?, "reason"?}, "attempts"}]` |
//!
//! Neither needs a token: they are not Kajabi's API, and the sandbox only listens on loopback.

use axum::body::Body;
use axum::http::{header, Response, StatusCode};
use serde_json::{json, Value};

use super::{payload, plan, Pending, UnknownEvent};
use crate::app::App;
use crate::store;

/// Where the sandbox's own routes live.
pub(crate) const PREFIX: &str = "/_sandbox/";

/// Fires `event` for every hook of it (whatever its `resource_id`), the payload from the first
/// stored resource of each type the event's sample has; how many deliveries it started.
pub(crate) fn fire(app: &App, event: &str) -> Result<usize, UnknownEvent> {
    let catalog = &app.catalog;
    let known = payload::events(catalog);
    if !known.iter().any(|e| e == event) {
        return Err(UnknownEvent {
            name: event.to_string(),
            known,
        });
    }
    let store = store::lock(&app.store);
    let context: Vec<Value> = payload::kinds(catalog, event)
        .iter()
        .filter_map(|kind| {
            let resource = catalog.resources.iter().find(|r| &r.kind == kind)?;
            store.items(&resource.path).first().cloned()
        })
        .collect();
    let id = context
        .first()
        .map(|item| store::id_of(item).to_string())
        .unwrap_or_else(|| "0".into());
    let pending = Pending {
        event: event.to_string(),
        id,
        subject: None,
        context,
    };
    let planned = plan(catalog, &store, vec![pending]);
    drop(store);
    let count = planned.len();
    app.webhooks.dispatch(planned);
    Ok(count)
}

/// Answers a request under [`PREFIX`].
pub(crate) fn answer(app: &App, method: &str, path: &str) -> Response<Body> {
    let rest = path.strip_prefix(PREFIX).unwrap_or("");
    match (method, rest.strip_prefix("webhooks/trigger/")) {
        ("POST", Some(event)) => {
            let event = percent_encoding::percent_decode_str(event).decode_utf8_lossy();
            return match fire(app, &event) {
                Ok(count) => json_response(
                    StatusCode::ACCEPTED,
                    &json!({"event": event, "deliveries": count}),
                ),
                Err(unknown) => json_response(
                    StatusCode::NOT_FOUND,
                    &json!({"error": unknown.to_string(), "events": unknown.known}),
                ),
            };
        }
        (_, Some(_)) => return method_not_allowed("POST"),
        _ => {}
    }
    match (method, rest) {
        ("GET", "webhooks/deliveries") => {
            let records: Vec<Value> = app.webhooks.records().iter().map(|d| d.to_json()).collect();
            json_response(StatusCode::OK, &Value::Array(records))
        }
        (_, "webhooks/deliveries") => method_not_allowed("GET"),
        _ => json_response(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("no sandbox route {path}")}),
        ),
    }
}

fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    let mut response = Response::new(Body::from(body.to_string()));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        header::HeaderValue::from_static("application/json"),
    );
    response
}

fn method_not_allowed(allowed: &'static str) -> Response<Body> {
    let mut response = json_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &json!({"error": format!("use {allowed}")}),
    );
    response
        .headers_mut()
        .insert(header::ALLOW, header::HeaderValue::from_static(allowed));
    response
}
