//! Everything the server answers with, computed once from the spec.
//!
//! For each operation a [`Route`] holds the success status and media type, the example body
//! (already serialized, so a request only clones bytes), the collection to page for list
//! operations, the declared error statuses with their media types, and how the operation
//! relates to created resources. The catalog is built on the first [`Catalog::shared`] call
//! and shared by every sandbox in the process.

use std::io;
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::http::StatusCode;
use kajabi_spec::Operation;
use serde_json::{json, Value};

use crate::pagination::Collection;
use crate::problems::JSON_API;
use crate::routes::Table;
use crate::spec::Spec;

/// What kind of handler an operation gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `POST /v1/oauth/token`.
    Token,
    /// `POST /v1/oauth/revoke`.
    Revoke,
    /// Every other operation: the generic JSON:API handler.
    Api,
}

/// One operation, ready to answer.
#[derive(Debug)]
pub(crate) struct Route {
    /// The operation's facts from the normalizer.
    pub(crate) op: Operation,
    /// Which handler serves it.
    pub(crate) kind: Kind,
    /// The first declared 2xx status.
    pub(crate) status: StatusCode,
    /// Media type of the success body; `None` for an empty body.
    pub(crate) media: Option<String>,
    /// The example success body (`None`: empty body).
    pub(crate) example: Option<Value>,
    /// `example`, serialized.
    pub(crate) bytes: Bytes,
    /// For list operations: the fixed collection to page.
    pub(crate) collection: Option<Collection>,
    /// Declared error statuses and their media types (`None`: declared without content).
    pub(crate) errors: Vec<(StatusCode, Option<String>)>,
    /// Whether the request body is JSON (`application/json` or `+json`).
    pub(crate) json_request: bool,
    /// Schema of the success body's `data.attributes`, where request attributes are echoed.
    pub(crate) attributes: Option<Value>,
    /// Whether `{id}` is copied into `data.id` of the answer.
    pub(crate) echo_id: bool,
    /// A create operation: the collection (path template) created resources are stored under.
    pub(crate) creates: Option<String>,
    /// An operation on one stored resource (`.../{id}`): its collection.
    pub(crate) item_of: Option<String>,
}

impl Route {
    /// Whether the operation declares `status`.
    pub(crate) fn declares(&self, status: StatusCode) -> bool {
        self.errors.iter().any(|(s, _)| *s == status)
    }

    /// The media type for an error response with `status`: the declared one, else JSON:API.
    pub(crate) fn error_media(&self, status: StatusCode) -> &str {
        self.errors
            .iter()
            .find(|(s, _)| *s == status)
            .and_then(|(_, media)| media.as_deref())
            .unwrap_or(JSON_API)
    }
}

/// The spec, its routing table and one [`Route`] per operation (same index).
pub(crate) struct Catalog {
    /// The document the routes were built from.
    pub(crate) spec: Spec,
    /// Path templates, indexed like `routes`.
    pub(crate) table: Table,
    /// Prepared operations.
    pub(crate) routes: Vec<Route>,
}

impl Catalog {
    /// The catalog of the embedded spec, built once per process.
    pub(crate) fn shared() -> io::Result<Arc<Catalog>> {
        static SHARED: OnceLock<Result<Arc<Catalog>, String>> = OnceLock::new();
        SHARED
            .get_or_init(|| {
                Spec::load()
                    .map(|spec| Arc::new(Catalog::build(spec)))
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|message| io::Error::new(io::ErrorKind::InvalidData, message))
    }

    /// Prepares every operation of `spec`.
    pub(crate) fn build(spec: Spec) -> Catalog {
        let mut table = Table::default();
        let mut routes: Vec<Route> = Vec::new();
        for op in &spec.operations {
            table.add(&op.method, &op.path);
            routes.push(prepare(&spec, op));
        }
        link_created_resources(&spec, &mut routes);
        Catalog {
            spec,
            table,
            routes,
        }
    }
}

fn prepare(spec: &Spec, op: &Operation) -> Route {
    let kind = if op.path.ends_with("/oauth/token") {
        Kind::Token
    } else if op.path.ends_with("/oauth/revoke") {
        Kind::Revoke
    } else {
        Kind::Api
    };
    let status_text = op
        .success_statuses
        .first()
        .map(String::as_str)
        .unwrap_or("200");
    let status = status_text.parse::<StatusCode>().unwrap_or(StatusCode::OK);
    let content = spec.response_content(op, status_text);
    let media = content.map(|(media, _)| media.to_string());
    let example = content.map(|(_, media_object)| {
        let mut body =
            kajabi_spec::example_body(&spec.document, media_object, &resource_name(&op.path));
        readable(spec, op, media_object, &mut body);
        body
    });
    let bytes = example
        .as_ref()
        .map(|b| Bytes::from(b.to_string()))
        .unwrap_or_default();
    let collection = if op.paginated {
        example.as_ref().and_then(Collection::from_example)
    } else {
        None
    };
    let errors = op
        .error_statuses
        .iter()
        .filter_map(|s| s.parse::<StatusCode>().ok().map(|code| (code, s)))
        .map(|(code, s)| {
            (
                code,
                spec.response_content(op, s)
                    .map(|(media, _)| media.to_string()),
            )
        })
        .collect();
    let json_request = op.request_media.as_deref().is_some_and(is_json);
    let attributes = spec
        .response_schema(op, status_text)
        .and_then(|schema| property(spec, schema, "data"))
        .and_then(|data| property(spec, data, "attributes"))
        .cloned();
    let echo_id = status != StatusCode::CREATED
        && op.path_params().any(|p| p == "id")
        && example
            .as_ref()
            .and_then(|b| b.get("data"))
            .is_some_and(|data| data.get("id").is_some());
    Route {
        op: op.clone(),
        kind,
        status,
        media,
        example,
        bytes,
        collection,
        errors,
        json_request,
        attributes,
        echo_id,
        creates: None,
        item_of: None,
    }
}

/// Marks create operations whose resources can be read back, and the operations on them.
fn link_created_resources(spec: &Spec, routes: &mut [Route]) {
    let schema_of = |route: &Route| {
        let status = route.status.as_str().to_string();
        spec.response_schema(&route.op, &status).cloned()
    };
    let mut links: Vec<(usize, String)> = Vec::new();
    for (index, create) in routes.iter().enumerate() {
        let creates_resource = create.op.method == "POST"
            && create.status == StatusCode::CREATED
            && create
                .example
                .as_ref()
                .and_then(|b| b.get("data"))
                .is_some_and(|d| d.get("id").is_some());
        if !creates_resource {
            continue;
        }
        let collection = create.op.path.clone();
        let item_path = format!("{collection}/{{id}}");
        let created_schema = schema_of(create);
        let show = routes.iter().find(|r| {
            r.op.method == "GET" && r.op.path == item_path && schema_of(r) == created_schema
        });
        if show.is_none() {
            continue;
        }
        links.push((index, collection.clone()));
        for (other_index, other) in routes.iter().enumerate() {
            let same_shape = other.op.method == "DELETE" || schema_of(other) == created_schema;
            if other.op.path == item_path && same_shape {
                links.push((other_index, collection.clone()));
            }
        }
    }
    for (index, collection) in links {
        let route = &mut routes[index];
        if route.op.path == collection {
            route.creates = Some(collection);
        } else {
            route.item_of = Some(collection);
        }
    }
}

/// The resolved schema of property `name` of `schema`.
fn property<'a>(spec: &'a Spec, schema: &'a Value, name: &str) -> Option<&'a Value> {
    let schema = spec.resolve(schema);
    schema.get("properties")?.get(name).map(|s| spec.resolve(s))
}

/// The JSON:API resource type a path is about: the related type of a relationship path
/// (`/v1/contacts/{id}/relationships/tags` → `tags`), else the first segment after the version
/// (`/v1/contacts/{id}` → `contacts`).
fn resource_name(path: &str) -> String {
    let literals: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && !s.starts_with('{'))
        .collect();
    if let Some(at) = literals.iter().position(|s| *s == "relationships") {
        if let Some(related) = literals.get(at + 1) {
            return related.to_string();
        }
    }
    let versioned = literals.first().is_some_and(|s| {
        s.len() > 1 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit())
    });
    literals
        .get(usize::from(versioned))
        .unwrap_or(&"resources")
        .to_string()
}

fn is_json(media: &str) -> bool {
    let essence = media
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    essence == "application/json" || essence.ends_with("+json")
}

/// Friendlier values for the operations people look at first (`/v1/me`, `/v1/version`).
/// Each replaces a synthesized string only where one exists; if the result would not
/// validate, the synthesized body is kept.
fn readable(spec: &Spec, op: &Operation, media_object: &Value, body: &mut Value) {
    let values: Vec<(&str, Value)> = match (op.method.as_str(), op.path.as_str()) {
        ("GET", "/v1/me") => vec![
            ("/data/type", json!("users")),
            ("/data/attributes/name", json!("Sandbox User")),
            ("/data/attributes/email", json!("sandbox@example.com")),
            ("/data/attributes/initials", json!("SU")),
            ("/data/attributes/role_level", json!("owner")),
        ],
        ("GET", "/v1/version") => vec![
            ("/meta/title", json!("Kajabi API")),
            ("/meta/version", json!(spec.version)),
            (
                "/links/documentation",
                json!("https://developers.kajabi.com"),
            ),
            ("/jsonapi/version", json!("1.0")),
            (
                "/jsonapi/specficiation",
                json!("https://jsonapi.org/format/1.0/"),
            ),
            (
                "/jsonapi/specification",
                json!("https://jsonapi.org/format/1.0/"),
            ),
        ],
        _ => return,
    };
    let mut changed = body.clone();
    for (pointer, value) in values {
        if let Some(slot) = changed.pointer_mut(pointer).filter(|slot| slot.is_string()) {
            *slot = value;
        }
    }
    let schema = media_object.get("schema").unwrap_or(&Value::Bool(true));
    if kajabi_spec::conforms(&spec.document, &changed, schema) {
        *body = changed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names() {
        assert_eq!(resource_name("/v1/contacts/{id}"), "contacts");
        assert_eq!(
            resource_name("/v1/contacts/{contact_id}/relationships/tags"),
            "tags"
        );
        assert_eq!(resource_name("/v1/me"), "me");
        assert_eq!(resource_name("/things"), "things");
    }

    #[test]
    fn the_embedded_spec_yields_a_route_per_operation() {
        let catalog = Catalog::shared().expect("catalog");
        assert_eq!(catalog.routes.len(), catalog.spec.operations.len());
        let find = |method: &str, path: &str| {
            catalog
                .routes
                .iter()
                .find(|r| r.op.method == method && r.op.path == path)
                .expect("operation exists")
        };
        assert_eq!(
            find("POST", "/v1/contacts").creates.as_deref(),
            Some("/v1/contacts")
        );
        assert_eq!(
            find("GET", "/v1/contacts/{id}").item_of.as_deref(),
            Some("/v1/contacts")
        );
        assert_eq!(
            find("POST", "/v1/hooks").creates.as_deref(),
            Some("/v1/hooks")
        );
        assert!(find("GET", "/v1/contacts").collection.is_some());
        assert_eq!(find("POST", "/v1/oauth/token").kind, Kind::Token);
        let version = find("GET", "/v1/version").example.as_ref().expect("body");
        assert_eq!(version["meta"]["version"], json!(catalog.spec.version));
        assert_eq!(version["meta"]["title"], "Kajabi API");
    }
}
