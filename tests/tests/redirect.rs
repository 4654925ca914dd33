//! Redirects and the bearer token. The SDK's own HTTP client follows up to 5 redirects and
//! reqwest drops `Authorization` when a redirect leaves the origin (host, port or scheme), so
//! a token never reaches another server, whatever that server answers. Server A is httpmock;
//! server B, the redirect target, is the raw `support::faulty` server, which records headers.

mod support;

use std::time::Duration;

use httpmock::{Method::GET, MockServer};
use support::faulty::{self, bounded, me_ok, quick_retries, reply, response, Faulty, TOKEN};

/// Server A's `GET /v1/me`: a 307 to `location`.
async fn redirect_me(server: &MockServer, location: String) -> httpmock::Mock<'_> {
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(307).header("location", location);
        })
        .await
}

fn bearer() -> String {
    format!("Bearer {TOKEN}")
}

#[tokio::test]
async fn a_redirect_to_another_port_or_host_does_not_carry_the_token() {
    for host in ["127.0.0.1", "localhost"] {
        let a = MockServer::start_async().await;
        let b = Faulty::always(me_ok()).await;
        redirect_me(&a, format!("http://{host}:{}/v1/me", b.addr().port())).await;
        let client = faulty::builder(&a.base_url()).build().unwrap();
        // B answered with a valid body, so the call succeeds: the redirect is transparent.
        let me = bounded("redirect", client.get_me().send()).await.unwrap();
        assert_eq!(me.data.id, "42");
        let seen = b.requests();
        assert_eq!(seen.len(), 1, "{host}");
        assert_eq!(seen[0].line(), "GET /v1/me HTTP/1.1");
        assert_eq!(seen[0].header("authorization"), None, "{host}: {seen:?}");
    }
}

#[tokio::test]
async fn a_foreign_401_after_a_redirect_is_a_typed_unauthorized_error() {
    let a = MockServer::start_async().await;
    let b = Faulty::always(reply(response(
        401,
        &[("content-type", "application/json")],
        r#"{"error":"invalid_token"}"#,
    )))
    .await;
    redirect_me(&a, format!("http://127.0.0.1:{}/v1/me", b.addr().port())).await;
    // An access token alone: nothing to renew, so the 401 is returned as it came.
    let client = faulty::builder(&a.base_url()).build().unwrap();
    let error = bounded("foreign 401", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_unauthorized() && error.is_auth(), "{error:?}");
    assert!(error.api_error().is_some());
    assert!(b.requests()[0].header("authorization").is_none());
}

#[tokio::test]
async fn a_redirect_within_the_same_origin_keeps_the_token() {
    // Recorded behaviour: same scheme, host and port is the same server, which already had the
    // token, so reqwest keeps `Authorization`.
    let a = MockServer::start_async().await;
    redirect_me(&a, format!("{}/v1/moved", a.base_url())).await;
    let moved = a
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/moved")
                .header("authorization", bearer());
            then.status(200).json_body(support::me_body());
        })
        .await;
    let client = faulty::builder(&a.base_url()).build().unwrap();
    bounded("same origin", client.get_me().send())
        .await
        .unwrap();
    moved.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_redirect_loop_ends_in_a_transport_error() {
    let a = MockServer::start_async().await;
    let me = redirect_me(&a, format!("{}/v1/me", a.base_url())).await;
    let client = faulty::builder(&a.base_url()).build().unwrap();
    let error = bounded("loop", client.get_me().send()).await.unwrap_err();
    assert!(error.is_transport(), "{error:?}");
    // The first request and five redirects, then reqwest gives up.
    assert_eq!(me.calls_async().await, 6);
}

#[tokio::test]
async fn a_redirect_loop_is_not_retried() {
    let a = MockServer::start_async().await;
    let me = redirect_me(&a, format!("{}/v1/me", a.base_url())).await;
    let client = faulty::builder(&a.base_url())
        .retry_policy(quick_retries(3, Duration::from_millis(1)))
        .build()
        .unwrap();
    let error = bounded("loop", client.get_me().send()).await.unwrap_err();
    assert!(error.is_transport(), "{error:?}");
    assert_eq!(me.calls_async().await, 6);
}
