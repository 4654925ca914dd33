//! `kajabi-sandbox`: runs the local Kajabi API sandbox until killed.
//!
//! ```text
//! cargo run -p kajabi-sandbox -- [--port N] [--client-id ID] [--client-secret SECRET]
//!                                [--username NAME] [--password PASSWORD] [--token-ttl SECS] [--seed N]
//!                                [--fault SPEC]... [--rate-limit N/SECS]
//!                                [--latency MS] [--seed-contacts N]
//! ```
//!
//! `--fault` takes the text form of [`kajabi_sandbox::Fault`] (`'get_contact: 403'`,
//! `'*: 429 retry-after=1 times=2'`); a fault that does not parse or names an operation the
//! spec does not have exits 2 with the reason (and the nearest names).
//!
//! The first line on stdout is `kajabi sandbox listening on http://127.0.0.1:PORT`; the
//! credentials (client and demo user) go to stderr, one line:
//! `client_id=… client_secret=… username=… password=…`.

#![deny(missing_docs)]

use std::process::ExitCode;
use std::time::Duration;

use clap::{value_parser, Arg, ArgAction, ArgMatches, Command};
use kajabi_sandbox::{Config, Fault, RateLimit, Sandbox};

#[tokio::main]
async fn main() -> ExitCode {
    let config = match command().try_get_matches() {
        Ok(matches) => config(&matches),
        Err(error) => {
            // --help and --version print to stdout and succeed; bad arguments exit 2.
            let _ = error.print();
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    let (config, contacts) = config;
    let sandbox = match Sandbox::start_with(config).await {
        Ok(sandbox) => sandbox,
        Err(error) => {
            eprintln!("kajabi-sandbox: cannot start: {error}");
            return ExitCode::FAILURE;
        }
    };
    if let Err(error) = sandbox.add_items("contacts", contacts) {
        eprintln!("kajabi-sandbox: cannot seed contacts: {error}");
        return ExitCode::FAILURE;
    }
    println!("kajabi sandbox listening on {}", sandbox.base_url());
    eprintln!(
        "client_id={} client_secret={} username={} password={}",
        sandbox.client_id(),
        sandbox.client_secret(),
        sandbox.username(),
        sandbox.password()
    );
    if let Err(error) = tokio::signal::ctrl_c().await {
        eprintln!("kajabi-sandbox: cannot wait for Ctrl-C ({error}); serving until killed");
        std::future::pending::<()>().await;
    }
    drop(sandbox);
    ExitCode::SUCCESS
}

/// The command line: every flag defaults to [`Config::default`].
fn command() -> Command {
    let defaults = Config::default();
    let text = |name: &'static str, help: &'static str, default: String| {
        Arg::new(name)
            .long(name)
            .value_name("TEXT")
            .help(help)
            .default_value(default)
    };
    Command::new("kajabi-sandbox")
        .about("A local, stateful stand-in for Kajabi's public API, on 127.0.0.1")
        .version(env!("CARGO_PKG_VERSION"))
        .arg(
            Arg::new("port")
                .long("port")
                .short('p')
                .value_name("N")
                .help("Port to listen on; 0 picks a free one")
                .value_parser(value_parser!(u16))
                .default_value("0"),
        )
        .arg(text(
            "client-id",
            "The client id the token endpoint accepts",
            defaults.client_id,
        ))
        .arg(text(
            "client-secret",
            "Its client secret",
            defaults.client_secret,
        ))
        .arg(text(
            "username",
            "The demo user of the password grant",
            defaults.username,
        ))
        .arg(text(
            "password",
            "The demo user's password",
            defaults.password,
        ))
        .arg(
            Arg::new("token-ttl")
                .long("token-ttl")
                .value_name("SECS")
                .help("Access token lifetime in seconds")
                .value_parser(value_parser!(u64))
                .default_value(defaults.token_ttl.as_secs().to_string()),
        )
        .arg(
            Arg::new("seed")
                .long("seed")
                .value_name("N")
                .help("Seed for a known state: the seeded data and repeatable tokens")
                .value_parser(value_parser!(u64)),
        )
        .arg(
            Arg::new("fault")
                .long("fault")
                .value_name("SPEC")
                .help("A fault, repeatable: 'MATCH [NAME=VALUE]: ANSWER...', e.g. 'get_contact: 403' or '*: 429 retry-after=1 times=2' (see the sandbox's README)")
                .action(ArgAction::Append)
                .value_parser(parse_fault),
        )
        .arg(
            Arg::new("rate-limit")
                .long("rate-limit")
                .value_name("N/SECS")
                .help("At most N requests per SECS seconds per client_id; over it, 429 with Retry-After")
                .value_parser(|text: &str| text.parse::<RateLimit>()),
        )
        .arg(
            Arg::new("latency")
                .long("latency")
                .value_name("MS")
                .help("Milliseconds to wait before answering each request")
                .value_parser(value_parser!(u64))
                .default_value("0"),
        )
        .arg(
            Arg::new("seed-contacts")
                .long("seed-contacts")
                .value_name("N")
                .help("Contacts to add to the seeded ones (for list and export benchmarks)")
                .value_parser(value_parser!(usize))
                .default_value("0"),
        )
}

/// A `--fault`: parsed, and checked against the spec.
fn parse_fault(text: &str) -> Result<Fault, String> {
    let fault: Fault = text.parse().map_err(|e| format!("{e}"))?;
    fault.check().map_err(|e| format!("{e}"))?;
    Ok(fault)
}

/// The configuration the parsed arguments ask for, and how many contacts to add.
fn config(matches: &ArgMatches) -> (Config, usize) {
    let text = |name: &str| matches.get_one::<String>(name).cloned().unwrap_or_default();
    let number = |name: &str| matches.get_one::<u64>(name).copied().unwrap_or(0);
    let config = Config {
        client_id: text("client-id"),
        client_secret: text("client-secret"),
        username: text("username"),
        password: text("password"),
        token_ttl: Duration::from_secs(number("token-ttl")),
        port: matches.get_one::<u16>("port").copied().unwrap_or(0),
        seed: matches.get_one::<u64>("seed").copied(),
        faults: matches
            .get_many::<Fault>("fault")
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
        rate_limit: matches.get_one::<RateLimit>("rate-limit").copied(),
        latency: Duration::from_millis(number("latency")),
        ..Config::default()
    };
    let contacts = matches
        .get_one::<usize>("seed-contacts")
        .copied()
        .unwrap_or(0);
    (config, contacts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Config, clap::Error> {
        parse_all(args).map(|(config, _)| config)
    }

    fn parse_all(args: &[&str]) -> Result<(Config, usize), clap::Error> {
        let argv = std::iter::once("kajabi-sandbox").chain(args.iter().copied());
        command().try_get_matches_from(argv).map(|m| config(&m))
    }

    #[test]
    fn the_command_line_is_consistent() {
        command().debug_assert();
    }

    #[test]
    fn arguments() {
        assert_eq!(parse(&["--port", "8080"]).expect("ok").port, 8080);
        assert_eq!(parse(&["--port=9"]).expect("ok").port, 9);
        assert_eq!(parse(&["-p", "7"]).expect("ok").port, 7);
        let config = parse(&[
            "--token-ttl",
            "5",
            "--client-id",
            "a",
            "--client-secret",
            "b",
            "--username",
            "c",
            "--password",
            "d",
            "--seed",
            "42",
        ])
        .expect("ok");
        assert_eq!(
            (
                config.token_ttl.as_secs(),
                config.client_id.as_str(),
                config.client_secret.as_str(),
                config.username.as_str(),
                config.password.as_str(),
                config.seed
            ),
            (5, "a", "b", "c", "d", Some(42))
        );
        let defaults = parse(&[]).expect("ok");
        assert_eq!(defaults.client_secret, kajabi_sandbox::DEMO_CLIENT_SECRET);
        assert_eq!(defaults.username, kajabi_sandbox::DEMO_USERNAME);
        assert_eq!(defaults.password, kajabi_sandbox::DEMO_PASSWORD);
        assert_eq!(defaults.seed, None);
        assert_eq!(
            defaults.token_ttl.as_secs(),
            kajabi_sandbox::DEFAULT_TOKEN_TTL_SECS
        );
        assert!(defaults.faults.is_empty());
        assert_eq!(defaults.rate_limit, None);
        let config = parse(&[
            "--fault",
            "get_contact: 403",
            "--fault=*: 503 times=1",
            "--rate-limit",
            "5/60",
        ])
        .expect("ok");
        let faults: Vec<String> = config.faults.iter().map(Fault::to_string).collect();
        assert_eq!(faults, ["get_contact: 403", "*: 503 times=1"]);
        assert_eq!(
            config.rate_limit.map(|l| l.to_string()).as_deref(),
            Some("5/60")
        );
        let unknown = parse(&["--fault", "get_contct: 403"]).expect_err("unknown");
        assert!(
            unknown.to_string().contains("nearest: get_contact"),
            "{unknown}"
        );
        assert_eq!(defaults.latency, Duration::ZERO);
        let (slow, contacts) =
            parse_all(&["--latency", "100", "--seed-contacts", "5000"]).expect("ok");
        assert_eq!((slow.latency, contacts), (Duration::from_millis(100), 5000));
        assert_eq!(parse_all(&[]).expect("ok").1, 0);
        let help = parse(&["--help"]).expect_err("help");
        assert_eq!(help.kind(), clap::error::ErrorKind::DisplayHelp);
        assert!(help.to_string().contains("--seed"));
        for bad in [
            &["--port"][..],
            &["--port", "x"],
            &["--seed", "-1"],
            &["--latency", "-5"],
            &["--seed-contacts", "many"],
            &["--bogus"],
            &["--fault", "get_contact 403"],
            &["--fault", "get_contct: 403"],
            &["--rate-limit", "10"],
            &["--rate-limit", "0/10"],
        ] {
            let error = parse(bad).expect_err("refused");
            assert_eq!(error.exit_code(), 2, "{bad:?}");
        }
    }
}
