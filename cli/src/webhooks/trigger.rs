//! `kajabi webhooks trigger EVENT [--wait SECS]`: fires the event on the sandbox at
//! `KAJABI_BASE_URL` (`POST /_sandbox/webhooks/trigger/{event}`), then waits up to `--wait`
//! seconds for each delivery it started (`GET /_sandbox/webhooks/deliveries/{id}?wait=…`,
//! which the sandbox holds until the delivery ends) and prints
//! `{"event", "deliveries": [{"id", "hook_id", "target_url", "outcome", "attempts"}]}`.
//! Exit 0 when every delivery was delivered (or no hook was registered), 1 when one failed,
//! was skipped (not a loopback target) or was still pending.

use std::time::{Duration, Instant};

use clap::ArgMatches;
use serde_json::{json, Value};

use super::{ensure_sandbox, http, without_user_info};
use crate::{failure::Failure, output};

/// Runs `kajabi webhooks trigger`.
pub(crate) async fn run(matches: &ArgMatches) -> Result<(), Failure> {
    let event = matches
        .get_one::<String>("event")
        .ok_or_else(|| Failure::usage("which event?"))?;
    let wait = Duration::from_secs(matches.get_one::<u64>("wait").copied().unwrap_or(0));
    let base_url = std::env::var("KAJABI_BASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Failure::usage(
                "KAJABI_BASE_URL is not set: `kajabi webhooks trigger` talks to a local sandbox \
                 (start one with `kajabi sandbox` and export what it prints)",
            )
        })?;
    let base = base_url.trim_end_matches('/');
    let shown = without_user_info(&base_url);
    // The sandbox holds each delivery's request up to the time left: a margin on top.
    let client = http(wait + Duration::from_secs(10))?;
    ensure_sandbox(&client, &base_url, "kajabi webhooks trigger").await?;
    let deadline = Instant::now() + wait;
    let unreadable = |what: &str| Failure::other(format!("{shown} {what}"));
    let response = client
        .post(format!("{base}/_sandbox/webhooks/trigger/{event}"))
        .send()
        .await
        .map_err(|_| unreadable("did not answer the trigger"))?;
    let status = response.status();
    let fired: Value = response
        .json()
        .await
        .map_err(|_| unreadable("answered the trigger without JSON"))?;
    let ids = match fired["delivery_ids"].as_array() {
        Some(ids) if status.as_u16() == 202 => ids.clone(),
        _ => {
            return Err(unreadable(&format!(
                "answered the trigger {status} without delivery ids"
            )))
        }
    };
    let mut deliveries = Vec::with_capacity(ids.len());
    for id in ids {
        let left = deadline.saturating_duration_since(Instant::now());
        let mut record: Value = client
            .get(format!("{base}/_sandbox/webhooks/deliveries/{id}"))
            .query(&[("wait", format!("{:.3}", left.as_secs_f64()))])
            .send()
            .await
            .map_err(|_| unreadable(&format!("did not answer for delivery {id}")))?
            .json()
            .await
            .map_err(|_| unreadable(&format!("answered delivery {id} without JSON")))?;
        // The body is the receiver's business (`kajabi webhooks listen` prints it).
        if let Some(members) = record.as_object_mut() {
            members.remove("body");
        }
        deliveries.push(record);
    }
    let missed: Vec<String> = deliveries.iter().filter_map(missed).collect();
    output::print(&json!({"event": event, "deliveries": deliveries}))?;
    if deliveries.is_empty() {
        eprintln!("kajabi: no hook is registered for {event}: nothing was delivered");
    }
    match missed.len() {
        0 => Ok(()),
        n => Err(Failure::other(format!(
            "{n} of {} deliveries did not arrive: {}",
            deliveries.len(),
            missed.join("; ")
        ))),
    }
}

/// What went wrong with a delivery record, in a few words; `None` when it was delivered.
fn missed(record: &Value) -> Option<String> {
    let outcome = &record["outcome"];
    let what = match outcome["result"].as_str() {
        Some("delivered") => return None,
        Some("failed") => format!(
            "failed ({})",
            outcome["reason"].as_str().unwrap_or("no reason given")
        ),
        Some("pending") => "still pending".to_string(),
        Some("skipped_not_loopback") => {
            "skipped (the sandbox delivers to loopback targets only)".to_string()
        }
        _ => "in an unknown state".to_string(),
    };
    Some(format!(
        "delivery {} to {} {what}",
        record["id"],
        record["target_url"].as_str().unwrap_or("?")
    ))
}
