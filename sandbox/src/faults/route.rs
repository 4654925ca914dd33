//! The fault plan over HTTP, for tests in any language (no token needed, like the other
//! `/_sandbox/` routes):
//!
//! | request | answer |
//! | --- | --- |
//! | `POST /_sandbox/faults`, body: a fault in the [text form](crate::Fault) (`get_contact: 403`) | 201 `{"id": N, "fault": "<text form>"}`; 400 `{"error": "<one line>", "nearest": [...]}` for text that does not parse or names what the spec does not have |
//! | `GET /_sandbox/faults` | 200 `{"faults": [{"id", "fault", "left"}], "records": [{"fault", "operation", "method", "path", "request_id", "at_ms"}]}` (`left`: `null` until removed) |
//! | `DELETE /_sandbox/faults/{id}` | 204; 404 when no such fault is installed |
//! | `DELETE /_sandbox/faults` | 204; every fault and record gone |

use axum::body::{Body, Bytes};
use axum::http::header::{HeaderValue, ALLOW};
use axum::http::{Response, StatusCode};
use serde_json::{json, Value};

use super::{Fault, FaultId};
use crate::app::App;
use crate::problems::{self, JSON};

/// Where the routes live.
pub(crate) const PATH: &str = "/_sandbox/faults";

/// Whether `path` is one of these routes.
pub(crate) fn owns(path: &str) -> bool {
    path == PATH || path.starts_with("/_sandbox/faults/")
}

/// Answers a request under [`PATH`].
pub(crate) fn answer(app: &App, method: &str, path: &str, body: Option<&Bytes>) -> Response<Body> {
    let rest = path.strip_prefix(PATH).unwrap_or("");
    match (method, rest) {
        ("POST", "") => install(app, body),
        ("GET", "") => json_response(StatusCode::OK, &listing(app)),
        ("DELETE", "") => {
            app.faults.clear();
            problems::empty(StatusCode::NO_CONTENT)
        }
        (_, "") => method_not_allowed("GET, POST, DELETE"),
        ("DELETE", id) => {
            let removed = id
                .strip_prefix('/')
                .and_then(|id| id.parse().ok())
                .is_some_and(|id| app.faults.remove(FaultId(id)));
            if removed {
                problems::empty(StatusCode::NO_CONTENT)
            } else {
                let error = format!("no fault {}", id.trim_start_matches('/'));
                json_response(StatusCode::NOT_FOUND, &json!({ "error": error }))
            }
        }
        _ => method_not_allowed("DELETE"),
    }
}

fn install(app: &App, body: Option<&Bytes>) -> Response<Body> {
    let text = body.and_then(|b| std::str::from_utf8(b).ok()).unwrap_or("");
    let installed = text
        .parse::<Fault>()
        .and_then(|fault| Ok((app.faults.install(&app.catalog, fault.clone())?, fault)));
    match installed {
        Ok((id, fault)) => json_response(
            StatusCode::CREATED,
            &json!({"id": id.get(), "fault": fault.to_string()}),
        ),
        Err(error) => json_response(
            StatusCode::BAD_REQUEST,
            &json!({"error": error.to_string(), "nearest": error.nearest()}),
        ),
    }
}

fn listing(app: &App) -> Value {
    let faults: Vec<Value> = app
        .faults
        .active()
        .into_iter()
        .map(|(id, fault, left)| json!({"id": id.get(), "fault": fault.to_string(), "left": left}))
        .collect();
    let records: Vec<Value> = app
        .faults
        .records()
        .into_iter()
        .map(|r| {
            json!({
                "fault": r.fault.get(),
                "operation": r.operation,
                "method": r.method,
                "path": r.path,
                "request_id": r.request_id,
                "at_ms": u64::try_from(r.at.as_millis()).unwrap_or(u64::MAX),
            })
        })
        .collect();
    json!({ "faults": faults, "records": records })
}

fn json_response(status: StatusCode, body: &Value) -> Response<Body> {
    problems::with_body(status, JSON, body.to_string())
}

fn method_not_allowed(allowed: &'static str) -> Response<Body> {
    let mut response = json_response(
        StatusCode::METHOD_NOT_ALLOWED,
        &json!({ "error": format!("use {allowed}") }),
    );
    response
        .headers_mut()
        .insert(ALLOW, HeaderValue::from_static(allowed));
    response
}
