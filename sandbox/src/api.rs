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

use crate::catalog::{Action, Catalog, Route};
use crate::clock::rfc3339;
use crate::problems;
use crate::seed::point_relationships;
use crate::server::App;
use crate::store::{self, id_of, Store};
use crate::validation::{self, Problem};
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
    drop(store);
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

    /// Reads or writes relationship `name` of the owner; the new identifiers.
    fn relationship(
        &mut self,
        route: &Route,
        index: usize,
        call: &Call<'_>,
        name: &str,
        sent: Option<&Value>,
    ) -> Result<Value, Problem> {
        let owner = &self.catalog.resources[index];
        let id = call.id().unwrap_or("");
        let current = self
            .store
            .get(&owner.path, id)
            .and_then(|item| item.pointer(&format!("/relationships/{name}/data")))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        if call.method == "GET" {
            return Ok(Value::Array(current));
        }
        let target = self
            .catalog
            .target(name)
            .map(|t| &self.catalog.resources[t]);
        let mut named: Vec<Value> = Vec::new();
        let sent_items = sent
            .and_then(|s| s.get("data"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        for (at, identifier) in sent_items.iter().enumerate() {
            let related = identifier.get("id").and_then(Value::as_str).unwrap_or("");
            let kind = match target {
                Some(target) if self.store.get(&target.path, related).is_none() => {
                    return Err(Problem {
                        status: StatusCode::NOT_FOUND,
                        detail: format!("there is no {} with id {related:?}", target.kind),
                        source: Some(json!({ "pointer": format!("/data/{at}/id") })),
                    });
                }
                Some(target) => json!(target.kind),
                None => identifier.get("type").cloned().unwrap_or(Value::Null),
            };
            let identifier = json!({"id": related, "type": kind});
            if !named.contains(&identifier) {
                named.push(identifier);
            }
        }
        let has = |list: &[Value], i: &Value| list.iter().any(|x| id_of(x) == id_of(i));
        let updated: Vec<Value> = match call.method {
            "POST" => current
                .iter()
                .cloned()
                .chain(named.iter().filter(|i| !has(&current, i)).cloned())
                .collect(),
            "PATCH" => named.clone(),
            _ => current
                .iter()
                .filter(|i| !has(&named, i))
                .cloned()
                .collect(),
        };
        let added: Vec<Value> = updated
            .iter()
            .filter(|i| !has(&current, i))
            .cloned()
            .collect();
        let removed: Vec<Value> = current
            .iter()
            .filter(|i| !has(&updated, i))
            .cloned()
            .collect();
        self.set_related(&owner.path, id, name, &updated);
        if name == "offers" {
            self.grant(route, &owner.name, id, &added, &removed);
        }
        Ok(Value::Array(updated))
    }

    /// Sets relationship `name` of item `id` of `path` to `identifiers`.
    fn set_related(&mut self, path: &str, id: &str, name: &str, identifiers: &[Value]) {
        let Some(item) = self.store.get_mut(path, id) else {
            return;
        };
        if !item.get("relationships").is_some_and(Value::is_object) {
            item["relationships"] = json!({});
        }
        let relationship = &mut item["relationships"][name];
        if !relationship.is_object() {
            *relationship = json!({});
        }
        relationship["data"] = Value::Array(identifiers.to_vec());
    }

    /// Offers granted to (or taken from) a contact or a customer: the contact's customer is
    /// created if there is none, both hold the same offers, and each grant records a purchase.
    fn grant(&mut self, route: &Route, owner: &str, id: &str, added: &[Value], removed: &[Value]) {
        let catalog = self.catalog;
        let (Some(contacts), Some(customers)) =
            (catalog.target("contacts"), catalog.target("customers"))
        else {
            return;
        };
        let (contacts, customers) = (&catalog.resources[contacts], &catalog.resources[customers]);
        let (contact_id, customer_id) = if owner == contacts.name {
            let linked = self
                .store
                .get(&contacts.path, id)
                .and_then(|c| c.pointer("/relationships/customer/data/id"))
                .and_then(Value::as_str)
                .filter(|c| self.store.get(&customers.path, c).is_some())
                .map(str::to_string);
            let customer = match linked {
                Some(customer) => customer,
                None if added.is_empty() => return,
                None => self.new_customer(id),
            };
            (id.to_string(), customer)
        } else if owner == customers.name {
            let contact = self
                .store
                .get(&customers.path, id)
                .and_then(|c| c.pointer("/relationships/contact/data/id"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            (contact, id.to_string())
        } else {
            return;
        };
        for (path, item_id) in [
            (&contacts.path, &contact_id),
            (&customers.path, &customer_id),
        ] {
            let Some(current) = self.store.get(path, item_id).map(|item| {
                item.pointer("/relationships/offers/data")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default()
            }) else {
                continue;
            };
            let mut offers: Vec<Value> = current
                .into_iter()
                .filter(|o| !removed.iter().any(|r| id_of(r) == id_of(o)))
                .collect();
            for offer in added {
                if !offers.iter().any(|o| id_of(o) == id_of(offer)) {
                    offers.push(offer.clone());
                }
            }
            self.set_related(path, item_id, "offers", &offers);
        }
        for offer in added {
            self.new_purchase(route, &customer_id, offer);
        }
    }

    fn new_customer(&mut self, contact_id: &str) -> String {
        let catalog = self.catalog;
        let Some(customers) = catalog.target("customers").map(|c| &catalog.resources[c]) else {
            return String::new();
        };
        let contacts = catalog.target("contacts").map(|c| &catalog.resources[c]);
        let id = self.store.next_id();
        let mut customer = customers.template.clone();
        customer["id"] = json!(id);
        customer["type"] = json!(customers.kind);
        point_relationships(catalog, &mut customer, "1");
        if let Some(relationships) = customer
            .get_mut("relationships")
            .and_then(Value::as_object_mut)
        {
            for (name, relationship) in relationships.iter_mut() {
                if let Some(data) = relationship.get_mut("data").filter(|d| d.is_array()) {
                    *data = json!([]);
                }
                if name == "contact" {
                    if let Some(contacts) = contacts {
                        relationship["data"] = json!({"id": contact_id, "type": contacts.kind});
                    }
                }
            }
        }
        if let Some(contacts) = contacts {
            let person = self.store.get(&contacts.path, contact_id).cloned();
            if let Some(attributes) = customer
                .get_mut("attributes")
                .and_then(Value::as_object_mut)
            {
                for key in ["name", "email"] {
                    let value = person
                        .as_ref()
                        .and_then(|p| p.pointer(&format!("/attributes/{key}")));
                    if let (Some(slot), Some(value)) = (attributes.get_mut(key), value) {
                        if slot.is_string() && value.is_string() {
                            *slot = value.clone();
                        }
                    }
                }
                stamp(attributes, "created_at", &self.now);
                stamp(attributes, "updated_at", &self.now);
            }
            let customer_id = json!({"data": {"id": id, "type": customers.kind}});
            if let Some(contact) = self.store.get_mut(&contacts.path, contact_id) {
                if contact.get("relationships").is_some_and(Value::is_object) {
                    contact["relationships"]["customer"] = customer_id;
                }
            }
        }
        self.store.insert(&customers.path, customer);
        id
    }

    fn new_purchase(&mut self, _route: &Route, customer_id: &str, offer: &Value) {
        let catalog = self.catalog;
        let (Some(purchases), Some(customers)) =
            (catalog.target("purchases"), catalog.target("customers"))
        else {
            return;
        };
        let (purchases, customers) = (&catalog.resources[purchases], &catalog.resources[customers]);
        let id = self.store.next_id();
        let mut purchase = purchases.template.clone();
        purchase["id"] = json!(id);
        purchase["type"] = json!(purchases.kind);
        if let Some(relationships) = purchase
            .get_mut("relationships")
            .and_then(Value::as_object_mut)
        {
            for (name, relationship) in relationships.iter_mut() {
                let data = match name.as_str() {
                    "offer" => offer.clone(),
                    "customer" => json!({"id": customer_id, "type": customers.kind}),
                    _ => match relationship.get("data") {
                        Some(Value::Array(_)) => json!([]),
                        _ => continue,
                    },
                };
                relationship["data"] = data;
            }
        }
        if let Some(attributes) = purchase
            .get_mut("attributes")
            .and_then(Value::as_object_mut)
        {
            for key in ["deactivated_at", "deactivation_reason"] {
                if attributes.contains_key(key) {
                    attributes.insert(key.into(), Value::Null);
                }
            }
            stamp(attributes, "created_at", &self.now);
            stamp(attributes, "updated_at", &self.now);
            stamp(attributes, "effective_start_at", &self.now);
        }
        self.store.insert(&purchases.path, purchase);
    }

    /// `POST .../{id}/<action>`: a submission created under the owner (a form's), a state
    /// change of the owner (`deactivate`, `reactivate`), or the owner as it is.
    fn member(
        &mut self,
        route: &Route,
        index: usize,
        call: &Call<'_>,
        sent: Option<&Value>,
    ) -> Result<Option<Value>, Problem> {
        let owner = &self.catalog.resources[index];
        let id = call.id().unwrap_or("");
        if let Some(other) = route.creates_in.filter(|other| *other != index) {
            let target = &self.catalog.resources[other];
            let link = target
                .template
                .get("relationships")
                .and_then(Value::as_object)
                .and_then(|r| {
                    r.keys()
                        .find(|name| self.catalog.target(name) == Some(index))
                        .cloned()
                })
                .map(|name| (name, json!({"id": id, "type": owner.kind})));
            return self.create(route, other, sent, link).map(Some);
        }
        let answers_owner = route
            .example
            .as_ref()
            .and_then(|b| b.pointer("/data/type"))
            .and_then(Value::as_str)
            == Some(owner.kind.as_str());
        if !answers_owner {
            return Ok(None);
        }
        let action = call.path.rsplit('/').next().unwrap_or("");
        let now = self.now.clone();
        let Some(item) = self.store.get_mut(&owner.path, id) else {
            return Ok(None);
        };
        if let Some(attributes) = item.get_mut("attributes").and_then(Value::as_object_mut) {
            match action {
                "deactivate" if attributes.contains_key("deactivated_at") => {
                    attributes.insert("deactivated_at".into(), json!(now));
                }
                "reactivate" if attributes.contains_key("deactivated_at") => {
                    attributes.insert("deactivated_at".into(), Value::Null);
                    if attributes.contains_key("deactivation_reason") {
                        attributes.insert("deactivation_reason".into(), Value::Null);
                    }
                }
                _ => {}
            }
            stamp(attributes, "updated_at", &now);
        }
        Ok(Some(item.clone()))
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
