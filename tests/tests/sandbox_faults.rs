//! The SDK against the sandbox's faults and rate limit: what a user's failure paths meet
//! (retries after 429 and 503, no resend of an unsafe POST, an HTML 502, a timeout, a dropped
//! connection, a 403 with Kajabi's body, the request id) with the sandbox's records as the
//! witness of each attempt. Waits run on tokio's paused time: no test sleeps for real, and
//! no bound here is a wall-clock upper bound.

use std::time::Duration;

use kajabi_api::{ApiError, Client, RetryPolicy};
use kajabi_sandbox::{Config, Fault, FaultRecord, RetryAfter, Sandbox};

/// A sandbox with `config` and a client of it that has its token already (so that counts of
/// requests are of the call under test alone).
async fn sandbox_and_client(config: Config, policy: RetryPolicy) -> (Sandbox, Client) {
    let sandbox = Sandbox::start_with(config).await.expect("sandbox starts");
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .retry_policy(policy)
        .timeout(Duration::from_secs(5))
        .build()
        .expect("client");
    client.get_me().send().await.expect("warm-up call");
    (sandbox, client)
}

/// Retries whose own backoff is a millisecond: any longer wait comes from `Retry-After`.
fn retries(max_attempts: u32) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_secs(60),
        max_elapsed: Duration::from_secs(600),
    }
}

/// Records every matching request (a delay of nothing, then the normal answer): installed
/// after a failing fault, it witnesses the attempts that fault no longer answers.
fn witness(operation: &str) -> Fault {
    Fault::on(operation).delay(Duration::ZERO)
}

fn gaps(records: &[FaultRecord]) -> Vec<Duration> {
    records.windows(2).map(|w| w[1].at - w[0].at).collect()
}

#[tokio::test(start_paused = true)]
async fn two_429s_with_retry_after_then_success_take_three_attempts_spaced_by_retry_after() {
    let (sandbox, client) = sandbox_and_client(Config::default(), retries(4)).await;
    sandbox
        .fault(
            Fault::on("get_contact")
                .status(429)
                .retry_after(RetryAfter::Seconds(2))
                .times(2),
        )
        .unwrap();
    sandbox.fault(witness("get_contact")).unwrap();
    let before = sandbox.requests();
    let contact = client
        .get_contact()
        .id("1")
        .send()
        .await
        .expect("the third attempt succeeds");
    assert_eq!(contact.data.id, "1");
    assert_eq!(sandbox.requests() - before, 3, "three attempts, no more");
    let records = sandbox.fault_records();
    assert_eq!(records.len(), 3);
    for gap in gaps(&records) {
        assert!(gap >= Duration::from_secs(2), "{gap:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_503_on_a_post_is_resent_only_when_it_says_retry_after() {
    let (sandbox, client) = sandbox_and_client(Config::default(), retries(3)).await;
    let body: kajabi_api::types::CreateContactBody = serde_json::from_value(serde_json::json!({
        "data": {"type": "contacts", "attributes": {"email": "ada@example.com"},
                 "relationships": {"site": {"data": {"type": "sites", "id": "1"}}}}
    }))
    .unwrap();

    sandbox
        .fault("create_contact: 503 times=1".parse().unwrap())
        .unwrap();
    let before = sandbox.requests();
    let error = client
        .create_contact()
        .body(body.clone())
        .send()
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(
        sandbox.requests() - before,
        1,
        "a POST that may have been done is not resent"
    );
    assert_eq!(
        error.request_id(),
        Some(sandbox.fault_records()[0].request_id.as_str())
    );

    sandbox.clear_faults();
    sandbox
        .fault("create_contact: 503 retry-after=1 times=1".parse().unwrap())
        .unwrap();
    let before = sandbox.requests();
    let created = client
        .create_contact()
        .body(body)
        .send()
        .await
        .expect("resent");
    let attributes = created.data.attributes.as_ref().expect("attributes");
    assert_eq!(attributes.email.as_deref(), Some("ada@example.com"));
    assert_eq!(
        sandbox.requests() - before,
        2,
        "503 with Retry-After: not done, sent again"
    );
}

#[tokio::test]
async fn an_html_502_is_a_status_error_that_says_it_is_html() {
    let (sandbox, client) = sandbox_and_client(Config::default(), RetryPolicy::disabled()).await;
    sandbox.fault("get_me: html".parse().unwrap()).unwrap();
    let error = client.get_me().send().await.unwrap_err();
    assert!(error.is_status(), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert!(error.api_error().is_none());
    assert!(error.to_string().contains("text/html"), "{error}");
    assert_eq!(
        error.request_id(),
        Some(sandbox.fault_records()[0].request_id.as_str())
    );
}

#[tokio::test(start_paused = true)]
async fn a_delay_past_the_timeout_is_a_timeout_on_every_attempt() {
    let (sandbox, client) = sandbox_and_client(Config::default(), retries(3)).await;
    sandbox
        .fault(Fault::on("get_me").delay(Duration::from_secs(60)))
        .unwrap();
    let error = client.get_me().send().await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(!error.is_status());
    // The fault answered every attempt (a timed-out GET may be retried).
    assert_eq!(sandbox.fault_records().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_connection_on_a_get_is_retried() {
    let (sandbox, client) = sandbox_and_client(Config::default(), retries(3)).await;
    sandbox
        .fault("get_me: drop times=1".parse().unwrap())
        .unwrap();
    sandbox.fault(witness("get_me")).unwrap();
    let me = client
        .get_me()
        .send()
        .await
        .expect("the second attempt succeeds");
    assert!(!me.data.id.is_empty());
    let records = sandbox.fault_records();
    assert_eq!(records.len(), 2, "{records:?}");
    assert_ne!(records[0].fault, records[1].fault);
}

#[tokio::test]
async fn a_403_is_decoded_with_kajabis_error_body_and_its_request_id() {
    let (sandbox, client) = sandbox_and_client(Config::default(), retries(3)).await;
    sandbox
        .fault("get_contact id=2: 403".parse().unwrap())
        .unwrap();
    let error = client.get_contact().id("2").send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(403));
    assert!(error.is_auth() && !error.is_retryable());
    let Some(ApiError::JsonApi(errors)) = error.api_error() else {
        panic!("not decoded: {error:?}");
    };
    assert_eq!(errors[0].status.as_deref(), Some("403"));
    assert_eq!(
        errors[0].detail.as_deref(),
        Some("Forbidden, insufficient permission to access the resource")
    );
    assert_eq!(
        error.request_id(),
        Some(sandbox.fault_records()[0].request_id.as_str())
    );
    // Not retried, and only contact 2 is forbidden.
    assert_eq!(sandbox.fault_records().len(), 1);
    client
        .get_contact()
        .id("3")
        .send()
        .await
        .expect("another id is allowed");
}

#[tokio::test(start_paused = true)]
async fn the_rate_limit_is_waited_out_on_paused_time() {
    let config = Config {
        rate_limit: Some("2/30".parse().unwrap()),
        ..Config::default()
    };
    // The token request and the warm-up call fill the first window.
    let (sandbox, client) = sandbox_and_client(config, retries(2)).await;
    let started = tokio::time::Instant::now();
    let before = sandbox.requests();
    client
        .get_contact()
        .id("1")
        .send()
        .await
        .expect("admitted in the next window");
    assert_eq!(sandbox.requests() - before, 2, "a 429, then the retry");
    // Retry-After (what was left of the 30 s window) was waited, on tokio's clock.
    assert!(
        started.elapsed() >= Duration::from_secs(29),
        "{:?}",
        started.elapsed()
    );

    let (sandbox, client) = sandbox_and_client(
        Config {
            rate_limit: Some("2/30".parse().unwrap()),
            ..Config::default()
        },
        RetryPolicy::disabled(),
    )
    .await;
    let error = client.get_contact().id("1").send().await.unwrap_err();
    assert!(error.is_rate_limited(), "{error:?}");
    let wait = error.retry_after().expect("Retry-After");
    assert!(
        wait > Duration::ZERO && wait <= Duration::from_secs(30),
        "{wait:?}"
    );
    assert_eq!(error.request_id().map(str::len), Some(36));
    drop(sandbox);
}
