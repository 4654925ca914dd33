//! A slow sandbox (`Config::latency`, `Sandbox::set_latency`) and a large one
//! (`Sandbox::add_items`), over HTTP. Latency is measured on tokio's paused clock: the
//! sandbox's waits are timers of the test's runtime, so no real time passes.

mod common;

use std::time::Duration;

use common::{client, client_on_paused_time, grant};
use futures::future::join_all;
use kajabi_sandbox::{Config, Sandbox, SEED_SIZE};
use serde_json::Value;
use tokio::time::Instant;

const LATENCY: Duration = Duration::from_millis(100);

/// `GET path` with `token`: status and body.
async fn get(sandbox: &Sandbox, client: &reqwest::Client, token: &str, path: &str) -> (u16, Value) {
    let response = client
        .get(format!("{}{path}", sandbox.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("GET");
    let status = response.status().as_u16();
    (status, response.json().await.expect("JSON body"))
}

#[tokio::test(start_paused = true)]
async fn every_request_waits_the_latency_side_by_side() {
    let sandbox = Sandbox::start_with(Config {
        latency: LATENCY,
        ..Config::default()
    })
    .await
    .expect("start");
    let client = client_on_paused_time();
    let (token, _) = grant(&sandbox, &client).await;

    let started = Instant::now();
    let (status, _) = get(&sandbox, &client, &token, "/v1/me").await;
    assert_eq!(status, 200);
    assert!(started.elapsed() >= LATENCY, "{:?}", started.elapsed());

    // Ten at once wait together: a lock held while waiting would make it ten latencies.
    let started = Instant::now();
    let answers = join_all((0..10).map(|_| get(&sandbox, &client, &token, "/v1/contacts"))).await;
    let elapsed = started.elapsed();
    assert!(answers.iter().all(|(status, _)| *status == 200));
    assert!(
        elapsed >= LATENCY && elapsed < 3 * LATENCY,
        "ten requests took {elapsed:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn the_latency_can_be_switched_after_setup() {
    let sandbox = Sandbox::start().await.expect("start");
    let client = client_on_paused_time();
    let (token, _) = grant(&sandbox, &client).await;
    let timed = |path: &'static str| {
        let (sandbox, client, token) = (&sandbox, &client, &token);
        async move {
            let started = Instant::now();
            let (status, _) = get(sandbox, client, token, path).await;
            assert_eq!(status, 200, "{path}");
            started.elapsed()
        }
    };

    assert!(timed("/v1/me").await < LATENCY);
    sandbox.set_latency(LATENCY);
    assert!(timed("/v1/me").await >= LATENCY);
    sandbox.set_latency(Duration::ZERO);
    assert!(timed("/v1/me").await < LATENCY);
}

#[tokio::test]
async fn added_items_are_listed_and_paged_like_the_seeded_ones() {
    let sandbox = Sandbox::start().await.expect("start");
    sandbox.add_items("contacts", 250).expect("contacts");
    let client = client();
    let (token, _) = grant(&sandbox, &client).await;

    let path = "/v1/contacts?filter[site_id]=1&page[size]=100&page[number]=3";
    let (status, page) = get(&sandbox, &client, &token, path).await;
    assert_eq!(status, 200);
    let total = SEED_SIZE + 250;
    assert_eq!(page["meta"]["total_count"], total);
    assert_eq!(page["meta"]["total_pages"], 3);
    let data = page["data"].as_array().expect("data");
    assert_eq!(data.len(), total - 200);
    let last = data.last().expect("an item");
    assert_eq!(last["id"], total.to_string());
    assert_eq!(last["type"], "contacts");

    let (status, one) = get(&sandbox, &client, &token, "/v1/contacts/100").await;
    assert_eq!(status, 200);
    assert_eq!(one["data"]["id"], "100");

    let unknown = sandbox.add_items("unicorns", 1).unwrap_err();
    assert_eq!(unknown.name, "unicorns");
    sandbox.reset();
    let (_, page) = get(&sandbox, &client, &token, "/v1/contacts?filter[site_id]=1").await;
    assert_eq!(page["meta"]["total_count"], SEED_SIZE);
}
