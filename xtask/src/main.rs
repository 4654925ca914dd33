//! `cargo xtask`: maintenance tasks for the kajabi-api workspace.
//!
//! One task today, `sync-spec`: vendor Kajabi's published OpenAPI document into
//! `openapi.yaml`, only once it passes the same normalizer and generator the build uses, and
//! report what changed for callers. See [`USAGE`].

mod drive;
mod fetch;
mod sync;
mod vet;

use std::ffi::OsString;
use std::path::PathBuf;
use std::process::ExitCode;

use fetch::Source;
use sync::{Options, Outcome};

/// Where Kajabi publishes the document: the raw file on the `main` branch of its docs repository.
const DEFAULT_SOURCE: &str =
    "https://raw.githubusercontent.com/Kajabi/public_api_docs/main/openapi.yaml";

const USAGE: &str = "\
usage: cargo xtask sync-spec [--from <URL|PATH>] [--spec <PATH>] [--check]
       cargo xtask drive --base-url <URL> [--client-id <ID>] [--client-secret <SECRET>] [--spec <PATH>]

Fetches Kajabi's OpenAPI document and vendors it byte for byte into the workspace's
openapi.yaml, once it parses and passes the normalizer and generator the build uses.
Prints what changed for callers of the SDK.

options:
  --from <URL|PATH>  where to read the document: an http:// or https:// URL or a local file
                     (default: https://raw.githubusercontent.com/Kajabi/public_api_docs/main/openapi.yaml)
  --spec <PATH>      the vendored file to compare with and update (default: <workspace>/openapi.yaml)
  --check            change nothing; exit 1 if the source differs from the vendored file
  -h, --help         print this help

exit status: 0 done or up to date, 1 differs (--check), 2 refused or failed (file untouched)

drive: calls every operation of openapi.yaml through the SDK against a running server (the
sandbox, or Prism in front of it): required parameters, bodies built from the request
schemas, the token grant first and the revocation last; then a secured GET with a bad token,
which must come back as a 401. Prints one line per call and exits 1 if any failed.
  --base-url <URL>         the server (required)
  --client-id <ID>         default: the sandbox's demo client id
  --client-secret <SECRET> default: the sandbox's demo client secret
  --spec <PATH>            default: <workspace>/openapi.yaml
";

/// A parsed command line.
#[derive(Debug)]
enum Command {
    Help,
    SyncSpec(Options),
    Drive(drive::Options),
}

fn main() -> ExitCode {
    let command = match parse(std::env::args_os().skip(1)) {
        Ok(command) => command,
        Err(message) => {
            let usage = USAGE.lines().next().unwrap_or_default();
            eprintln!("error: {message}\n{usage}\n(`cargo xtask --help` says more)");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => {
            print!("{USAGE}");
            ExitCode::SUCCESS
        }
        Command::Drive(options) => drive::run(&options),
        Command::SyncSpec(options) => match sync::run(&options) {
            Ok(Outcome::UpToDate | Outcome::Updated) => ExitCode::SUCCESS,
            Ok(Outcome::Differs) => ExitCode::from(1),
            Err(e) => {
                // One paragraph: nested causes (YAML positions, generator output) may carry newlines.
                let message = e
                    .to_string()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ");
                eprintln!(
                    "error: {}. {} was left unchanged.",
                    message.trim_end_matches('.'),
                    options.spec.display()
                );
                ExitCode::from(2)
            }
        },
    }
}

fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Command, String> {
    let mut args = args.into_iter();
    match args.next().as_ref().and_then(|a| a.to_str()) {
        Some("sync-spec") => {}
        Some("drive") => return drive::parse(args).map(Command::Drive),
        Some("-h" | "--help" | "help") => return Ok(Command::Help),
        Some(other) => return Err(format!("unknown task `{other}`")),
        None => return Err("no task given".into()),
    }
    let mut from = None;
    let mut spec = None;
    let mut check = false;
    while let Some(arg) = args.next() {
        let text = arg.to_string_lossy();
        // `--from=X` and `--from X` both work, as with most CLIs.
        let (flag, inline) = match text.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => {
                (flag.to_string(), Some(OsString::from(value)))
            }
            _ => (text.to_string(), None),
        };
        let mut value = |name: &str| {
            inline
                .clone()
                .or_else(|| args.next())
                .ok_or(format!("{name} needs a value"))
        };
        match flag.as_str() {
            "--from" => from = Some(Source::parse(value("--from")?)?),
            "--spec" => spec = Some(PathBuf::from(value("--spec")?)),
            "--check" if inline.is_none() => check = true,
            "-h" | "--help" => return Ok(Command::Help),
            _ => return Err(format!("unexpected argument `{text}`")),
        }
    }
    Ok(Command::SyncSpec(Options {
        source: from.unwrap_or_else(|| Source::Url(DEFAULT_SOURCE.to_string())),
        spec: spec.unwrap_or_else(default_spec),
        check,
    }))
}

/// The workspace's `openapi.yaml`: xtask lives one level below the workspace root.
fn default_spec() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(&manifest).join("openapi.yaml")
}
