//! `kajabi`: every operation of Kajabi's public API as a command, generated from the same
//! OpenAPI document as the `kajabi-api` SDK, which it calls through
//! `Client::call_operation`. See `README.md` for the commands and the exit codes.

#![forbid(unsafe_code)]

mod config;
mod credentials;
mod failure;
mod jq;
mod keyring_store;
mod output;
mod pages;
mod parser;
mod profiles;
mod request;
mod rows;
mod session;
mod table;
mod timeout;
mod verbose;
mod webhooks;

use std::process::ExitCode;

use clap::{error::ErrorKind, ArgMatches};
use failure::Failure;

fn main() -> ExitCode {
    let matches = match parser::cli().try_get_matches() {
        Ok(matches) => matches,
        Err(e)
            if !e.use_stderr()
                || e.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand =>
        {
            // --help and --version (exit 0), and the help a bare `kajabi GROUP` gets (exit 2).
            let _ = e.print();
            return ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(failure::USAGE));
        }
        Err(e) => {
            eprintln!("kajabi: {}", usage_error(&e));
            return ExitCode::from(failure::USAGE);
        }
    };
    let level = matches.get_count("verbose");
    if level > 0 {
        verbose(level);
    }
    if let Err(failure) = timeout::init(matches.get_one::<u64>("timeout").copied())
        .and_then(|()| profiles::init(matches.get_one::<String>("profile")))
    {
        eprintln!("kajabi: {failure}");
        return ExitCode::from(failure.code);
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("kajabi: cannot start the async runtime: {e}");
            return ExitCode::from(failure::OTHER);
        }
    };
    match runtime.block_on(run(&matches)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("kajabi: {failure}");
            ExitCode::from(failure.code)
        }
    }
}

/// A usage error in one line, as every other bad input gets: clap's message and tips without
/// its usage block (`--help` has it).
fn usage_error(error: &clap::Error) -> String {
    let text = error.render().to_string();
    let message: Vec<&str> = text
        .lines()
        .map(str::trim)
        .take_while(|line| !line.starts_with("Usage:") && !line.starts_with("For more information"))
        .filter(|line| !line.is_empty())
        .collect();
    let message = message.join(" ");
    let message = message.strip_prefix("error: ").unwrap_or(&message);
    format!("{message} (see --help)")
}

/// `--verbose`: one line per HTTP request on stderr ([`verbose::Lines`]); `-vv` with headers.
fn verbose(level: u8) {
    use tracing_subscriber::{
        filter::{LevelFilter, Targets},
        layer::SubscriberExt,
        util::SubscriberInitExt,
    };
    let _ = tracing_subscriber::registry()
        .with(verbose::Lines::new(level > 1, std::io::stderr()))
        .with(Targets::new().with_target("kajabi_api", LevelFilter::TRACE))
        .try_init();
}

async fn run(matches: &ArgMatches) -> Result<(), Failure> {
    let Some((name, sub)) = matches.subcommand() else {
        return Err(Failure::usage("no command given; see `kajabi --help`"));
    };
    match name {
        "login" => session::login(sub).await,
        "logout" => session::logout().await,
        "auth" => session::auth(sub).await,
        "sandbox" => sandbox(sub).await,
        "api" => api(sub).await,
        "webhooks" => webhooks::run(sub).await,
        "completion" => {
            let shell = *sub
                .get_one::<clap_complete::Shell>("shell")
                .ok_or_else(|| Failure::usage("which shell?"))?;
            clap_complete::generate(shell, &mut parser::cli(), "kajabi", &mut std::io::stdout());
            Ok(())
        }
        group => {
            let (action, sub) = sub
                .subcommand()
                .ok_or_else(|| Failure::usage(format!("`kajabi {group}` needs an action")))?;
            let command = table::find(group, action)
                .ok_or_else(|| Failure::usage(format!("no command `kajabi {group} {action}`")))?;
            operation(command, sub).await
        }
    }
}

/// Runs one operation through `Client::call_operation` and prints its answer.
async fn operation(command: &'static table::Command, matches: &ArgMatches) -> Result<(), Failure> {
    let params = request::params(command, matches);
    // The body is read and checked before any credential is touched: bad input sends nothing.
    let body = request::body(command, matches)?;
    let mut printer = output::Printer::new(matches)?;
    let parallel = pages::parallel(matches);
    let credentials = credentials::resolve()?;
    let limit = matches.try_get_one::<u64>("limit").ok().flatten().copied();
    let all = command.paginated && (matches.get_flag("all") || limit.is_some());
    let result = if all {
        let client = &credentials.client;
        match pages::follow(client, command, params, limit, parallel, &mut printer).await {
            Ok(()) => printer.finish(),
            Err(e) => Err(e),
        }
    } else {
        match credentials
            .client
            .call_operation(command.operation, &params, body)
            .await
        {
            Ok(mut value) => {
                output::redact(&mut value, command.secret_members);
                printer.response(&value)
            }
            Err(e) => {
                let url = request::url(command, credentials.client.base_url(), &params);
                Err(failure::Failure::from_call(e, command, &url))
            }
        }
    };
    // Keep the session, renewed or new, even when the call failed.
    credentials.persist()?;
    result
}

/// `kajabi api METHOD PATH`: any request through the SDK's `Client::request`.
async fn api(matches: &ArgMatches) -> Result<(), Failure> {
    let text = |id: &str| {
        matches
            .get_one::<String>(id)
            .map(String::as_str)
            .unwrap_or("")
    };
    let query: Vec<(String, String)> = matches
        .get_many::<(String, String)>("query")
        .into_iter()
        .flatten()
        .cloned()
        .collect();
    let body = match matches.get_one::<String>("body") {
        Some(source) => Some(request::read_body(source)?),
        None => None,
    };
    let mut printer = output::Printer::new(matches)?;
    let credentials = credentials::resolve()?;
    let result = credentials
        .client
        .request(text("method"), text("path"), &query, body.as_ref())
        .await;
    credentials.persist()?;
    match result? {
        Some(value) => printer.response(&value),
        None => Ok(()),
    }
}

/// `kajabi sandbox`: serves until Ctrl-C.
async fn sandbox(matches: &ArgMatches) -> Result<(), Failure> {
    let config = kajabi_sandbox::Config {
        port: matches.get_one::<u16>("port").copied().unwrap_or(0),
        faults: matches
            .get_many::<kajabi_sandbox::Fault>("fault")
            .into_iter()
            .flatten()
            .cloned()
            .collect(),
        rate_limit: matches
            .get_one::<kajabi_sandbox::RateLimit>("rate-limit")
            .copied(),
        ..kajabi_sandbox::Config::default()
    };
    let sandbox = kajabi_sandbox::Sandbox::start_with(config)
        .await
        .map_err(|e| Failure::other(format!("cannot start the sandbox: {e}")))?;
    // The sandbox's demo credentials are public constants, not secrets.
    output::write_line(&format!(
        "export KAJABI_BASE_URL={}\nexport KAJABI_CLIENT_ID={}\nexport KAJABI_CLIENT_SECRET={}",
        sandbox.base_url(),
        sandbox.client_id(),
        sandbox.client_secret()
    ))?;
    eprintln!(
        "kajabi sandbox listening on {}; Ctrl-C to stop",
        sandbox.base_url()
    );
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::other(format!("cannot wait for Ctrl-C: {e}")))?;
    drop(sandbox);
    Ok(())
}
