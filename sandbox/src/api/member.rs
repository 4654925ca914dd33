//! Other operations under `.../{id}/`: a form's `submit` (a form submission, and a
//! `form_submission` event), a purchase's `deactivate` / `reactivate`.

use serde_json::{json, Value};

use super::{stamp, Call, Writer};
use crate::catalog::Route;
use crate::store::id_of;
use crate::validation::Problem;
use crate::webhooks::Pending;

impl Writer<'_, '_> {
    /// `POST .../{id}/<action>`: a submission created under the owner (a form's, which is a
    /// `form_submission` event), a state
    /// change of the owner (`deactivate`, `reactivate`), or the owner as it is.
    pub(super) fn member(
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
            let created = self.create(route, other, sent, link)?;
            if owner.name == "forms" {
                let form = self.store.get(&owner.path, id).cloned();
                self.events.push(Pending {
                    event: "form_submission".into(),
                    id: id_of(&created).to_string(),
                    subject: Some(id.to_string()),
                    context: std::iter::once(created.clone()).chain(form).collect(),
                });
            }
            return Ok(Some(created));
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
