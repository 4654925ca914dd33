//! `cargo xtask`: maintenance tasks for the kajabi-api workspace.
//!
//! - `sync-spec`: vendor Kajabi's published OpenAPI document into `openapi.yaml`, only once it
//!   passes the same normalizer and generator the build uses, and report what changed for
//!   callers.
//! - `drive`: call every operation through the SDK against a running server (the Prism check).
//! - `cold-build`: how long a new user waits for `cargo run --example quickstart`, against a
//!   reference crate with what a hand-written client needs.
//! - `msrv`: each published crate's `rust-version` covers what its resolved tree declares.

mod cold_build;
mod drive;
mod fetch;
mod msrv;
mod sync;
mod vet;

use std::path::PathBuf;
use std::process::{Command, ExitCode};

use clap::builder::{OsStringValueParser, TypedValueParser};
use clap::{Parser, Subcommand};
use fetch::Source;
use sync::{Options, Outcome};

/// Where Kajabi publishes the document: the raw file on the `main` branch of its docs repository.
const DEFAULT_SOURCE: &str =
    "https://raw.githubusercontent.com/Kajabi/public_api_docs/main/openapi.yaml";

/// Maintenance tasks for the kajabi-api workspace.
///
/// Exit status: 0 done, 1 a check found a difference (sync-spec --check, a failed drive call,
/// cold-build above its ratio), 2 refused, failed or a usage error.
#[derive(Debug, Parser)]
#[command(name = "cargo xtask", bin_name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Debug, Subcommand)]
enum Task {
    /// Vendor Kajabi's published OpenAPI document into openapi.yaml; report what changed.
    ///
    /// Fetches the document and writes it byte for byte into the workspace's openapi.yaml,
    /// once it parses and passes the normalizer and generator the build uses. Prints what
    /// changed for callers of the SDK.
    ///
    /// Exit status: 0 done or up to date, 1 differs (--check), 2 refused or failed (the file
    /// is left untouched).
    SyncSpec(SyncSpecArgs),
    /// Call every operation through the SDK against a running server (the Prism check).
    ///
    /// Calls every operation of openapi.yaml against the server (the sandbox, or Prism in
    /// front of it): required parameters, bodies built from the request
    /// schemas, the token grant first and the revocation last; then a secured GET with a bad
    /// token, which must come back as a 401. Prints one line per call and exits 1 if any
    /// failed.
    Drive(DriveArgs),
    /// Compare the quickstart's cold build with a reference crate's, in CPU and wall time.
    ///
    /// Builds the quickstart example in a fresh target directory and, in the same run, the
    /// pinned reference crate in .ci/reference (reqwest + tokio + serde + serde_json); print
    /// the CPU (user + sys of the cargo process tree) and wall times, their ratio and each
    /// build's ten slowest units. Exits 1 if the CPU ratio is above --max-cpu-ratio.
    ColdBuild(cold_build::Options),
    /// Check that each published crate's rust-version covers its resolved dependency tree.
    ///
    /// Compares each published crate's rust-version with the highest rust-version among its
    /// normal and build dependencies (transitively, all features, every platform) in
    /// Cargo.lock, from cargo metadata. Exits 1 if one declares less.
    Msrv,
}

#[derive(Debug, clap::Args)]
struct SyncSpecArgs {
    /// Where to read the document: an http:// or https:// URL or a local file.
    #[arg(long, value_name = "URL|PATH", default_value = DEFAULT_SOURCE,
          value_parser = OsStringValueParser::new().try_map(Source::parse))]
    from: Source,
    /// The vendored file to compare with and update [default: the workspace's openapi.yaml].
    #[arg(long, value_name = "PATH")]
    spec: Option<PathBuf>,
    /// Change nothing; exit 1 if the source differs from the vendored file.
    #[arg(long)]
    check: bool,
}

#[derive(Debug, clap::Args)]
struct DriveArgs {
    /// The server to call.
    #[arg(long, value_name = "URL")]
    base_url: String,
    /// The client id [default: the sandbox's demo client id].
    #[arg(long, value_name = "ID")]
    client_id: Option<String>,
    /// The client secret [default: the sandbox's demo client secret].
    #[arg(long, value_name = "SECRET")]
    client_secret: Option<String>,
    /// The document whose operations are called [default: the workspace's openapi.yaml].
    #[arg(long, value_name = "PATH")]
    spec: Option<PathBuf>,
}

fn main() -> ExitCode {
    match Cli::parse().task {
        Task::SyncSpec(args) => sync_spec(args),
        Task::Drive(args) => drive::run(&drive::Options {
            base_url: args.base_url,
            client_id: args
                .client_id
                .unwrap_or_else(|| kajabi_sandbox::DEMO_CLIENT_ID.to_string()),
            client_secret: args
                .client_secret
                .unwrap_or_else(|| kajabi_sandbox::DEMO_CLIENT_SECRET.to_string()),
            spec: match args.spec.map_or_else(default_spec, Ok) {
                Ok(spec) => spec,
                Err(e) => return refused(&e),
            },
        }),
        Task::ColdBuild(options) => cold_build::run(&options),
        Task::Msrv => msrv::run(),
    }
}

fn sync_spec(args: SyncSpecArgs) -> ExitCode {
    let spec = match args.spec.map_or_else(default_spec, Ok) {
        Ok(spec) => spec,
        Err(e) => return refused(&e),
    };
    let options = Options {
        source: args.from,
        spec,
        check: args.check,
    };
    match sync::run(&options) {
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
    }
}

/// Exit 2 with `message`: the workspace could not be found, so nothing was read or written.
fn refused(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// The root directory of the workspace the task was run in, found at run time: two copies of
/// the repository sharing a target directory (a global `CARGO_TARGET_DIR` or
/// `build.target-dir`) share one xtask binary, so a path fixed at compile time
/// (`env!("CARGO_MANIFEST_DIR")`) would name the copy that happened to build it.
fn workspace_root() -> Result<PathBuf, String> {
    // `cargo xtask` (`cargo run`) sets it to xtask's directory in the workspace it found from
    // the current directory; xtask lives one level below the root.
    if let Some(dir) = std::env::var_os("CARGO_MANIFEST_DIR") {
        let manifest = PathBuf::from(dir);
        return Ok(manifest.parent().map(PathBuf::from).unwrap_or(manifest));
    }
    // Run directly (`target/debug/xtask`): the workspace around the current directory.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["locate-project", "--workspace", "--message-format", "plain"])
        .output()
        .map_err(|e| format!("cannot run `cargo locate-project` to find the workspace: {e}"))?;
    let manifest = String::from_utf8_lossy(&output.stdout);
    let manifest = PathBuf::from(manifest.trim_end());
    match manifest.parent() {
        Some(root) if output.status.success() && manifest.is_file() => Ok(root.to_path_buf()),
        _ => Err(format!(
            "no Cargo workspace around the current directory ({}); run it as `cargo xtask` \
             in the repository, or pass --spec",
            String::from_utf8_lossy(&output.stderr).trim()
        )),
    }
}

/// The workspace's `openapi.yaml`.
fn default_spec() -> Result<PathBuf, String> {
    workspace_root().map(|root| root.join("openapi.yaml"))
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
