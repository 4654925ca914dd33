//! The token lifecycle on the wire: grant, cache, renewal before expiry, refresh fallback,
//! single flight, and the one retry after a 401.

mod support;

use std::time::Duration;

use httpmock::{Method::GET, MockServer};
use kajabi_api::Client;
use serde_json::json;
use support::*;

#[tokio::test]
async fn a_cold_client_gets_a_token_then_reuses_it() {
    let server = MockServer::start_async().await;
    let grant = client_credentials_grant(&server, "at-1", "rt-1", 7200).await;
    let me = me_with(&server, "at-1").await;
    let client = client(&server);
    for _ in 0..3 {
        let response = client.get_me().send().await.unwrap();
        assert_eq!(response.data.id, "42");
    }
    grant.assert_calls_async(1).await;
    me.assert_calls_async(3).await;
}

#[tokio::test]
async fn a_token_is_renewed_with_the_refresh_grant_before_it_expires() {
    let server = MockServer::start_async().await;
    let grant = client_credentials_grant(&server, "at-1", "rt-1", 600).await;
    let refresh = refresh_grant(
        &server,
        "rt-1",
        200,
        json!({"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 600}),
    )
    .await;
    let old = me_with(&server, "at-1").await;
    let new = me_with(&server, "at-2").await;
    let (now, clock) = manual_clock();
    let client = builder(&server).clock(clock).build().unwrap();

    client.get_me().send().await.unwrap();
    *now.lock().unwrap() += Duration::from_secs(539); // 600 s minus the 60 s margin, minus 1 s
    client.get_me().send().await.unwrap();
    old.assert_calls_async(2).await;
    refresh.assert_calls_async(0).await;

    *now.lock().unwrap() += Duration::from_secs(2); // inside the margin: renew first
    client.get_me().send().await.unwrap();
    refresh.assert_calls_async(1).await;
    new.assert_calls_async(1).await;
    grant.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_refused_refresh_token_falls_back_to_client_credentials() {
    let server = MockServer::start_async().await;
    let grant = client_credentials_grant(&server, "at-1", "rt-1", 600).await;
    let refresh = refresh_grant(&server, "rt-1", 400, json!({"error": "invalid_grant"})).await;
    me_with(&server, "at-1").await;
    let (now, clock) = manual_clock();
    let client = builder(&server).clock(clock).build().unwrap();
    client.get_me().send().await.unwrap();
    *now.lock().unwrap() += Duration::from_secs(3600);
    client.get_me().send().await.unwrap();
    refresh.assert_calls_async(1).await;
    grant.assert_calls_async(2).await;
}

#[tokio::test]
async fn a_hundred_tasks_on_a_cold_client_cause_one_token_request() {
    let server = MockServer::start_async().await;
    let grant = server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST).path("/v1/oauth/token");
            // Slow enough that every task arrives while the first request is in flight.
            then.status(200)
                .delay(Duration::from_millis(300))
                .json_body(
                    json!({"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 7200}),
                );
        })
        .await;
    let me = me_with(&server, "at-1").await;
    let client = client(&server);
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let client = client.clone();
            tokio::spawn(async move { client.get_me().send().await.map(|_| ()) })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    grant.assert_calls_async(1).await;
    me.assert_calls_async(100).await;
}

#[tokio::test]
async fn a_401_renews_the_token_and_retries_once() {
    let server = MockServer::start_async().await;
    let grant = client_credentials_grant(&server, "at-1", "rt-1", 7200).await;
    let refresh = refresh_grant(
        &server,
        "rt-1",
        200,
        json!({"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 7200}),
    )
    .await;
    let rejected = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/me")
                .header("authorization", "Bearer at-1");
            then.status(401)
                .header("content-type", "application/vnd.api+json")
                .json_body(json!({"errors": [{"status": "401", "title": "Unauthorized"}]}));
        })
        .await;
    let accepted = me_with(&server, "at-2").await;
    let client = client(&server);
    client.get_me().send().await.unwrap();
    rejected.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    accepted.assert_calls_async(1).await;
    grant.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_second_401_is_returned_not_looped_on() {
    let server = MockServer::start_async().await;
    let grant = client_credentials_grant(&server, "at-1", "rt-1", 7200).await;
    refresh_grant(
        &server,
        "rt-1",
        200,
        json!({"access_token": "at-1", "refresh_token": "rt-1", "expires_in": 7200}),
    )
    .await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(401)
                .header("content-type", "application/vnd.api+json")
                .json_body(json!({"errors": [{"status": "401", "title": "Unauthorized", "detail": "token revoked"}]}));
        })
        .await;
    let client = client(&server);
    let error = client.get_me().send().await.unwrap_err();
    assert!(error.is_unauthorized() && error.is_auth(), "{error}");
    assert_eq!(error.operation(), Some("get_me"));
    me.assert_calls_async(2).await;
    grant.assert_calls_async(1).await;
}

#[tokio::test]
async fn refused_credentials_are_an_auth_error_with_the_oauth_body() {
    let server = MockServer::start_async().await;
    let grant = server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST).path("/v1/oauth/token");
            then.status(401)
                .json_body(json!({"error": "invalid_client", "error_description": "Client authentication failed"}));
        })
        .await;
    let me = me_with(&server, "never").await;
    let error = client(&server).get_me().send().await.unwrap_err();
    assert!(error.is_auth(), "{error}");
    assert_eq!(error.operation(), Some("create_token"));
    assert!(matches!(
        error.api_error(),
        Some(kajabi_api::ApiError::OAuth(e)) if e.error == kajabi_api::OAuthErrorCode::InvalidClient
    ));
    assert_eq!(
        error.to_string(),
        "create_token returned 401 Unauthorized: invalid_client (Client authentication failed); \
         the token is invalid, expired or revoked: check the credentials"
    );
    grant.assert_calls_async(1).await;
    me.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_ready_access_token_is_used_without_a_token_request() {
    let server = MockServer::start_async().await;
    let grant = client_credentials_grant(&server, "x", "y", 1).await;
    let me = me_with(&server, "ready+/=").await;
    let client = Client::builder()
        .base_url(server.base_url())
        .access_token("ready+/=")
        .build()
        .unwrap();
    client.get_me().send().await.unwrap();
    me.assert_calls_async(1).await;
    grant.assert_calls_async(0).await;
}

#[tokio::test]
async fn no_credentials_fail_before_any_request() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let client = Client::builder()
        .base_url(server.base_url())
        .build()
        .unwrap();
    let error = client.get_me().send().await.unwrap_err();
    assert!(error.is_auth() && error.is_config(), "{error}");
    assert_eq!(error.operation(), Some("get_me"));
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_ready_token_pair_renews_through_its_refresh_token_after_a_401() {
    let server = MockServer::start_async().await;
    let refresh = refresh_grant(
        &server,
        "rt-0",
        200,
        json!({"access_token": "at-new", "refresh_token": "rt-1", "expires_in": 7200}),
    )
    .await;
    let old = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/me")
                .header("authorization", "Bearer at-old");
            then.status(401)
                .json_body(json!({"errors": [{"status": "401", "title": "Unauthorized"}]}));
        })
        .await;
    let new = me_with(&server, "at-new").await;
    let client = Client::builder()
        .base_url(server.base_url())
        .access_token("at-old")
        .refresh_token("rt-0")
        .build()
        .unwrap();
    client.get_me().send().await.unwrap();
    old.assert_calls_async(1).await;
    refresh.assert_calls_async(1).await;
    new.assert_calls_async(1).await;
}

/// The token request goes to the path the generated operation table gives the operation whose
/// role is `TokenGrant` (found by role, not by name or path), and nowhere else. The crate's
/// unit test `auth::tests::the_token_request_goes_to_the_token_operations_path` moves that path
/// to prove no literal is involved.
#[tokio::test]
async fn the_token_request_goes_to_the_token_grant_path_of_the_operation_table() {
    let grant_op = kajabi_api::operations()
        .iter()
        .find(|op| op.role == kajabi_api::Role::TokenGrant)
        .expect("the spec has a token grant operation");
    let server = MockServer::start_async().await;
    let grant = server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST).path(grant_op.path);
            then.status(200)
                .header("content-type", "application/json")
                .json_body(json!({"access_token": "at-1", "expires_in": 7200}));
        })
        .await;
    let token = client(&server).access_token().await.unwrap();
    assert_eq!(token.secret(), "at-1");
    grant.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_stale_token_that_cannot_be_renewed_is_sent_and_the_server_decides() {
    let server = MockServer::start_async().await;
    let me = me_with(&server, "at-old").await;
    // No credentials, no refresh token, past its renewal time: nothing to renew it with.
    let stale = kajabi_api::SessionTokens::new("at-old", None, Some(std::time::UNIX_EPOCH));
    let client = Client::builder()
        .base_url(server.base_url())
        .build_with_session(stale)
        .unwrap();
    client.get_me().send().await.unwrap();
    me.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_token_is_stale_from_the_instant_its_renewal_time_comes() {
    let server = MockServer::start_async().await;
    let (refresh, now, client) = renewing_session(&server, 600, "at-2").await;
    me_with(&server, "at-1").await;
    let renewed = me_with(&server, "at-2").await;
    client.get_me().send().await.unwrap();
    *now.lock().unwrap() += Duration::from_secs(540); // exactly 600 s minus the 60 s margin
    client.get_me().send().await.unwrap();
    refresh.assert_calls_async(1).await;
    renewed.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_short_lived_token_is_renewed_at_half_its_life() {
    let server = MockServer::start_async().await;
    let (refresh, now, client) = renewing_session(&server, 100, "at-2").await;
    me_with(&server, "at-1").await;
    me_with(&server, "at-2").await;
    client.get_me().send().await.unwrap();
    // 100 s minus the 60 s margin would be 40 s: too early for a token this short-lived.
    *now.lock().unwrap() += Duration::from_secs(49);
    client.get_me().send().await.unwrap();
    refresh.assert_calls_async(0).await;
    *now.lock().unwrap() += Duration::from_secs(1);
    client.get_me().send().await.unwrap();
    refresh.assert_calls_async(1).await;
}

/// A session exported after a grant carries both tokens; a client resumed from it after the
/// renewal time renews with the exported refresh token.
#[tokio::test]
async fn an_exported_session_carries_the_refresh_token_a_resumed_client_renews_with() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at-1", "rt-1", 7200).await;
    let first = client(&server);
    first.access_token().await.unwrap();
    let exported = first.session_tokens().expect("a session after the grant");
    assert_eq!(exported.access_token().secret(), "at-1");
    assert_eq!(exported.refresh_token().map(|t| t.secret()), Some("rt-1"));
    let refresh = refresh_grant(
        &server,
        "rt-1",
        200,
        json!({"access_token": "at-2", "refresh_token": "rt-2", "expires_in": 7200}),
    )
    .await;
    let me = me_with(&server, "at-2").await;
    let stale = kajabi_api::SessionTokens::new(
        exported.access_token().secret(),
        exported.refresh_token().cloned(),
        Some(std::time::UNIX_EPOCH),
    );
    let resumed = Client::builder()
        .base_url(server.base_url())
        .build_with_session(stale)
        .unwrap();
    resumed.get_me().send().await.unwrap();
    refresh.assert_calls_async(1).await;
    me.assert_calls_async(1).await;
}
