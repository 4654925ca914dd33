//! Why a command failed, and the exit code that says so:
//! 2 usage or bad input, 3 authentication (no credentials, 401), 4 not found, 1 anything else.

use std::fmt;

/// A failed command: one line for stderr and its exit code.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

/// Usage or bad input.
pub(crate) const USAGE: u8 = 2;
/// No credentials, or credentials refused.
pub(crate) const AUTH: u8 = 3;
/// The resource does not exist.
pub(crate) const NOT_FOUND: u8 = 4;
/// Anything else.
pub(crate) const OTHER: u8 = 1;

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            code: USAGE,
            message: message.into(),
        }
    }

    pub(crate) fn other(message: impl Into<String>) -> Self {
        Self {
            code: OTHER,
            message: message.into(),
        }
    }
}

impl From<kajabi_api::Error> for Failure {
    fn from(error: kajabi_api::Error) -> Self {
        let status = error.status().map(|s| s.as_u16());
        let code = match status {
            Some(404) => NOT_FOUND,
            _ if error.is_auth() => AUTH,
            _ if error.is_request() || error.is_config() => USAGE,
            _ => OTHER,
        };
        // The SDK's message is one line with the status, Kajabi's message and the request id;
        // it never carries a credential.
        let mut message = error.to_string();
        if error.is_auth() && status.is_none() {
            message.push_str(
                "; set KAJABI_CLIENT_ID and KAJABI_CLIENT_SECRET (or KAJABI_ACCESS_TOKEN), or run `kajabi login`",
            );
        }
        Self { code, message }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
