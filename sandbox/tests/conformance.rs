//! Every operation in the spec, called the way Prism would see it: the status is declared,
//! the media type is the declared one, and the body validates against the original schema.

mod common;

use common::{client, content_type, fill, grant, Schemas};
use kajabi_sandbox::Sandbox;
use kajabi_spec::Operation;
use reqwest::Method;
use serde_json::{json, Value};

const MINIMAL_BODY: &str = r#"{"data":{"type":"x","attributes":{}}}"#;

/// Checks one response against what `op` declares for its status; returns the status.
async fn check(
    schemas: &Schemas,
    op: &Operation,
    response: reqwest::Response,
    allow_undeclared_body: bool,
) -> u16 {
    let status = response.status().as_u16().to_string();
    let what = format!("{} {} -> {status}", op.method, op.path);
    let declared = op.success_statuses.contains(&status) || op.error_statuses.contains(&status);
    assert!(declared, "{what}: status not declared");
    let media = content_type(&response);
    let bytes = response.bytes().await.expect("body");
    match schemas.response(op, &status) {
        Some((declared_media, schema)) => {
            assert_eq!(media, declared_media, "{what}: media type");
            let body: Value =
                serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{what}: not JSON: {e}"));
            let errors = schemas.errors(&schema, &body);
            assert!(
                errors.is_empty(),
                "{what}: body invalid:\n{}\n{body}",
                errors.join("\n")
            );
        }
        None if allow_undeclared_body => {}
        None => assert!(
            bytes.is_empty(),
            "{what}: declared without content, got {bytes:?}"
        ),
    }
    status.parse().expect("numeric status")
}

fn request(
    sandbox: &Sandbox,
    http: &reqwest::Client,
    op: &Operation,
    bearer: Option<&str>,
) -> reqwest::RequestBuilder {
    let method = Method::from_bytes(op.method.as_bytes()).expect("method");
    let mut url = format!("{}{}", sandbox.base_url(), fill(&op.path, "1"));
    if op.paginated {
        url.push_str("?page%5Bnumber%5D=1&page%5Bsize%5D=2");
    }
    let mut builder = http.request(method, url);
    if let Some(bearer) = bearer {
        builder = builder.bearer_auth(bearer);
    }
    builder
}

#[tokio::test]
async fn every_operation_answers_its_declared_success() {
    let (document, operations) = common::spec();
    assert!(operations.len() >= 70, "{} operations", operations.len());
    let schemas = Schemas::new(&document);
    let sandbox = Sandbox::start().await.expect("start");
    let http = client();
    let (access, _) = grant(&sandbox, &http).await;
    for op in &operations {
        // Each operation on the seeded data: a delete does not take the id from the next one.
        sandbox.reset();
        let mut builder = request(&sandbox, &http, op, op.secured.then_some(access.as_str()));
        builder = match (op.path.as_str(), op.request_media.as_deref()) {
            (path, _) if path.ends_with("/oauth/token") => builder.form(&[
                ("grant_type", "client_credentials"),
                ("client_id", sandbox.client_id()),
                ("client_secret", sandbox.client_secret()),
            ]),
            (path, _) if path.ends_with("/oauth/revoke") => {
                // Revoke a separate session, so that `access` stays live for the rest.
                let (_, other_refresh) = grant(&sandbox, &http).await;
                builder.form(&[("token", other_refresh)])
            }
            (_, Some(media)) => {
                // A body built from the request schema: valid, so the success is answered.
                let schema = common::request_schema(&document, op).expect("request schema");
                let body = kajabi_spec::example_value(&document, &schema);
                builder.header("content-type", media).body(body.to_string())
            }
            (_, None) => builder,
        };
        let response = builder.send().await.expect("request");
        let status = check(&schemas, op, response, false).await.to_string();
        assert_eq!(
            Some(&status),
            op.success_statuses.first(),
            "{} {}",
            op.method,
            op.path
        );
    }
}

/// Every operation that addresses a resource by id answers an unknown id with 404 and a
/// JSON:API error: the declared body where the spec declares 404, and the one allowed
/// exception where it does not (listed).
#[tokio::test]
async fn every_id_addressed_operation_answers_an_unknown_id_with_404() {
    let (document, operations) = common::spec();
    let schemas = Schemas::new(&document);
    let sandbox = Sandbox::start().await.expect("start");
    let http = client();
    let (access, _) = grant(&sandbox, &http).await;
    let mut undeclared = Vec::new();
    let addressed: Vec<&Operation> = operations
        .iter()
        .filter(|op| op.path_params().next().is_some())
        .collect();
    assert!(
        addressed.len() >= 40,
        "{} id-addressed operations",
        addressed.len()
    );
    for op in addressed {
        let method = Method::from_bytes(op.method.as_bytes()).expect("method");
        let url = format!("{}{}", sandbox.base_url(), fill(&op.path, "no-such-id"));
        let mut builder = http.request(method, url).bearer_auth(&access);
        if let Some(schema) = common::request_schema(&document, op) {
            let body = kajabi_spec::example_value(&document, &schema);
            let media = op.request_media.clone().unwrap_or_default();
            builder = builder.header("content-type", media).body(body.to_string());
        }
        let response = builder.send().await.expect("request");
        let what = format!("{} {}", op.method, op.path);
        assert_eq!(response.status(), 404, "{what}");
        assert_eq!(
            content_type(&response),
            "application/vnd.api+json",
            "{what}"
        );
        let body: Value = response.json().await.expect("JSON");
        assert_eq!(body["errors"][0]["status"], "404", "{what}");
        if op.error_statuses.iter().any(|s| s == "404") {
            let (_, schema) = schemas.response(op, "404").expect("declared 404 body");
            assert!(schemas.errors(&schema, &body).is_empty(), "{what}: {body}");
        } else {
            undeclared.push(what);
        }
    }
    println!(
        "allowed exception: 404 on {} id-addressed operations that do not declare it: {}",
        undeclared.len(),
        undeclared.join(", ")
    );
    assert!(!undeclared.is_empty());
}

#[tokio::test]
async fn every_secured_operation_rejects_a_bad_bearer_as_declared() {
    let (document, operations) = common::spec();
    let schemas = Schemas::new(&document);
    let sandbox = Sandbox::start().await.expect("start");
    let http = client();
    for op in operations.iter().filter(|op| op.secured) {
        let mut builder = request(&sandbox, &http, op, Some("expired-or-made_up"));
        if let Some(media) = &op.request_media {
            builder = builder.header("content-type", media).body(MINIMAL_BODY);
        }
        let response = builder.send().await.expect("request");
        // Revoke declares 401 without content, yet answers Kajabi's JSON error body.
        let revoke = op.path.ends_with("/oauth/revoke");
        assert_eq!(
            check(&schemas, op, response, revoke).await,
            401,
            "{} {}",
            op.method,
            op.path
        );
    }
}

#[tokio::test]
async fn every_json_body_that_is_not_json_gets_a_declared_answer() {
    let (document, operations) = common::spec();
    let schemas = Schemas::new(&document);
    let sandbox = Sandbox::start().await.expect("start");
    let http = client();
    let (access, _) = grant(&sandbox, &http).await;
    let json_ops = operations.iter().filter(|op| {
        op.request_media
            .as_deref()
            .is_some_and(|m| m.contains("json"))
    });
    let mut count = 0;
    for op in json_ops {
        let media = op.request_media.as_deref().unwrap_or_default();
        let response = request(&sandbox, &http, op, Some(&access))
            .header("content-type", media)
            .body("{\"data\": nope")
            .send()
            .await
            .expect("request");
        let status = check(&schemas, op, response, false).await;
        let expected = ["400", "422"]
            .into_iter()
            .find(|s| op.error_statuses.iter().any(|e| e == s))
            .or(op.success_statuses.first().map(String::as_str));
        assert_eq!(
            Some(status.to_string().as_str()),
            expected,
            "{} {}",
            op.method,
            op.path
        );
        count += 1;
    }
    assert!(count >= 10, "{count} operations with JSON bodies");
}

#[tokio::test]
async fn oauth_error_bodies_match_the_declared_schema() {
    let (document, operations) = common::spec();
    let schemas = Schemas::new(&document);
    let op = operations
        .iter()
        .find(|op| op.path.ends_with("/oauth/token"))
        .expect("token operation");
    let sandbox = Sandbox::start().await.expect("start");
    let http = client();
    let url = format!("{}{}", sandbox.base_url(), op.path);
    let cases: [&[(&str, &str)]; 3] = [
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "x"),
            ("client_secret", "y"),
        ],
        &[("grant_type", "refresh_token"), ("refresh_token", "nope")],
        &[("grant_type", "magic")],
    ];
    for form in cases {
        let response = http.post(&url).form(form).send().await.expect("token");
        let status = check(&schemas, op, response, false).await;
        assert!(status == 400 || status == 401, "{status}");
    }
}

#[test]
fn the_schema_converter_catches_invalid_bodies() {
    let (document, operations) = common::spec();
    let schemas = Schemas::new(&document);
    let op = operations
        .iter()
        .find(|op| op.method == "GET" && op.path == "/v1/contacts/{id}")
        .expect("get contact");
    let (_, schema) = schemas.response(op, "200").expect("schema");
    let ok = json!({"data": {"id": "1", "attributes": {"phone_number": null, "custom_1": null, "created_at": "2024-01-01T00:00:00Z"}}});
    assert!(schemas.errors(&schema, &ok).is_empty());
    let bad = json!({"data": {"id": 1, "attributes": {"subscribed": "yes", "created_at": "soon"}}});
    assert_eq!(
        schemas.errors(&schema, &bad).len(),
        3,
        "{:?}",
        schemas.errors(&schema, &bad)
    );
}
