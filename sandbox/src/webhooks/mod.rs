//! Webhook deliveries: which hooks an event reaches, the envelope POSTed to them, and the
//! record of every delivery.
//!
//! A state change (a tag added to a contact, …) or a trigger becomes a [`Pending`] event
//! while the store is locked; [`plan`] finds the hooks of its event (a hook with a
//! `resource_id` only for that resource) and builds each body, `{"id", "event", "payload"}`
//! ([`payload`]); [`Webhooks::dispatch`] then POSTs them on tasks of the sandbox's runtime,
//! so no API answer waits for a receiver, and records each one ([`Delivery`]).

mod deliver;
mod payload;
pub(crate) mod trigger;

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use serde_json::{json, Value};
use tokio::sync::watch;

use crate::catalog::Catalog;
use crate::store::{id_of, Store};

pub use deliver::ATTEMPTS;

/// How many delivery records a sandbox keeps; older ones are dropped first.
pub const MAX_RECORDS: usize = 10_000;

/// One webhook delivery, as [`Sandbox::deliveries`](crate::Sandbox::deliveries) records it.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// The delivery's own id, unique in its sandbox: the number
    /// `POST /_sandbox/webhooks/trigger/{event}` answers in `delivery_ids`.
    pub id: u64,
    /// The id of the hook it was for.
    pub hook_id: String,
    /// The event, e.g. `tag_added`.
    pub event: String,
    /// The hook's `target_url`.
    pub target_url: String,
    /// The JSON body, `{"id": …, "event": …, "payload": [...]}`.
    pub body: Value,
    /// What happened.
    pub outcome: Outcome,
    /// How many POSTs were made (0 when skipped).
    pub attempts: u32,
}

/// What became of a [`Delivery`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The receiver answered this 2xx status.
    Delivered {
        /// The status.
        status: u16,
    },
    /// Every attempt failed ([`ATTEMPTS`]): the last answer's status, if there was one.
    Failed {
        /// The last non-2xx status, `None` when there was no answer.
        status: Option<u16>,
        /// Why, in one line.
        reason: String,
    },
    /// Not sent: the sandbox delivers to loopback targets only.
    SkippedNotLoopback,
}

impl Delivery {
    /// The record as JSON, for `GET /_sandbox/webhooks/deliveries`.
    pub(crate) fn to_json(&self) -> Value {
        let outcome = match &self.outcome {
            Outcome::Delivered { status } => json!({"result": "delivered", "status": status}),
            Outcome::Failed { status, reason } => {
                json!({"result": "failed", "status": status, "reason": reason})
            }
            Outcome::SkippedNotLoopback => json!({"result": "skipped_not_loopback"}),
        };
        json!({
            "id": self.id,
            "hook_id": self.hook_id,
            "event": self.event,
            "target_url": self.target_url,
            "body": self.body,
            "outcome": outcome,
            "attempts": self.attempts,
        })
    }
}

/// An event [`Sandbox::trigger`](crate::Sandbox::trigger) was asked for that the spec does
/// not list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownEvent {
    /// The name asked for.
    pub name: String,
    /// Every event the spec lists.
    pub known: Vec<String>,
}

impl std::fmt::Display for UnknownEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "unknown webhook event {:?}; the spec lists {}",
            self.name,
            self.known.join(", ")
        )
    }
}

impl std::error::Error for UnknownEvent {}

/// An event caused by a state change or a trigger, before its hooks are found.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    /// The event's wire name.
    pub(crate) event: String,
    /// The envelope's `id`: the resource that triggered it (the contact a tag was added to).
    pub(crate) id: String,
    /// The resource a hook's `resource_id` is compared with (the tag); `None` (a trigger):
    /// every hook of the event.
    pub(crate) subject: Option<String>,
    /// Stored resource objects the payload is built from.
    pub(crate) context: Vec<Value>,
}

/// A delivery to make.
#[derive(Debug)]
pub(crate) struct Planned {
    hook_id: String,
    event: String,
    target_url: String,
    body: Value,
}

/// The deliveries `pending` causes: one per hook of its event whose `resource_id` is absent
/// or names its subject.
pub(crate) fn plan(catalog: &Catalog, store: &Store, pending: Vec<Pending>) -> Vec<Planned> {
    let Some(hooks) = catalog.target("hooks").map(|h| &catalog.resources[h]) else {
        return Vec::new();
    };
    let mut planned = Vec::new();
    for event in pending {
        let Some(payload) = payload::build(catalog, &event.event, &event.context) else {
            continue;
        };
        let body = json!({"id": event.id, "event": event.event, "payload": payload});
        for hook in store.items(&hooks.path) {
            let attributes = &hook["attributes"];
            if attributes["event"].as_str() != Some(event.event.as_str()) {
                continue;
            }
            let resource = match &attributes["resource_id"] {
                Value::Number(n) => Some(n.to_string()),
                Value::String(s) => Some(s.clone()),
                _ => None,
            };
            if let (Some(resource), Some(subject)) = (resource, &event.subject) {
                if &resource != subject {
                    continue;
                }
            }
            planned.push(Planned {
                hook_id: id_of(hook).to_string(),
                event: event.event.clone(),
                target_url: attributes["target_url"].as_str().unwrap_or("").to_string(),
                body: body.clone(),
            });
        }
    }
    planned
}

/// A tag added to or removed from a contact: `tag_added` / `tag_removed` for each tag, the
/// contact (as it is now) the envelope's `id`, the tag the hook's `resource_id`.
pub(crate) fn tag_changes(
    contact: &Value,
    added: &[Value],
    removed: &[Value],
    tag: impl Fn(&str) -> Option<Value>,
) -> Vec<Pending> {
    let changes = added
        .iter()
        .map(|t| ("tag_added", t))
        .chain(removed.iter().map(|t| ("tag_removed", t)));
    changes
        .map(|(event, identifier)| Pending {
            event: event.to_string(),
            id: id_of(contact).to_string(),
            subject: Some(id_of(identifier).to_string()),
            context: std::iter::once(contact.clone())
                .chain(tag(id_of(identifier)))
                .collect(),
        })
        .collect()
}

/// The record of deliveries, and a count that waiters watch.
struct Log {
    state: Mutex<State>,
    recorded: watch::Sender<usize>,
}

/// The deliveries that ended and the ones still under way, under one lock so that a reader
/// always finds a delivery in one or the other.
#[derive(Default)]
struct State {
    records: VecDeque<Delivery>,
    /// Started and not ended, by id: the record as JSON with a `pending` outcome.
    pending: HashMap<u64, Value>,
    /// The id the next delivery gets.
    next_id: u64,
}

impl Log {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn record(&self, delivery: Delivery) {
        let mut state = self.state();
        if state.records.len() == MAX_RECORDS {
            state.records.pop_front();
        }
        state.pending.remove(&delivery.id);
        state.records.push_back(delivery);
        drop(state);
        self.recorded.send_modify(|count| *count += 1);
    }
}

/// One sandbox's deliveries: the HTTP client, the runtime they run on, and their record.
pub(crate) struct Webhooks {
    log: Arc<Log>,
    client: reqwest::Client,
    runtime: tokio::runtime::Handle,
}

impl Webhooks {
    /// Deliveries run on `runtime`.
    pub(crate) fn new(runtime: tokio::runtime::Handle) -> Webhooks {
        Webhooks {
            log: Arc::new(Log {
                state: Mutex::new(State {
                    next_id: 1,
                    ..State::default()
                }),
                recorded: watch::Sender::new(0),
            }),
            client: deliver::client(),
            runtime,
        }
    }

    /// Records a non-loopback delivery as skipped at once; POSTs the others on their own
    /// tasks and records them when they end. The ids of the deliveries, in `planned`'s order.
    pub(crate) fn dispatch(&self, planned: Vec<Planned>) -> Vec<u64> {
        let mut ids = Vec::with_capacity(planned.len());
        for delivery in planned {
            let loopback = deliver::is_loopback(&delivery.target_url);
            let url = delivery.target_url.clone();
            let bytes = delivery.body.to_string().into_bytes();
            let mut state = self.log.state();
            let id = state.next_id;
            state.next_id += 1;
            if loopback {
                state.pending.insert(
                    id,
                    json!({
                        "id": id,
                        "hook_id": delivery.hook_id,
                        "event": delivery.event,
                        "target_url": delivery.target_url,
                        "body": delivery.body,
                        "outcome": {"result": "pending"},
                        "attempts": 0,
                    }),
                );
            }
            drop(state);
            ids.push(id);
            let record = move |outcome, attempts| Delivery {
                id,
                hook_id: delivery.hook_id,
                event: delivery.event,
                target_url: delivery.target_url,
                body: delivery.body,
                outcome,
                attempts,
            };
            if !loopback {
                self.log.record(record(Outcome::SkippedNotLoopback, 0));
                continue;
            }
            let (log, client) = (Arc::clone(&self.log), self.client.clone());
            self.runtime.spawn(async move {
                let (outcome, attempts) = deliver::post(&client, &url, bytes).await;
                log.record(record(outcome, attempts));
            });
        }
        ids
    }

    /// Delivery `id` as JSON: its record once it has ended, else with a `pending` outcome;
    /// `None` for an id never given or whose record was dropped ([`MAX_RECORDS`]).
    pub(crate) fn find(&self, id: u64) -> Option<Value> {
        let state = self.log.state();
        if let Some(pending) = state.pending.get(&id) {
            return Some(pending.clone());
        }
        state
            .records
            .iter()
            .rev()
            .find(|d| d.id == id)
            .map(Delivery::to_json)
    }

    /// Waits until delivery `id` is no longer under way (or never was).
    pub(crate) async fn ended(&self, id: u64) {
        let mut watcher = self.log.recorded.subscribe();
        // The sender lives as long as `self`: waiting cannot fail.
        let _ = watcher
            .wait_for(|_| !self.log.state().pending.contains_key(&id))
            .await;
    }

    /// Every delivery recorded so far, oldest first.
    pub(crate) fn records(&self) -> Vec<Delivery> {
        self.log.state().records.iter().cloned().collect()
    }

    /// Waits until at least `count` deliveries have been recorded in all.
    pub(crate) async fn recorded(&self, count: usize) {
        let mut watcher = self.log.recorded.subscribe();
        // The sender lives as long as `self`: waiting cannot fail.
        let _ = watcher.wait_for(|recorded| *recorded >= count).await;
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde_json::{json, Value};

    use super::{plan, Pending};
    use crate::catalog::Catalog;
    use crate::store::Store;

    /// The vendored spec types `resource_id` as an integer; a hook stored with a string one
    /// (a spec whose ids are strings, as JSON:API's are) is compared by its text, not taken
    /// for "every resource".
    #[test]
    fn a_hooks_resource_id_matches_as_a_number_or_as_a_string() {
        let catalog = Catalog::shared().expect("the vendored spec");
        let hooks = &catalog.resources[catalog.target("hooks").expect("a hooks collection")];
        let hook = |id: &str, resource_id: Value| {
            json!({"id": id, "type": "hooks", "attributes": {
                "event": "purchase", "target_url": "https://example.com/", "resource_id": resource_id}})
        };
        let store = Store::new(
            BTreeMap::from([(
                hooks.path.clone(),
                vec![
                    hook("1", json!(7)),
                    hook("2", json!("7")),
                    hook("3", json!("8")),
                    hook("4", json!(8)),
                    hook("5", Value::Null),
                ],
            )]),
            100,
        );
        let purchase = Pending {
            event: "purchase".into(),
            id: "1".into(),
            subject: Some("7".into()),
            context: Vec::new(),
        };
        let planned = plan(&catalog, &store, vec![purchase]);
        let hook_ids: Vec<&str> = planned.iter().map(|p| p.hook_id.as_str()).collect();
        assert_eq!(hook_ids, ["1", "2", "5"]);
    }
}
