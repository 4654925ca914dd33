//! What the spec's schemas tell the CLI: how a flag's text is read, its help, and which
//! members are credentials.

use std::collections::BTreeSet;

use kajabi_spec::{normalize::SECRET_FORMAT, resolve};
use serde_json::Value;

use super::ValueKind;

/// The names of the properties marked as credentials anywhere in `schema`, sorted, once each.
pub(super) fn secret_properties(document: &Value, schema: &Value) -> Vec<String> {
    let mut names = Vec::new();
    collect_secrets(document, schema, &mut names, &mut BTreeSet::new());
    names.sort();
    names.dedup();
    names
}

/// Each `$ref` is followed once: a recursive schema ends, and a schema met again names what
/// it named the first time.
fn collect_secrets<'a>(
    document: &'a Value,
    schema: &'a Value,
    names: &mut Vec<String>,
    followed: &mut BTreeSet<&'a str>,
) {
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        if !followed.insert(reference) {
            return;
        }
    }
    let schema = resolve(document, schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            if is_secret(document, property) {
                names.push(name.clone());
            }
            collect_secrets(document, property, names, followed);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = schema.get(key).filter(|v| v.is_object()) {
            collect_secrets(document, inner, names, followed);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for inner in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            collect_secrets(document, inner, names, followed);
        }
    }
}

pub(super) fn is_secret(document: &Value, schema: &Value) -> bool {
    let schema = resolve(document, schema);
    schema.get("format").and_then(Value::as_str) == Some(SECRET_FORMAT)
}

pub(super) fn description(schema: &Value) -> String {
    schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

pub(super) fn value_kind(document: &Value, schema: &Value) -> (ValueKind, bool, Vec<String>) {
    let schema = resolve(document, schema);
    let ty = schema.as_object().and_then(kajabi_spec::primary_type);
    let values = schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|v| {
            v.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    match ty {
        Some("string") => (ValueKind::String, false, values),
        Some("integer") => (ValueKind::Integer, false, Vec::new()),
        Some("number") => (ValueKind::Number, false, Vec::new()),
        Some("boolean") => (ValueKind::Boolean, false, Vec::new()),
        Some("array") => match schema.get("items").map(|i| value_kind(document, i)) {
            Some((kind, false, values)) if kind != ValueKind::Json => (kind, true, values),
            _ => (ValueKind::Json, false, Vec::new()),
        },
        _ => (ValueKind::Json, false, Vec::new()),
    }
}
