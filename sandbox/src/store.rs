//! The sandbox's data: every resource collection of the spec, in memory, per [`Sandbox`].
//!
//! A collection is keyed by its path (`/v1/contacts`) and keeps its items (JSON:API resource
//! objects, `{"id","type","attributes","relationships",...}`) in creation order. Ids are
//! strings; new ones come from one counter shared by all collections, starting after the
//! seeded ones, so an id is never handed out twice (not even after a delete).
//!
//! [`Sandbox`]: crate::Sandbox

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use serde_json::Value;

/// Every collection's items.
#[derive(Debug, Default, Clone)]
pub(crate) struct Store {
    collections: BTreeMap<String, Vec<Value>>,
    next_id: usize,
}

/// The `id` of a resource object, `""` if it has none.
pub(crate) fn id_of(item: &Value) -> &str {
    item.get("id").and_then(Value::as_str).unwrap_or("")
}

impl Store {
    /// A store holding `collections`; new ids start at `next_id`.
    pub(crate) fn new(collections: BTreeMap<String, Vec<Value>>, next_id: usize) -> Store {
        Store {
            collections,
            next_id,
        }
    }

    /// A fresh id, never handed out before by this store.
    pub(crate) fn next_id(&mut self) -> String {
        let id = self.next_id;
        self.next_id += 1;
        id.to_string()
    }

    /// The items of `collection`, in creation order (none for an unknown collection).
    pub(crate) fn items(&self, collection: &str) -> &[Value] {
        self.collections
            .get(collection)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// The item `id` of `collection`.
    pub(crate) fn get(&self, collection: &str, id: &str) -> Option<&Value> {
        self.items(collection).iter().find(|item| id_of(item) == id)
    }

    /// The item `id` of `collection`, to change it.
    pub(crate) fn get_mut(&mut self, collection: &str, id: &str) -> Option<&mut Value> {
        self.collections
            .get_mut(collection)?
            .iter_mut()
            .find(|item| id_of(item) == id)
    }

    /// Appends `item` to `collection`.
    pub(crate) fn insert(&mut self, collection: &str, item: Value) {
        self.collections
            .entry(collection.to_string())
            .or_default()
            .push(item);
    }

    /// Removes the item `id` of `collection`; false if there was none.
    pub(crate) fn remove(&mut self, collection: &str, id: &str) -> bool {
        let Some(items) = self.collections.get_mut(collection) else {
            return false;
        };
        let before = items.len();
        items.retain(|item| id_of(item) != id);
        items.len() != before
    }
}

/// Locks the store; a panic elsewhere never poisons the sandbox for good.
pub(crate) fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn items_are_found_changed_and_removed_by_id() {
        let mut store = Store::new(BTreeMap::new(), 8);
        assert_eq!(store.next_id(), "8");
        store.insert("/v1/contacts", json!({"id": "8", "type": "contacts"}));
        store.insert("/v1/contacts", json!({"id": "9", "type": "contacts"}));
        assert_eq!(store.items("/v1/contacts").len(), 2);
        assert!(store.get("/v1/contacts", "8").is_some());
        assert!(store.get("/v1/hooks", "8").is_none());
        if let Some(item) = store.get_mut("/v1/contacts", "9") {
            item["type"] = json!("changed");
        }
        assert_eq!(
            store.get("/v1/contacts", "9").map(|i| &i["type"]),
            Some(&json!("changed"))
        );
        assert!(store.remove("/v1/contacts", "8"));
        assert!(!store.remove("/v1/contacts", "8"));
        assert!(!store.remove("/v1/nothing", "8"));
        assert_eq!(store.next_id(), "9");
    }
}
