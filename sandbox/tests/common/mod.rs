//! Helpers shared by the integration tests: a client, token grants, and validators built
//! from the spec's original (3.1) schemas.

#![allow(dead_code)]

use kajabi_sandbox::Sandbox;
use kajabi_spec::Operation;
use serde_json::{json, Value};

/// The document the sandbox embeds, read the same way.
pub const SPEC_YAML: &str = include_str!("../../../openapi.yaml");

/// An HTTP client whose requests give up after 20 s: a bound that only a server that never
/// answers reaches, so that such a server fails the tests instead of hanging them.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .expect("an HTTP client")
}

/// A plain HTTP client, for tests on paused time: there a timeout would fire as soon as the
/// test waits on a longer sandbox delay, since paused time jumps to the next timer.
pub fn client_on_paused_time() -> reqwest::Client {
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
    let document = kajabi_spec::load(SPEC_YAML).expect("spec loads");
    let operations = kajabi_spec::normalize(&document)
        .expect("spec normalizes")
        .operations;
    (document, operations)
}

/// The request body schema of `op` in the original document, if it takes a body.
pub fn request_schema(document: &Value, op: &Operation) -> Option<Value> {
    let body = document
        .get("paths")?
        .get(&op.path)?
        .get(op.method.to_ascii_lowercase())?
        .get("requestBody")?;
    let body = kajabi_spec::resolve(document, body);
    let (_, media) = body.get("content")?.as_object()?.iter().next()?;
    media.get("schema").cloned()
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
}

impl Schemas {
    pub fn new(document: &Value) -> Schemas {
        Schemas {
            document: document.clone(),
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
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&kajabi_spec::json_schema(&self.document, schema))
            .expect("schema compiles");
        validator
            .iter_errors(instance)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect()
    }
}
