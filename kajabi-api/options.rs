//! Per-call overrides: [`CallOptions`], given to one call with `.with(&options)` on an
//! operation's builder or a resource handle.
//!
//! The options travel with the builder (a field codegen adds to every builder, see
//! `codegen/src/wrap/options.rs`) to [`crate::call::send`], which applies them to every
//! attempt of that call: the timeout and the headers on each request, the retry policy to the
//! call's retry loop. A token request the call has to make first is shared by every call
//! waiting for a token, so it keeps the client's settings.

use std::{fmt, time::Duration};

use reqwest::{
    header::{HeaderMap, HeaderName, HeaderValue},
    Request,
};

use crate::{Error, RetryPolicy};

/// Overrides for one call: timeout, retry policy and extra headers.
///
/// ```no_run
/// # async fn run(client: kajabi_api::Client) -> Result<(), kajabi_api::Error> {
/// use std::time::Duration;
/// use kajabi_api::{CallOptions, RetryPolicy};
///
/// let options = CallOptions::new()
///     .timeout(Duration::from_secs(2))
///     .retry_policy(RetryPolicy::disabled())
///     .header("x-correlation-id", "order-1234");
/// let me = client.get_me().with(&options).send().await?;
/// let contacts = client.contacts().with(&options).list().send().await?;
/// # let _ = (me, contacts);
/// # Ok(())
/// # }
/// ```
///
/// Headers the SDK sets itself (`Authorization`, `Content-Type`, `Accept`, `api-version`,
/// `Host`) are refused, as are names or values that are not valid HTTP: the call then fails
/// with [`Error::is_request`] before anything is sent. Header values are kept out of `Debug`,
/// spans and logs.
#[derive(Clone, Default)]
pub struct CallOptions {
    timeout: Option<Duration>,
    retry: Option<RetryPolicy>,
    headers: HeaderMap,
    /// Why a header was refused: the call fails with it.
    refused: Option<String>,
}

/// Headers the SDK owns: a per-call header must not replace them.
const OWNED: [&str; 5] = [
    "authorization",
    "content-type",
    "accept",
    "api-version",
    "host",
];

impl CallOptions {
    /// No overrides: the client's settings.
    pub fn new() -> Self {
        Self::default()
    }

    /// How long each attempt of this call may take in all, body included: the client's
    /// [`crate::ClientBuilder::timeout`] for this call.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// When to retry this call: the client's [`crate::ClientBuilder::retry_policy`] for this
    /// call.
    #[must_use]
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// One more header on every attempt of this call (a repeated name adds a value). A name
    /// the SDK owns, or a name or value that is not valid HTTP, fails the call.
    #[must_use]
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        V: TryInto<HeaderValue>,
    {
        if self.refused.is_some() {
            return self;
        }
        let Ok(name) = name.try_into() else {
            self.refused = Some("a per-call header name is not a valid HTTP header name".into());
            return self;
        };
        if OWNED.contains(&name.as_str()) {
            self.refused = Some(format!(
                "the per-call header `{name}` is one the SDK sets itself"
            ));
            return self;
        }
        let Ok(mut value) = value.try_into() else {
            // The value is not repeated: it could be a credential.
            self.refused = Some(format!(
                "the per-call header `{name}` has a value that is not valid in HTTP"
            ));
            return self;
        };
        value.set_sensitive(true);
        self.headers.append(name, value);
        self
    }

    /// The retry policy for the call: this one's, or the client's `default`.
    pub(crate) fn retry_or<'a>(
        options: Option<&'a Self>,
        default: &'a RetryPolicy,
    ) -> &'a RetryPolicy {
        options.and_then(|o| o.retry.as_ref()).unwrap_or(default)
    }

    /// The error of a call with these options, if a header was refused.
    pub(crate) fn check(options: Option<&Self>) -> Result<(), Error> {
        match options.and_then(|o| o.refused.as_deref()) {
            Some(why) => Err(Error::invalid_request(why)),
            None => Ok(()),
        }
    }

    /// Applies the timeout and the headers to one attempt's request.
    pub(crate) fn apply(&self, request: &mut Request) {
        if let Some(timeout) = self.timeout {
            *request.timeout_mut() = Some(timeout);
        }
        for (name, value) in &self.headers {
            request.headers_mut().append(name, value.clone());
        }
    }
}

impl fmt::Debug for CallOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Header names only: values may be credentials of the user's own.
        let names: Vec<&str> = self.headers.keys().map(HeaderName::as_str).collect();
        f.debug_struct("CallOptions")
            .field("timeout", &self.timeout)
            .field("retry", &self.retry)
            .field("headers", &names)
            .field("refused", &self.refused)
            .finish()
    }
}
