//! The OAuth endpoints: grants, rotation, revocation, expiry, and the token counter.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::{client, content_type, grant, pair};
use kajabi_sandbox::{
    Config, ManualClock, Sandbox, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_PASSWORD, DEMO_USERNAME,
};
use serde_json::Value;

async fn me(sandbox: &Sandbox, access: &str) -> reqwest::StatusCode {
    client()
        .get(format!("{}/v1/me", sandbox.base_url()))
        .bearer_auth(access)
        .send()
        .await
        .expect("me")
        .status()
}

async fn token(sandbox: &Sandbox, form: &[(&str, &str)]) -> reqwest::Response {
    client()
        .post(format!("{}/v1/oauth/token", sandbox.base_url()))
        .form(form)
        .send()
        .await
        .expect("token request")
}

async fn refresh(sandbox: &Sandbox, refresh_token: &str) -> reqwest::Response {
    token(
        sandbox,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

async fn revoke(sandbox: &Sandbox, bearer: &str, form: &[(&str, &str)]) -> reqwest::Response {
    client()
        .post(format!("{}/v1/oauth/revoke", sandbox.base_url()))
        .bearer_auth(bearer)
        .form(form)
        .send()
        .await
        .expect("revoke request")
}

async fn oauth_error(response: reqwest::Response) -> String {
    assert_eq!(content_type(&response), "application/json");
    let body: Value = response.json().await.expect("JSON error body");
    assert!(body["error_description"].is_string(), "{body}");
    body["error"].as_str().expect("error code").to_string()
}

#[tokio::test]
async fn client_credentials_grant_returns_a_bearer_pair() {
    let sandbox = Sandbox::start().await.expect("start");
    assert_eq!(
        (sandbox.client_id(), sandbox.client_secret()),
        (DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
    );
    let response = token(
        &sandbox,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", DEMO_CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(content_type(&response), "application/json");
    assert_eq!(response.headers()["cache-control"], "no-store");
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 7200);
    let access = body["access_token"].as_str().expect("access token");
    let refresh = body["refresh_token"].as_str().expect("refresh token");
    assert_ne!(access, refresh);
    for t in [access, refresh] {
        assert_eq!(t.len(), 32);
        assert!(
            t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'),
            "{t}"
        );
    }
    assert_eq!(me(&sandbox, access).await, 200);
}

#[tokio::test]
async fn wrong_credentials_are_401_invalid_client() {
    let sandbox = Sandbox::start().await.expect("start");
    let response = token(
        &sandbox,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", DEMO_CLIENT_ID),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(response.status(), 401);
    assert_eq!(oauth_error(response).await, "invalid_client");
    let response = token(&sandbox, &[("grant_type", "client_credentials")]).await;
    assert_eq!(response.status(), 401);
}

#[tokio::test]
async fn custom_credentials_and_ttl_are_honoured() {
    let config = Config {
        client_id: "id-1".into(),
        client_secret: "s3cret&=+".into(),
        token_ttl: Duration::from_secs(60),
        ..Config::default()
    };
    let sandbox = Sandbox::start_with(config).await.expect("start");
    assert_eq!(sandbox.client_secret(), "s3cret&=+");
    let response = token(
        &sandbox,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "id-1"),
            ("client_secret", "s3cret&=+"),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["expires_in"], 60);
}

#[tokio::test]
async fn bad_grant_requests_are_400() {
    let sandbox = Sandbox::start().await.expect("start");
    let response = token(
        &sandbox,
        &[("grant_type", "authorization_code"), ("code", "c")],
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(oauth_error(response).await, "unsupported_grant_type");
    // A password grant with a user that is not the demo user's.
    let response = token(
        &sandbox,
        &[
            ("grant_type", "password"),
            ("username", "u"),
            ("password", "p"),
        ],
    )
    .await;
    assert_eq!(response.status(), 400);
    assert_eq!(oauth_error(response).await, "invalid_grant");
    let response = token(&sandbox, &[("client_id", DEMO_CLIENT_ID)]).await;
    assert_eq!(response.status(), 400);
    assert_eq!(oauth_error(response).await, "unsupported_grant_type");
    let response = client()
        .post(format!("{}/v1/oauth/token", sandbox.base_url()))
        .header("content-type", "application/json")
        .body(r#"{"grant_type":"client_credentials"}"#)
        .send()
        .await
        .expect("token request");
    assert_eq!(response.status(), 400);
    assert_eq!(oauth_error(response).await, "invalid_request");
    let response = token(&sandbox, &[("grant_type", "refresh_token")]).await;
    assert_eq!(response.status(), 400);
    assert_eq!(oauth_error(response).await, "invalid_request");
    assert_eq!(sandbox.token_requests(), 5);
}

#[tokio::test]
async fn refresh_rotates_the_pair() {
    let sandbox = Sandbox::start().await.expect("start");
    let (access, refresh_token) = grant(&sandbox, &client()).await;
    let response = refresh(&sandbox, &refresh_token).await;
    assert_eq!(response.status(), 200);
    let (access2, refresh2) = pair(response).await;
    assert_ne!((&access, &refresh_token), (&access2, &refresh2));
    assert_eq!(me(&sandbox, &access2).await, 200);
    // The old pair is gone: its access token is rejected, its refresh token cannot be reused.
    assert_eq!(me(&sandbox, &access).await, 401);
    let reused = refresh(&sandbox, &refresh_token).await;
    assert_eq!(reused.status(), 400);
    assert_eq!(oauth_error(reused).await, "invalid_grant");
    let unknown = refresh(&sandbox, "no-such_token").await;
    assert_eq!(unknown.status(), 400);
    assert_eq!(oauth_error(unknown).await, "invalid_grant");
}

#[tokio::test]
async fn revoking_with_the_access_token_invalidates_both() {
    let sandbox = Sandbox::start().await.expect("start");
    let (access, refresh_token) = grant(&sandbox, &client()).await;
    let response = revoke(&sandbox, &access, &[("token", &access)]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(content_type(&response), "");
    assert!(response.bytes().await.expect("body").is_empty());
    assert_eq!(me(&sandbox, &access).await, 401);
    let response = refresh(&sandbox, &refresh_token).await;
    assert_eq!(response.status(), 400);
    assert_eq!(oauth_error(response).await, "invalid_grant");
}

#[tokio::test]
async fn revoking_with_the_refresh_token_invalidates_both() {
    let sandbox = Sandbox::start().await.expect("start");
    let (access, refresh_token) = grant(&sandbox, &client()).await;
    let response = revoke(
        &sandbox,
        &access,
        &[
            ("token", &refresh_token),
            ("token_type_hint", "refresh_token"),
        ],
    )
    .await;
    assert_eq!(response.status(), 200);
    assert_eq!(me(&sandbox, &access).await, 401);
    assert_eq!(refresh(&sandbox, &refresh_token).await.status(), 400);
}

#[tokio::test]
async fn revoke_can_end_another_session_and_ignores_unknown_tokens() {
    let sandbox = Sandbox::start().await.expect("start");
    let (admin, _) = grant(&sandbox, &client()).await;
    let (other, other_refresh) = grant(&sandbox, &client()).await;
    assert_eq!(
        revoke(&sandbox, &admin, &[("token", &other_refresh)])
            .await
            .status(),
        200
    );
    assert_eq!(me(&sandbox, &other).await, 401);
    assert_eq!(me(&sandbox, &admin).await, 200);
    // RFC 7009: an unknown token is not an error, and nothing else is revoked.
    assert_eq!(
        revoke(&sandbox, &admin, &[("token", "unknown")])
            .await
            .status(),
        200
    );
    assert_eq!(me(&sandbox, &admin).await, 200);
}

#[tokio::test]
async fn revoke_without_a_token_parameter_logs_the_bearer_out() {
    let sandbox = Sandbox::start().await.expect("start");
    let (access, refresh_token) = grant(&sandbox, &client()).await;
    let response = revoke(&sandbox, &access, &[]).await;
    assert_eq!(response.status(), 200);
    assert_eq!(me(&sandbox, &access).await, 401);
    assert_eq!(refresh(&sandbox, &refresh_token).await.status(), 400);
}

#[tokio::test]
async fn revoke_needs_a_live_bearer() {
    let sandbox = Sandbox::start().await.expect("start");
    let (access, _) = grant(&sandbox, &client()).await;
    let response = revoke(&sandbox, "not-a-token", &[("token", &access)]).await;
    assert_eq!(response.status(), 401);
    assert_eq!(oauth_error(response).await, "invalid_token");
    let response = client()
        .post(format!("{}/v1/oauth/revoke", sandbox.base_url()))
        .form(&[("token", access.as_str())])
        .send()
        .await
        .expect("revoke");
    assert_eq!(response.status(), 401);
    assert_eq!(oauth_error(response).await, "invalid_token");
    // Neither attempt revoked anything.
    assert_eq!(me(&sandbox, &access).await, 200);
}

#[tokio::test]
async fn access_tokens_expire_after_the_ttl_and_stay_refreshable() {
    let clock = ManualClock::new();
    let config = Config {
        token_ttl: Duration::from_secs(300),
        clock: Arc::new(clock.clone()),
        ..Config::default()
    };
    let sandbox = Sandbox::start_with(config).await.expect("start");
    let (access, refresh_token) = grant(&sandbox, &client()).await;
    clock.advance(Duration::from_secs(299));
    assert_eq!(me(&sandbox, &access).await, 200);
    clock.advance(Duration::from_secs(1));
    let response = client()
        .get(format!("{}/v1/me", sandbox.base_url()))
        .bearer_auth(&access)
        .send()
        .await
        .expect("me");
    assert_eq!(response.status(), 401);
    let body: Value = response.json().await.expect("JSON:API error");
    assert!(
        body["errors"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("expired")),
        "{body}"
    );
    assert_eq!(refresh(&sandbox, &refresh_token).await.status(), 200);
}

#[tokio::test]
async fn token_requests_counts_every_token_call() {
    let sandbox = Sandbox::start().await.expect("start");
    assert_eq!((sandbox.token_requests(), sandbox.requests()), (0, 0));
    let (access, refresh_token) = grant(&sandbox, &client()).await;
    token(
        &sandbox,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", "nope"),
            ("client_secret", "x"),
        ],
    )
    .await;
    refresh(&sandbox, &refresh_token).await;
    me(&sandbox, &access).await; // 401 by now: rotated away, still a request
    revoke(&sandbox, &access, &[]).await;
    assert_eq!(sandbox.token_requests(), 3);
    assert_eq!(sandbox.requests(), 5);
}

#[tokio::test]
async fn the_specs_exchange_takes_username_and_password_without_a_grant_type() {
    let sandbox = Sandbox::start().await.expect("start");
    let response = token(
        &sandbox,
        &[("username", DEMO_USERNAME), ("password", DEMO_PASSWORD)],
    )
    .await;
    assert_eq!(response.status(), 200);
    let (access, _) = pair(response).await;
    assert_eq!(me(&sandbox, &access).await, 200);
    let wrong = token(
        &sandbox,
        &[("username", DEMO_USERNAME), ("password", "guess")],
    )
    .await;
    assert_eq!(wrong.status(), 400);
    assert_eq!(oauth_error(wrong).await, "invalid_grant");
}

#[tokio::test]
async fn the_demo_user_logs_in_with_the_password_grant() {
    let sandbox = Sandbox::start().await.expect("start");
    assert_eq!(
        (sandbox.username(), sandbox.password()),
        (DEMO_USERNAME, DEMO_PASSWORD)
    );
    let login = [
        ("grant_type", "password"),
        ("username", DEMO_USERNAME),
        ("password", DEMO_PASSWORD),
    ];
    let response = token(&sandbox, &login).await;
    assert_eq!(response.status(), 200);
    assert_eq!(
        response
            .headers()
            .get("cache-control")
            .map(|v| v.as_bytes()),
        Some(&b"no-store"[..])
    );
    let (access, refresh_token) = pair(response).await;
    assert_eq!(me(&sandbox, &access).await, 200);
    // The refresh token of a password-grant session rotates like any other.
    let refreshed = refresh(&sandbox, &refresh_token).await;
    assert_eq!(refreshed.status(), 200);
    let (renewed, _) = pair(refreshed).await;
    assert_eq!(me(&sandbox, &renewed).await, 200);
    assert_eq!(me(&sandbox, &access).await, 401);
    // With the client's credentials as well, they must be the right ones.
    let with_client = [
        ("grant_type", "password"),
        ("username", DEMO_USERNAME),
        ("password", DEMO_PASSWORD),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", DEMO_CLIENT_SECRET),
    ];
    assert_eq!(token(&sandbox, &with_client).await.status(), 200);
    let wrong_client = [
        ("grant_type", "password"),
        ("username", DEMO_USERNAME),
        ("password", DEMO_PASSWORD),
        ("client_id", DEMO_CLIENT_ID),
        ("client_secret", "nope"),
    ];
    let response = token(&sandbox, &wrong_client).await;
    assert_eq!(response.status(), 401);
    assert_eq!(oauth_error(response).await, "invalid_client");
    for wrong in [
        &[
            ("grant_type", "password"),
            ("username", DEMO_USERNAME),
            ("password", "guess"),
        ][..],
        &[
            ("grant_type", "password"),
            ("username", "someone@else"),
            ("password", DEMO_PASSWORD),
        ],
        &[("grant_type", "password"), ("username", DEMO_USERNAME)],
    ] {
        let response = token(&sandbox, wrong).await;
        assert_eq!(response.status(), 400);
        let body = response.text().await.expect("body");
        assert!(body.contains("invalid_grant"), "{body}");
        assert!(
            !body.contains(DEMO_PASSWORD),
            "the password is not echoed: {body}"
        );
    }
}

#[tokio::test]
async fn a_seed_makes_tokens_repeatable() {
    let seeded = || Config {
        seed: Some(42),
        ..Config::default()
    };
    let a = Sandbox::start_with(seeded()).await.expect("start");
    let b = Sandbox::start_with(seeded()).await.expect("start");
    let c = Sandbox::start().await.expect("start");
    let (a1, a2) = grant(&a, &client()).await;
    let (b1, b2) = grant(&b, &client()).await;
    let (c1, _) = grant(&c, &client()).await;
    assert_eq!((&a1, &a2), (&b1, &b2));
    assert_ne!(a1, c1);
}

#[test]
fn config_debug_hides_the_secrets() {
    let config = Config {
        client_secret: "top-secret-1".into(),
        password: "top-secret-2".into(),
        ..Config::default()
    };
    let debug = format!("{config:?}");
    assert!(!debug.contains("top-secret"), "{debug}");
    assert!(debug.contains("sandbox-client-id"), "{debug}");
}
