//! `kajabi webhooks trigger EVENT`: asks the sandbox at `KAJABI_BASE_URL` to fire a webhook
//! event now (`POST /_sandbox/webhooks/trigger/{event}`), for every hook registered for it.
//! Only the sandbox has that route: Kajabi itself offers no way to fire an event.

use std::time::Duration;

use clap::{builder::PossibleValuesParser, Arg, ArgMatches, Command};
use serde_json::Value;

use crate::{failure::Failure, output};

/// The `webhooks` command group.
pub(crate) fn command() -> Command {
    Command::new("webhooks")
        .about("Webhook deliveries of the local sandbox")
        .subcommand_required(true)
        .arg_required_else_help(true)
        .subcommand(
            Command::new("trigger")
                .about(
                    "Fire EVENT on the sandbox at KAJABI_BASE_URL, for every hook registered for \
                     it (POST /_sandbox/webhooks/trigger/EVENT)",
                )
                .arg(
                    Arg::new("event")
                        .required(true)
                        .value_name("EVENT")
                        // The events the spec lists: an unknown name is a usage error (exit
                        // 2) that lists them.
                        .value_parser(PossibleValuesParser::new(kajabi_api::webhooks::EVENTS)),
                ),
        )
}

/// Runs `kajabi webhooks <action>`.
pub(crate) async fn run(matches: &ArgMatches) -> Result<(), Failure> {
    let Some(("trigger", sub)) = matches.subcommand() else {
        return Err(Failure::usage("`kajabi webhooks` needs an action: trigger"));
    };
    let event = sub
        .get_one::<String>("event")
        .ok_or_else(|| Failure::usage("which event?"))?;
    let base_url = std::env::var("KAJABI_BASE_URL")
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            Failure::usage(
                "KAJABI_BASE_URL is not set: `kajabi webhooks trigger` talks to a local sandbox \
                 (start one with `kajabi sandbox` and export what it prints)",
            )
        })?;
    let shown = without_user_info(&base_url);
    let url = format!(
        "{}/_sandbox/webhooks/trigger/{event}",
        base_url.trim_end_matches('/')
    );
    let not_a_sandbox = |why: String| {
        Failure::usage(format!(
            "KAJABI_BASE_URL ({shown}) is not a kajabi sandbox: {why}; \
             `kajabi webhooks trigger` works only against `kajabi sandbox`"
        ))
    };
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .map_err(|_| Failure::other("cannot set up an HTTP client"))?;
    let response = client.post(&url).send().await.map_err(|e| {
        Failure::other(format!(
            "cannot reach {shown}: {}",
            if e.is_timeout() {
                "no answer in time"
            } else {
                "the connection failed"
            }
        ))
    })?;
    let status = response.status();
    let body: Option<Value> = response.json().await.ok();
    match body {
        Some(body) if status.as_u16() == 202 && body.get("deliveries").is_some() => {
            output::print(&body)
        }
        _ => Err(not_a_sandbox(format!(
            "POST /_sandbox/webhooks/trigger/{event} answered {status}"
        ))),
    }
}

/// `url` without a user name or password, to show in a message.
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
