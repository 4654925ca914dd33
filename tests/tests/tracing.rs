//! `tracing` at TRACE level: a span per call with its fields, and never a credential.
//! Alone in its test binary: the subscriber is process-wide.

mod support;

use httpmock::{Method::GET, Method::POST, MockServer};
use kajabi_api::SecretString;
use serde_json::json;
use support::capture::Capture;
use support::*;
use tracing_subscriber::filter::{LevelFilter, Targets};

const ACCESS: &str = "AT-topsecret-access";
const REFRESH: &str = "RT-topsecret-refresh";

#[tokio::test]
async fn trace_level_tracing_shows_no_credentials() {
    let capture = Capture::default();
    // Everything on the client side at TRACE; the mock server's own logs are not ours.
    let subscriber = capture.subscriber(
        Targets::new()
            .with_default(tracing::Level::TRACE)
            .with_target("httpmock", LevelFilter::OFF),
    );
    tracing::subscriber::set_global_default(subscriber).unwrap();

    let server = MockServer::start_async().await;
    client_credentials_grant(&server, ACCESS, REFRESH, 7200).await;
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/me")
                .header("authorization", format!("Bearer {ACCESS}"));
            then.status(200)
                .header("x-request-id", "req-77")
                .json_body(me_body());
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/oauth/revoke");
            then.status(401).json_body(json!({"error": "invalid_token", "error_description": format!("token {ACCESS} unknown")}));
        })
        .await;
    let client = client(&server);
    client.get_me().send().await.unwrap();
    let _ = client.revoke(&SecretString::new(ACCESS)).await;
    let _ = client.logout().await;

    let log = capture.take();
    for field in [
        "kajabi.call",
        "operation=\"get_me\"",
        "kajabi.attempt",
        "http.request.method=\"GET\"",
        "url.template=\"/v1/me\"",
        "http.response.status_code=200",
        "request_id=\"req-77\"",
        // The DEBUG events of target kajabi_api::headers.
        "http.request.header.accept=\"application/vnd.api+json\"",
        "http.response.header.x-request-id=\"req-77\"",
    ] {
        assert!(log.contains(field), "{field} missing from:\n{log}");
    }
    assert!(
        log.contains("operation=\"revoke_token\"") && log.contains("http.response.status_code=401"),
        "{log}"
    );
    for secret in [ACCESS, REFRESH, CLIENT_SECRET, CLIENT_SECRET_FORM] {
        assert!(!log.contains(secret), "{secret} leaked into:\n{log}");
    }
}
