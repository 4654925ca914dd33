//! Every retry is visible in `tracing`: an INFO "retrying" event per resend, with the attempt
//! that failed, inside the call's `kajabi.call` span, and one `kajabi.attempt` span per request
//! sent, whose `http.request.resend_count` counts the resends.
//! Alone in its binary, with one test, because it installs a subscriber: a scoped
//! (thread-local) one, which the current-thread runtime of `#[tokio::test]` keeps in scope for
//! every task of the test, the client's connections included.

mod support;

use std::time::Duration;

use support::capture::Capture;
use support::faulty::{
    self, bounded, me_ok, new_contact, quick_retries, reply, response, Faulty, Step,
};
use tracing_subscriber::filter::Targets;

fn count(log: &str, needle: &str) -> usize {
    log.lines().filter(|line| line.contains(needle)).count()
}

#[tokio::test]
async fn each_retry_is_an_info_event_with_its_attempt() {
    let capture = Capture::default();
    // The SDK's events only: hyper's and reqwest's own logs are not under test.
    let subscriber =
        capture.subscriber(Targets::new().with_target("kajabi_api", tracing::Level::TRACE));
    let _scope = tracing::subscriber::set_default(subscriber);
    let policy = quick_retries(3, Duration::from_millis(20));

    // Two 429s, then a 200.
    let too_many = reply(response(429, &[("retry-after", "0")], ""));
    let server = Faulty::start(vec![too_many.clone(), too_many, me_ok()]).await;
    let client = faulty::builder(&server.base_url())
        .retry_policy(policy.clone())
        .build()
        .unwrap();
    bounded("429s", client.get_me().send()).await.unwrap();
    let log = capture.take();
    assert_eq!(count(&log, "retrying attempt="), 2, "{log}");
    for attempt in 1..=2 {
        let event = format!("retrying attempt={attempt} status=429 wait_ms=0");
        assert_eq!(count(&log, &event), 1, "{event} missing from:\n{log}");
    }
    // One attempt span per request sent: each closes once (the DEBUG header events inside
    // them are lines of their own).
    let closed = log
        .lines()
        .filter(|line| line.contains("kajabi.attempt{") && line.contains(" close "))
        .count();
    assert_eq!(closed, 3, "{log}");
    assert!(
        log.lines().any(|line| line.contains("kajabi.call{")
            && line.contains("operation=\"get_me\"")
            && line.contains("kajabi.attempt{")
            && line.contains("http.response.status_code=200")
            && line.contains("http.request.resend_count=2")
            && line.contains("close")),
        "the third attempt is a child of the call and succeeds:\n{log}"
    );

    // Connection refused, three times: two retries, each traced. The port refuses connections,
    // so the log is how the attempts are counted.
    let refusing = faulty::refusing();
    let base_url = &refusing.base_url;
    let client = faulty::builder(base_url)
        .retry_policy(policy.clone())
        .build()
        .unwrap();
    let error = bounded("refused", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_transport(), "{error:?}");
    let log = capture.take();
    assert_eq!(count(&log, "retrying after a transport error"), 2, "{log}");
    for attempt in 1..=2 {
        let event = format!("retrying after a transport error attempt={attempt}");
        assert_eq!(count(&log, &event), 1, "{event} missing from:\n{log}");
    }

    // A POST reset after it arrived: no retry, so no "retrying" event.
    let server = Faulty::always(vec![Step::Reset]).await;
    let client = faulty::builder(&server.base_url())
        .retry_policy(policy)
        .build()
        .unwrap();
    let error = bounded("reset", client.create_contact().body(new_contact()).send())
        .await
        .unwrap_err();
    assert!(error.is_transport(), "{error:?}");
    let log = capture.take();
    assert_eq!(count(&log, "retrying"), 0, "{log}");
    assert!(log.contains("operation=\"create_contact\""), "{log}");
}
