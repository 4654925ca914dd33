//! Renewal after a 401 and through the refresh token: one renewal however many calls meet the
//! 401, no bearer on the token request, the refresh token never in an error, and a revoked
//! own token dropping the session.

mod support;

use std::time::Duration;

use futures::future::join_all;
use httpmock::{Method::GET, Method::POST, MockServer};
use kajabi_api::{Client, RetryPolicy, SecretString};
use serde_json::json;
use support::{capture::Capture, *};
use tracing::Level;
use tracing_subscriber::filter::Targets;

const STALE: &str = "AT-stale-access-token";
const FRESH: &str = "AT-fresh-access-token";
const REFRESH: &str = "RT-the-refresh-token";

/// A client holding a ready pair (no client credentials): renewal can only use `REFRESH`.
fn pair_client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .access_token(STALE)
        .refresh_token(REFRESH)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client builds")
}

/// `GET /v1/me`: 401 for the stale token, 200 for the fresh one.
async fn me(server: &MockServer) -> (httpmock::Mock<'_>, httpmock::Mock<'_>) {
    let refused = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/me")
                .header("authorization", format!("Bearer {STALE}"));
            then.status(401)
                .json_body(json!({"errors": [{"status": "401", "title": "Unauthorized"}]}));
        })
        .await;
    let accepted = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/me")
                .header("authorization", format!("Bearer {FRESH}"));
            then.status(200).json_body(me_body());
        })
        .await;
    (refused, accepted)
}

#[tokio::test]
async fn many_calls_meeting_a_401_at_once_cause_one_renewal() {
    let server = MockServer::start_async().await;
    let (refused, accepted) = me(&server).await;
    // The refresh grant, without `Authorization`: a request that carried one would not match.
    let renewal = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/oauth/token")
                .header("content-type", "application/x-www-form-urlencoded")
                .header_missing("authorization")
                .body(format!("grant_type=refresh_token&refresh_token={REFRESH}"));
            then.status(200).json_body(json!({
                "access_token": FRESH, "refresh_token": "RT-next", "token_type": "Bearer", "expires_in": 7200
            }));
        })
        .await;
    let client = pair_client(&server);
    let calls = (0..24).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_me().send().await })
    });
    for result in join_all(calls).await {
        result
            .expect("task")
            .expect("every call succeeds after the renewal");
    }
    renewal.assert_calls_async(1).await;
    assert_eq!(accepted.calls_async().await, 24);
    assert!(refused.calls_async().await >= 1);
}

#[tokio::test]
async fn the_refresh_grant_carries_no_bearer() {
    let server = MockServer::start_async().await;
    me(&server).await;
    let with_bearer = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/oauth/token")
                .header_exists("authorization");
            then.status(500);
        })
        .await;
    let without = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/oauth/token")
                .header_missing("authorization");
            then.status(200).json_body(json!({
                "access_token": FRESH, "token_type": "Bearer", "expires_in": 7200
            }));
        })
        .await;
    pair_client(&server).get_me().send().await.expect("renewed");
    with_bearer.assert_calls_async(0).await;
    without.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refused_refresh_token_echoed_by_the_server_never_shows_in_the_log() {
    // A stale token renews through the refresh grant first; its refusal (which echoes the
    // refresh token) is logged at debug level before the fallback to client credentials.
    let capture = Capture::default();
    let _log = tracing::subscriber::set_default(
        capture.subscriber(Targets::new().with_target("kajabi_api", Level::TRACE)),
    );
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, STALE, REFRESH, 600).await;
    let refused = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/oauth/token")
                .body_includes("grant_type=refresh_token");
            then.status(400).json_body(json!({
                "error": "invalid_grant",
                "error_description": format!("refresh token {REFRESH} is revoked")
            }));
        })
        .await;
    me_ok(&server).await;
    let (now, clock) = manual_clock();
    let client = builder(&server).clock(clock).build().expect("client");
    client.get_me().send().await.expect("first call");
    *now.lock().unwrap() += Duration::from_secs(600);
    client
        .get_me()
        .send()
        .await
        .expect("renewed by client credentials");
    refused.assert_calls_async(1).await;
    let log = capture.take();
    assert!(
        log.contains("invalid_grant"),
        "the refusal is logged:\n{log}"
    );
    assert!(
        !log.contains(REFRESH),
        "the refresh token leaked into the log:\n{log}"
    );
}

#[tokio::test]
async fn revoking_the_clients_own_token_drops_its_session() {
    let server = MockServer::start_async().await;
    let grant = client_credentials_grant(&server, "AT-first-token", "RT-first-token", 7200).await;
    me_ok(&server).await;
    let revoke = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/oauth/revoke")
                .body("token=AT-first-token");
            then.status(200);
        })
        .await;
    let client = client(&server);
    client.get_me().send().await.expect("first call");
    grant.assert_calls_async(1).await;
    client
        .revoke(&SecretString::new("AT-first-token"))
        .await
        .expect("revoked");
    revoke.assert_calls_async(1).await;
    // The revoked token is gone from the cache: the next call gets a new one.
    client.get_me().send().await.expect("call after revoke");
    grant.assert_calls_async(2).await;
}

#[tokio::test]
async fn revoking_another_token_keeps_the_session() {
    let server = MockServer::start_async().await;
    let grant = client_credentials_grant(&server, "AT-first-token", "RT-first-token", 7200).await;
    me_ok(&server).await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/oauth/revoke");
            then.status(200);
        })
        .await;
    let client = client(&server);
    client.get_me().send().await.expect("first call");
    client
        // The client's own token with two letters swapped: same length, same bytes in another
        // order, so that only a byte-by-byte comparison tells them apart.
        .revoke(&SecretString::new("AT-firts-token"))
        .await
        .expect("revoked");
    client.get_me().send().await.expect("call after revoke");
    grant.assert_calls_async(1).await;
}
