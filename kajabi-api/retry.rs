//! When a failed call may be tried again, and the one place a request leaves for the network.
//!
//! # One classification, two questions
//!
//! [`classify`] sorts how an attempt ended into a [`Failure`]; [`crate::Error::is_retryable`]
//! ("may it succeed if tried again later?") and the retry loop ("is it safe to resend now?")
//! both answer from it. The table is on [`RetryPolicy`], where users read it.
//!
//! # The retry loop
//!
//! [`send_rebuilding`] is where every request, API call or token request, goes to reqwest. It
//! resends while [`Failure::resend_now`] allows and the [`RetryPolicy`] has attempts and time
//! left. Defaults ([`RetryPolicy::default`]): up to 3 attempts in all, within 30 s. The wait
//! honours `Retry-After` (seconds or an HTTP date), capped at [`RetryPolicy::max_delay`];
//! otherwise it is exponential backoff with full jitter: a random wait in
//! `[0, min(max_delay, base_delay × 2^(attempt-1))]`. A wait that would end past
//! [`RetryPolicy::max_elapsed`] is not started.

use std::{
    future::Future,
    time::{Duration, SystemTime},
};

use bytes::Bytes;
use futures::future::{BoxFuture, Either};
use reqwest::{header::HeaderValue, Request, Response, StatusCode};
use tokio::time::Instant;

use crate::transport::{Outcome, SendError, Transport};

/// Retry settings. [`RetryPolicy::disabled`] switches retries off.
///
/// # When a failed call is tried again
///
/// One classification of the failure answers two questions, side by side:
///
/// | failure | [`crate::Error::is_retryable`]: may it succeed if tried again later? | the SDK's retry loop: is it safe to resend now? |
/// | --- | --- | --- |
/// | the server did not act on it: 429; 503 with `Retry-After`; no connection made | yes | yes |
/// | it may have been carried out: 503 without `Retry-After`; a timeout or reset | idempotent methods only | idempotent methods only |
/// | a gateway failed: 502, 504 | idempotent methods only | no |
/// | any other status or failure | no | no |
///
/// The method matters wherever the request may have been carried out: a `POST` whose body
/// reached the server is never sent twice, now or later. After a gateway failure the SDK does
/// not resend at once, as a proxy that just failed tells no time to come back (a 503 or 429
/// asks for one, often with `Retry-After`); the caller may try again later.
///
/// The loop resends while that allows and the policy has attempts and time left: up to
/// [`RetryPolicy::max_attempts`] in all, none starting after [`RetryPolicy::max_elapsed`]. It
/// waits as `Retry-After` says (seconds or an HTTP date, capped at
/// [`RetryPolicy::max_delay`]), otherwise a random wait in
/// `[0, min(max_delay, base_delay × 2^(attempt-1))]` (exponential backoff, full jitter).
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

/// How one attempt ended: the input of [`classify`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Attempt<'a> {
    /// A response with an error status, and whether it carried a `Retry-After`.
    Status(StatusCode, bool),
    /// No response: the connection could not be made, or broke, or timed out.
    Transport(&'a reqwest::Error),
}

/// What a failed attempt says about trying again; the table is on [`RetryPolicy`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// The server did not act on the request: 429, 503 with `Retry-After` (the server asks
    /// for the retry), or no connection was made.
    NotProcessed,
    /// A passing failure after which the request may have been carried out: 503 without
    /// `Retry-After`, a timeout, a connection lost mid-request.
    MaybeProcessed,
    /// A gateway failed (502, 504); the request may have reached Kajabi.
    Gateway,
    /// Trying again fails the same way: any other status, a redirect loop, a request that
    /// cannot be built.
    Permanent,
}

/// The one classification of a failed attempt.
pub(crate) fn classify(attempt: Attempt<'_>) -> Failure {
    match attempt {
        Attempt::Status(StatusCode::TOO_MANY_REQUESTS, _)
        | Attempt::Status(StatusCode::SERVICE_UNAVAILABLE, true) => Failure::NotProcessed,
        Attempt::Status(StatusCode::SERVICE_UNAVAILABLE, false) => Failure::MaybeProcessed,
        Attempt::Status(StatusCode::BAD_GATEWAY | StatusCode::GATEWAY_TIMEOUT, _) => {
            Failure::Gateway
        }
        Attempt::Status(..) => Failure::Permanent,
        Attempt::Transport(e) if e.is_connect() => Failure::NotProcessed,
        Attempt::Transport(e) if e.is_redirect() || e.is_builder() => Failure::Permanent,
        Attempt::Transport(_) => Failure::MaybeProcessed,
    }
}

impl Failure {
    /// Whether trying again later may succeed without doing anything twice: the answer of
    /// [`crate::Error::is_retryable`].
    pub(crate) fn may_succeed_later(self, idempotent: bool) -> bool {
        match self {
            Self::NotProcessed => true,
            Self::MaybeProcessed | Self::Gateway => idempotent,
            Self::Permanent => false,
        }
    }

    /// Whether the retry loop may resend the request at once (after its wait).
    pub(crate) fn resend_now(self, idempotent: bool) -> bool {
        match self {
            Self::NotProcessed => true,
            Self::MaybeProcessed => idempotent,
            Self::Gateway | Self::Permanent => false,
        }
    }
}

/// Whether an upper-case HTTP `method` is idempotent (RFC 9110 §9.2.2).
pub(crate) fn is_idempotent(method: &str) -> bool {
    matches!(
        method,
        "GET" | "HEAD" | "OPTIONS" | "PUT" | "DELETE" | "TRACE"
    )
}

/// One call's attempts: where they go, the policy they follow, the span they are traced
/// under and how many there have been. A 401's resend with a renewed token continues the
/// same count.
pub(crate) struct Attempts<'a> {
    pub(crate) policy: &'a RetryPolicy,
    /// The call's (or token request's) span, parent of each attempt's span; `None` when no
    /// subscriber wants it.
    pub(crate) span: Option<&'a tracing::Span>,
    /// Attempts made so far, by every [`send_rebuilding`] of the call.
    pub(crate) count: u32,
    transport: Transport<'a>,
    /// The operation's path template, for the attempt spans' `url.template` (`None`: the
    /// request's own path).
    template: Option<&'static str>,
}

impl<'a> Attempts<'a> {
    pub(crate) fn new(
        transport: Transport<'a>,
        policy: &'a RetryPolicy,
        span: Option<&'a tracing::Span>,
        template: Option<&'static str>,
    ) -> Self {
        Self {
            policy,
            span,
            count: 0,
            transport,
            template,
        }
    }

    /// Counts one more attempt and sends `request`: in a span of its own when the call is
    /// traced, otherwise as the transport's own future.
    pub(crate) fn start(
        &mut self,
        request: Request,
    ) -> Either<impl Future<Output = Outcome> + Send + 'a, BoxFuture<'a, Outcome>> {
        self.count += 1;
        match self.span {
            None => Either::Left(self.transport.execute(request)),
            Some(parent) => Either::Right(crate::trace::attempt(
                parent,
                self.template,
                self.count - 1,
                self.transport,
                request,
            )),
        }
    }
}

/// Sends `request`, and sends it again while [`classify`] and the policy of `attempts` allow,
/// with a copy of it made before each attempt. For requests that cannot be built again: the
/// token request.
pub(crate) async fn send_retrying(
    request: Request,
    attempts: &mut Attempts<'_>,
) -> Result<Response, SendError> {
    let template = copy(&request);
    let idempotent = is_idempotent(request.method().as_str());
    let first = attempts.start(request);
    send_rebuilding(
        first,
        idempotent,
        || template.as_ref().and_then(copy),
        attempts,
    )
    .await
}

/// Awaits `first`, the first attempt (started by [`Attempts::start`]), and sends the request
/// again while [`classify`] and the policy allow: the one place a request leaves for the
/// network. reqwest consumes the request it sends, so each further attempt gets a fresh one
/// from `rebuild` (`None`: it cannot be rebuilt, e.g. a streaming body; the last response
/// stands). `idempotent` is the request method's.
///
/// The path where the first attempt succeeds keeps no request and no copy: every call's
/// future holds only the transport's future here, and the retries run in a boxed future of
/// their own.
pub(crate) async fn send_rebuilding(
    first: impl Future<Output = Outcome>,
    idempotent: bool,
    rebuild: impl Fn() -> Option<Request>,
    attempts: &mut Attempts<'_>,
) -> Result<Response, SendError> {
    let started = Instant::now();
    let result = match first.await {
        Ok(response) if response.status().is_success() => return Ok(response),
        other => other,
    };
    let failed = Failed {
        result,
        started,
        idempotent,
    };
    Box::pin(retry(failed, &rebuild, attempts)).await
}

/// An attempt that did not succeed, with what deciding on the next one needs.
struct Failed {
    result: Outcome,
    /// When the first attempt started: no retry starts past [`RetryPolicy::max_elapsed`].
    started: Instant,
    idempotent: bool,
}

/// The retries after a failed first attempt, while [`classify`] and the policy allow.
async fn retry(
    mut failed: Failed,
    rebuild: &impl Fn() -> Option<Request>,
    attempts: &mut Attempts<'_>,
) -> Result<Response, SendError> {
    let mut tries = 1;
    loop {
        let policy = attempts.policy;
        let (wait, next) = match failed.result {
            Ok(response) => {
                let status = response.status();
                let retry_after = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(parse_retry_after);
                let wait = classify(Attempt::Status(status, retry_after.is_some()))
                    .resend_now(failed.idempotent)
                    .then(|| policy.next_delay(tries, failed.started.elapsed(), retry_after))
                    .flatten();
                let Some((wait, next)) = wait.and_then(|wait| Some((wait, rebuild()?))) else {
                    return Ok(response);
                };
                tracing::info!(
                    attempt = attempts.count,
                    status = status.as_u16(),
                    wait_ms = wait.as_millis() as u64,
                    "retrying"
                );
                (wait, next)
            }
            Err(SendError::Reqwest(e)) => {
                let wait = classify(Attempt::Transport(&e))
                    .resend_now(failed.idempotent)
                    .then(|| policy.next_delay(tries, failed.started.elapsed(), None))
                    .flatten();
                let Some((wait, next)) = wait.and_then(|wait| Some((wait, rebuild()?))) else {
                    return Err(SendError::Reqwest(e));
                };
                tracing::info!(
                    attempt = attempts.count,
                    error = %e,
                    wait_ms = wait.as_millis() as u64,
                    "retrying after a transport error"
                );
                (wait, next)
            }
            // A middleware's failure is its own: sending again would fail the same way.
            #[cfg(feature = "middleware")]
            Err(e @ SendError::Middleware(_)) => return Err(e),
        };
        tokio::time::sleep(wait).await;
        tries += 1;
        failed.result = match attempts.start(next).await {
            Ok(response) if response.status().is_success() => return Ok(response),
            other => other,
        };
    }
}

/// A copy of `request` for another attempt; `None` for a streaming body. Cheaper than
/// `Request::try_clone`, which allocates an extension map whatever it holds.
pub(crate) fn copy(request: &Request) -> Option<Request> {
    let body = match request.body() {
        Some(body) => Some(reqwest::Body::from(Bytes::copy_from_slice(
            body.as_bytes()?,
        ))),
        None => None,
    };
    let mut copy = Request::new(request.method().clone(), request.url().clone());
    *copy.headers_mut() = request.headers().clone();
    *copy.version_mut() = request.version();
    *copy.timeout_mut() = request.timeout().copied();
    *copy.body_mut() = body;
    Some(copy)
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

    /// The two questions side by side, for every class and both kinds of method, as the
    /// table on `RetryPolicy` gives them.
    #[test]
    fn one_classification_answers_both_questions() {
        let status = |code: u16, retry_after: bool| {
            classify(Attempt::Status(
                StatusCode::from_u16(code).unwrap(),
                retry_after,
            ))
        };
        assert_eq!(status(429, false), Failure::NotProcessed);
        assert_eq!(status(503, true), Failure::NotProcessed);
        assert_eq!(status(503, false), Failure::MaybeProcessed);
        assert_eq!(status(502, false), Failure::Gateway);
        assert_eq!(status(504, true), Failure::Gateway);
        for code in [400, 401, 404, 409, 422, 500, 204] {
            assert_eq!(status(code, true), Failure::Permanent, "{code}");
        }
        // (class, idempotent) -> (later, now)
        let table = [
            (Failure::NotProcessed, false, true, true),
            (Failure::NotProcessed, true, true, true),
            (Failure::MaybeProcessed, false, false, false),
            (Failure::MaybeProcessed, true, true, true),
            (Failure::Gateway, false, false, false),
            (Failure::Gateway, true, true, false),
            (Failure::Permanent, false, false, false),
            (Failure::Permanent, true, false, false),
        ];
        for (failure, idempotent, later, now) in table {
            assert_eq!(
                (
                    failure.may_succeed_later(idempotent),
                    failure.resend_now(idempotent)
                ),
                (later, now),
                "{failure:?} idempotent={idempotent}"
            );
        }
        assert!(is_idempotent("GET") && is_idempotent("DELETE") && !is_idempotent("POST"));
        assert!(!is_idempotent("PATCH"));
    }
}
