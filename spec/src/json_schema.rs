//! The spec's schemas as plain JSON Schema 2020-12, for validating bodies in tests (the
//! sandbox's, the SDK's conformance test, users' own).

use serde_json::{json, Map, Value};

/// A JSON Schema 2020-12 document for `schema`, a schema of the OpenAPI `document` (3.0 or
/// 3.1): the document's component schemas become `$defs` and `$ref`s point there,
/// `nullable: true` lets `null` through, and OpenAPI-only keywords (`nullable`, `example`)
/// are dropped. Feed it to any JSON Schema validator.
pub fn json_schema(document: &Value, schema: &Value) -> Value {
    let defs: Map<String, Value> = document
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .map(|schemas| {
            schemas
                .iter()
                .map(|(name, schema)| (name.clone(), convert(schema.clone())))
                .collect()
        })
        .unwrap_or_default();
    let mut root = match convert(schema.clone()) {
        Value::Object(map) => map,
        other => {
            let mut map = Map::new();
            map.insert("allOf".into(), json!([other]));
            map
        }
    };
    root.insert("$defs".into(), Value::Object(defs));
    root.insert(
        "$schema".into(),
        json!("https://json-schema.org/draft/2020-12/schema"),
    );
    Value::Object(root)
}

/// Rewrites one OpenAPI schema (recursively) into plain JSON Schema 2020-12.
fn convert(value: Value) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(convert).collect()),
        Value::Object(map) => {
            let mut out = Map::new();
            let nullable = map.get("nullable") == Some(&json!(true));
            for (key, inner) in map {
                match key.as_str() {
                    "nullable" | "example" => {}
                    "$ref" => {
                        let target = inner
                            .as_str()
                            .unwrap_or("")
                            .replace("#/components/schemas/", "#/$defs/");
                        out.insert(key, json!(target));
                    }
                    "properties" | "$defs" => {
                        let converted = match inner {
                            Value::Object(props) => Value::Object(
                                props.into_iter().map(|(k, v)| (k, convert(v))).collect(),
                            ),
                            other => other,
                        };
                        out.insert(key, converted);
                    }
                    "enum" | "required" | "const" | "examples" | "default" => {
                        out.insert(key, inner);
                    }
                    _ => {
                        out.insert(key, convert(inner));
                    }
                }
            }
            if nullable {
                if let Some(Value::String(t)) = out.get("type").cloned() {
                    out.insert("type".into(), json!([t, "null"]));
                    if let Some(Value::Array(values)) = out.get_mut("enum") {
                        values.push(Value::Null);
                    }
                    Value::Object(out)
                } else {
                    json!({"anyOf": [Value::Object(out), {"type": "null"}]})
                }
            } else {
                Value::Object(out)
            }
        }
        other => other,
    }
}
