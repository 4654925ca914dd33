//! What a `reqwest::Error` was caused by, found down its chain of sources.

/// The error inside a body stream cut off at the size limit; [`super::Error::transport`] finds it.
#[derive(Debug, thiserror::Error)]
#[error("the response body is larger than the {0}-byte limit")]
pub(crate) struct BodyTooLarge(pub(crate) usize);

/// The size limit, when a body stream was cut off at it (chunked bodies only show it here).
pub(crate) fn body_limit_hit(error: &reqwest::Error) -> Option<usize> {
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        if let Some(hit) = e.downcast_ref::<BodyTooLarge>() {
            return Some(hit.0);
        }
        source = e.source();
    }
    None
}

/// Whether the request timed out: reqwest's own timeouts, or an I/O `TimedOut` down the chain
/// of sources (one the operating system reports, which reqwest does not mark as a timeout).
pub(crate) fn is_timeout(error: &reqwest::Error) -> bool {
    if error.is_timeout() {
        return true;
    }
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                return true;
            }
        }
        source = e.source();
    }
    false
}
