//! The clap command tree: the CLI's own commands, and one command per operation built from
//! the generated table ([`crate::table::COMMANDS`]).

use std::collections::BTreeMap;
use std::num::NonZeroUsize;

use clap::{
    builder::{NonEmptyStringValueParser, PossibleValuesParser},
    value_parser, Arg, ArgAction, Command,
};

use crate::table::{self, Kind, Location};

const ABOUT: &str = "Kajabi's public API from the command line: every operation a command";

const AFTER_HELP: &str = "\
Credentials: KAJABI_CLIENT_ID and KAJABI_CLIENT_SECRET (or KAJABI_ACCESS_TOKEN), and
KAJABI_BASE_URL, or `kajabi login`. Output: the response body as JSON on stdout
(--format ndjson|table|csv, --columns, --jq EXPR to shape it).
Exit codes: 0 success, 2 usage or bad input (a 400 or 422 included), 3 authentication
(no credentials, 401, 403), 4 not found, 1 anything else.";

/// The whole command tree.
pub(crate) fn cli() -> Command {
    let mut root = Command::new("kajabi")
        .version(env!("CARGO_PKG_VERSION"))
        .about(ABOUT)
        .after_help(AFTER_HELP)
        .subcommand_required(true)
        .arg_required_else_help(true)
        .arg(
            Arg::new("verbose")
                .long("verbose")
                .short('v')
                .global(true)
                .action(ArgAction::Count)
                .help("Print each HTTP request on stderr: method, path and query, status, duration, request id, attempt; -vv adds the headers (credentials redacted)"),
        )
        .arg(
            Arg::new("timeout")
                .long("timeout")
                .global(true)
                .value_name("SECS")
                .value_parser(crate::timeout::parse)
                .help("How long one HTTP request may take, in whole seconds (default 30; KAJABI_TIMEOUT)"),
        )
        .arg(
            Arg::new("profile")
                .long("profile")
                .global(true)
                .value_name("NAME")
                .value_parser(crate::profiles::parse_name)
                .help("The stored login to use (KAJABI_PROFILE; default: the one `kajabi auth switch` chose, else `default`)"),
        )
        .subcommand(login())
        .subcommand(
            Command::new("logout")
                .about("Revoke the stored session (POST /v1/oauth/revoke) and remove the profile's stored login"),
        )
        .subcommand(auth())
        .subcommand(
            Command::new("sandbox")
                .about("Run the local Kajabi sandbox and print the `export KAJABI_…` lines for it")
                .arg(
                    Arg::new("port")
                        .long("port")
                        .value_parser(value_parser!(u16))
                        .help("Port on 127.0.0.1 (default: any free port)"),
                )
                .arg(
                    Arg::new("fault")
                        .long("fault")
                        .value_name("SPEC")
                        .action(ArgAction::Append)
                        .value_parser(sandbox_fault)
                        .help("A fault, repeatable: 'MATCH [NAME=VALUE]: ANSWER...', e.g. 'get_contact: 403' or '*: 429 retry-after=1 times=2' (syntax: the sandbox's README)"),
                )
                .arg(
                    Arg::new("rate-limit")
                        .long("rate-limit")
                        .value_name("N/SECS")
                        .value_parser(|text: &str| text.parse::<kajabi_sandbox::RateLimit>())
                        .help("At most N requests per SECS seconds per client_id; over it, 429 with Retry-After"),
                ),
        )
        .subcommand(api())
        .subcommand(crate::webhooks::command())
        .subcommand(
            Command::new("completion")
                .about("Print the shell completion script")
                .arg(
                    Arg::new("shell")
                        .required(true)
                        .value_parser(value_parser!(clap_complete::Shell)),
                ),
        );
    root = crate::output::flags(root);
    let mut groups: BTreeMap<&str, Vec<&'static table::Command>> = BTreeMap::new();
    for command in table::COMMANDS {
        groups.entry(command.group).or_default().push(command);
    }
    for (group, commands) in groups {
        // `/v1/contacts` of `/v1/contacts/{id}`.
        let prefix = commands
            .first()
            .map(|c| c.path.split('/').take(3).collect::<Vec<_>>().join("/"))
            .unwrap_or_default();
        let mut command = Command::new(group)
            .about(format!("Operations on {prefix}"))
            .subcommand_required(true)
            .arg_required_else_help(true);
        for operation in commands {
            command = command.subcommand(operation_command(operation));
        }
        root = root.subcommand(command);
    }
    root
}

/// A `kajabi sandbox --fault`: parsed and checked against the spec (usage error, exit 2,
/// with the nearest names, otherwise).
fn sandbox_fault(text: &str) -> Result<kajabi_sandbox::Fault, String> {
    let fault: kajabi_sandbox::Fault = text.parse().map_err(|e| format!("{e}"))?;
    fault.check().map_err(|e| format!("{e}"))?;
    Ok(fault)
}

fn api() -> Command {
    Command::new("api")
        .about("Any request, for what the spec lacks, with the SDK's auth, retries and errors")
        .long_about(
            "Sends METHOD PATH (below the base URL, e.g. /v1/contacts) with the bearer token, \
             Accept: application/vnd.api+json and a JSON body as application/vnd.api+json; \
             prints the response body as JSON.",
        )
        .arg(
            Arg::new("method")
                .required(true)
                .help("GET, POST, PATCH, PUT or DELETE"),
        )
        .arg(
            Arg::new("path")
                .required(true)
                .help("The path, e.g. /v1/contacts"),
        )
        .arg(
            Arg::new("query")
                .long("query")
                .short('q')
                .value_name("NAME=VALUE")
                .action(ArgAction::Append)
                .value_parser(|text: &str| {
                    text.split_once('=')
                        .map(|(k, v)| (k.to_string(), v.to_string()))
                        .ok_or_else(|| format!("{text:?} is not NAME=VALUE"))
                })
                .help("A query parameter, as the wire spells it (`filter[site_id]=1`); repeatable"),
        )
        .arg(
            Arg::new("body")
                .long("body")
                .value_name("FILE|-")
                .help("The request body as JSON, from FILE or `-` for stdin"),
        )
}

fn auth() -> Command {
    Command::new("auth")
        .about("Authentication: status, profiles, the access token")
        .subcommand_required(true)
        .subcommand(Command::new("status").about(
            "The profiles, the one in use, where its credentials come from (environment \
             variables, keyring or file), and whom they belong to (GET /v1/me); --format json",
        ))
        .subcommand(
            Command::new("switch")
                .about("Make a stored profile the one commands use")
                .arg(
                    Arg::new("name")
                        .required(true)
                        .value_name("NAME")
                        .value_parser(crate::profiles::parse_name),
                ),
        )
        .subcommand(Command::new("token").about(
            "Print the current access token on stdout (getting or renewing it first), e.g. \
             for curl; the one command that prints a secret",
        ))
}

fn login() -> Command {
    Command::new("login")
        .about("Store client credentials (and the session's tokens) for later commands")
        .long_about(
            "Checks the client credentials by getting a token, then stores them with the \
             session's tokens as the profile in use (--profile NAME; default `default`): the \
             client id and base URL in the config file (KAJABI_CONFIG_DIR overrides its \
             folder), the secrets in the platform keyring, else in that file (mode 0600; \
             KAJABI_KEYRING=off keeps them there). Without flags it prompts; the secret is \
             never taken from argv.",
        )
        .arg(
            Arg::new("client-id")
                .long("client-id")
                .help("The client id (prompted for when missing)"),
        )
        .arg(
            Arg::new("client-secret-stdin")
                .long("client-secret-stdin")
                .action(ArgAction::SetTrue)
                .help("Read the client secret from the first line of stdin"),
        )
        .arg(
            Arg::new("base-url")
                .long("base-url")
                .help("The API's base URL (default KAJABI_BASE_URL, else https://api.kajabi.com)"),
        )
}

fn operation_command(operation: &'static table::Command) -> Command {
    let mut command = Command::new(operation.action)
        .about(operation.summary)
        .long_about(format!(
            "{}\n\n{} {} (SDK method `{}`)",
            operation.summary, operation.method, operation.path, operation.operation
        ));
    if let Some(example) = operation.example {
        command = command.after_help(format!("Example:\n  {example}"));
    }
    for arg in operation.args {
        command = command.arg(argument(arg, operation.paginated));
    }
    if let Some(body) = &operation.body {
        command = command.arg(
            Arg::new("body")
                .long("body")
                .value_name("FILE|-")
                .help(format!(
                    "The request body as JSON (sent as {}), from FILE or `-` for stdin",
                    body.media
                )),
        );
        for arg in body.attributes {
            command = command.arg(argument(arg, false));
        }
        for relationship in body.relationships.iter().chain(&body.linkage) {
            command = command.arg(relationship_flag(relationship));
        }
    }
    if operation.paginated {
        command = command
            .arg(
                Arg::new("all")
                    .long("all")
                    .action(ArgAction::SetTrue)
                    .help("Follow the pages; print one item per line (NDJSON)"),
            )
            .arg(
                Arg::new("limit")
                    .long("limit")
                    .value_name("N")
                    .value_parser(limit)
                    .help("Print at most N items, one per line, following the pages as needed"),
            )
            .arg(
                Arg::new("parallel")
                    .long("parallel")
                    .value_name("N")
                    .value_parser(pages_in_flight)
                    .help(
                        "With --all or --limit only: up to N pages in flight at once (default \
                         1), once the first page has told how many there are; items still \
                         print in page order",
                    ),
            );
    }
    command
}

/// `--site ID`, or `--tag ID` repeated for a to-many relationship.
fn relationship_flag(spec: &'static table::Relationship) -> Arg {
    let arg = Arg::new(spec.flag)
        .long(spec.flag)
        .value_name("ID")
        .value_parser(NonEmptyStringValueParser::new());
    // Not `required` for clap: the ids may come from --body; the schema check names the flag.
    let required = if spec.required { "; required" } else { "" };
    if spec.many {
        arg.action(ArgAction::Append).help(format!(
            "The id of a `{}` to link (repeatable; relationship `{}`{required})",
            spec.resource_type, spec.name
        ))
    } else {
        arg.help(format!(
            "The id of the `{}` to link (relationship `{}`{required})",
            spec.resource_type, spec.name
        ))
    }
}

fn argument(spec: &'static table::Arg, paginated: bool) -> Arg {
    let mut arg = Arg::new(spec.flag);
    let wire = match spec.location {
        Location::Path => "path parameter",
        Location::Query => "query parameter",
        Location::Header => "header",
        Location::Attribute => "body member data.attributes",
    };
    let mut help = if spec.help.is_empty() {
        format!("{wire} `{}`", spec.wire)
    } else {
        format!("{} ({wire} `{}`)", spec.help, spec.wire)
    };
    if paginated && spec.wire == crate::request::PAGE_SIZE {
        help.push_str(&format!(
            "; 1 to {} (Kajabi's maximum), a value outside is clamped",
            kajabi_api::MAX_PAGE_SIZE
        ));
    }
    arg = arg.help(help);
    if spec.location == Location::Path {
        // An empty id would address the collection, not a resource.
        arg = arg.value_parser(NonEmptyStringValueParser::new());
    } else {
        arg = arg.long(spec.flag);
    }
    // Attributes may come from --body instead; the schema check decides then.
    arg = arg.required(spec.required && spec.location != Location::Attribute);
    if spec.multiple {
        arg = arg.action(ArgAction::Append);
    }
    if !spec.values.is_empty() {
        return arg.value_parser(PossibleValuesParser::new(spec.values));
    }
    match spec.kind {
        Kind::String => arg,
        Kind::Integer => arg.value_parser(value_parser!(i64)),
        Kind::Number => arg.value_parser(value_parser!(f64)),
        Kind::Boolean => arg.value_parser(value_parser!(bool)),
        Kind::Json => arg.value_name("JSON").value_parser(|text: &str| {
            serde_json::from_str::<serde_json::Value>(text).map_err(|e| format!("not JSON: {e}"))
        }),
    }
}

/// `--parallel N`: a number of pages, 1 or more.
fn pages_in_flight(text: &str) -> Result<NonZeroUsize, String> {
    text.parse()
        .map_err(|_| format!("{text:?} is not a number of pages, 1 or more"))
}

/// `--limit N`: a number of items, 1 or more.
fn limit(text: &str) -> Result<u64, String> {
    text.parse::<u64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("{text:?} is not a number of items, 1 or more"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_command_tree_is_valid() {
        super::cli().debug_assert();
    }
}
