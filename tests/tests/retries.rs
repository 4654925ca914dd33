//! The retry policy on the wire (kajabi-api/retry.rs): which answers and failures are sent
//! again, for which methods, how long the SDK waits, and that it stops. The raw-TCP
//! `support::faulty` server plays one script per request and counts requests and connections.
//! That each retry is traced is in `retry_tracing.rs` (a subscriber per binary).

mod support;

use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use kajabi_api::RetryPolicy;
use support::faulty::{
    self, bounded, contact_created, me_ok, new_contact, quick_retries, reply, response, Faulty,
    Script, Step,
};

fn status(code: u16, retry_after: Option<&str>) -> Script {
    let mut headers = vec![("content-type", "application/vnd.api+json")];
    if let Some(value) = retry_after {
        headers.push(("retry-after", value));
    }
    let body = format!(r#"{{"errors":[{{"status":"{code}","title":"Try later"}}]}}"#);
    reply(response(code, &headers, body))
}

/// A client of `server` with `policy`.
fn client_of(server: &Faulty, policy: RetryPolicy) -> kajabi_api::Client {
    faulty::builder(&server.base_url())
        .retry_policy(policy)
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_429_with_retry_after_seconds_waits_that_long_then_succeeds() {
    let server = Faulty::start(vec![status(429, Some("1")), me_ok()]).await;
    let client = client_of(&server, quick_retries(3, Duration::from_secs(5)));
    let started = Instant::now();
    let me = bounded("429", client.get_me().send()).await.unwrap();
    let waited = started.elapsed();
    assert_eq!(me.data.id, "42");
    assert_eq!(server.requests().len(), 2);
    // The backoff alone would be ≤ 1 ms: only Retry-After explains a wait of a second.
    assert!(waited >= Duration::from_millis(950), "{waited:?}");
}

#[tokio::test(start_paused = true)]
async fn a_long_retry_after_is_capped_by_max_delay() {
    let server = Faulty::start(vec![status(429, Some("3600")), me_ok()]).await;
    let client = client_of(&server, quick_retries(3, Duration::from_millis(200)));
    let started = Instant::now();
    bounded("capped", client.get_me().send()).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(190) && waited < Duration::from_secs(5),
        "{waited:?}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_429_with_an_http_date_retry_after_waits_until_then() {
    // HTTP dates have whole seconds, and the wall clock runs on while the test does: "now +
    // 20 s" is between 15 and 20 s away however slow the machine. The wait runs on tokio's
    // paused clock, so no real time passes.
    let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(20));
    let server = Faulty::start(vec![status(429, Some(&date)), me_ok()]).await;
    let client = client_of(&server, quick_retries(3, Duration::from_secs(60)));
    let started = Instant::now();
    bounded("date", client.get_me().send()).await.unwrap();
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_secs(15) && waited <= Duration::from_secs(20),
        "{waited:?}"
    );
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_429_without_retry_after_backs_off_and_retries() {
    let server = Faulty::start(vec![status(429, None), status(429, None), me_ok()]).await;
    let policy = RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(50),
        max_delay: Duration::from_millis(100),
        max_elapsed: Duration::from_secs(30),
    };
    let client = client_of(&server, policy);
    let started = Instant::now();
    bounded("backoff", client.get_me().send()).await.unwrap();
    assert_eq!(server.requests().len(), 3);
    // Full jitter: the waits are random in [0, 50 ms] and [0, 100 ms].
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_503_on_get_is_retried() {
    let server = Faulty::start(vec![status(503, None), me_ok()]).await;
    let client = client_of(&server, quick_retries(3, Duration::from_millis(50)));
    bounded("503 get", client.get_me().send()).await.unwrap();
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_503_on_post_without_a_usable_retry_after_is_not_retried() {
    // The server may have acted on the POST; only an explicit Retry-After makes a resend safe.
    for retry_after in [None, Some("soon")] {
        let server = Faulty::always(status(503, retry_after)).await;
        let client = client_of(&server, quick_retries(3, Duration::from_millis(50)));
        let error = bounded(
            "503 post",
            client.create_contact().body(new_contact()).send(),
        )
        .await
        .unwrap_err();
        assert!(error.is_status(), "{error:?}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
        assert_eq!(error.operation(), Some("create_contact"));
        assert_eq!(server.requests().len(), 1, "retry-after {retry_after:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_503_or_429_with_retry_after_on_post_is_retried_with_the_same_body() {
    for code in [503, 429] {
        let server = Faulty::start(vec![status(code, Some("0")), contact_created()]).await;
        let client = client_of(&server, quick_retries(3, Duration::from_millis(50)));
        let created = bounded(
            "post retry",
            client.create_contact().body(new_contact()).send(),
        )
        .await
        .unwrap();
        assert_eq!(created.data.id, "8");
        let seen = server.requests();
        assert_eq!(seen.len(), 2, "{code}");
        assert_eq!(seen[0].line(), "POST /v1/contacts HTTP/1.1");
        assert_eq!(seen[0].body, seen[1].body);
        assert!(!seen[1].body.is_empty());
    }
}

/// `Client::request` (the spec-less path, `kajabi api`) sends the request it was given first
/// and copies of it after: every attempt carries the same head and body.
#[tokio::test(start_paused = true)]
async fn a_request_built_by_hand_is_retried_with_the_same_head_and_body() {
    let server = Faulty::start(vec![
        status(503, Some("0")),
        status(429, Some("0")),
        contact_created(),
    ])
    .await;
    let client = client_of(&server, quick_retries(3, Duration::from_millis(50)));
    let body = serde_json::json!({"data": {"type": "contacts", "attributes": {"email": "ada@example.com"}}});
    let query = [("include".to_string(), "tags".to_string())];
    let created = bounded(
        "raw retry",
        client.request("post", "/v1/contacts", &query, Some(&body)),
    )
    .await
    .unwrap()
    .expect("a body");
    assert_eq!(created["data"]["id"], "8");
    let seen = server.requests();
    assert_eq!(seen.len(), 3);
    for attempt in &seen {
        assert_eq!(attempt.line(), "POST /v1/contacts?include=tags HTTP/1.1");
        assert_eq!(
            attempt.header("authorization"),
            seen[0].header("authorization")
        );
        assert!(attempt.header("authorization").is_some());
        assert_eq!(
            attempt.header("content-type"),
            Some("application/vnd.api+json")
        );
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&attempt.body).unwrap(),
            body
        );
    }
}

#[tokio::test(start_paused = true)]
async fn attempts_are_bounded_and_the_last_429_is_returned_with_its_retry_after() {
    let server = Faulty::always(status(429, Some("1"))).await;
    let client = client_of(&server, quick_retries(4, Duration::from_millis(10)));
    let error = bounded("always 429", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_rate_limited() && error.is_retryable(), "{error:?}");
    // What the server said, not the capped wait.
    assert_eq!(error.retry_after(), Some(Duration::from_secs(1)));
    assert_eq!(server.requests().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_wait_that_would_end_past_max_elapsed_is_not_started() {
    let server = Faulty::always(status(429, Some("5"))).await;
    let policy = RetryPolicy {
        max_attempts: 5,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_secs(10),
        max_elapsed: Duration::from_secs(1),
    };
    let client = client_of(&server, policy);
    let started = Instant::now();
    let error = bounded("max elapsed", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_rate_limited());
    assert_eq!(server.requests().len(), 1);
    assert!(started.elapsed() < Duration::from_secs(4));
}

#[tokio::test(start_paused = true)]
async fn disabled_retries_send_once() {
    for code in [429, 503] {
        let server = Faulty::always(status(code, Some("0"))).await;
        let client = client_of(&server, RetryPolicy::disabled());
        let error = bounded("disabled", client.get_me().send())
            .await
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(code));
        assert_eq!(server.requests().len(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_on_get_is_retried_then_reported_as_transport() {
    // No connection is made, so nothing can count the attempts here: `retry_tracing.rs` counts the
    // "retrying after a transport error" events. This checks the outcome and its type.
    let refusing = faulty::refusing();
    let base_url = &refusing.base_url;
    let client = faulty::builder(base_url)
        .retry_policy(quick_retries(3, Duration::from_millis(20)))
        .build()
        .unwrap();
    let error = bounded("refused", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_transport() && !error.is_timeout(), "{error:?}");
    assert!(error.status().is_none() && error.is_retryable());
}

#[tokio::test(start_paused = true)]
async fn a_reset_after_the_request_arrived_is_retried_for_get_only() {
    // GET: idempotent, each attempt is a new connection that gets reset.
    let server = Faulty::always(vec![Step::Reset]).await;
    let client = client_of(&server, quick_retries(3, Duration::from_millis(20)));
    let error = bounded("reset get", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_transport(), "{error:?}");
    assert_eq!((server.accepted(), server.requests().len()), (3, 3));

    // POST: the server read the whole request before the reset; sending it again could create
    // the contact twice.
    let server = Faulty::always(vec![Step::Reset]).await;
    let client = client_of(&server, quick_retries(3, Duration::from_millis(20)));
    let error = bounded(
        "reset post",
        client.create_contact().body(new_contact()).send(),
    )
    .await
    .unwrap_err();
    assert!(error.is_transport(), "{error:?}");
    assert_eq!((server.accepted(), server.requests().len()), (1, 1));
}

#[tokio::test(start_paused = true)]
async fn a_429_on_the_token_request_is_retried_like_any_other() {
    let token =
        serde_json::json!({"access_token": "at", "token_type": "Bearer", "expires_in": 7200});
    let server = Faulty::start(vec![
        status(429, Some("0")),
        reply(response(
            200,
            &[("content-type", "application/json")],
            token.to_string(),
        )),
        me_ok(),
    ])
    .await;
    let client = kajabi_api::Client::builder()
        .base_url(server.base_url())
        .client_credentials("id", "secret")
        .retry_policy(quick_retries(3, Duration::from_millis(50)))
        .build()
        .unwrap();
    let result = bounded("token 429", client.get_me().send()).await;
    let lines: Vec<String> = server
        .requests()
        .iter()
        .map(|r| r.line().to_string())
        .collect();
    assert!(result.is_ok(), "{result:?} after {lines:?}");
    assert_eq!(lines.len(), 3);
}
