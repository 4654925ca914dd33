//! 64 concurrent clients, 10,000 requests: every answer correct, every request counted.

mod common;

use std::time::Instant;

use common::{client, grant};
use futures::future::join_all;
use kajabi_sandbox::Sandbox;

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
                    0 => format!("/v1/contacts/{i}"),
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
