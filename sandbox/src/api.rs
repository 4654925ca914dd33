//! The generic handler behind every JSON:API operation (everything but `/v1/oauth/*`).
//!
//! The bearer token has been checked by the time [`answer`] runs. It then:
//!
//! 1. checks a JSON request body, where the operation declares one: accepted as
//!    `application/vnd.api+json` or `application/json` (or without `Content-Type`); an empty
//!    body counts as none. A body that is not JSON (or has another media type) is answered
//!    400 if the operation declares 400, else 422 if it declares 422, else the body is
//!    ignored: the sandbox never answers a status the spec does not declare;
//! 2. answers the first declared 2xx status with the declared media type; an operation
//!    whose success response has no content gets an empty body;
//! 3. builds the body from the prepared example: list operations page their collection
//!    ([`crate::pagination`]); `{id}` is copied into `data.id` (except for 201 creates, which
//!    get a fresh id); the request's `data.attributes` are copied into the response's
//!    `data.attributes` where the response schema has a property of that name, it is not
//!    read-only, and the value is valid for it; created resources are stored and read back
//!    ([`crate::resources`]).

use std::sync::Mutex;

use axum::body::{Body, Bytes};
use axum::http::header::{CONTENT_TYPE, HOST};
use axum::http::{HeaderMap, Response, StatusCode};
use serde_json::{Map, Value};

use crate::catalog::Route;
use crate::problems;
use crate::resources::{self, Store};
use crate::spec::Spec;

/// The parts of a request the generic handler looks at.
pub(crate) struct Call<'a> {
    /// Upper-case method.
    pub(crate) method: &'a str,
    /// Request path, without query.
    pub(crate) path: &'a str,
    /// Raw query string, `""` when absent.
    pub(crate) query: &'a str,
    /// Path parameters by spec name.
    pub(crate) params: &'a [(String, String)],
    /// Request headers.
    pub(crate) headers: &'a HeaderMap,
    /// The body; `None` if it could not be read (too large, broken connection).
    pub(crate) body: Option<&'a Bytes>,
}

impl Call<'_> {
    fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Answers an authorized call to a JSON:API operation.
pub(crate) fn answer(
    spec: &Spec,
    store: &Mutex<Store>,
    route: &Route,
    call: &Call<'_>,
) -> Response<Body> {
    let sent = match request_json(route, call) {
        Ok(sent) => sent,
        Err((status, detail)) => {
            return problems::json_api(status, route.error_media(status), &detail)
        }
    };
    let id = call.param("id");
    let Some(example) = &route.example else {
        if let (Some(collection), Some(id), "DELETE") = (&route.item_of, id, call.method) {
            resources::lock(store).remove(collection, id);
        }
        return problems::empty(route.status);
    };
    let media = route.media.as_deref().unwrap_or(problems::JSON_API);
    if let Some(collection) = &route.collection {
        let body = collection.page(example, &page_base(call), call.query);
        return problems::with_body(route.status, media, body.to_string());
    }
    let attributes = sent
        .as_ref()
        .and_then(|v| v.pointer("/data/attributes"))
        .and_then(Value::as_object)
        .filter(|a| !a.is_empty());
    let plain = !route.echo_id
        && attributes.is_none()
        && route.creates.is_none()
        && route.item_of.is_none();
    if plain {
        return problems::with_body(route.status, media, route.bytes.clone());
    }

    let mut body = example.clone();
    if let (true, Some(id)) = (route.echo_id, id) {
        set_id(&mut body, id);
    }
    if let Some(attributes) = attributes {
        if let Some(target) = body.pointer_mut("/data/attributes") {
            echo_attributes(spec, route.attributes.as_ref(), target, attributes);
        }
    }
    if let Some(collection) = &route.creates {
        let mut store = resources::lock(store);
        let id = store.next_id();
        set_id(&mut body, &id);
        if let Some(data) = body.get("data") {
            store.insert(collection, &id, data.clone());
        }
    } else if let (Some(collection), Some(id)) = (&route.item_of, id) {
        let mut store = resources::lock(store);
        if call.method == "DELETE" {
            store.remove(collection, id);
        } else if let Some(stored) = store.get_mut(collection, id) {
            if let (Some(attributes), Some(target)) =
                (attributes, stored.pointer_mut("/attributes"))
            {
                echo_attributes(spec, route.attributes.as_ref(), target, attributes);
            }
            if let Some(data) = body.get_mut("data") {
                *data = stored.clone();
            }
        }
    }
    problems::with_body(route.status, media, body.to_string())
}

/// The request's JSON body, `None` when it has none (or it is ignored); `Err` is the status
/// and detail to answer a body that is not JSON with.
fn request_json(route: &Route, call: &Call<'_>) -> Result<Option<Value>, (StatusCode, String)> {
    if !route.json_request {
        return Ok(None);
    }
    let problem = match call.body {
        None => "the request body could not be read".to_string(),
        Some(body) if body.iter().all(u8::is_ascii_whitespace) => return Ok(None),
        Some(body) => match json_media(call.headers) {
            Err(media) => format!(
                "the body must be application/vnd.api+json or application/json, not {media:?}"
            ),
            Ok(()) => match serde_json::from_slice::<Value>(body) {
                Ok(value) => return Ok(Some(value)),
                Err(e) => format!("the request body is not valid JSON: {e}"),
            },
        },
    };
    let status = [StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY]
        .into_iter()
        .find(|s| route.declares(*s));
    match status {
        Some(status) => Err((status, problem)),
        None => Ok(None),
    }
}

/// `Ok` if `Content-Type` is absent or a JSON type; else the offending media type.
fn json_media(headers: &HeaderMap) -> Result<(), String> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(essence)
    }
}

/// Sets `data.id` where the body has a string one.
fn set_id(body: &mut Value, id: &str) {
    if let Some(slot) = body.pointer_mut("/data/id").filter(|slot| slot.is_string()) {
        *slot = Value::String(id.to_string());
    }
}

/// Copies the valid, writable `sent` attributes into `target` (the response's attributes).
fn echo_attributes(
    spec: &Spec,
    schema: Option<&Value>,
    target: &mut Value,
    sent: &Map<String, Value>,
) {
    let Some(properties) = schema
        .and_then(|s| spec.resolve(s).get("properties"))
        .and_then(Value::as_object)
    else {
        return;
    };
    let Some(target) = target.as_object_mut() else {
        return;
    };
    for (name, value) in sent {
        let Some(property) = properties.get(name) else {
            continue;
        };
        let read_only = spec.resolve(property).get("readOnly") == Some(&Value::Bool(true));
        if !read_only && kajabi_spec::conforms(&spec.document, value, property) {
            target.insert(name.clone(), value.clone());
        }
    }
}

/// The URL pagination links start from: `http://<Host><path>`, or the bare path.
fn page_base(call: &Call<'_>) -> String {
    match call.headers.get(HOST).and_then(|h| h.to_str().ok()) {
        Some(host) => format!("http://{host}{}", call.path),
        None => call.path.to_string(),
    }
}
