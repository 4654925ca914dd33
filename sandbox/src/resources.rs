//! Resources created through the API, so that what a test creates it can read back.
//!
//! A `POST` to a collection (`/v1/contacts`) answering 201 with the same schema as the
//! collection's `GET .../{id}` stores the created `data` under a new id (`"8"`, `"9"`, ...:
//! ids 1 to 7 are the fixed list fixtures). `GET .../{id}` then answers with it, `PATCH`
//! updates its attributes and `DELETE` forgets it. Ids not in the store are still answered
//! with the operation's example (the sandbox is lenient, not a database), and lists keep
//! their fixed seven items so that paging stays predictable.

use std::collections::HashMap;

use serde_json::Value;

use crate::pagination::COLLECTION_SIZE;

/// Created resources, by collection path template and id.
#[derive(Debug)]
pub(crate) struct Store {
    next_id: usize,
    items: HashMap<(String, String), Value>,
}

impl Default for Store {
    fn default() -> Store {
        Store {
            next_id: COLLECTION_SIZE + 1,
            items: HashMap::new(),
        }
    }
}

impl Store {
    /// A fresh id, never handed out before by this store.
    pub(crate) fn next_id(&mut self) -> String {
        let id = self.next_id;
        self.next_id += 1;
        id.to_string()
    }

    /// Remembers `data` as the resource `id` of `collection`.
    pub(crate) fn insert(&mut self, collection: &str, id: &str, data: Value) {
        self.items
            .insert((collection.to_string(), id.to_string()), data);
    }

    /// The stored resource, if any.
    pub(crate) fn get_mut(&mut self, collection: &str, id: &str) -> Option<&mut Value> {
        self.items
            .get_mut(&(collection.to_string(), id.to_string()))
    }

    /// Forgets a resource; false if it was not stored.
    pub(crate) fn remove(&mut self, collection: &str, id: &str) -> bool {
        self.items
            .remove(&(collection.to_string(), id.to_string()))
            .is_some()
    }
}

/// Locks the store, recovering from a poisoned lock.
pub(crate) fn lock(store: &std::sync::Mutex<Store>) -> std::sync::MutexGuard<'_, Store> {
    store
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_start_after_the_fixtures() {
        let mut store = Store::default();
        assert_eq!(store.next_id(), "8");
        store.insert("/v1/contacts", "8", serde_json::json!({"id": "8"}));
        assert!(store.get_mut("/v1/contacts", "8").is_some());
        assert!(store.get_mut("/v1/hooks", "8").is_none());
        assert!(store.remove("/v1/contacts", "8"));
        assert!(!store.remove("/v1/contacts", "8"));
        assert_eq!(store.next_id(), "9");
    }
}
