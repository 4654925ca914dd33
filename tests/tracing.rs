//! `tracing` at TRACE level: a span per call with its fields, and never a credential.
//! Alone in its test binary: the subscriber is process-wide.

mod support;

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use httpmock::{Method::GET, Method::POST, MockServer};
use kajabi_api::SecretString;
use serde_json::json;
use support::*;
use tracing_subscriber::{
    filter::{LevelFilter, Targets},
    layer::SubscriberExt,
};

const ACCESS: &str = "AT-topsecret-access";
const REFRESH: &str = "RT-topsecret-refresh";

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn trace_level_tracing_shows_no_credentials() {
    let capture = Capture::default();
    let writer = capture.clone();
    // Everything on the client side at TRACE; the mock server's own logs are not ours.
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish()
        .with(
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

    let log = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    for field in [
        "kajabi.call",
        "operation=\"get_me\"",
        "method=\"GET\"",
        "path=\"/v1/me\"",
        "status=200",
        "attempt=1",
        "request_id=\"req-77\"",
        "duration_ms=",
    ] {
        assert!(log.contains(field), "{field} missing from:\n{log}");
    }
    assert!(
        log.contains("operation=\"revoke_token\"") && log.contains("status=401"),
        "{log}"
    );
    for secret in [ACCESS, REFRESH, CLIENT_SECRET, CLIENT_SECRET_FORM] {
        assert!(!log.contains(secret), "{secret} leaked into:\n{log}");
    }
}
