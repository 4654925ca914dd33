//! Relationship operations (`.../{id}/relationships/<name>`): read, add, replace, remove; a
//! change of a contact's tags becomes a webhook event.

use axum::http::StatusCode;
use serde_json::{json, Value};

use super::{Call, Writer};
use crate::catalog::Route;
use crate::store::id_of;
use crate::validation::Problem;
use crate::webhooks;

impl Writer<'_, '_> {
    /// Reads or writes relationship `name` of the owner; the new identifiers.
    pub(super) fn relationship(
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
        if name == "tags" && owner.name == "contacts" {
            self.tag_events(&owner.path, id, &added, &removed);
        }
        if name == "offers" {
            self.grant(route, &owner.name, id, &added, &removed);
        }
        Ok(Value::Array(updated))
    }

    /// `tag_added` / `tag_removed` for the tags added to or removed from contact `id`.
    fn tag_events(&mut self, path: &str, id: &str, added: &[Value], removed: &[Value]) {
        let Some(contact) = self.store.get(path, id).cloned() else {
            return;
        };
        let tags = self
            .catalog
            .target("tags")
            .map(|t| &self.catalog.resources[t]);
        let store = &*self.store;
        let tag = |tag_id: &str| tags.and_then(|t| store.get(&t.path, tag_id)).cloned();
        let events = webhooks::tag_changes(&contact, added, removed, tag);
        self.events.extend(events);
    }

    /// Sets relationship `name` of item `id` of `path` to `identifiers`.
    pub(super) fn set_related(&mut self, path: &str, id: &str, name: &str, identifiers: &[Value]) {
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
}
