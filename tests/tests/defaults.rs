//! The client's defaults on the wire: `User-Agent`, the `http_client` override, `api-version`,
//! the request timeout, and the request-id header an error keeps.

mod support;

use std::time::Duration;

use httpmock::{Method::GET, MockServer};
use kajabi_api::{Client, RetryPolicy};
use serde_json::json;
use support::*;

fn version_body() -> serde_json::Value {
    json!({"data": {"id": "1", "type": "versions", "attributes": {"version": "1.1.0"}}})
}

/// `info.version` of the vendored spec: what every request's `api-version` carries.
fn spec_version() -> String {
    let text = include_str!("../../openapi.yaml");
    let doc = kajabi_spec::load(text).expect("the spec loads");
    doc["info"]["version"]
        .as_str()
        .expect("info.version")
        .to_string()
}

#[tokio::test]
async fn requests_carry_the_default_user_agent_and_the_spec_version() {
    let server = MockServer::start_async().await;
    let version = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/version")
                .header(
                    "user-agent",
                    format!("kajabi-api-rust/{}", kajabi_api_tests::sdk_version()),
                )
                .header("api-version", spec_version());
            then.status(200).json_body(version_body());
        })
        .await;
    client(&server)
        .get_version()
        .send()
        .await
        .expect("answered");
    version.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_user_supplied_http_client_is_the_one_that_sends() {
    let server = MockServer::start_async().await;
    let custom = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/version")
                .header("user-agent", "my-integration/2.0");
            then.status(200).json_body(version_body());
        })
        .await;
    let http = reqwest::Client::builder()
        .user_agent("my-integration/2.0")
        .build()
        .expect("reqwest client");
    let client = Client::builder()
        .base_url(server.base_url())
        .access_token("AT-ready-token")
        .http_client(http)
        .build()
        .expect("client");
    client.get_version().send().await.expect("answered");
    custom.assert_calls_async(1).await;
}

#[tokio::test(start_paused = true)]
async fn a_request_that_never_gets_an_answer_times_out_after_30_seconds() {
    // A server that accepts the connection and never answers; tokio's paused clock jumps to
    // the next timer while the client waits, so no real time passes.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    let client = Client::builder()
        .base_url(format!("http://{addr}"))
        .access_token("AT-ready-token")
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client");
    let started = tokio::time::Instant::now();
    let error = client.get_version().send().await.unwrap_err();
    let waited = started.elapsed();
    assert!(error.is_timeout(), "{error}");
    assert!(
        waited >= Duration::from_secs(30) && waited < Duration::from_secs(31),
        "timed out after {waited:?}"
    );
    server.abort();
}

#[tokio::test]
async fn an_error_keeps_the_request_id_from_either_header() {
    for (headers, want) in [
        (vec![("x-request-id", "req-x")], "req-x"),
        (vec![("request-id", "req-plain")], "req-plain"),
        (
            vec![("x-request-id", "req-x"), ("request-id", "req-plain")],
            "req-x",
        ),
    ] {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/version");
                let mut then = then.status(404);
                for (name, value) in &headers {
                    then = then.header(*name, *value);
                }
                then.json_body(json!({"errors": [{"status": "404", "title": "Not Found"}]}));
            })
            .await;
        let error = client(&server).get_version().send().await.unwrap_err();
        assert_eq!(error.request_id(), Some(want), "{headers:?}");
    }
}
