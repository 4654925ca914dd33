//! A fixed delay before every answer, to play a distant server on loopback
//! ([`Config::latency`](crate::Config::latency),
//! [`Sandbox::set_latency`](crate::Sandbox::set_latency)).
//!
//! The wait happens before the request is handled, with no lock held, so requests waiting
//! at the same time overlap as they would on a network: ten requests sent together are
//! answered after one latency, not ten.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The current latency, changeable while requests are served.
#[derive(Debug)]
pub(crate) struct Latency {
    /// In nanoseconds; `u64` holds over 500 years.
    nanos: AtomicU64,
}

impl Latency {
    pub(crate) fn new(latency: Duration) -> Latency {
        Latency {
            nanos: AtomicU64::new(nanos(latency)),
        }
    }

    /// Applies to the requests that arrive from now on.
    pub(crate) fn set(&self, latency: Duration) {
        self.nanos.store(nanos(latency), Ordering::Relaxed);
    }

    pub(crate) fn get(&self) -> Duration {
        Duration::from_nanos(self.nanos.load(Ordering::Relaxed))
    }

    /// Waits the latency, if any (no timer at all for none).
    pub(crate) async fn wait(&self) {
        let latency = self.get();
        if !latency.is_zero() {
            tokio::time::sleep(latency).await;
        }
    }
}

fn nanos(latency: Duration) -> u64 {
    u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX)
}
