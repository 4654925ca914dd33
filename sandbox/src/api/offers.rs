//! Offers granted to contacts and customers: the customer created on the first grant, both
//! holding the same offers, a purchase recorded (and a `purchase` event) per grant.

use serde_json::{json, Value};

use super::{stamp, Writer};
use crate::catalog::Route;
use crate::seed::point_relationships;
use crate::store::id_of;
use crate::webhooks::Pending;

impl Writer<'_, '_> {
    /// Offers granted to (or taken from) a contact or a customer: the contact's customer is
    /// created if there is none, both hold the same offers, and each grant records a purchase.
    pub(super) fn grant(
        &mut self,
        route: &Route,
        owner: &str,
        id: &str,
        added: &[Value],
        removed: &[Value],
    ) {
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
        // The `purchase` event: the purchase, its customer and the offer; a hook's
        // `resource_id` names the offer.
        let customer = self.store.get(&customers.path, customer_id).cloned();
        let offer_item = catalog
            .target("offers")
            .and_then(|o| self.store.get(&catalog.resources[o].path, id_of(offer)))
            .cloned();
        self.events.push(Pending {
            event: "purchase".into(),
            id: id.clone(),
            subject: Some(id_of(offer).to_string()),
            context: [Some(purchase.clone()), customer, offer_item]
                .into_iter()
                .flatten()
                .collect(),
        });
        self.store.insert(&purchases.path, purchase);
    }
}
