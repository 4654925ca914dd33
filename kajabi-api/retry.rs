//! When a failed request is sent again, and after how long.
//!
//! Defaults ([`RetryPolicy::default`]): up to 3 attempts in all, within 30 s. Retried:
//! - 429 Too Many Requests, for any method: the server says it did not process the request;
//! - 503 Service Unavailable, for idempotent methods, or any method when it sent `Retry-After`
//!   (the server asks for the retry);
//! - a connection that could not be made, for any method (nothing reached the server);
//! - any other transport failure (reset, timeout), for idempotent methods only: a `POST` whose
//!   body may have reached the server is never sent twice.
//!
//! The wait honours `Retry-After` (seconds or an HTTP date), capped at [`RetryPolicy::max_delay`];
//! otherwise it is exponential backoff with full jitter: a random wait in
//! `[0, min(max_delay, base_delay × 2^(attempt-1))]`. A wait that would end past
//! [`RetryPolicy::max_elapsed`] is not started.

use std::time::{Duration, SystemTime};

use reqwest::{header::HeaderValue, Method, StatusCode};

/// Retry settings. [`RetryPolicy::disabled`] switches retries off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 = no retries).
    pub max_attempts: u32,
    /// The first backoff's upper bound.
    pub base_delay: Duration,
    /// No single wait is longer, whatever `Retry-After` says.
    pub max_delay: Duration,
    /// No retry starts once this much time has passed since the first attempt.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// One attempt, never a retry.
    pub fn disabled() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// The wait before attempt `attempt + 1`, or `None` to give up. `attempt` counts from 1.
    pub(crate) fn next_delay(
        &self,
        attempt: u32,
        elapsed: Duration,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        if attempt >= self.max_attempts {
            return None;
        }
        let delay = match retry_after {
            Some(wait) => wait.min(self.max_delay),
            None => {
                let ceiling = self
                    .base_delay
                    .saturating_mul(1u32 << (attempt - 1).min(20))
                    .min(self.max_delay);
                ceiling.mul_f64(fastrand::f64())
            }
        };
        (elapsed + delay <= self.max_elapsed).then_some(delay)
    }
}

/// Whether a response with `status` to a `method` request may be sent again.
pub(crate) fn retry_status(method: &Method, status: StatusCode, has_retry_after: bool) -> bool {
    match status {
        StatusCode::TOO_MANY_REQUESTS => true,
        StatusCode::SERVICE_UNAVAILABLE => is_idempotent(method) || has_retry_after,
        _ => false,
    }
}

/// Whether a transport failure of a `method` request may be sent again.
pub(crate) fn retry_transport(method: &Method, error: &reqwest::Error) -> bool {
    // A redirect loop or a request that cannot be built fails the same way every time.
    error.is_connect() || (is_idempotent(method) && !error.is_redirect() && !error.is_builder())
}

fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE | Method::TRACE
    )
}

/// `Retry-After` as delay-seconds or an HTTP date (RFC 9110 §10.2.3).
pub(crate) fn parse_retry_after(value: &HeaderValue) -> Option<Duration> {
    let text = value.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(text).ok()?;
    Some(
        when.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_takes_seconds_and_dates() {
        assert_eq!(
            parse_retry_after(&HeaderValue::from_static("7")),
            Some(Duration::from_secs(7))
        );
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(120));
        let wait = parse_retry_after(&HeaderValue::from_str(&later).unwrap()).unwrap();
        assert!(
            wait > Duration::from_secs(100) && wait <= Duration::from_secs(120),
            "{wait:?}"
        );
        let past = HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT");
        assert_eq!(parse_retry_after(&past), Some(Duration::ZERO));
        assert_eq!(parse_retry_after(&HeaderValue::from_static("soon")), None);
    }

    #[test]
    fn backoff_is_bounded_and_jittered() {
        let policy = RetryPolicy::default();
        for attempt in 1..3 {
            let ceiling = policy.base_delay * (1 << (attempt - 1));
            for _ in 0..100 {
                let d = policy.next_delay(attempt, Duration::ZERO, None).unwrap();
                assert!(d <= ceiling, "{d:?} > {ceiling:?}");
            }
        }
        assert_eq!(
            policy.next_delay(3, Duration::ZERO, None),
            None,
            "attempts are bounded"
        );
        assert_eq!(
            policy.next_delay(1, Duration::from_secs(29), Some(Duration::from_secs(5))),
            None,
            "total time is bounded"
        );
        assert_eq!(
            policy.next_delay(1, Duration::ZERO, Some(Duration::from_secs(60))),
            Some(policy.max_delay),
            "Retry-After is capped"
        );
        assert_eq!(
            RetryPolicy::disabled().next_delay(1, Duration::ZERO, None),
            None
        );
    }

    #[test]
    fn only_safe_requests_are_retried() {
        assert!(retry_status(
            &Method::POST,
            StatusCode::TOO_MANY_REQUESTS,
            false
        ));
        assert!(!retry_status(
            &Method::POST,
            StatusCode::SERVICE_UNAVAILABLE,
            false
        ));
        assert!(retry_status(
            &Method::POST,
            StatusCode::SERVICE_UNAVAILABLE,
            true
        ));
        assert!(retry_status(
            &Method::GET,
            StatusCode::SERVICE_UNAVAILABLE,
            false
        ));
        assert!(!retry_status(
            &Method::GET,
            StatusCode::INTERNAL_SERVER_ERROR,
            false
        ));
    }
}
