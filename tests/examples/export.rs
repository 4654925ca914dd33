//! The export benchmark: every contact of a sandbox that answers after 100 ms, one page at a
//! time and then 8 pages at a time (`Paginate::concurrency`).
//!
//! ```text
//! cargo run -p kajabi-api-tests --example export
//! ```
//!
//! 5,000 contacts at 100 a page are 50 pages. The token is fetched and the data seeded before
//! the clock starts; requests are the sandbox's count, round trips the wall time in latencies
//! (what the network makes the export wait). Exits 1 unless concurrency 8 is at least 4x as
//! fast with the same number of requests; `-- --min-speedup X` sets another floor (CI, whose
//! machine may be shared, uses 2: it catches pages that are not fetched concurrently, not noise).

use std::{num::NonZeroUsize, process::ExitCode, time::Duration, time::Instant};

use futures::TryStreamExt;
use kajabi_api::{Client, Paginate};
use kajabi_sandbox::{Sandbox, SEED_SIZE};

const LATENCY: Duration = Duration::from_millis(100);
const CONTACTS: usize = 5_000;
const PAGE_SIZE: i32 = 100;
const CONCURRENCY: usize = 8;
const GOAL: f64 = 4.0;
/// The argument that replaces [`GOAL`] as the floor the speedup is checked against.
const MIN_SPEEDUP: &str = "--min-speedup";

/// One export: how many items, how long, how many requests.
struct Run {
    items: usize,
    elapsed: Duration,
    requests: usize,
}

impl Run {
    fn print(&self, name: &str) {
        let seconds = self.elapsed.as_secs_f64();
        println!(
            "{name:<14} {:>6} items  {:>7.2} s  {:>8.0} items/s  {:>5.1} round trips  {:>3} requests",
            self.items,
            seconds,
            self.items as f64 / seconds,
            seconds / LATENCY.as_secs_f64(),
            self.requests
        );
    }
}

async fn export(
    client: &Client,
    sandbox: &Sandbox,
    concurrency: usize,
) -> Result<Run, kajabi_api::Error> {
    let before = sandbox.requests();
    let started = Instant::now();
    let list = client
        .list_contacts()
        .filter_site_id("1")
        .page_size(PAGE_SIZE);
    let limit = NonZeroUsize::new(concurrency).expect("not zero");
    let items: Vec<_> = list.concurrency(limit).items().try_collect().await?;
    Ok(Run {
        items: items.len(),
        elapsed: started.elapsed(),
        requests: sandbox.requests() - before,
    })
}

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

/// The floor: [`GOAL`], or the number after [`MIN_SPEEDUP`].
fn floor() -> Result<f64, String> {
    let mut args = std::env::args().skip(1);
    match (args.next().as_deref(), args.next(), args.next()) {
        (None, _, _) => Ok(GOAL),
        (Some(MIN_SPEEDUP), Some(x), None) => x
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite() && *x > 0.0)
            .ok_or_else(|| format!("{MIN_SPEEDUP} takes a positive number, not {x:?}")),
        _ => Err(format!("usage: export [{MIN_SPEEDUP} X]")),
    }
}

async fn run() -> Result<bool, Box<dyn std::error::Error>> {
    let floor = floor()?;
    let sandbox = Sandbox::start().await?;
    sandbox.add_items("contacts", CONTACTS - SEED_SIZE)?;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()?;
    // The token, before the clock and the latency.
    client.me().get().await?;
    sandbox.set_latency(LATENCY);

    println!(
        "{CONTACTS} contacts, {PAGE_SIZE} a page, {} ms a request (the sandbox's latency)",
        LATENCY.as_millis()
    );
    let sequential = export(&client, &sandbox, 1).await?;
    sequential.print("sequential");
    let concurrent = export(&client, &sandbox, CONCURRENCY).await?;
    concurrent.print(&format!("concurrency {CONCURRENCY}"));

    let speedup = sequential.elapsed.as_secs_f64() / concurrent.elapsed.as_secs_f64();
    println!(
        "speedup: {speedup:.1}x (goal: at least {GOAL}x, checked against {floor}x; the same requests)"
    );
    let same = sequential.items == CONTACTS
        && concurrent.items == CONTACTS
        && sequential.requests == concurrent.requests;
    if !same {
        eprintln!("error: both runs must read every contact with the same number of requests");
    }
    if speedup < floor {
        eprintln!("error: concurrency {CONCURRENCY} is {speedup:.1}x as fast, below {floor}x");
    }
    Ok(same && speedup >= floor)
}
