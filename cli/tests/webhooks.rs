//! `kajabi webhooks trigger EVENT`: fires the event on the sandbox at `KAJABI_BASE_URL`; an
//! unknown event, a missing base URL or a base URL that is not a sandbox exit 2 with a clear
//! message, and a password in the base URL is never printed.

mod support;

use httpmock::MockServer;
use kajabi_api::resources::NewHook;
use kajabi_sandbox::Outcome;
use serde_json::{json, Value};
use support::{describe, kajabi, run};

#[test]
fn trigger_fires_the_event_on_the_sandbox() {
    let runtime = support::runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let client = kajabi_api::Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()
        .unwrap();
    let hook = runtime.block_on(async {
        let site = client
            .sites()
            .list()
            .page_size(1)
            .send()
            .await
            .unwrap()
            .remove(0);
        let new = NewHook::new("order_created", "https://example.com/hooks/orders", site.id);
        client.hooks().create(new).await.unwrap().id
    });
    let before = sandbox.deliveries().len();
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .args(["webhooks", "trigger", "order_created"])
            .env("KAJABI_BASE_URL", sandbox.base_url()),
        None,
    );
    assert!(output.status.success(), "{}", describe(&output));
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(printed["event"], "order_created");
    let fired = printed["deliveries"].as_u64().expect("a count") as usize;
    let deliveries = sandbox.deliveries();
    // Non-loopback targets are recorded while the trigger is answered.
    assert_eq!(deliveries.len() - before, fired);
    let ours = deliveries
        .iter()
        .find(|d| d.hook_id == hook.as_str())
        .expect("our hook was reached");
    assert_eq!(ours.event, "order_created");
    assert_eq!(ours.outcome, Outcome::SkippedNotLoopback);
    assert_eq!(ours.body["event"], json!("order_created"));
}

#[test]
fn an_unknown_event_exits_2_and_lists_the_known_ones() {
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .args(["webhooks", "trigger", "tag_addded"])
            .env("KAJABI_BASE_URL", "http://127.0.0.1:9"),
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for event in kajabi_api::webhooks::EVENTS {
        assert!(stderr.contains(event), "{event} listed: {stderr}");
    }
}

#[test]
fn a_base_url_that_is_not_a_sandbox_exits_2_without_its_password() {
    let server = MockServer::start();
    let config = tempfile::tempdir().unwrap();
    let base = server
        .base_url()
        .replace("http://", "http://user:hunter2-secret@");
    let output = run(
        kajabi(config.path())
            .args(["webhooks", "trigger", "purchase"])
            .env("KAJABI_BASE_URL", &base),
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let all = describe(&output);
    assert!(all.contains("is not a kajabi sandbox"), "{all}");
    assert!(!all.contains("hunter2"), "{all}");

    let output = run(
        kajabi(config.path()).args(["webhooks", "trigger", "purchase"]),
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(describe(&output).contains("KAJABI_BASE_URL is not set"));
}
