//! What changed for callers between two versions of the document.
//!
//! [`diff`] compares two [`Normalized`] documents, the form the generator sees, so that only
//! changes that reach the generated client show: a 3.1 `type: [string, "null"]` that becomes
//! 3.0 `nullable: true` upstream, a reworded description or a new example is no change.
//! `cargo xtask sync-spec` prints the result ([`ApiDiff`]'s `Display`) before it vendors a new
//! document.
//!
//! What is compared, and how:
//! - **Operations** are identified by method and path. The synthesized method name is reported
//!   with each, and a different name for the same method and path is reported as a rename.
//!   An operation whose path changed but whose method and SDK name did not (names come from
//!   the resource part of the path, whatever its prefix) is reported as moved, not as one
//!   operation removed and another added.
//! - **Parameters** by name and location (`in`); compared on `required` and schema. A renamed
//!   parameter shows as one removed and one added.
//! - **Bodies**: the request body and each success response, with every `$ref` resolved, so a
//!   change to a component schema shows on every operation that uses it.
//! - **Component schemas** by name, as written (references left as references), so the list
//!   names the component that changed, not every component that refers to it.
//! - **Version**: `info.version`.
//!
//! Documentation-only schema keywords (`description`, `title`, `example`, `examples`,
//! `externalDocs`) are left out of every comparison, as are operation summaries and
//! descriptions, which the comparison never reads. Error responses are not compared: the
//! normalizer removes them and the hand-written layer decodes every error body itself.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use crate::{Normalized, Operation};

mod model;
mod report;
mod schema;
#[cfg(test)]
mod tests;

pub use model::{
    ApiDiff, Changed, Endpoint, OperationChange, Parameter, ParameterChange, Payload,
    PayloadChange, SchemaChange,
};
use schema::{canonical, schema_changes};

/// Compares two normalized documents; see the module documentation for what counts.
#[must_use]
pub fn diff(old: &Normalized, new: &Normalized) -> ApiDiff {
    let (old_side, new_side) = (Side::new(old), Side::new(new));
    let pairs = pair_operations(old, new);
    let added = new
        .operations
        .iter()
        .filter(|op| !pairs.iter().any(|(_, n)| std::ptr::eq(*n, *op)))
        .map(Endpoint::of)
        .collect();
    let removed = old
        .operations
        .iter()
        .filter(|op| !pairs.iter().any(|(o, _)| std::ptr::eq(*o, *op)))
        .map(Endpoint::of)
        .collect();
    let changed = pairs
        .iter()
        .filter_map(|(old_op, new_op)| {
            let change = OperationChange {
                endpoint: Endpoint::of(new_op),
                moved: changed(old_op.path.clone(), new_op.path.clone()),
                renamed: changed(old_op.name.clone(), new_op.name.clone()),
                parameters: parameter_changes(
                    &parameters(&old_side, old_op),
                    &parameters(&new_side, new_op),
                ),
                payloads: payload_changes(
                    &payloads(&old_side, old_op),
                    &payloads(&new_side, new_op),
                ),
                request_media: changed(old_op.request_media.clone(), new_op.request_media.clone()),
                response_media: changed(
                    old_op.response_media.clone(),
                    new_op.response_media.clone(),
                ),
                secured: changed(old_op.secured, new_op.secured),
            };
            (!change.is_empty()).then_some(change)
        })
        .collect();
    ApiDiff {
        old_version: version(old),
        new_version: version(new),
        added,
        removed,
        changed,
        schemas: schema_changes(&old_side, &new_side),
    }
}

/// The operations present in both documents, in the new document's order: the same method and
/// path, or else (a move) the same method and SDK name.
fn pair_operations<'a>(
    old: &'a Normalized,
    new: &'a Normalized,
) -> Vec<(&'a Operation, &'a Operation)> {
    let by_path = |op: &Operation| (op.method.clone(), op.path.clone());
    let by_name = |op: &Operation| (op.method.clone(), op.name.clone());
    let new_paths: BTreeSet<(String, String)> = new.operations.iter().map(by_path).collect();
    let old_by_path: BTreeMap<_, &Operation> =
        old.operations.iter().map(|op| (by_path(op), op)).collect();
    // Old operations whose path is gone: candidates for a move.
    let old_moved: BTreeMap<_, &Operation> = old
        .operations
        .iter()
        .filter(|op| !new_paths.contains(&by_path(op)))
        .map(|op| (by_name(op), op))
        .collect();
    new.operations
        .iter()
        .filter_map(|new_op| {
            let old_op = old_by_path
                .get(&by_path(new_op))
                .or_else(|| old_moved.get(&by_name(new_op)))?;
            Some((*old_op, new_op))
        })
        .collect()
}

/// One document's parts the comparison reads.
struct Side<'a> {
    paths: Option<&'a Map<String, Value>>,
    schemas: Option<&'a Map<String, Value>>,
}

impl<'a> Side<'a> {
    fn new(normalized: &'a Normalized) -> Self {
        let document = &normalized.document;
        Side {
            paths: document.get("paths").and_then(Value::as_object),
            schemas: document
                .get("components")
                .and_then(|c| c.get("schemas"))
                .and_then(Value::as_object),
        }
    }

    fn operation(&self, op: &Operation) -> Option<&'a Value> {
        self.paths?
            .get(&op.path)?
            .get(op.method.to_ascii_lowercase())
    }

    /// `schema` with every `$ref` to a component schema replaced by the component, and
    /// documentation removed.
    fn resolved(&self, schema: &Value) -> Value {
        canonical(schema, self.schemas, &mut Vec::new())
    }
}

fn version(normalized: &Normalized) -> Option<String> {
    match normalized.document.get("info")?.get("version")? {
        Value::String(s) => Some(s.clone()),
        // `version: 1.2` in YAML is a number; show it as written.
        other => Some(other.to_string()),
    }
}

fn changed<T: PartialEq>(old: T, new: T) -> Option<Changed<T>> {
    (old != new).then_some(Changed { old, new })
}

/// The operation's parameters as the spec model merged them, schemas resolved.
fn parameters(side: &Side<'_>, op: &Operation) -> Vec<Parameter> {
    op.parameters
        .iter()
        .map(|p| Parameter {
            name: p.name.clone(),
            location: p.location.clone(),
            required: p.required,
            schema: side.resolved(&p.schema),
        })
        .collect()
}

fn parameter_changes(old: &[Parameter], new: &[Parameter]) -> Vec<ParameterChange> {
    let find = |list: &[Parameter], p: &Parameter| -> Option<Parameter> {
        list.iter()
            .find(|q| q.name == p.name && q.location == p.location)
            .cloned()
    };
    let mut changes: Vec<ParameterChange> = old
        .iter()
        .filter(|p| find(new, p).is_none())
        .cloned()
        .map(ParameterChange::Removed)
        .collect();
    for p in new {
        match find(old, p) {
            None => changes.push(ParameterChange::Added(p.clone())),
            Some(before) if before != *p => changes.push(ParameterChange::Changed(Changed {
                old: before,
                new: p.clone(),
            })),
            Some(_) => {}
        }
    }
    changes
}

/// The request body and every success response, keyed by subject.
fn payloads(side: &Side<'_>, op: &Operation) -> BTreeMap<String, Payload> {
    let mut map = BTreeMap::new();
    let Some(operation) = side.operation(op) else {
        return map;
    };
    if let Some(body) = operation.get("requestBody") {
        map.insert("request body".to_string(), payload(side, body));
    }
    if let Some(responses) = operation.get("responses").and_then(Value::as_object) {
        for (status, response) in responses {
            // The normalizer has removed error responses; this keeps the rule if it stops.
            if status.starts_with('2') {
                map.insert(format!("response {status}"), payload(side, response));
            }
        }
    }
    map
}

/// A request body or response object as a [`Payload`]; the normalizer has left at most one
/// media type in `content`.
fn payload(side: &Side<'_>, object: &Value) -> Payload {
    match object
        .get("content")
        .and_then(Value::as_object)
        .and_then(|c| c.values().next())
    {
        None => Payload::Empty,
        // A media type without a schema takes any body: the empty schema.
        Some(media) => Payload::Schema(
            side.resolved(media.get("schema").unwrap_or(&Value::Object(Map::new()))),
        ),
    }
}

fn payload_changes(
    old: &BTreeMap<String, Payload>,
    new: &BTreeMap<String, Payload>,
) -> Vec<PayloadChange> {
    // Sorted: "request body" comes before "response ...", which is also the reading order.
    let subjects: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    subjects
        .into_iter()
        .filter_map(|subject| {
            let before = old.get(subject).cloned().unwrap_or(Payload::Absent);
            let after = new.get(subject).cloned().unwrap_or(Payload::Absent);
            (before != after).then(|| PayloadChange {
                subject: subject.clone(),
                old: before,
                new: after,
            })
        })
        .collect()
}
