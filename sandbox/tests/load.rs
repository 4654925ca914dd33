//! 64 concurrent clients, 10,000 requests: every answer correct, every request counted.

mod common;

use std::time::Instant;

use common::{client, grant};
use futures::future::join_all;
use kajabi_sandbox::{Sandbox, SEED_SIZE};
use serde_json::{json, Value};

const CLIENTS: usize = 64;
const REQUESTS: usize = 10_000;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_clients_ten_thousand_requests() {
    let sandbox = Sandbox::start().await.expect("start");
    let base = sandbox.base_url();
    let started = Instant::now();
    let workers = (0..CLIENTS).map(|worker| {
        let base = base.clone();
        let http = client();
        let sandbox = &sandbox;
        async move {
            // Each client has its own session; token grants count as requests too.
            let (access, _) = grant(sandbox, &http).await;
            let share = REQUESTS / CLIENTS + usize::from(worker < REQUESTS % CLIENTS) - 1;
            let mut failures = Vec::new();
            for i in 0..share {
                let path = match i % 4 {
                    0 => format!("/v1/contacts/{}", 1 + i % SEED_SIZE),
                    1 => "/v1/contacts?page[size]=3&page[number]=2".to_string(),
                    2 => "/v1/me".to_string(),
                    _ => "/v1/version".to_string(),
                };
                let response = http
                    .get(format!("{base}{path}"))
                    .bearer_auth(&access)
                    .send()
                    .await;
                match response {
                    Ok(r) if r.status() == 200 => {
                        let body = r.bytes().await.map(|b| b.len()).unwrap_or(0);
                        if body == 0 {
                            failures.push(format!("{path}: empty body"));
                        }
                    }
                    Ok(r) => failures.push(format!("{path}: {}", r.status())),
                    Err(e) => failures.push(format!("{path}: {e}")),
                }
            }
            failures
        }
    });
    let failures: Vec<String> = join_all(workers).await.into_iter().flatten().collect();
    assert!(
        failures.is_empty(),
        "{} failures, first: {:?}",
        failures.len(),
        failures.first()
    );
    assert_eq!(sandbox.requests(), REQUESTS);
    assert_eq!(sandbox.token_requests(), CLIENTS);
    eprintln!(
        "{REQUESTS} requests from {CLIENTS} clients in {:?}",
        started.elapsed()
    );
}

/// 32 clients creating, tagging and deleting contacts at once: every write lands whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_writers_never_corrupt_the_store() {
    const WRITERS: usize = 32;
    let sandbox = Sandbox::start().await.expect("start");
    let base = sandbox.base_url();
    let http = client();
    let (access, _) = grant(&sandbox, &http).await;
    let send = |method: reqwest::Method, path: String, body: Value| {
        http.request(method, format!("{base}{path}"))
            .bearer_auth(&access)
            .header("content-type", "application/vnd.api+json")
            .body(body.to_string())
            .send()
    };
    let writers = (0..WRITERS).map(|n| async move {
        let create = json!({"data": {"type": "contacts",
            "attributes": {"name": format!("Writer {n}"), "email": format!("w{n}@example.com")},
            "relationships": {"site": {"data": {"id": "1", "type": "sites"}}}}});
        let created: Value = send(reqwest::Method::POST, "/v1/contacts".into(), create)
            .await
            .expect("create")
            .json()
            .await
            .expect("JSON");
        let id = created["data"]["id"].as_str().expect("id").to_string();
        let tag = json!({"data": [{"id": "2", "type": "contact_tags"}]});
        let tagged = send(
            reqwest::Method::POST,
            format!("/v1/contacts/{id}/relationships/tags"),
            tag,
        )
        .await
        .expect("tag");
        assert_eq!(tagged.status(), 200);
        if n % 2 == 1 {
            let deleted = send(
                reqwest::Method::DELETE,
                format!("/v1/contacts/{id}"),
                Value::Null,
            )
            .await
            .expect("delete");
            assert_eq!(deleted.status(), 200);
        }
        id
    });
    let mut ids: Vec<String> = join_all(writers).await;
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), WRITERS, "every create got its own id");
    let list: Value = http
        .get(format!(
            "{base}/v1/contacts?filter[has_tag_id]=2&page[size]=100"
        ))
        .bearer_auth(&access)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("JSON");
    // Seeded contact 2 carries tag 2, and so does every writer that kept its contact.
    assert_eq!(list["meta"]["total_count"], json!(1 + WRITERS / 2));
    let all: Value = http
        .get(format!("{base}/v1/contacts?page[size]=100"))
        .bearer_auth(&access)
        .send()
        .await
        .expect("list")
        .json()
        .await
        .expect("JSON");
    assert_eq!(all["meta"]["total_count"], json!(SEED_SIZE + WRITERS / 2));
}
