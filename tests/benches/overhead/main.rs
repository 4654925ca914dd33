//! What the SDK costs per call over the same request written by hand with reqwest.
//!
//! `cargo bench --bench overhead` compares `GET /v1/me` through [`kajabi_api::Client`] with a
//! hand-written baseline that puts the same bytes on the wire: the same `reqwest::Client`
//! configuration, the same URL, `Accept`, `api-version` and sensitive `Authorization` headers,
//! and the same typed decode into [`types::MeResponse`].
//!
//! One binary plays every role, chosen by `KAJABI_BENCH_ROLE`:
//! - (unset) the orchestrator: starts the server, runs the measurements, prints the report;
//! - `server`: a minimal HTTP/1.1 keep-alive server on 127.0.0.1, in its own process so that
//!   its work is never counted as the client's;
//! - `client-sdk` / `client-raw`: warms up one client, makes `KAJABI_BENCH_CALLS` sequential
//!   calls to `KAJABI_BENCH_URL` and exits; run under callgrind by the orchestrator.
//!
//! Wall clock on a shared 2-core machine cannot resolve a few percent, so the headline ratio
//! is in instructions per call: callgrind counts a client role at 200 and at 1,200 calls, and
//! the difference divided by 1,000 leaves the per-call cost without the process setup. It is
//! counted three ways, both sides under the same [`Tracing`] each time: no subscriber (the
//! headline, on the last line), a `tracing-subscriber` fmt subscriber filtered at WARN (a
//! common production setting: the call's span must then cost next to nothing) and one at
//! INFO (the span is recorded). The
//! wall-clock ratios (sequential, and 64 calls in flight) and the number of token requests
//! that 1,000 tasks starting together on a cold client cause are reported next to it.
//!
//! The callgrind files stay in Cargo's target tmp directory for `callgrind_annotate`.

use std::{
    error::Error as StdError,
    io::{BufRead, BufReader},
    path::PathBuf,
    process::{Child, Command, Stdio},
    sync::Arc,
    time::{Duration, Instant},
};

use kajabi_api::types::{self, MeResponse};
use reqwest::header::{HeaderName, HeaderValue, ACCEPT, AUTHORIZATION};

/// Which role this process plays.
const ROLE: &str = "KAJABI_BENCH_ROLE";
/// The server's base URL, for the client roles.
const URL: &str = "KAJABI_BENCH_URL";
/// How many measured calls a client role makes.
const CALLS: &str = "KAJABI_BENCH_CALLS";
/// The subscriber a client role runs under: `none`, `warn` or `info` ([`Tracing`]).
const TRACING: &str = "KAJABI_BENCH_TRACING";

const CLIENT_ID: &str = "bench-client-id";
const CLIENT_SECRET: &str = "bench-client-secret";

fn main() {
    match std::env::var(ROLE).as_deref() {
        Ok("server") => server::run(),
        Ok("client-sdk") => client_role::run(Kind::Sdk),
        Ok("client-raw") => client_role::run(Kind::Raw),
        Ok(other) => panic!("unknown {ROLE}={other:?}"),
        Err(_) => orchestrator::run(),
    }
}

/// The two ways of calling `GET /v1/me` that are compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Sdk,
    Raw,
}

impl Kind {
    fn role(self) -> &'static str {
        match self {
            Kind::Sdk => "client-sdk",
            Kind::Raw => "client-raw",
        }
    }
}

/// The `tracing` subscriber both sides of one instruction count run under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tracing {
    /// No subscriber at all: the headline figure.
    None,
    /// A fmt subscriber filtered at WARN: the call's span is disabled.
    Warn,
    /// A fmt subscriber at INFO: the call's span is recorded.
    Info,
}

impl Tracing {
    const ALL: [Tracing; 3] = [Tracing::None, Tracing::Warn, Tracing::Info];

    fn name(self) -> &'static str {
        match self {
            Tracing::None => "none",
            Tracing::Warn => "warn",
            Tracing::Info => "info",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Tracing::None => "no subscriber",
            Tracing::Warn => "fmt subscriber at WARN",
            Tracing::Info => "fmt subscriber at INFO",
        }
    }

    fn from_env() -> Tracing {
        match std::env::var(TRACING).as_deref() {
            Ok("warn") => Tracing::Warn,
            Ok("info") => Tracing::Info,
            Ok("none") | Err(_) => Tracing::None,
            Ok(other) => panic!("unknown {TRACING}={other:?}"),
        }
    }

    /// Installs the subscriber for the whole process (the client role's).
    fn install(self) {
        let level = match self {
            Tracing::None => return,
            Tracing::Warn => tracing::Level::WARN,
            Tracing::Info => tracing::Level::INFO,
        };
        tracing_subscriber::fmt()
            .with_max_level(level)
            .with_writer(std::io::stderr)
            .init();
    }
}

type BoxError = Box<dyn StdError + Send + Sync>;

/// The two clients behind one `get_me`. An enum rather than a trait so that the futures stay
/// `Send` for `tokio::spawn`; the match costs both sides the same.
#[derive(Clone)]
enum Side {
    Sdk(kajabi_api::Client),
    Raw(raw::Raw),
}

impl Side {
    /// A ready client of `kind` for the server at `base`. The raw side gets its token here,
    /// the SDK on its first call (as a user's code would).
    async fn new(kind: Kind, base: &str) -> Side {
        match kind {
            Kind::Sdk => Side::Sdk(sdk_client(base)),
            Kind::Raw => Side::Raw(
                raw::Raw::connect(base)
                    .await
                    .expect("raw client gets a token"),
            ),
        }
    }

    async fn get_me(&self) -> Result<MeResponse, BoxError> {
        match self {
            Side::Sdk(client) => Ok(client.get_me().send().await?.into_inner()),
            Side::Raw(raw) => raw.get_me().await,
        }
    }

    /// One call whose result must be a decoded `MeResponse`; `black_box` keeps the decode.
    async fn call(&self) {
        let me = self.get_me().await.expect("GET /v1/me succeeds");
        std::hint::black_box(me);
    }
}

/// An SDK client as the crate docs show it: base URL, client credentials, defaults otherwise.
/// With the `middleware` feature and `KAJABI_BENCH_MIDDLEWARE=noop`, one middleware that only
/// passes the request on: what the chain itself costs.
fn sdk_client(base: &str) -> kajabi_api::Client {
    let builder = kajabi_api::Client::builder()
        .base_url(base)
        .client_credentials(CLIENT_ID, CLIENT_SECRET);
    #[cfg(feature = "middleware")]
    let builder = match std::env::var(MIDDLEWARE).as_deref() {
        Ok("noop") => builder.middleware(NoOp),
        _ => builder,
    };
    builder.build().expect("SDK client builds")
}

/// `noop`: the SDK client gets one [`NoOp`] middleware (feature `middleware`).
const MIDDLEWARE: &str = "KAJABI_BENCH_MIDDLEWARE";

/// A middleware that passes every request on unchanged.
#[cfg(feature = "middleware")]
struct NoOp;

#[cfg(feature = "middleware")]
#[async_trait::async_trait]
impl reqwest_middleware::Middleware for NoOp {
    async fn handle(
        &self,
        request: reqwest::Request,
        extensions: &mut http::Extensions,
        next: reqwest_middleware::Next<'_>,
    ) -> reqwest_middleware::Result<reqwest::Response> {
        next.run(request, extensions).await
    }
}

/// The baseline: what a careful user would write by hand for the same wire request.
mod raw;

/// The loopback server: every request but three gets the same `/v1/me` body. It also keeps
/// every distinct `GET /v1/me` request head it sees (token value masked, header order
/// ignored), so that the orchestrator can check that both sides put the same request on the
/// wire: the SDK cannot get cheaper by sending less.
mod server;

/// The server process, killed when this guard drops (also while a panic unwinds).
struct ServerProcess {
    child: Child,
    url: String,
}

impl ServerProcess {
    fn start() -> ServerProcess {
        let mut child = Command::new(std::env::current_exe().expect("own executable"))
            .env(ROLE, "server")
            // The server exits when this pipe closes, even if the guard never runs.
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("server process starts");
        let stdout = child.stdout.take().expect("piped stdout");
        // The guard exists before anything else can fail, so the child is always killed.
        let mut server = ServerProcess {
            child,
            url: String::new(),
        };
        let mut line = String::new();
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("server prints its port");
        let port: u16 = line.trim().parse().expect("server port");
        server.url = format!("http://127.0.0.1:{port}");
        server
    }

    /// Every distinct `GET /v1/me` request head the server has seen (see `server`).
    async fn heads(&self) -> Vec<String> {
        let text = reqwest::get(format!("{}/__heads", self.url))
            .await
            .expect("heads request")
            .text()
            .await
            .expect("heads body");
        text.split("\n\n").map(str::to_string).collect()
    }

    /// Token requests the server has answered since it started.
    async fn token_requests(&self) -> u64 {
        reqwest::get(format!("{}/__count", self.url))
            .await
            .expect("count request")
            .text()
            .await
            .expect("count body")
            .trim()
            .parse()
            .expect("count is a number")
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Run under callgrind: one client, warmed up, then `KAJABI_BENCH_CALLS` sequential calls.
mod client_role;

/// Instructions per call from callgrind, by the difference of two call counts.
mod instructions;

/// Wall-clock time per call, in the orchestrator's multi-thread runtime.
mod wall;

/// Token requests caused by many tasks starting together on a client without a token.
mod cold;

mod orchestrator;
