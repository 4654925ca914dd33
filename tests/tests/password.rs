//! The password exchange (`ClientBuilder::password`): its form on the wire, one token request
//! however many calls start cold, renewal through the refresh token and the password again,
//! and the password never in `Debug`, errors or the log.

mod support;

use std::time::Duration;

use futures::future::join_all;
use httpmock::{Method::POST, Mock, MockServer};
use kajabi_api::{Client, ClientBuilder, RetryPolicy};
use serde_json::json;
use support::{capture::Capture, manual_clock, me_with, refresh_grant, token_form_answered};
use tracing::Level;
use tracing_subscriber::filter::Targets;

/// Credentials with characters a form body must escape.
const USERNAME: &str = "user+1@example.com";
const PASSWORD: &str = "p@ss w0rd+/=&%";
/// The same, percent-encoded as `application/x-www-form-urlencoded` requires.
const USERNAME_FORM: &str = "user%2B1%40example.com";
const PASSWORD_FORM: &str = "p%40ss+w0rd%2B%2F%3D%26%25";

fn builder(server: &MockServer) -> ClientBuilder {
    Client::builder()
        .base_url(server.base_url())
        .password(USERNAME, PASSWORD)
        .retry_policy(RetryPolicy::disabled())
}

/// `POST /v1/oauth/token` with exactly the spec's form for the password exchange: `username`
/// and `password`, no `grant_type`, no bearer. Answered with `body`.
async fn password_grant(server: &MockServer, body: serde_json::Value) -> Mock<'_> {
    // Fields go in the generated body type's order; the bytes are pinned on purpose.
    let form = format!("password={PASSWORD_FORM}&username={USERNAME_FORM}");
    token_form_answered(server, form, body).await
}

#[tokio::test]
async fn a_cold_client_sends_username_and_password_once_for_many_calls() {
    let server = MockServer::start_async().await;
    let grant = password_grant(
        &server,
        json!({"access_token": "at-p", "refresh_token": "rt-p", "expires_in": 7200}),
    )
    .await;
    let me = me_with(&server, "at-p").await;
    let client = builder(&server).build().unwrap();
    let calls = (0..50).map(|_| {
        let client = client.clone();
        async move { client.get_me().send().await }
    });
    for result in join_all(calls).await {
        result.expect("call with the password's token");
    }
    grant.assert_calls_async(1).await;
    me.assert_calls_async(50).await;
}

#[tokio::test]
async fn renewal_uses_the_refresh_token_then_the_password_when_none_is_left() {
    let server = MockServer::start_async().await;
    let password = password_grant(
        &server,
        json!({"access_token": "at-p", "refresh_token": "rt-p", "expires_in": 600}),
    )
    .await;
    // The refresh grant's answer carries no new refresh token.
    let refresh = refresh_grant(
        &server,
        "rt-p",
        200,
        json!({"access_token": "at-r", "expires_in": 600}),
    )
    .await;
    let first = me_with(&server, "at-p").await;
    let refreshed = me_with(&server, "at-r").await;
    let (now, clock) = manual_clock();
    let client = builder(&server).clock(clock).build().unwrap();

    client.get_me().send().await.unwrap();
    *now.lock().unwrap() += Duration::from_secs(600);
    client.get_me().send().await.unwrap();
    password.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    refreshed.assert_calls_async(1).await;

    // No refresh token is left: the password again.
    *now.lock().unwrap() += Duration::from_secs(600);
    client.get_me().send().await.unwrap();
    password.assert_calls_async(2).await;
    refresh.assert_calls_async(1).await;
    first.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_refused_refresh_token_falls_back_to_the_password() {
    let server = MockServer::start_async().await;
    let password = password_grant(
        &server,
        json!({"access_token": "at-p", "refresh_token": "rt-p", "expires_in": 600}),
    )
    .await;
    let refused = refresh_grant(
        &server,
        "rt-p",
        400,
        json!({"error": "invalid_grant", "error_description": "refresh is for client credentials"}),
    )
    .await;
    let me = me_with(&server, "at-p").await;
    let (now, clock) = manual_clock();
    let client = builder(&server).clock(clock).build().unwrap();

    client.get_me().send().await.unwrap();
    *now.lock().unwrap() += Duration::from_secs(600);
    client.get_me().send().await.unwrap();
    refused.assert_calls_async(1).await;
    password.assert_calls_async(2).await;
    me.assert_calls_async(2).await;
}

#[tokio::test]
async fn the_password_never_shows_even_when_the_server_echoes_it() {
    let capture = Capture::default();
    let _log = tracing::subscriber::set_default(
        capture.subscriber(Targets::new().with_target("kajabi_api", Level::TRACE)),
    );
    let server = MockServer::start_async().await;
    let refused = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/oauth/token");
            then.status(400).json_body(json!({
                "error": "invalid_grant",
                "error_description": format!("password {PASSWORD} is wrong for {USERNAME}")
            }));
        })
        .await;
    let client = builder(&server).build().unwrap();
    let error = client.get_me().send().await.unwrap_err();
    refused.assert_calls_async(1).await;
    assert!(error.is_status(), "{error}");
    let texts = [
        error.to_string(),
        format!("{error:?}"),
        String::from_utf8_lossy(error.body()).into_owned(),
        format!("{client:?}"),
        format!("{:?}", builder(&server)),
        capture.take(),
    ];
    assert!(texts[0].contains("[redacted]"), "{}", texts[0]);
    for text in texts {
        assert!(
            !text.contains(PASSWORD) && !text.contains(PASSWORD_FORM),
            "the password leaked into:\n{text}"
        );
    }
}

#[test]
fn half_a_password_login_or_two_kinds_of_credentials_are_refused() {
    for builder in [
        Client::builder().password(USERNAME, ""),
        Client::builder().password("", PASSWORD),
        Client::builder()
            .password(USERNAME, PASSWORD)
            .client_credentials("id", "secret"),
    ] {
        let error = builder.build().unwrap_err();
        assert!(error.is_config(), "{error}");
    }
}
