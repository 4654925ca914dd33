//! `kajabi-sandbox`: runs the local Kajabi API sandbox until killed.
//!
//! ```text
//! cargo run -p kajabi-sandbox -- [--port N] [--client-id ID] [--client-secret SECRET] [--token-ttl SECS]
//! ```
//!
//! The first line on stdout is `kajabi sandbox listening on http://127.0.0.1:PORT`; the
//! credentials go to stderr.

#![deny(missing_docs)]

use std::process::ExitCode;
use std::time::Duration;

use kajabi_sandbox::{Config, Sandbox};

const USAGE: &str =
    "usage: kajabi-sandbox [--port N] [--client-id ID] [--client-secret SECRET] [--token-ttl SECS]";

#[tokio::main]
async fn main() -> ExitCode {
    let config = match parse_args(std::env::args().skip(1)) {
        Ok(Some(config)) => config,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("kajabi-sandbox: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let sandbox = match Sandbox::start_with(config).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("kajabi-sandbox: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    println!("kajabi sandbox listening on {}", sandbox.base_url());
    eprintln!(
        "client_id={} client_secret={}",
        sandbox.client_id(),
        sandbox.client_secret()
    );
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("kajabi-sandbox: cannot wait for Ctrl-C ({error}); serving until killed");
        std::future::pending::<()>().await;
    }
    drop(sandbox);
    ExitCode::SUCCESS
}

/// The configuration the arguments ask for; `None` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Config>, String> {
    let mut config = Config::default();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag.to_string(), Some(value.to_string())),
            None => (arg, None),
        };
        if flag == "-h" || flag == "--help" {
            return Ok(None);
        }
        let mut value = || {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or_else(|| format!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--port" | "-p" => {
                let text = value()?;
                config.port = text
                    .parse()
                    .map_err(|_| format!("--port: {text:?} is not a port number"))?;
            }
            "--client-id" => config.client_id = value()?,
            "--client-secret" => config.client_secret = value()?,
            "--token-ttl" => {
                let text = value()?;
                let secs: u64 = text
                    .parse()
                    .map_err(|_| format!("--token-ttl: {text:?} is not a number of seconds"))?;
                config.token_ttl = Duration::from_secs(secs);
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(Some(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Option<Config>, String> {
        parse_args(args.iter().map(|s| s.to_string()))
    }

    #[test]
    fn arguments() {
        assert_eq!(
            parse(&["--port", "8080"])
                .expect("ok")
                .expect("config")
                .port,
            8080
        );
        assert_eq!(parse(&["--port=9"]).expect("ok").expect("config").port, 9);
        let config = parse(&["--token-ttl", "5", "--client-id", "a"])
            .expect("ok")
            .expect("config");
        assert_eq!(
            (config.token_ttl.as_secs(), config.client_id.as_str()),
            (5, "a")
        );
        assert!(parse(&["--help"]).expect("ok").is_none());
        assert!(parse(&["--port"]).is_err());
        assert!(parse(&["--port", "x"]).is_err());
        assert!(parse(&["--nope"]).is_err());
    }
}
