//! The data set every sandbox starts with (and returns to on [`Sandbox::reset`]).
//!
//! Every collection of the spec gets [`SEED_SIZE`] items, ids `"1"` to `"7"`, built from the
//! spec's example of the resource. They point at each other coherently: item *n*'s to-one
//! relationships name item *n* of the target collection (contact 3 ↔ customer 3, purchase 3 →
//! offer 3 and customer 3) except `site`, which is always site `"1"`; its to-many
//! relationships hold item *n* (contact 3 is tagged with tag 3 and holds offer 3). People (items
//! with an `email`) get names and addresses, other `name`s and `title`s read "Offer 3", …; the
//! seed picks which names. The same seed always gives the same data.
//!
//! [`Sandbox::reset`]: crate::Sandbox::reset

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::catalog::Catalog;
use crate::store::Store;

/// How many items every collection starts with.
pub const SEED_SIZE: usize = 7;

const PEOPLE: &[&str] = &[
    "Ada Lovelace",
    "Grace Hopper",
    "Alan Turing",
    "Katherine Johnson",
    "Edsger Dijkstra",
    "Barbara Liskov",
    "Donald Knuth",
    "Frances Allen",
    "John Backus",
    "Margaret Hamilton",
    "Tony Hoare",
];

/// The initial store for `seed`.
pub(crate) fn seeded(catalog: &Catalog, seed: u64) -> Store {
    let mut collections = BTreeMap::new();
    for resource in &catalog.resources {
        let items = (1..=SEED_SIZE)
            .map(|n| {
                let mut item = resource.template.clone();
                item["id"] = json!(n.to_string());
                item["type"] = json!(resource.kind);
                point_relationships(catalog, &mut item, &n.to_string());
                readable(&mut item, &resource.name, n, seed);
                item
            })
            .collect();
        collections.insert(resource.path.clone(), items);
    }
    Store::new(collections, SEED_SIZE + 1)
}

/// Appends `count` items to the collection named `collection` (`contacts` or `/v1/contacts`),
/// built like the seeded ones, with fresh ids; their relationships point at the seeded items
/// `"1"`.
pub(crate) fn add(
    catalog: &Catalog,
    store: &mut Store,
    collection: &str,
    count: usize,
    seed: u64,
) -> Result<(), UnknownCollection> {
    let Some(resource) = catalog
        .resources
        .iter()
        .find(|r| r.name == collection || r.path == collection)
    else {
        return Err(UnknownCollection {
            name: collection.to_string(),
            known: catalog.resources.iter().map(|r| r.name.clone()).collect(),
        });
    };
    let mut template = resource.template.clone();
    template["type"] = json!(resource.kind);
    point_relationships(catalog, &mut template, "1");
    for _ in 0..count {
        let id = store.next_id();
        let mut item = template.clone();
        // Ids are numbers from the store's counter, so they also pick the readable names.
        let n: usize = id.parse().unwrap_or(1);
        item["id"] = json!(id);
        readable(&mut item, &resource.name, n, seed);
        store.insert(&resource.path, item);
    }
    Ok(())
}

/// A collection [`Sandbox::add_items`](crate::Sandbox::add_items) was asked for that the spec
/// does not have.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownCollection {
    /// The name asked for.
    pub name: String,
    /// Every collection the sandbox stores (`contacts`, `offers`, ...).
    pub known: Vec<String>,
}

impl std::fmt::Display for UnknownCollection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown collection {:?}; the sandbox stores {}",
            self.name,
            self.known.join(", ")
        )
    }
}

impl std::error::Error for UnknownCollection {}

/// Points every relationship of `item` whose target collection is known at item `n` of it
/// (sites: `"1"`).
pub(crate) fn point_relationships(catalog: &Catalog, item: &mut Value, n: &str) {
    let Some(relationships) = item.get_mut("relationships").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, relationship) in relationships.iter_mut() {
        let Some(target) = catalog.target(name).map(|t| &catalog.resources[t]) else {
            continue;
        };
        let id = if target.name == "sites" { "1" } else { n };
        let identifier = json!({"id": id, "type": target.kind});
        match relationship.get_mut("data") {
            Some(data) if data.is_array() => *data = json!([identifier]),
            Some(data) => *data = identifier,
            None => {}
        }
    }
}

/// Readable names, titles and emails, where the item has such string attributes.
fn readable(item: &mut Value, collection: &str, n: usize, seed: u64) {
    let Some(attributes) = item.get_mut("attributes").and_then(Value::as_object_mut) else {
        return;
    };
    let is_string = |attributes: &Map<String, Value>, key: &str| {
        attributes.get(key).is_some_and(Value::is_string)
    };
    if is_string(attributes, "email") {
        let offset = (seed % PEOPLE.len() as u64) as usize;
        let person = PEOPLE[(offset + n - 1) % PEOPLE.len()];
        let email = format!(
            "{}.{n}@example.com",
            person.to_lowercase().replace(' ', ".")
        );
        attributes.insert("email".into(), json!(email));
        if is_string(attributes, "name") {
            attributes.insert("name".into(), json!(person));
        }
        return;
    }
    let singular = collection
        .strip_suffix('s')
        .unwrap_or(collection)
        .replace('_', " ");
    let mut label = singular.clone();
    if let Some(first) = label.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    for key in ["name", "title"] {
        if is_string(attributes, key) {
            attributes.insert(key.into(), json!(format!("{label} {n}")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::id_of;

    #[test]
    fn every_collection_is_seeded_coherently() {
        let catalog = Catalog::shared().expect("catalog");
        let store = seeded(&catalog, 0);
        for resource in &catalog.resources {
            let items = store.items(&resource.path);
            assert_eq!(items.len(), SEED_SIZE, "{}", resource.path);
            assert_eq!(items[2]["id"], "3");
            assert_eq!(items[2]["type"], json!(resource.kind));
        }
        let contact = store.get("/v1/contacts", "3").expect("contact 3");
        assert_eq!(contact["relationships"]["customer"]["data"]["id"], "3");
        assert_eq!(contact["relationships"]["site"]["data"]["id"], "1");
        assert_eq!(
            contact["relationships"]["tags"]["data"],
            json!([{"id": "3", "type": "contact_tags"}])
        );
        let customer = store.get("/v1/customers", "3").expect("customer 3");
        assert_eq!(customer["relationships"]["contact"]["data"]["id"], "3");
        assert_eq!(contact["attributes"]["name"], "Alan Turing");
        assert_eq!(contact["attributes"]["email"], "alan.turing.3@example.com");
        let offer = store.get("/v1/offers", "3").expect("offer 3");
        assert_eq!(offer["attributes"]["title"], "Offer 3");
        // Another seed, other names; the same seed, the same data.
        let other = seeded(&catalog, 1);
        assert_ne!(
            other
                .get("/v1/contacts", "3")
                .map(|c| &c["attributes"]["name"]),
            Some(&contact["attributes"]["name"])
        );
        assert_eq!(format!("{:?}", seeded(&catalog, 1)), format!("{other:?}"));
    }

    #[test]
    fn added_items_get_fresh_ids_and_point_at_seeded_ones() {
        let catalog = Catalog::shared().expect("catalog");
        let mut store = seeded(&catalog, 0);
        add(&catalog, &mut store, "contacts", 3, 0).expect("contacts");
        add(&catalog, &mut store, "/v1/offers", 1, 0).expect("offers");
        let contacts = store.items("/v1/contacts");
        assert_eq!(contacts.len(), SEED_SIZE + 3);
        let ids: Vec<_> = contacts[SEED_SIZE..].iter().map(id_of).collect();
        assert_eq!(ids, ["8", "9", "10"]);
        assert_eq!(id_of(&store.items("/v1/offers")[SEED_SIZE]), "11");
        let added = store.get("/v1/contacts", "10").expect("contact 10");
        assert_eq!(added["type"], "contacts");
        assert_eq!(added["relationships"]["customer"]["data"]["id"], "1");
        assert_eq!(
            added["attributes"]["email"],
            "margaret.hamilton.10@example.com"
        );
        let unknown = add(&catalog, &mut store, "nope", 1, 0).unwrap_err();
        assert!(unknown.known.contains(&"contacts".to_string()));
        assert!(unknown.to_string().contains("\"nope\""), "{unknown}");
    }
}
