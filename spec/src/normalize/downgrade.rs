//! Schemas from OpenAPI 3.1 (JSON Schema 2020-12) to 3.0 form.

use serde_json::{json, Value};

use super::secrets::{mark_secret, SECRET_PROPERTIES};
use super::{err, NormalizeError};

/// Schema keywords of 3.1 (JSON Schema 2020-12) that only annotate and that 3.0 lacks.
pub(super) const DROPPED_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$comment",
    "$dynamicAnchor",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

/// Rewrites one schema (and every schema inside it) from 3.1 to 3.0 form.
pub(super) fn downgrade_schema(schema: &mut Value, location: &str) -> Result<(), NormalizeError> {
    let Some(map) = schema.as_object_mut() else {
        // `true`/`false` schemas of 3.1: 3.0 has only objects.
        if let Value::Bool(allow) = schema {
            *schema = if *allow {
                json!({})
            } else {
                json!({"not": {}})
            };
        }
        return Ok(());
    };
    if let Some(Value::Array(types)) = map.get("type").cloned() {
        let mut non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if non_null.len() < types.len() {
            map.insert("nullable".into(), json!(true));
        }
        match non_null.len() {
            0 => {
                map.remove("type");
            }
            1 => {
                map.insert("type".into(), non_null.remove(0));
            }
            _ => {
                return Err(err(
                    location,
                    format!(
                        "`type: {}` mixes several non-null types; OpenAPI 3.0 cannot express it",
                        Value::Array(types)
                    ),
                ));
            }
        }
    }
    if let Some(value) = map.remove("const") {
        map.insert("enum".into(), json!([value]));
    }
    if let Some(Value::Array(mut examples)) = map.remove("examples") {
        if !examples.is_empty() && !map.contains_key("example") {
            map.insert("example".into(), examples.swap_remove(0));
        }
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(value) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
            map.insert(bound.into(), value);
            map.insert(exclusive.into(), json!(true));
        }
    }
    for keyword in DROPPED_KEYWORDS {
        map.remove(*keyword);
    }
    if map.contains_key("prefixItems") {
        return Err(err(
            location,
            "`prefixItems` (tuple schema) has no OpenAPI 3.0 form",
        ));
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(inner) = map.get_mut(key) {
            if inner.is_object() {
                downgrade_schema(inner, &format!("{location}/{key}"))?;
            }
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = map.get_mut(key) {
            for (i, inner) in items.iter_mut().enumerate() {
                downgrade_schema(inner, &format!("{location}/{key}/{i}"))?;
            }
        }
    }
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (name, inner) in props.iter_mut() {
            downgrade_schema(inner, &format!("{location}/properties/{name}"))?;
            if SECRET_PROPERTIES.contains(&name.as_str()) {
                mark_secret(inner);
            }
        }
    }
    Ok(())
}
