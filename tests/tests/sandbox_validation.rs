//! The sandbox validates request bodies where the spec declares 400 or 422: for each such
//! operation with a JSON body (found in the spec at test time), a body missing a required
//! member and one with a member of the wrong type get the declared status and a JSON:API error
//! whose `source.pointer` names the member; a body that is not JSON gets 400 (422 where only
//! that is declared); the valid body gets the declared success.

use kajabi_sandbox::Sandbox;
use kajabi_spec::Operation;
use serde_json::{json, Value};

const SPEC: &str = include_str!("../../openapi.yaml");

fn request_schema(document: &Value, op: &Operation) -> Option<Value> {
    let object = &document["paths"][&op.path][op.method.to_ascii_lowercase()];
    let body = kajabi_spec::resolve(document, &object["requestBody"]);
    let (_, media) = body.get("content")?.as_object()?.iter().next()?;
    media.get("schema").cloned()
}

/// The path of required members from the root, following the first required member of each
/// object as deep as it goes, with the schema of the last: `(["data", "type"], {...})`.
fn required_path(document: &Value, schema: &Value) -> (Vec<String>, Value) {
    let mut path = Vec::new();
    let mut schema = kajabi_spec::resolve(document, schema).clone();
    loop {
        let first = schema
            .get("required")
            .and_then(Value::as_array)
            .and_then(|r| r.first())
            .and_then(Value::as_str)
            .map(str::to_string);
        let Some(name) = first else {
            return (path, schema);
        };
        let Some(inner) = schema.get("properties").and_then(|p| p.get(&name)) else {
            return (path, schema);
        };
        let inner = kajabi_spec::resolve(document, inner).clone();
        path.push(name);
        schema = inner;
    }
}

/// A value of another type than `schema` allows.
fn wrong_type(schema: &Value) -> Value {
    match schema.get("type").and_then(Value::as_str) {
        Some("string") => json!(42),
        Some("integer" | "number") => json!("forty-two"),
        Some("boolean") => json!("yes"),
        Some("array") => json!({"not": "an array"}),
        _ => json!([1, 2]),
    }
}

fn pointer(path: &[String]) -> String {
    path.iter().map(|p| format!("/{p}")).collect()
}

#[tokio::test]
async fn bodies_that_break_the_schema_get_the_declared_status_and_a_pointer() {
    let document = kajabi_spec::load(SPEC).expect("spec");
    let operations = kajabi_spec::normalize(&document)
        .expect("normalizes")
        .operations;
    let validating: Vec<&Operation> = operations
        .iter()
        .filter(|op| {
            op.error_statuses.iter().any(|s| s == "400" || s == "422")
                && op
                    .request_media
                    .as_deref()
                    .is_some_and(|m| m.contains("json"))
        })
        .collect();
    assert!(!validating.is_empty());
    let sandbox = Sandbox::start().await.expect("sandbox");
    let http = reqwest::Client::new();
    let token: Value = http
        .post(format!("{}/v1/oauth/token", sandbox.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sandbox.client_id()),
            ("client_secret", sandbox.client_secret()),
        ])
        .send()
        .await
        .expect("token")
        .json()
        .await
        .expect("token JSON");
    let access = token["access_token"].as_str().expect("access token");
    let mut lines = Vec::new();
    for op in &validating {
        let what = format!("{} {}", op.method, op.path);
        let declares = |status: &str| op.error_statuses.iter().any(|s| s == status);
        let schema = request_schema(&document, op).expect("request schema");
        let valid = kajabi_spec::example_value(&document, &schema);
        let (path, member) = required_path(&document, &schema);
        assert!(!path.is_empty(), "{what}: nothing required");
        let expected_pointer = pointer(&path);

        let mut missing = valid.clone();
        let parent = pointer(&path[..path.len() - 1]);
        missing
            .pointer_mut(&parent)
            .and_then(Value::as_object_mut)
            .expect("parent object")
            .remove(&path[path.len() - 1]);
        let mut mistyped = valid.clone();
        *mistyped.pointer_mut(&expected_pointer).expect("member") = wrong_type(&member);

        let url = format!(
            "{}{}",
            sandbox.base_url(),
            op.path
                .split('/')
                .map(|s| if s.starts_with('{') { "1" } else { s })
                .collect::<Vec<_>>()
                .join("/")
        );
        let send = |body: String| {
            http.request(
                reqwest::Method::from_bytes(op.method.as_bytes()).expect("method"),
                &url,
            )
            .bearer_auth(access)
            .header(
                "content-type",
                op.request_media.as_deref().unwrap_or_default(),
            )
            .body(body)
            .send()
        };
        let schema_status = if declares("422") { 422 } else { 400 };
        for (case, body) in [("missing", &missing), ("wrong type", &mistyped)] {
            let response = send(body.to_string()).await.expect("request");
            assert_eq!(response.status().as_u16(), schema_status, "{what}: {case}");
            assert_eq!(
                response.headers()["content-type"],
                "application/vnd.api+json",
                "{what}: {case}"
            );
            let error: Value = response.json().await.expect("JSON:API error");
            assert_eq!(
                error["errors"][0]["source"]["pointer"], expected_pointer,
                "{what}: {case}: {error}"
            );
            assert_eq!(error["errors"][0]["status"], schema_status.to_string());
        }
        let malformed_status = if declares("400") { 400 } else { 422 };
        let response = send("{\"data\": ".into()).await.expect("request");
        assert_eq!(
            response.status().as_u16(),
            malformed_status,
            "{what}: not JSON"
        );

        sandbox.reset();
        let response = send(valid.to_string()).await.expect("request");
        assert_eq!(
            Some(response.status().as_str().to_string()).as_ref(),
            op.success_statuses.first(),
            "{what}: the valid body"
        );
        lines.push(format!("{what}: {schema_status} at {expected_pointer}"));
    }
    println!(
        "{} operations validate their bodies:\n  {}",
        lines.len(),
        lines.join("\n  ")
    );
}
