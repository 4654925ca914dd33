//! The rate limit ([`Config::rate_limit`](crate::Config::rate_limit)): at most `requests`
//! per `window` per `client_id`, in fixed windows that start at a client's first request.
//! The windows run on tokio's clock ([`crate::clock::monotonic`]), so a test on paused time
//! crosses one without sleeping.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use crate::clock::monotonic;

/// At most `requests` per `window` per client; over it, 429 with the `Retry-After` of what is
/// left of the window. Text form (`--rate-limit`): `N/SECS`, e.g. `100/60`.
///
/// ```
/// use std::time::Duration;
/// use kajabi_sandbox::RateLimit;
///
/// let limit: RateLimit = "2/10".parse().unwrap();
/// assert_eq!(limit, RateLimit { requests: 2, window: Duration::from_secs(10) });
/// assert!("2/0".parse::<RateLimit>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// The window's length.
    pub window: Duration,
}

impl FromStr for RateLimit {
    type Err = String;

    fn from_str(text: &str) -> Result<RateLimit, String> {
        let bad = || format!("`{text}`: expected N/SECS, e.g. 100/60 (both above 0)");
        let (requests, secs) = text.split_once('/').ok_or_else(bad)?;
        let requests: u32 = requests.trim().parse().map_err(|_| bad())?;
        let secs: u64 = secs.trim().parse().map_err(|_| bad())?;
        if requests == 0 || secs == 0 {
            return Err(bad());
        }
        Ok(RateLimit {
            requests,
            window: Duration::from_secs(secs),
        })
    }
}

impl fmt::Display for RateLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.requests, self.window.as_secs())
    }
}

/// Each client's current window: when it started and how many requests it has had.
#[derive(Default)]
pub(crate) struct Windows(Mutex<HashMap<String, (Instant, u32)>>);

impl Windows {
    /// Counts a request of `client_id`; `Err(wait)` when it is over `limit`, with how long
    /// until its window ends.
    pub(crate) fn admit(&self, limit: RateLimit, client_id: &str) -> Result<(), Duration> {
        let now = monotonic();
        let mut windows = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        let (start, count) = windows.entry(client_id.to_string()).or_insert((now, 0));
        if now.duration_since(*start) >= limit.window {
            (*start, *count) = (now, 0);
        }
        if *count >= limit.requests {
            return Err(limit.window - now.duration_since(*start));
        }
        *count += 1;
        Ok(())
    }

    /// Forgets every window.
    pub(crate) fn clear(&self) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}
