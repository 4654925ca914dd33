//! Shared pieces of the integration tests: an httpmock Kajabi and clients pointed at it.
#![allow(dead_code)]
pub mod capture;
pub mod conformance;
pub mod faulty;
pub mod spans;

use httpmock::{Method::POST, Mock, MockServer};
use kajabi_api::{Client, ClientBuilder, RetryPolicy};
use serde_json::json;

/// Credentials with every character a form body must escape.
pub const CLIENT_ID: &str = "client id+1";
pub const CLIENT_SECRET: &str = "s3cr+t/=&%";
/// The same, percent-encoded as `application/x-www-form-urlencoded` requires.
pub const CLIENT_ID_FORM: &str = "client+id%2B1";
pub const CLIENT_SECRET_FORM: &str = "s3cr%2Bt%2F%3D%26%25";

/// More items or pages than any test collects. Tests cut their page streams here, so a stream
/// that never ends (a page number that does not advance) fails the test instead of hanging it.
pub const STREAM_BOUND: usize = 64;

/// A builder for a client of `server` with the test credentials and no retry waits.
pub fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.base_url())
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .retry_policy(RetryPolicy::disabled())
}

pub fn client(server: &MockServer) -> Client {
    builder(server).build().expect("test client builds")
}

/// `POST /v1/oauth/token` with the client-credentials grant, answered with `access`.
pub async fn client_credentials_grant<'a>(
    server: &'a MockServer,
    access: &str,
    refresh: &str,
    expires_in: u64,
) -> Mock<'a> {
    // Fields go in the generated body type's order; the bytes are pinned on purpose.
    let form = format!("client_id={CLIENT_ID_FORM}&client_secret={CLIENT_SECRET_FORM}&grant_type=client_credentials");
    let body = json!({"access_token": access, "refresh_token": refresh, "token_type": "Bearer", "expires_in": expires_in});
    token_form_answered(server, form, body).await
}

/// `POST /v1/oauth/token` with exactly the form `form` and no bearer, answered 200 with `body`.
pub async fn token_form_answered(
    server: &MockServer,
    form: String,
    body: serde_json::Value,
) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/oauth/token")
                .header("content-type", "application/x-www-form-urlencoded")
                .header_missing("authorization")
                .body(form);
            then.status(200).json_body(body);
        })
        .await
}

/// `POST /v1/oauth/token` with the refresh grant for `refresh`, answered with `status`/`body`.
pub async fn refresh_grant<'a>(
    server: &'a MockServer,
    refresh: &str,
    status: u16,
    body: serde_json::Value,
) -> Mock<'a> {
    let form = format!("grant_type=refresh_token&refresh_token={refresh}");
    server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/oauth/token")
                .header_missing("authorization")
                .body(form);
            then.status(status).json_body(body);
        })
        .await
}

/// `GET /v1/me` with the bearer `token`, answered with [`me_body`].
pub async fn me_with<'a>(server: &'a MockServer, token: &str) -> Mock<'a> {
    let bearer = format!("Bearer {token}");
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET)
                .path("/v1/me")
                .header("authorization", bearer);
            then.status(200)
                .header("content-type", "application/vnd.api+json")
                .json_body(me_body());
        })
        .await
}

/// `GET /v1/me` with any bearer, answered with [`me_body`].
pub async fn me_ok(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET).path("/v1/me");
            then.status(200).json_body(me_body());
        })
        .await
}

/// A `GET /v1/me` 200 body.
pub fn me_body() -> serde_json::Value {
    json!({"data": {"id": "42", "type": "users", "attributes": {"name": "Ada", "email": "ada@example.com"}}})
}

/// A clock the test moves by hand, for `ClientBuilder::clock`.
pub fn manual_clock() -> (
    std::sync::Arc<std::sync::Mutex<tokio::time::Instant>>,
    impl Fn() -> tokio::time::Instant + Send + Sync + 'static,
) {
    let now = std::sync::Arc::new(std::sync::Mutex::new(tokio::time::Instant::now()));
    let read = now.clone();
    (now, move || *read.lock().unwrap())
}

/// A session that renews through the refresh token: the client-credentials grant gives
/// `at-1`/`rt-1`, the refresh grant for `rt-1` gives `renewed`/`rt-2`, both for `expires_in`
/// seconds. Returns the refresh grant's mock, the clock the test moves, and a client on it.
pub async fn renewing_session<'a>(
    server: &'a MockServer,
    expires_in: u64,
    renewed: &str,
) -> (
    Mock<'a>,
    std::sync::Arc<std::sync::Mutex<tokio::time::Instant>>,
    Client,
) {
    client_credentials_grant(server, "at-1", "rt-1", expires_in).await;
    let answer =
        json!({"access_token": renewed, "refresh_token": "rt-2", "expires_in": expires_in});
    let refresh = refresh_grant(server, "rt-1", 200, answer).await;
    let (now, clock) = manual_clock();
    let client = builder(server)
        .clock(clock)
        .build()
        .expect("test client builds");
    (refresh, now, client)
}
