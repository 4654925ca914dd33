//! Schemas compared as callers see them: documentation left out, references followed once.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::{SchemaChange, Side};

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

pub(super) fn schema_changes(old: &Side<'_>, new: &Side<'_>) -> Vec<SchemaChange> {
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
pub(super) fn canonical(
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
