//! Credentials never show in `Debug`, `Display` or errors (tracing: `tests/tracing.rs`).

mod support;

use httpmock::{Method::GET, Method::POST, MockServer};
use kajabi_api::{types, SecretString};
use serde_json::json;
use support::*;

const ACCESS: &str = "AT-topsecret-access";
const REFRESH: &str = "RT-topsecret-refresh";

fn assert_clean(text: &str) {
    for secret in [ACCESS, REFRESH, CLIENT_SECRET, CLIENT_SECRET_FORM] {
        assert!(!text.contains(secret), "{secret} leaked into:\n{text}");
    }
}

/// A server that grants tokens, answers `/v1/me` once with 401 (renewal), echoes the secret
/// in an error, and accepts a revoke.
async fn server() -> MockServer {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, ACCESS, REFRESH, 7200).await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/oauth/token").body_includes("grant_type=refresh_token");
            then.status(400).json_body(json!({"error": "invalid_grant", "error_description": format!("refresh token {REFRESH} is revoked")}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(200).json_body(me_body());
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/oauth/revoke");
            then.status(401).json_body(json!({"error": "invalid_token", "error_description": format!("token {ACCESS} unknown")}));
        })
        .await;
    server
}

#[tokio::test]
async fn debug_and_display_never_show_credentials() {
    let server = server().await;
    let client = client(&server);
    client.get_me().send().await.unwrap();
    assert_clean(&format!("{client:?}"));
    assert_clean(&format!("{:?}", builder(&server)));

    let token = client.access_token().await.unwrap();
    assert_eq!(token.secret(), ACCESS);
    assert_eq!(format!("{token:?}"), "SecretString([redacted])");

    let response: types::OauthTokenResponse = serde_json::from_value(
        json!({"access_token": ACCESS, "refresh_token": REFRESH, "expires_in": 1}),
    )
    .unwrap();
    assert_clean(&format!("{response:?}"));
    let body = types::CreateTokenBody {
        client_secret: Some(CLIENT_SECRET.into()),
        ..Default::default()
    };
    assert_clean(&format!("{body:?}"));
}

#[tokio::test]
async fn errors_never_show_credentials_even_when_the_server_echoes_them() {
    let server = server().await;
    let client = client(&server);
    let error = client.revoke(&SecretString::new(ACCESS)).await.unwrap_err();
    assert!(error.is_unauthorized());
    assert_clean(&error.to_string());
    assert_clean(&format!("{error:?}"));
    assert_clean(&String::from_utf8_lossy(error.body()));
    assert!(error.to_string().contains("[redacted]"), "{error}");

    let refused = MockServer::start_async().await;
    refused
        .mock_async(|when, then| {
            when.method(POST).path("/v1/oauth/token");
            then.status(401).json_body(json!({"error": "invalid_client", "error_description": format!("secret {CLIENT_SECRET} is wrong")}));
        })
        .await;
    let error = client_for_refused(&refused)
        .get_me()
        .send()
        .await
        .unwrap_err();
    assert_clean(&error.to_string());
    assert_clean(&format!("{error:?}"));
}

fn client_for_refused(server: &MockServer) -> kajabi_api::Client {
    client(server)
}

/// Revokes `OTHER` with the bearer `ACCESS` against a server whose 401 echoes `echoed`.
async fn revoke_echoing(echoed: &str) -> kajabi_api::Error {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, ACCESS, REFRESH, 7200).await;
    let description = format!("token {echoed} is not yours");
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/oauth/revoke");
            then.status(401)
                .json_body(json!({"error": "invalid_token", "error_description": description}));
        })
        .await;
    client(&server)
        .revoke(&SecretString::new(OTHER))
        .await
        .unwrap_err()
}

const OTHER: &str = "AT-another-sessions-token";

#[tokio::test]
async fn the_form_value_and_the_bearer_are_each_scrubbed_on_their_own() {
    for (echoed, name) in [
        (OTHER, "the revoked token (form value)"),
        (ACCESS, "the bearer"),
    ] {
        let error = revoke_echoing(echoed).await;
        for text in [
            error.to_string(),
            format!("{error:?}"),
            String::from_utf8_lossy(error.body()).into_owned(),
        ] {
            assert!(!text.contains(echoed), "{name} leaked into: {text}");
        }
        assert!(error.to_string().contains("[redacted]"), "{error}");
    }
}
