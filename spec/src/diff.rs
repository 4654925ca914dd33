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

use crate::normalize::{Normalized, Operation};

/// Schema keywords that only document; a change to them changes no generated code.
const DOC_KEYWORDS: &[&str] = &[
    "description",
    "title",
    "example",
    "examples",
    "externalDocs",
];

/// Schema keywords whose value is a schema.
const SCHEMA_KEYWORDS: &[&str] = &[
    "items",
    "additionalProperties",
    "not",
    "contains",
    "propertyNames",
    "if",
    "then",
    "else",
];

/// Schema keywords whose value is a list of schemas.
const SCHEMA_LIST_KEYWORDS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];

/// Schema keywords whose value maps names to schemas.
const SCHEMA_MAP_KEYWORDS: &[&str] = &["properties", "patternProperties", "dependentSchemas"];

/// What changed for callers between two documents; `Display` renders the report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiDiff {
    /// `info.version` of the old document.
    pub old_version: Option<String>,
    /// `info.version` of the new document.
    pub new_version: Option<String>,
    /// Operations only in the new document, in its order.
    pub added: Vec<Endpoint>,
    /// Operations only in the old document, in its order.
    pub removed: Vec<Endpoint>,
    /// Operations in both that differ, in the new document's order.
    pub changed: Vec<OperationChange>,
    /// Component schemas added, removed or changed, by name.
    pub schemas: Vec<SchemaChange>,
}

/// One operation: where it is and what the SDK calls it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template, e.g. `/v1/contacts/{id}`.
    pub path: String,
    /// The synthesized SDK method name, e.g. `get_contact`.
    pub name: String,
}

/// A value before and after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed<T> {
    /// Before.
    pub old: T,
    /// After.
    pub new: T,
}

/// How one operation present in both documents differs.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationChange {
    /// The operation, under its new name.
    pub endpoint: Endpoint,
    /// The path before and after, if the operation moved (same method and SDK name).
    pub moved: Option<Changed<String>>,
    /// The SDK method name, if it changed for the same method and path.
    pub renamed: Option<Changed<String>>,
    /// Parameters added, removed or changed.
    pub parameters: Vec<ParameterChange>,
    /// The request body and success responses whose schema changed.
    pub payloads: Vec<PayloadChange>,
    /// The request body's declared media type, if it changed.
    pub request_media: Option<Changed<Option<String>>>,
    /// The success response's declared media type, if it changed.
    pub response_media: Option<Changed<Option<String>>>,
    /// Whether a bearer token is required, if that changed.
    pub secured: Option<Changed<bool>>,
}

/// A parameter as callers see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The name on the wire, e.g. `page[number]`.
    pub name: String,
    /// Where it goes: `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Whether callers must give it.
    pub required: bool,
    /// Its schema, `$ref`s resolved and documentation removed.
    pub schema: Value,
}

/// A parameter added, removed or changed; parameters are identified by name and location.
#[derive(Debug, Clone, PartialEq)]
pub enum ParameterChange {
    /// Only in the new document.
    Added(Parameter),
    /// Only in the old document.
    Removed(Parameter),
    /// In both, with a different `required` or schema.
    Changed(Changed<Parameter>),
}

/// What an operation sends or returns under one heading.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// Not declared: no request body, or the status is not listed.
    Absent,
    /// Declared without a body, e.g. a `204`.
    Empty,
    /// A body with this schema, `$ref`s resolved and documentation removed.
    Schema(Value),
}

/// The request body or one success response of an operation, before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct PayloadChange {
    /// `request body` or `response <status>`.
    pub subject: String,
    /// Before.
    pub old: Payload,
    /// After.
    pub new: Payload,
}

/// A component schema (`#/components/schemas/<name>`), before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaChange {
    /// The component's name.
    pub name: String,
    /// Its definition before, documentation removed; `None` if it was added.
    pub old: Option<Value>,
    /// Its definition after, documentation removed; `None` if it was removed.
    pub new: Option<Value>,
}

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

fn schema_changes(old: &Side<'_>, new: &Side<'_>) -> Vec<SchemaChange> {
    let empty = Map::new();
    let (old_schemas, new_schemas) = (old.schemas.unwrap_or(&empty), new.schemas.unwrap_or(&empty));
    let names: BTreeSet<&String> = old_schemas.keys().chain(new_schemas.keys()).collect();
    names
        .into_iter()
        .filter_map(|name| {
            // Written form, references kept: only the component that changed is listed.
            let before = old_schemas
                .get(name)
                .map(|s| canonical(s, None, &mut Vec::new()));
            let after = new_schemas
                .get(name)
                .map(|s| canonical(s, None, &mut Vec::new()));
            (before != after).then(|| SchemaChange {
                name: name.clone(),
                old: before,
                new: after,
            })
        })
        .collect()
}

/// A schema without documentation keywords and, when `components` is given, with each `$ref`
/// to `#/components/schemas/...` replaced by its target. `stack` holds the components being
/// expanded, so a recursive schema stops at its own reference instead of looping.
fn canonical(
    schema: &Value,
    components: Option<&Map<String, Value>>,
    stack: &mut Vec<String>,
) -> Value {
    let Some(map) = schema.as_object() else {
        return schema.clone();
    };
    if let (Some(components), Some(reference)) =
        (components, map.get("$ref").and_then(Value::as_str))
    {
        let name = reference.strip_prefix("#/components/schemas/");
        if let Some((name, target)) = name.and_then(|n| Some((n, components.get(n)?))) {
            if !stack.iter().any(|s| s == name) {
                stack.push(name.to_string());
                let mut resolved = canonical(target, Some(components), stack);
                stack.pop();
                // Keywords beside a `$ref` (3.1 allows them) apply on top of the target.
                if let Some(target) = resolved.as_object_mut() {
                    for (key, value) in map {
                        if key != "$ref" && !DOC_KEYWORDS.contains(&key.as_str()) {
                            target.insert(key.clone(), canonical(value, Some(components), stack));
                        }
                    }
                }
                return resolved;
            }
        }
    }
    let mut out = Map::new();
    for (key, value) in map {
        let key_str = key.as_str();
        if DOC_KEYWORDS.contains(&key_str) {
            continue;
        }
        let value = if SCHEMA_KEYWORDS.contains(&key_str) {
            canonical(value, components, stack)
        } else if SCHEMA_LIST_KEYWORDS.contains(&key_str) {
            match value {
                Value::Array(items) => Value::Array(
                    items
                        .iter()
                        .map(|s| canonical(s, components, stack))
                        .collect(),
                ),
                other => other.clone(),
            }
        } else if SCHEMA_MAP_KEYWORDS.contains(&key_str) {
            match value {
                Value::Object(entries) => Value::Object(
                    entries
                        .iter()
                        .map(|(name, s)| (name.clone(), canonical(s, components, stack)))
                        .collect(),
                ),
                other => other.clone(),
            }
        } else {
            // `enum`, `default`, `required`, ...: data, not schemas; compared as they are.
            value.clone()
        };
        out.insert(key.clone(), value);
    }
    Value::Object(out)
}

impl Endpoint {
    fn of(op: &Operation) -> Self {
        Endpoint {
            method: op.method.clone(),
            path: op.path.clone(),
            name: op.name.clone(),
        }
    }
}

impl OperationChange {
    fn is_empty(&self) -> bool {
        self.moved.is_none()
            && self.renamed.is_none()
            && self.parameters.is_empty()
            && self.payloads.is_empty()
            && self.request_media.is_none()
            && self.response_media.is_none()
            && self.secured.is_none()
    }
}

mod report;
#[cfg(test)]
mod tests;
