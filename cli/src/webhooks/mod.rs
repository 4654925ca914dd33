//! `kajabi webhooks`: the sandbox's webhook side from the command line. Only the sandbox has
//! these: Kajabi itself offers no way to fire an event, and `listen` registers hooks that
//! point at this machine, which only a local sandbox can reach.
//!
//! - `trigger EVENT` fires the event ([`trigger`]) and waits for the deliveries it caused;
//! - `listen` receives deliveries on a local port and prints them ([`listen`]).
//!
//! Both first ask `GET /_sandbox/info`, which changes nothing, and refuse (exit 2) a base URL
//! that does not answer it as a sandbox: nothing that changes state is sent anywhere else.

mod listen;
mod trigger;

use std::time::Duration;

use clap::{builder::PossibleValuesParser, value_parser, Arg, ArgMatches, Command};
use serde_json::Value;

use crate::failure::Failure;

/// The `webhooks` command group.
pub(crate) fn command() -> Command {
    let events = || PossibleValuesParser::new(kajabi_api::webhooks::EVENTS);
    Command::new("webhooks")
        .about("Webhook deliveries of the local sandbox")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("trigger")
                .about(
                    "Fire EVENT on the sandbox at KAJABI_BASE_URL, for every hook registered for \
                     it, and print each delivery's outcome; exits 1 unless every one was \
                     delivered",
                )
                .arg(
                    Arg::new("event")
                        .required(true)
                        .value_name("EVENT")
                        // The events the spec lists: an unknown name is a usage error (exit
                        // 2) that lists them.
                        .value_parser(events()),
                )
                .arg(
                    Arg::new("wait")
                        .long("wait")
                        .value_name("SECS")
                        .default_value("10")
                        .value_parser(value_parser!(u64).range(0..=60))
                        .help(
                            "How long to wait for the deliveries to end (0–60 s); one still \
                             pending then is reported as pending",
                        ),
                ),
        )
        .subcommand(
            Command::new("listen")
                .about(
                    "Receive the sandbox's deliveries on 127.0.0.1 and print each as one JSON \
                     line; registers a hook per event and deletes them on exit (Ctrl-C)",
                )
                .arg(
                    Arg::new("events")
                        .long("events")
                        .value_name("EVENT,...")
                        .value_delimiter(',')
                        .value_parser(events())
                        .help("The events to listen for [default: every event the spec lists]"),
                )
                .arg(
                    Arg::new("site")
                        .long("site")
                        .value_name("ID")
                        .help("The site the hooks belong to [default: the first site]"),
                )
                .arg(
                    Arg::new("forward-to")
                        .long("forward-to")
                        .value_name("URL")
                        .value_parser(listen::forward_url)
                        .help(
                            "Also POST each delivery, as received, to URL; a failed forward is \
                             reported on stderr and listening goes on",
                        ),
                ),
        )
}

/// Runs `kajabi webhooks <action>`.
pub(crate) async fn run(matches: &ArgMatches) -> Result<(), Failure> {
    match matches.subcommand() {
        Some(("trigger", sub)) => trigger::run(sub).await,
        Some(("listen", sub)) => listen::run(sub).await,
        _ => Err(Failure::usage(
            "`kajabi webhooks` needs an action: trigger or listen",
        )),
    }
}

/// A plain HTTP client for the sandbox's own routes: no credentials ever go with it.
fn http(timeout: Duration) -> Result<reqwest::Client, Failure> {
    reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .build()
        .map_err(|_| Failure::other("cannot set up an HTTP client"))
}

/// Checks that `base_url` is a kajabi sandbox with `GET /_sandbox/info`, which changes
/// nothing; a usage error (exit 2) naming `command` otherwise.
async fn ensure_sandbox(
    client: &reqwest::Client,
    base_url: &str,
    command: &str,
) -> Result<(), Failure> {
    let shown = without_user_info(base_url);
    let url = format!("{}/_sandbox/info", base_url.trim_end_matches('/'));
    let response = client
        .get(&url)
        .send()
        .await
        .map_err(|e| Failure::other(format!("cannot reach {shown}: {}", cause(&e))))?;
    let status = response.status();
    let body: Option<Value> = response.json().await.ok();
    match body {
        Some(body) if status.is_success() && body["sandbox"] == "kajabi-sandbox" => Ok(()),
        _ => Err(Failure::usage(format!(
            "the base URL ({shown}) is not a kajabi sandbox: GET /_sandbox/info answered \
             {status}; `{command}` works only against `kajabi sandbox`"
        ))),
    }
}

/// `url` without a user name or password, to show in a message.
/// What went wrong with a request that got no answer, in words for a one-line message.
fn cause(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "no answer in time"
    } else if e.is_connect() {
        "the connection was refused or failed"
    } else {
        "the request failed"
    }
}

fn without_user_info(url: &str) -> String {
    match reqwest::Url::parse(url) {
        Ok(mut parsed) => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        Err(_) => "an invalid URL".to_string(),
    }
}
