//! Everything the server answers with, computed once from the spec.
//!
//! For each operation a [`Route`] holds the success status and media type, the example body
//! (already serialized, so a request only clones bytes), the declared error statuses with their
//! media types, the request schema it validates against, and its [`Action`] on the store. The
//! [`Resource`] collections are derived from the paths: `/v1/X` is one when the spec has
//! `GET /v1/X/{id}` or a paginated `GET /v1/X`. The catalog is built on the first
//! [`Catalog::shared`] call and shared by every sandbox in the process.

use std::io;
use std::sync::{Arc, OnceLock};

use axum::body::Bytes;
use axum::http::StatusCode;
use kajabi_spec::{Operation, Role};
use serde_json::{json, Value};

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
    /// Declared error statuses and their media types (`None`: declared without content).
    pub(crate) errors: Vec<(StatusCode, Option<String>)>,
    /// Whether the request body is JSON (`application/json` or `+json`).
    pub(crate) json_request: bool,
    /// The request body's schema in the original document, if the operation takes one.
    pub(crate) request_schema: Option<Value>,
    /// Schema of the success body's `data.attributes`: what a write may set.
    pub(crate) attributes: Option<Value>,
    /// Schema of the success body's `data.relationships`.
    pub(crate) relationships: Option<Value>,
    /// What the operation does to the store.
    pub(crate) action: Action,
    /// The component name of the success body's schema (`form_submission_response`).
    pub(crate) response_component: Option<String>,
    /// For a [`Action::Member`] answering 201: the collection it creates in (a form's
    /// `submit` creates a form submission), found from the response schema's name.
    pub(crate) creates_in: Option<usize>,
}

/// What an operation does with the store, derived from its method and path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Action {
    /// A paginated `GET` of a collection (index into [`Catalog::resources`]).
    List(usize),
    /// `POST` to a collection answering 201 with the created resource.
    Create(usize),
    /// `GET .../{id}`.
    Show(usize),
    /// `PATCH .../{id}`.
    Update(usize),
    /// `DELETE .../{id}`.
    Delete(usize),
    /// `.../{id}/relationships/<name>`: the owner's collection and the relationship name.
    Relationship(usize, String),
    /// Any other operation under `.../{id}/` (`POST /v1/purchases/{id}/deactivate`).
    Member(usize),
    /// Not about a stored resource (`/v1/me`, the webhook samples).
    Fixed,
}

impl Action {
    /// The collection of the resource a path id addresses, if any.
    pub(crate) fn addressed(&self) -> Option<usize> {
        match self {
            Action::Show(r) | Action::Update(r) | Action::Delete(r) | Action::Member(r) => Some(*r),
            Action::Relationship(r, _) => Some(*r),
            Action::List(_) | Action::Create(_) | Action::Fixed => None,
        }
    }
}

/// One collection of resources (`/v1/contacts`).
#[derive(Debug, Clone)]
pub(crate) struct Resource {
    /// The collection's path, e.g. `/v1/contacts`.
    pub(crate) path: String,
    /// Its last segment, e.g. `contacts`.
    pub(crate) name: String,
    /// The JSON:API `type` of its items.
    pub(crate) kind: String,
    /// A valid resource object (`data` of the show or list example) that items are built from.
    pub(crate) template: Value,
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
    /// The resource collections, by path.
    pub(crate) resources: Vec<Resource>,
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
        let resources = find_resources(&routes);
        for route in &mut routes {
            route.action = action(route, &resources);
        }
        let mut catalog = Catalog {
            spec,
            table,
            routes,
            resources,
        };
        let created: Vec<Option<usize>> = catalog
            .routes
            .iter()
            .map(|route| match (&route.action, &route.response_component) {
                (Action::Member(_), Some(component)) if route.status == StatusCode::CREATED => {
                    let name = component
                        .trim_end_matches("_response")
                        .trim_end_matches("_show");
                    catalog.target(name)
                }
                _ => None,
            })
            .collect();
        for (route, creates_in) in catalog.routes.iter_mut().zip(created) {
            route.creates_in = creates_in;
        }
        catalog
    }

    /// The collection a relationship or a to-one reference named `name` points into:
    /// `contacts` or `contact` → `/v1/contacts`, `tags` → `/v1/contact_tags`.
    pub(crate) fn target(&self, name: &str) -> Option<usize> {
        let plural = format!("{name}s");
        let suffix = format!("_{name}");
        let by = |f: &dyn Fn(&Resource) -> bool| self.resources.iter().position(f);
        by(&|r| r.name == name)
            .or_else(|| by(&|r| r.name == plural))
            .or_else(|| by(&|r| r.name.ends_with(&suffix)))
    }
}

/// The literal segments of a path template after the version, and whether each is followed by
/// a parameter: `/v1/contacts/{id}/relationships/tags` → `[("contacts", true),
/// ("relationships", false), ("tags", false)]`.
fn shape(path: &str) -> Vec<(String, bool)> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let versioned = segments.first().is_some_and(|s| {
        s.len() > 1 && s.starts_with('v') && s[1..].bytes().all(|b| b.is_ascii_digit())
    });
    let mut out: Vec<(String, bool)> = Vec::new();
    for segment in segments.into_iter().skip(usize::from(versioned)) {
        if segment.starts_with('{') {
            if let Some(last) = out.last_mut() {
                last.1 = true;
            }
        } else {
            out.push((segment.to_string(), false));
        }
    }
    out
}

/// The collections: `/v1/X` with a `GET /v1/X/{id}` or a paginated `GET /v1/X`.
fn find_resources(routes: &[Route]) -> Vec<Resource> {
    let mut resources: Vec<Resource> = Vec::new();
    for route in routes.iter().filter(|r| r.op.method == "GET") {
        let shape = shape(&route.op.path);
        let is_item = matches!(shape.as_slice(), [(_, true)]);
        let is_list = matches!(shape.as_slice(), [(_, false)]) && route.op.paginated;
        if !is_item && !is_list {
            continue;
        }
        let path = match route.op.path.find('{') {
            Some(at) => route.op.path[..at].trim_end_matches('/').to_string(),
            None => route.op.path.clone(),
        };
        let data = route.example.as_ref().and_then(|b| b.get("data"));
        let template = match data {
            Some(Value::Object(_)) if is_item => data.cloned(),
            Some(Value::Array(items)) if is_list => items.first().cloned(),
            _ => None,
        }
        .filter(|t| t.get("id").is_some());
        match resources.iter_mut().find(|r| r.path == path) {
            // The show example wins: it has the most members (`offers.data` on contacts).
            Some(existing) if is_item => {
                if let Some(template) = template {
                    existing.template = template;
                }
            }
            Some(existing) if existing.template.get("type").is_none() => {
                if let Some(template) = template {
                    existing.template = template;
                }
            }
            Some(_) => {}
            None => {
                let name = shape[0].0.clone();
                let template = template.unwrap_or_else(|| json!({"id": "1", "type": name}));
                resources.push(Resource {
                    path,
                    name,
                    kind: String::new(),
                    template,
                });
            }
        }
    }
    for resource in &mut resources {
        resource.kind = resource
            .template
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or(&resource.name)
            .to_string();
    }
    resources
}

/// What `route` does, given the collections.
fn action(route: &Route, resources: &[Resource]) -> Action {
    if route.kind != Kind::Api {
        return Action::Fixed;
    }
    let shape = shape(&route.op.path);
    let Some((first, addressed)) = shape.first() else {
        return Action::Fixed;
    };
    let Some(index) = resources.iter().position(|r| &r.name == first) else {
        return Action::Fixed;
    };
    let method = route.op.method.as_str();
    match (shape.len(), addressed, method) {
        (1, false, "GET") if route.op.paginated => Action::List(index),
        (1, false, "POST") if route.status == StatusCode::CREATED => Action::Create(index),
        (1, true, "GET") => Action::Show(index),
        (1, true, "PATCH") => Action::Update(index),
        (1, true, "DELETE") => Action::Delete(index),
        (3, true, _) if shape[1].0 == "relationships" => {
            Action::Relationship(index, shape[2].0.clone())
        }
        (_, true, _) => Action::Member(index),
        _ => Action::Fixed,
    }
}

fn prepare(spec: &Spec, op: &Operation) -> Route {
    // The OAuth endpoints by their role in the spec model, never by their path.
    let kind = match op.role {
        Role::TokenGrant => Kind::Token,
        Role::Revoke => Kind::Revoke,
        Role::Ordinary => Kind::Api,
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
    let request_schema = spec
        .operation_object(op)
        .and_then(|o| o.get("requestBody"))
        .map(|b| spec.resolve(b))
        .and_then(|b| b.get("content"))
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
        .and_then(|m| spec.resolve(m).get("schema"))
        .cloned();
    let data = spec
        .response_schema(op, status_text)
        .and_then(|schema| property(spec, schema, "data"));
    let attributes = data
        .and_then(|data| property(spec, data, "attributes"))
        .cloned();
    let relationships = data
        .and_then(|data| property(spec, data, "relationships"))
        .cloned();
    Route {
        op: op.clone(),
        kind,
        status,
        media,
        example,
        bytes,
        errors,
        json_request,
        request_schema,
        attributes,
        relationships,
        action: Action::Fixed,
        response_component: spec
            .response_content(op, status_text)
            .and_then(|(_, media)| media.get("schema"))
            .and_then(|schema| schema.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next())
            .map(str::to_string),
        creates_in: None,
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
mod tests;
