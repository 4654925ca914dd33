//! `--timeout SECS` / `KAJABI_TIMEOUT`: the whole-request timeout of every client the command
//! builds ([`kajabi_api::ClientBuilder::timeout`]), set once before any client is built.

use std::{sync::OnceLock, time::Duration};

use kajabi_api::ClientBuilder;

use crate::failure::Failure;

/// The environment variable read when `--timeout` is not given.
pub(crate) const VARIABLE: &str = "KAJABI_TIMEOUT";

static TIMEOUT: OnceLock<Duration> = OnceLock::new();

/// Reads `--timeout` (parsed by clap), else `KAJABI_TIMEOUT`; without either the SDK's
/// default stays.
pub(crate) fn init(flag: Option<u64>) -> Result<(), Failure> {
    let seconds =
        match flag {
            Some(seconds) => Some(seconds),
            None => match std::env::var(VARIABLE) {
                Ok(text) if !text.is_empty() => Some(parse(&text).map_err(|why| {
                    Failure::usage(format!("{VARIABLE}: {why}; nothing was sent"))
                })?),
                _ => None,
            },
        };
    if let Some(seconds) = seconds {
        let _ = TIMEOUT.set(Duration::from_secs(seconds));
    }
    Ok(())
}

/// A timeout in whole seconds, at least 1.
pub(crate) fn parse(text: &str) -> Result<u64, String> {
    match text.trim().parse::<u64>() {
        Ok(0) => Err("the timeout must be at least 1 second".into()),
        Ok(seconds) => Ok(seconds),
        Err(_) => Err(format!("{text:?} is not a whole number of seconds")),
    }
}

/// `builder` with the timeout, when one was given.
pub(crate) fn apply(builder: ClientBuilder) -> ClientBuilder {
    match TIMEOUT.get() {
        Some(timeout) => builder.timeout(*timeout),
        None => builder,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_timeout_is_a_positive_whole_number() {
        assert_eq!(super::parse("30"), Ok(30));
        assert!(super::parse("0").is_err());
        assert!(super::parse("1.5").is_err());
        assert!(super::parse("soon").is_err());
    }
}
