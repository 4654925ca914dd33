//! Firing an event on demand ([`Sandbox::trigger`](crate::Sandbox::trigger)) and the
//! sandbox's own routes outside `/v1`, for tests and tools in any language:
//!
//! | request | answer |
//! | --- | --- |
//! | `GET /_sandbox/info` | 200 `{"sandbox": "kajabi-sandbox", "version"}`: how a client tells it talks to a sandbox, changing nothing |
//! | `POST /_sandbox/webhooks/trigger/{event}` | 202 `{"event": …, "deliveries": <hooks reached>, "delivery_ids": [<id>, …]}`; 404 `{"error", "events"}` for an event the spec does not list |
//! | `GET /_sandbox/webhooks/deliveries` | 200, every delivery recorded so far (ended), oldest first: `[{"id", "hook_id", "event", "target_url", "body", "outcome": {"result": "delivered" \| "failed" \| "skipped_not_loopback", "status"?, "reason"?}, "attempts"}]` |
//! | `GET /_sandbox/webhooks/deliveries/{id}[?wait=SECS]` | 200, delivery `id` in the same shape, `"outcome": {"result": "pending"}` while it is under way; with `wait` (seconds, decimals allowed, at most 60) the answer waits until it has ended or that time has passed; 404 for an unknown id, 400 for a bad `wait` |
//!
//! None needs a token: they are not Kajabi's API, and the sandbox only listens on loopback.

use std::time::Duration;

use axum::body::Body;
use axum::http::{header, Response, StatusCode};
use serde_json::{json, Value};

use super::{payload, plan, Pending, UnknownEvent};
use crate::app::App;
use crate::store;

/// Where the sandbox's own routes live.
pub(crate) const PREFIX: &str = "/_sandbox/";

/// Fires `event` for every hook of it (whatever its `resource_id`), the payload from the first
/// stored resource of each type the event's sample has; the ids of the deliveries it started.
pub(crate) fn fire(app: &App, event: &str) -> Result<Vec<u64>, UnknownEvent> {
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
    Ok(app.webhooks.dispatch(planned))
}

/// The longest `wait` a delivery's route accepts: a client cannot hold a request open for
/// long.
const MAX_WAIT: Duration = Duration::from_secs(60);

/// Answers a request under [`PREFIX`].
pub(crate) async fn answer(app: &App, method: &str, path: &str, query: &str) -> Response<Body> {
    let rest = path.strip_prefix(PREFIX).unwrap_or("");
    match (method, rest.strip_prefix("webhooks/trigger/")) {
        ("POST", Some(event)) => {
            let event = percent_encoding::percent_decode_str(event).decode_utf8_lossy();
            return match fire(app, &event) {
                Ok(ids) => json_response(
                    StatusCode::ACCEPTED,
                    &json!({"event": event, "deliveries": ids.len(), "delivery_ids": ids}),
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
    if let Some(id) = rest.strip_prefix("webhooks/deliveries/") {
        if method != "GET" {
            return method_not_allowed("GET");
        }
        return delivery(app, id, query).await;
    }
    match (method, rest) {
        ("GET", "info") => json_response(
            StatusCode::OK,
            &json!({"sandbox": "kajabi-sandbox", "version": env!("CARGO_PKG_VERSION")}),
        ),
        (_, "info") => method_not_allowed("GET"),
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

/// `GET /_sandbox/webhooks/deliveries/{id}[?wait=SECS]`.
async fn delivery(app: &App, id: &str, query: &str) -> Response<Body> {
    let Ok(id) = id.parse::<u64>() else {
        return json_response(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("no delivery {id:?}: ids are numbers")}),
        );
    };
    let wait = form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "wait")
        .map(|(_, value)| {
            value
                .parse::<f64>()
                .ok()
                .filter(|s| s.is_finite() && *s >= 0.0)
        });
    let wait = match wait {
        None => Duration::ZERO,
        // Clamped before the conversion, which would panic on a huge number.
        Some(Some(secs)) => Duration::from_secs_f64(secs.min(MAX_WAIT.as_secs_f64())),
        Some(None) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                &json!({"error": "wait is a number of seconds, at most 60"}),
            )
        }
    };
    if !wait.is_zero() {
        // Still pending after `wait` is an answer too: the outcome says so.
        let _ = tokio::time::timeout(wait, app.webhooks.ended(id)).await;
    }
    match app.webhooks.find(id) {
        Some(record) => json_response(StatusCode::OK, &record),
        None => json_response(
            StatusCode::NOT_FOUND,
            &json!({"error": format!("no delivery {id}")}),
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
