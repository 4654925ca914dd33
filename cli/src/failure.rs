//! Why a command failed, and the exit code that says so:
//! 2 usage or bad input (a 400 or 422 with Kajabi's JSON:API errors included), 3
//! authentication (no credentials, 401, 403, an OAuth `invalid_client`/`invalid_grant`),
//! 4 not found, 1 anything else.

use std::fmt;

use kajabi_api::{ApiError, OAuthErrorCode};

use crate::{request, table::Command};

/// A failed command: one line for stderr (more for a server's list of errors) and its exit
/// code.
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

    /// A failed call of `command` to `url`: as [`From<kajabi_api::Error>`], with each
    /// JSON:API error of a 400 or 422 on a line of its own naming the flag of its
    /// `source.pointer` (or `source.parameter`), and a transport failure naming the URL.
    pub(crate) fn from_call(error: kajabi_api::Error, command: &Command, url: &str) -> Self {
        if error.is_transport() || error.is_timeout() {
            return Self {
                code: OTHER,
                message: transport(&error, &format!("{} {url}", command.method)),
            };
        }
        let mut failure = classify(&error);
        if failure.code == USAGE && error.is_status() {
            if let Some(ApiError::JsonApi(errors)) = error.api_error() {
                for e in errors {
                    let source = e.source.as_ref();
                    let flags = match (
                        source.and_then(|s| s.pointer.as_deref()),
                        source.and_then(|s| s.parameter.as_deref()),
                    ) {
                        (Some(pointer), _) => request::flags_at(command, pointer),
                        (None, Some(parameter)) => command
                            .args
                            .iter()
                            .filter(|a| a.wire == parameter)
                            .map(request::typed_as)
                            .collect(),
                        (None, None) => Vec::new(),
                    };
                    let what = e
                        .detail
                        .as_deref()
                        .or(e.title.as_deref())
                        .or(e.code.as_deref())
                        .unwrap_or("invalid");
                    let line = match flags.as_slice() {
                        [] => what.to_string(),
                        flags => format!("{}: {what}", flags.join(", ")),
                    };
                    failure.message.push_str("\n  ");
                    failure.message.push_str(&clean(&line));
                }
            }
        }
        failure
    }
}

/// The exit code of `error` alone, with its one-line message.
fn classify(error: &kajabi_api::Error) -> Failure {
    let status = error.status().map(|s| s.as_u16());
    let oauth_refused = matches!(
        error.api_error(),
        Some(ApiError::OAuth(e))
            if matches!(e.error, OAuthErrorCode::InvalidClient | OAuthErrorCode::InvalidGrant)
    );
    let code = match status {
        Some(404) => NOT_FOUND,
        _ if error.is_auth() || oauth_refused => AUTH,
        Some(400 | 422) => USAGE,
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
    Failure { code, message }
}

/// Server text on one line, without control characters.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// "cannot reach GET http://127.0.0.1:9/v1/me: the connection was refused; …": the request
/// and the cause found down the error's chain of sources (refused, DNS, TLS, timeout).
fn transport(error: &kajabi_api::Error, request: &str) -> String {
    let mut causes = Vec::new();
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        causes.push(e);
        source = e.source();
    }
    let io_kind = causes
        .iter()
        .find_map(|e| e.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    let text = causes
        .iter()
        .map(|e| e.to_string().to_ascii_lowercase())
        .collect::<Vec<_>>()
        .join(": ");
    let innermost = causes.last().map(|e| clean(&e.to_string()));
    let cause = if error.is_timeout() || io_kind == Some(std::io::ErrorKind::TimedOut) {
        "no answer in time; raise the timeout with --timeout SECS or KAJABI_TIMEOUT".to_string()
    } else if io_kind == Some(std::io::ErrorKind::ConnectionRefused) {
        "the connection was refused; is the server running, and is the base URL right?".into()
    } else if text.contains("dns error") {
        format!(
            "the host name does not resolve (DNS: {}); check the base URL",
            innermost.unwrap_or_default()
        )
    } else if ["tls", "ssl", "certificate", "handshake", "corrupt message"]
        .iter()
        .any(|word| text.contains(word))
    {
        format!(
            "the TLS handshake failed ({}); check the base URL's scheme and the server's certificate",
            innermost.unwrap_or_default()
        )
    } else if io_kind == Some(std::io::ErrorKind::ConnectionReset) {
        "the connection was reset by the server".into()
    } else {
        match innermost {
            Some(cause) => format!("{cause}; check the network and the base URL"),
            None => error.to_string(),
        }
    };
    format!("cannot reach {request}: {cause}")
}

impl From<kajabi_api::Error> for Failure {
    fn from(error: kajabi_api::Error) -> Self {
        classify(&error)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}
