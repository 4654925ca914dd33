//! Per-call overrides (`CallOptions`, kajabi-api/options.rs) on the wire: a timeout, a retry
//! policy and extra headers for one call, on an operation's builder and on a resource handle;
//! headers the SDK owns and malformed ones refused before anything is sent.

mod support;

use std::time::Duration;

use kajabi_api::{resources::ContactId, CallOptions, RetryPolicy};
use support::faulty::{self, bounded, json, me_ok, quick_retries, reply, response, Faulty, Step};
use tokio::time::Instant;

fn unavailable() -> support::faulty::Script {
    reply(response(
        503,
        &[("retry-after", "0"), ("content-type", "application/json")],
        "{}",
    ))
}

#[tokio::test(start_paused = true)]
async fn a_per_call_timeout_replaces_the_clients() {
    let server = Faulty::always(vec![Step::Stall]).await;
    // The client's timeout is 5 s (faulty::builder).
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let options = CallOptions::new().timeout(Duration::from_millis(300));
    let started = Instant::now();
    let error = bounded("timeout", client.get_me().with(&options).send())
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(error.is_timeout(), "{error:?}");
    assert!(
        took >= Duration::from_millis(300) && took < Duration::from_secs(5),
        "{took:?}"
    );
    // Without the options, the client's own timeout applies.
    let started = Instant::now();
    let error = bounded("client timeout", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_timeout() && started.elapsed() >= Duration::from_secs(5));
}

#[tokio::test(start_paused = true)]
async fn a_per_call_retry_policy_replaces_the_clients() {
    // The client never retries (faulty::builder); this call may.
    let server = Faulty::start(vec![unavailable(), me_ok()]).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let options = CallOptions::new().retry_policy(quick_retries(3, Duration::from_millis(5)));
    let me = bounded("retried", client.get_me().with(&options).send())
        .await
        .unwrap();
    assert_eq!(me.data.id, "42");
    assert_eq!(server.requests().len(), 2);

    let server = Faulty::start(vec![unavailable(), me_ok()]).await;
    let client = faulty::builder(&server.base_url())
        .retry_policy(quick_retries(3, Duration::from_millis(5)))
        .build()
        .unwrap();
    let options = CallOptions::new().retry_policy(RetryPolicy::disabled());
    let error = bounded("not retried", client.get_me().with(&options).send())
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn per_call_headers_reach_the_wire_on_every_attempt() {
    let server = Faulty::start(vec![unavailable(), me_ok()]).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let options = CallOptions::new()
        .header("x-correlation-id", "order-1234")
        .header("x-tag", "a")
        .header("x-tag", "b")
        .retry_policy(quick_retries(2, Duration::from_millis(5)));
    bounded("headers", client.get_me().with(&options).send())
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for seen in &requests {
        assert_eq!(seen.header("x-correlation-id"), Some("order-1234"));
        let tags: Vec<&str> = seen
            .head
            .lines()
            .filter(|l| l.to_ascii_lowercase().starts_with("x-tag:"))
            .collect();
        assert_eq!(tags.len(), 2, "{}", seen.head);
        // The SDK's own headers are still its own.
        assert_eq!(
            seen.header("authorization"),
            Some(format!("Bearer {}", faulty::TOKEN).as_str())
        );
    }
    // A call without the options sends none of them.
    let server = Faulty::start(vec![me_ok()]).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    bounded("plain", client.get_me().send()).await.unwrap();
    assert_eq!(server.requests()[0].header("x-correlation-id"), None);
}

#[tokio::test]
async fn a_resource_handle_passes_its_options_to_each_call() {
    let contact = serde_json::json!({"data": {"id": "1", "type": "contacts", "attributes": {"email": "ada@example.com"}}});
    let list = serde_json::json!({"data": [], "links": {}, "meta": {}});
    let server = Faulty::start(vec![reply(json(200, &contact)), reply(json(200, &list))]).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let options = CallOptions::new().header("x-correlation-id", "handle-7");
    let contacts = client.contacts().with(&options);
    let one = bounded("get", contacts.get(&ContactId::new("1")))
        .await
        .unwrap();
    assert_eq!(one.id.as_str(), "1");
    bounded("list", contacts.list().send()).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for seen in &requests {
        assert_eq!(
            seen.header("x-correlation-id"),
            Some("handle-7"),
            "{}",
            seen.line()
        );
    }
}

/// `Debug` shows the options' timeout and header names, never a header's value.
#[test]
fn debug_shows_header_names_not_values() {
    let options = CallOptions::new()
        .timeout(Duration::from_secs(5))
        .header("x-trace-me", "value-5926");
    let printed = format!("{options:?}");
    assert!(
        printed.starts_with("CallOptions { timeout: Some(5s)"),
        "{printed}"
    );
    assert!(printed.contains(r#"headers: ["x-trace-me"]"#), "{printed}");
    assert!(!printed.contains("5926"), "{printed}");
}

#[tokio::test]
async fn owned_and_malformed_headers_fail_the_call_before_it_is_sent() {
    let server = Faulty::always(me_ok()).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    for name in [
        "Authorization",
        "content-type",
        "ACCEPT",
        "Api-Version",
        "host",
    ] {
        let options = CallOptions::new().header(name, "value-5926");
        let error = client.get_me().with(&options).send().await.unwrap_err();
        assert!(error.is_request(), "{name}: {error:?}");
        assert!(
            error.to_string().contains(&name.to_ascii_lowercase()),
            "{error}"
        );
    }
    let bad_name = CallOptions::new().header("bad name", "x");
    let bad_value = CallOptions::new().header("x-ok", "line\nbreak-5926");
    for options in [bad_name, bad_value] {
        let error = client.get_me().with(&options).send().await.unwrap_err();
        assert!(error.is_request(), "{error:?}");
        assert!(!error.to_string().contains("5926"), "{error}");
        assert!(!format!("{options:?}").contains("5926"), "{options:?}");
    }
    assert!(server.requests().is_empty(), "nothing was sent");
}
