//! Helpers shared by the integration tests: a client, token grants, and validators built
//! from the spec's original (3.1) schemas.

#![allow(dead_code)]

use kajabi_codegen::Operation;
use kajabi_sandbox::Sandbox;
use serde_json::{json, Map, Value};

/// The document the sandbox embeds, read the same way.
pub const SPEC_YAML: &str = include_str!("../../../openapi.yaml");

/// A plain HTTP client.
pub fn client() -> reqwest::Client {
    reqwest::Client::new()
}

/// A pair from the client credentials grant: `(access, refresh)`.
pub async fn grant(sandbox: &Sandbox, client: &reqwest::Client) -> (String, String) {
    let response = client
        .post(format!("{}/v1/oauth/token", sandbox.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sandbox.client_id()),
            ("client_secret", sandbox.client_secret()),
        ])
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status(), 200);
    pair(response).await
}

/// The `(access, refresh)` of a token response.
pub async fn pair(response: reqwest::Response) -> (String, String) {
    let body: Value = response.json().await.expect("token JSON");
    let get = |key: &str| body[key].as_str().expect("token field").to_string();
    (get("access_token"), get("refresh_token"))
}

/// `Content-Type` of a response, `""` when absent.
pub fn content_type(response: &reqwest::Response) -> String {
    response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string()
}

/// The original document and the normalizer's operation table.
pub fn spec() -> (Value, Vec<Operation>) {
    let document = kajabi_codegen::load(SPEC_YAML).expect("spec loads");
    let operations = kajabi_codegen::normalize(&document)
        .expect("spec normalizes")
        .operations;
    (document, operations)
}

/// `path` with every `{param}` replaced by `value`.
pub fn fill(path: &str, value: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        match rest[start..].find('}') {
            Some(end) => {
                out.push_str(value);
                rest = &rest[start + end + 1..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Validates bodies against the spec's schemas as JSON Schema 2020-12: component schemas
/// become `$defs`, `nullable: true` lets `null` through, formats are checked.
pub struct Schemas {
    document: Value,
    defs: Value,
}

impl Schemas {
    pub fn new(document: &Value) -> Schemas {
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
        let defs = Value::Object(defs);
        Schemas {
            document: document.clone(),
            defs,
        }
    }

    /// The schema of `op`'s `status` response body, if it has content: `(media, schema)`.
    pub fn response(&self, op: &Operation, status: &str) -> Option<(String, Value)> {
        let response = self
            .document
            .get("paths")?
            .get(&op.path)?
            .get(op.method.to_ascii_lowercase())?
            .get("responses")?
            .get(status)?;
        let (media, object) = response.get("content")?.as_object()?.iter().next()?;
        Some((
            media.clone(),
            object.get("schema").cloned().unwrap_or(json!(true)),
        ))
    }

    /// The validation errors of `instance` against `schema` (a schema from the document).
    pub fn errors(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let mut root = match convert(schema.clone()) {
            Value::Object(map) => map,
            other => {
                let mut map = Map::new();
                map.insert("allOf".into(), json!([other]));
                map
            }
        };
        root.insert("$defs".into(), self.defs.clone());
        root.insert(
            "$schema".into(),
            json!("https://json-schema.org/draft/2020-12/schema"),
        );
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&Value::Object(root))
            .expect("schema compiles");
        validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect()
    }
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
                    // Maps from names to schemas: convert the schemas, keep the names.
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
