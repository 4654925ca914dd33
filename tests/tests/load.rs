//! Sustained load against the sandbox: one client with the demo credentials and the default
//! retry policy sends 10,000 `get_me` calls, 64 at a time, on a 2-worker runtime. Nothing
//! fails, the 64 concurrent cold-start calls share one token request (single flight), and
//! memory does not grow with the number of calls.
//!
//! The memory bound: resident memory (VmRSS) after the first 1,000 calls, when the connection
//! pool, token cache, sandbox state and allocator arenas are warm, against after all 10,000.
//! A leak of even 6 KiB per call would show as > 50 MiB over the remaining 9,000; steady
//! state stays within a few MiB of allocator noise, so 50 MiB is both generous and telling.
//! This is the only test in its binary, so no other test's memory is counted.

use std::time::{Duration, Instant};

use futures::{stream, StreamExt};
use kajabi_api::Client;
use kajabi_sandbox::Sandbox;

const CALLS: usize = 10_000;
const WARM_UP: usize = 1_000;
const CONCURRENCY: usize = 64;
const MAX_GROWTH: u64 = 50 * 1024 * 1024;

/// This process's resident memory in bytes (`VmRSS`, which the kernel reports in kB, so no
/// page-size assumption is needed as with `/proc/self/statm`).
fn resident_bytes() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    let line = status
        .lines()
        .find(|line| line.starts_with("VmRSS:"))
        .expect("VmRSS line");
    let kib: u64 = line
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .expect("VmRSS value");
    kib * 1024
}

/// Sends `n` `get_me` calls, `CONCURRENCY` at a time; the errors, as text.
async fn burst(client: &Client, n: usize) -> Vec<String> {
    stream::iter(0..n)
        .map(|_| client.get_me().send())
        .buffer_unordered(CONCURRENCY)
        .filter_map(|result| async move { result.err().map(|e| format!("{e:?}")) })
        .collect()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_calls_at_64_concurrency_one_token_no_errors_steady_memory() {
    let sandbox = Sandbox::start().await.expect("sandbox starts");
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()
        .unwrap();
    let started = Instant::now();
    let run = async {
        let warm = burst(&client, WARM_UP).await;
        let after_warm_up = resident_bytes();
        let rest = burst(&client, CALLS - WARM_UP).await;
        (warm, after_warm_up, rest, resident_bytes())
    };
    let (warm, after_warm_up, rest, after_all) =
        // A hang guard, not a speed target (the benchmark measures speed): wide enough for a
        // 2-core machine that is also building.
        tokio::time::timeout(Duration::from_secs(600), run)
            .await
            .expect("10,000 calls within 600 s");
    let took = started.elapsed();

    let errors: Vec<String> = warm.into_iter().chain(rest).collect();
    assert!(
        errors.is_empty(),
        "{} errors, first: {}",
        errors.len(),
        errors[0]
    );
    assert_eq!(
        sandbox.token_requests(),
        1,
        "single flight on a cold client"
    );
    assert_eq!(sandbox.requests(), CALLS + 1, "no retries were needed");
    let growth = after_all.saturating_sub(after_warm_up);
    eprintln!(
        "{CALLS} calls in {took:?} ({:.0}/s); resident {} MiB after {WARM_UP}, {} MiB after {CALLS}",
        CALLS as f64 / took.as_secs_f64(),
        after_warm_up >> 20,
        after_all >> 20,
    );
    assert!(
        growth < MAX_GROWTH,
        "resident memory grew by {} MiB over {} calls",
        growth >> 20,
        CALLS - WARM_UP
    );
}
