//! The handler behind every JSON:API operation (everything but `/v1/oauth/*`).
//!
//! The bearer token has been checked by the time [`answer`] runs. In order, it:
//!
//! 1. answers **404** with a JSON:API error when the path's id names no stored resource of its
//!    collection (every operation that addresses a resource by id, whether or not the spec
//!    declares 404 there: Kajabi's spec under-declares it);
//! 2. validates the body and the query ([`crate::validation`]);
//! 3. does what the operation's [`Action`] says to the store ([`crate::store`]) and answers the
//!    first declared 2xx status with the declared media type, the body built from the
//!    operation's example with the stored resource(s) in `data`.
//!
//! Writes copy the sent `data.attributes` that the response schema has, that are not
//! `readOnly` and whose values are valid for it; `created_at`/`updated_at` come from the clock.
//! Relationship writes are stored and read back; granting offers to a contact creates its
//! customer if there is none, adds the offers to the customer's and records a purchase per
//! offer (see the contract table in the crate docs).

use std::sync::MutexGuard;

use axum::body::{Body, Bytes};
use axum::http::header::HOST;
use axum::http::{HeaderMap, Response, StatusCode};
use serde_json::{json, Map, Value};

mod member;
mod offers;
mod relationships;

use crate::app::App;
use crate::catalog::{Action, Catalog, Route};
use crate::clock::rfc3339;
use crate::problems;
use crate::store::{self, Store};
use crate::validation::{self, Problem};
use crate::webhooks::{self, Pending};
use crate::{pagination, query};

/// The parts of a request the handler looks at.
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
    /// The first path parameter: the id of the addressed resource.
    fn id(&self) -> Option<&str> {
        self.params.first().map(|(_, v)| v.as_str())
    }

    /// `http://<Host>` (or the sandbox's own address) and the path: where links point.
    fn url(&self, app: &App) -> String {
        match self.headers.get(HOST).and_then(|h| h.to_str().ok()) {
            Some(host) => format!("http://{host}{}", self.path),
            None => format!("http://{}{}", app.addr, self.path),
        }
    }
}

/// Answers an authorized call to a JSON:API operation.
pub(crate) fn answer(app: &App, route: &Route, call: &Call<'_>) -> Response<Body> {
    let catalog = &app.catalog;
    let mut store = store::lock(&app.store);
    if let (Some(index), Some(id)) = (route.action.addressed(), call.id()) {
        let resource = &catalog.resources[index];
        if store.get(&resource.path, id).is_none() {
            let detail = format!("there is no {} with id {id:?}", resource.kind);
            return problem(route, StatusCode::NOT_FOUND, &detail, None);
        }
    }
    let checked = validation::body(
        &catalog.spec,
        route,
        call.headers,
        call.body.map(|b| b.as_ref()),
    )
    .and_then(|sent| validation::query(route, call.query).map(|()| sent));
    let sent = match checked {
        Ok(sent) => sent,
        Err(p) => return problem(route, p.status, &p.detail, p.source),
    };
    let now = rfc3339(app.config.clock.now());
    let mut writer = Writer {
        catalog,
        store: &mut store,
        now,
        events: Vec::new(),
    };
    let result: Result<Option<Value>, Problem> = match &route.action {
        Action::List(index) => {
            let resource = &catalog.resources[*index];
            let items = query::apply(writer.store.items(&resource.path), call.query);
            let example = route.example.clone().unwrap_or_else(|| json!({}));
            Ok(Some(pagination::page(
                &items,
                &example,
                &call.url(app),
                call.query,
            )))
        }
        Action::Create(index) => writer
            .create(route, *index, sent.as_ref(), None)
            .map(|item| with_data(route, item)),
        Action::Show(index) => Ok(writer
            .item(*index, call.id())
            .and_then(|item| with_data(route, item))),
        Action::Update(index) => {
            let item = writer.update(route, *index, call.id().unwrap_or(""), sent.as_ref());
            Ok(item.and_then(|item| with_data(route, item)))
        }
        Action::Delete(index) => {
            let path = &catalog.resources[*index].path;
            writer.store.remove(path, call.id().unwrap_or(""));
            Ok(route.example.clone())
        }
        Action::Relationship(index, name) => writer
            .relationship(route, *index, call, name, sent.as_ref())
            .map(|data| {
                let mut body = route.example.clone().unwrap_or_else(|| json!({}));
                body["data"] = data;
                if body.get("links").is_some_and(Value::is_object) {
                    body["links"]["self"] = json!(call.url(app));
                }
                Some(body)
            }),
        Action::Member(index) => writer
            .member(route, *index, call, sent.as_ref())
            .map(|item| item.and_then(|item| with_data(route, item))),
        Action::Fixed => Ok(None),
    };
    // Deliveries are planned while the store is locked (the hooks and the payload are read
    // as the change left them) and sent once it is released; the answer never waits for them.
    let events = std::mem::take(&mut writer.events);
    let planned = match &result {
        Ok(_) if !events.is_empty() => webhooks::plan(catalog, writer.store, events),
        _ => Vec::new(),
    };
    drop(store);
    app.webhooks.dispatch(planned);
    let media = route.media.as_deref().unwrap_or(problems::JSON_API);
    match result {
        Err(p) => problem(route, p.status, &p.detail, p.source),
        Ok(_) if route.example.is_none() => problems::empty(route.status),
        Ok(Some(body)) => problems::with_body(route.status, media, body.to_string()),
        Ok(None) => problems::with_body(route.status, media, route.bytes.clone()),
    }
}

fn problem(
    route: &Route,
    status: StatusCode,
    detail: &str,
    source: Option<Value>,
) -> Response<Body> {
    problems::json_api_at(status, route.error_media(status), detail, source)
}

/// The route's example body with `data` replaced by `item`.
fn with_data(route: &Route, item: Value) -> Option<Value> {
    let mut body = route.example.clone()?;
    if body.is_object() {
        body["data"] = item;
    }
    Some(body)
}

/// Changes to the store within one request.
struct Writer<'a, 'g> {
    catalog: &'a Catalog,
    store: &'a mut MutexGuard<'g, Store>,
    /// The clock's time, RFC 3339.
    now: String,
    /// Webhook events the changes cause.
    events: Vec<Pending>,
}

impl Writer<'_, '_> {
    fn item(&self, index: usize, id: Option<&str>) -> Option<Value> {
        let path = &self.catalog.resources[index].path;
        self.store.get(path, id?).cloned()
    }

    /// Creates a resource in collection `index` from the sent document; `owner` is the
    /// `(relationship name, identifier)` of the resource it belongs to (a form's submission).
    fn create(
        &mut self,
        route: &Route,
        index: usize,
        sent: Option<&Value>,
        owner: Option<(String, Value)>,
    ) -> Result<Value, Problem> {
        let resource = &self.catalog.resources[index];
        let id = self.store.next_id();
        let mut item = resource.template.clone();
        item["id"] = json!(id);
        item["type"] = json!(resource.kind);
        self.clear_relationships(route, &mut item);
        self.set_attributes(route, &mut item, sent, true);
        let sent_relationships = sent
            .and_then(|s| s.pointer("/data/relationships"))
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_default();
        for (name, relationship) in &sent_relationships {
            let Some(target) = self.catalog.target(name) else {
                continue;
            };
            let target = &self.catalog.resources[target];
            if let Some(related) = relationship.pointer("/data/id").and_then(Value::as_str) {
                let refusal = route.refusal_for_reference();
                if let (None, Some(status)) = (self.store.get(&target.path, related), refusal) {
                    return Err(Problem {
                        status,
                        detail: format!("there is no {} with id {related:?}", target.kind),
                        source: Some(json!({
                            "pointer": format!("/data/relationships/{name}/data/id")
                        })),
                    });
                }
                if let Some(slot) = item.pointer_mut(&format!("/relationships/{name}")) {
                    *slot = json!({"data": {"id": related, "type": target.kind}});
                }
            }
        }
        if let Some((name, identifier)) = owner {
            if let Some(slot) = item.pointer_mut(&format!("/relationships/{name}/data")) {
                *slot = identifier;
            }
        }
        self.store.insert(&resource.path, item.clone());
        Ok(item)
    }

    /// A new item's relationships: to-many ones empty, optional to-one ones that may be absent
    /// (declared nullable: a contact's `customer`) left out, the others (a contact's `site`)
    /// as seeded. Left out rather than `null`: in an OpenAPI 3.1 document `nullable` means
    /// nothing, and validators that know it (openapi-core) refuse the `null`.
    fn clear_relationships(&self, route: &Route, item: &mut Value) {
        let schema = route.relationships.as_ref();
        let spec = &self.catalog.spec;
        let Some(relationships) = item.get_mut("relationships").and_then(Value::as_object_mut)
        else {
            return;
        };
        relationships.retain(|name, relationship| {
            let nullable = schema
                .and_then(|s| spec.resolve(s).get("properties"))
                .and_then(|p| p.get(name))
                .is_some_and(|s| kajabi_spec::conforms(&spec.document, &Value::Null, s));
            match relationship.get_mut("data") {
                Some(data) if data.is_array() => {
                    *data = json!([]);
                    true
                }
                _ => !nullable,
            }
        });
    }

    /// Copies the sent, writable, valid attributes into `item`; stamps the timestamps.
    fn set_attributes(&self, route: &Route, item: &mut Value, sent: Option<&Value>, created: bool) {
        let spec = &self.catalog.spec;
        let properties = route
            .attributes
            .as_ref()
            .and_then(|s| spec.resolve(s).get("properties"))
            .and_then(Value::as_object);
        let Some(attributes) = item.get_mut("attributes").and_then(Value::as_object_mut) else {
            return;
        };
        let sent = sent
            .and_then(|s| s.pointer("/data/attributes"))
            .and_then(Value::as_object);
        for (name, value) in sent.into_iter().flatten() {
            let Some(property) = properties.and_then(|p| p.get(name)) else {
                continue;
            };
            let read_only = spec.resolve(property).get("readOnly") == Some(&Value::Bool(true));
            if !read_only && kajabi_spec::conforms(&spec.document, value, property) {
                attributes.insert(name.clone(), value.clone());
            }
        }
        stamp(attributes, "updated_at", &self.now);
        if created {
            stamp(attributes, "created_at", &self.now);
            // A create invents no reference: an `…_id` attribute the request left out is null
            // where the schema's `type` lists "null" (a hook's `resource_id`: without it the
            // hook fires for every resource), not the example's id.
            for (name, property) in properties.into_iter().flatten() {
                let nullable = spec
                    .resolve(property)
                    .get("type")
                    .and_then(Value::as_array)
                    .is_some_and(|types| types.contains(&json!("null")));
                let sent_it = sent.is_some_and(|s| s.contains_key(name));
                if name.ends_with("_id") && nullable && !sent_it && attributes.contains_key(name) {
                    attributes.insert(name.clone(), Value::Null);
                }
            }
        }
    }

    fn update(
        &mut self,
        route: &Route,
        index: usize,
        id: &str,
        sent: Option<&Value>,
    ) -> Option<Value> {
        let path = &self.catalog.resources[index].path;
        let mut item = self.store.get(path, id)?.clone();
        self.set_attributes(route, &mut item, sent, false);
        *self.store.get_mut(path, id)? = item.clone();
        Some(item)
    }
}

impl Route {
    /// The declared status for a reference to a resource that does not exist, in a create;
    /// `None`: the operation declares none, the reference is stored as sent.
    fn refusal_for_reference(&self) -> Option<StatusCode> {
        [
            StatusCode::UNPROCESSABLE_ENTITY,
            StatusCode::BAD_REQUEST,
            StatusCode::NOT_FOUND,
        ]
        .into_iter()
        .find(|s| self.declares(*s))
    }
}

/// Sets a timestamp attribute the item has (as a string or null) to `now`.
fn stamp(attributes: &mut Map<String, Value>, key: &str, now: &str) {
    if let Some(slot) = attributes.get_mut(key) {
        if slot.is_string() || slot.is_null() {
            *slot = json!(now);
        }
    }
}
