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
fn sdk_client(base: &str) -> kajabi_api::Client {
    kajabi_api::Client::builder()
        .base_url(base)
        .client_credentials(CLIENT_ID, CLIENT_SECRET)
        .build()
        .expect("SDK client builds")
}

/// The baseline: what a careful user would write by hand for the same wire request.
mod raw {
    use super::*;

    const API_VERSION: HeaderName = HeaderName::from_static("api-version");

    #[derive(Clone)]
    pub struct Raw {
        http: reqwest::Client,
        base: String,
        /// `Bearer <token>`, marked sensitive like the SDK's, built once.
        bearer: HeaderValue,
    }

    impl Raw {
        /// Builds the `reqwest::Client` as `ClientBuilder::build` (kajabi-api/client.rs)
        /// does, and gets a token with the client-credentials grant.
        pub async fn connect(base: &str) -> Result<Raw, BoxError> {
            let http = http_client();
            let response = http
                .post(format!("{base}/v1/oauth/token"))
                .header(ACCEPT, HeaderValue::from_static("application/json"))
                .form(&[
                    ("client_id", CLIENT_ID),
                    ("client_secret", CLIENT_SECRET),
                    ("grant_type", "client_credentials"),
                ])
                .send()
                .await?
                .error_for_status()?;
            let token: types::OauthTokenResponse =
                serde_json::from_slice(&response.bytes().await?)?;
            let access = token.access_token.ok_or("no access_token")?;
            let mut bearer = HeaderValue::try_from(format!("Bearer {}", access.secret()))?;
            bearer.set_sensitive(true);
            Ok(Raw {
                http,
                base: base.to_string(),
                bearer,
            })
        }

        /// `GET /v1/me` with the SDK's URL building, headers and typed decode.
        pub async fn get_me(&self) -> Result<MeResponse, BoxError> {
            let response = self
                .http
                .get(format!("{}/v1/me", self.base))
                .header(ACCEPT, HeaderValue::from_static("application/vnd.api+json"))
                // A static name, as the generated code has: no parsing per call.
                .header(API_VERSION, HeaderValue::from_static("1.1.0"))
                .header(AUTHORIZATION, self.bearer.clone())
                .send()
                .await?;
            if !response.status().is_success() {
                return Err(format!("GET /v1/me: {}", response.status()).into());
            }
            let body = response.bytes().await?;
            Ok(serde_json::from_slice::<MeResponse>(&body)?)
        }
    }

    /// The SDK's own `reqwest::Client` settings (kajabi-api/client.rs, `build()`).
    pub fn http_client() -> reqwest::Client {
        reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(30))
            .user_agent(format!(
                "kajabi-api-rust/{}",
                kajabi_api_tests::sdk_version()
            ))
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .expect("reqwest client builds")
    }
}

/// The loopback server: every request but three gets the same `/v1/me` body. It also keeps
/// every distinct `GET /v1/me` request head it sees (token value masked, header order
/// ignored), so that the orchestrator can check that both sides put the same request on the
/// wire: the SDK cannot get cheaper by sending less.
mod server {
    use std::{
        collections::BTreeSet,
        io::{ErrorKind, Read, Write},
        sync::{
            atomic::{AtomicU64, Ordering},
            Mutex,
        },
    };

    use tokio::net::{TcpListener, TcpStream};

    use super::*;

    const ME: &str = r#"{"data":{"id":"1","type":"users","attributes":{"email":"bench@example.com","initials":"BU","name":"Bench User","role_level":"owner"}}}"#;
    const TOKEN: &str = r#"{"access_token":"bench-token","refresh_token":"r","token_type":"Bearer","expires_in":7200}"#;

    /// Serves until its stdin closes (the parent exited or dropped its guard), so that it
    /// never outlives the bench even if the parent is killed.
    pub fn run() {
        std::thread::spawn(|| {
            let _ = std::io::stdin().read_to_end(&mut Vec::new());
            std::process::exit(0);
        });
        // One thread: the server takes at most one of the two cores from the client.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("server runtime");
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            let port = listener.local_addr().expect("local address").port();
            let mut stdout = std::io::stdout();
            writeln!(stdout, "{port}").expect("port to the parent");
            stdout.flush().expect("port to the parent");
            let state = Arc::new(State::default());
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve(stream, state.clone()));
            }
        });
    }

    /// What the server counts and keeps across connections.
    #[derive(Default)]
    struct State {
        tokens: AtomicU64,
        heads: Mutex<BTreeSet<String>>,
    }

    /// One keep-alive connection: answers each complete request in order.
    async fn serve(stream: TcpStream, state: Arc<State>) {
        let mut input = Vec::with_capacity(4096);
        let mut output = Vec::with_capacity(4096);
        let mut chunk = vec![0u8; 16 * 1024];
        loop {
            let mut used = 0;
            while let Some((request, length)) = parse(&input[used..]) {
                answer(request, &state, &mut output);
                used += length;
            }
            input.drain(..used);
            if !output.is_empty() {
                if write_all(&stream, &output).await.is_err() {
                    return;
                }
                output.clear();
            }
            // tokio's `net` feature alone: readiness plus `try_read`, no `io-util` needed.
            if stream.readable().await.is_err() {
                return;
            }
            match stream.try_read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => input.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(_) => return,
            }
        }
    }

    async fn write_all(stream: &TcpStream, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            stream.writable().await?;
            match stream.try_write(data) {
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    struct Request<'a> {
        method: &'a str,
        path: &'a str,
        head: &'a str,
    }

    /// The first complete request in `input` (head and `Content-Length` body) and its length.
    fn parse(input: &[u8]) -> Option<(Request<'_>, usize)> {
        let head_end = input.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
        let head = std::str::from_utf8(&input[..head_end]).ok()?;
        let mut lines = head.split("\r\n");
        let mut first = lines.next()?.split(' ');
        let (method, path) = (first.next()?, first.next()?);
        let body = lines
            .filter_map(|line| line.split_once(':'))
            .find(|(name, _)| name.eq_ignore_ascii_case("content-length"))
            .and_then(|(_, value)| value.trim().parse::<usize>().ok())
            .unwrap_or(0);
        (input.len() >= head_end + body)
            .then_some((Request { method, path, head }, head_end + body))
    }

    /// A request head as compared between the sides: the request line, then the header lines
    /// sorted, names lower-cased, the bearer token's value masked.
    fn comparable(head: &str) -> String {
        let mut lines = head.split("\r\n").filter(|l| !l.is_empty());
        let first = lines.next().unwrap_or_default().to_string();
        let mut headers: Vec<String> = lines
            .map(|line| {
                let (name, value) = line.split_once(':').unwrap_or((line, ""));
                let name = name.trim().to_ascii_lowercase();
                let value = if name == "authorization" {
                    "Bearer <token>"
                } else {
                    value.trim()
                };
                format!("{name}: {value}")
            })
            .collect();
        headers.sort();
        std::iter::once(first)
            .chain(headers)
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn answer(request: Request<'_>, state: &State, output: &mut Vec<u8>) {
        let path = request.path.split('?').next().unwrap_or_default();
        let text;
        let (content_type, body) = match (request.method, path) {
            ("POST", "/v1/oauth/token") => {
                state.tokens.fetch_add(1, Ordering::SeqCst);
                ("application/json", TOKEN)
            }
            ("GET", "/__count") => {
                text = state.tokens.load(Ordering::SeqCst).to_string();
                ("text/plain", text.as_str())
            }
            ("GET", "/__heads") => {
                let heads = state.heads.lock().expect("heads");
                text = heads.iter().cloned().collect::<Vec<_>>().join("\n\n");
                ("text/plain", text.as_str())
            }
            _ => {
                let head = comparable(request.head);
                let mut heads = state.heads.lock().expect("heads");
                if !heads.contains(&head) {
                    heads.insert(head);
                }
                ("application/vnd.api+json", ME)
            }
        };
        let _ = write!(
            output,
            "HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
    }
}

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
mod client_role {
    use super::*;

    /// Calls before the measured ones: the token, the connection, the allocator's first
    /// growth. The 200 vs 1,200 difference removes them anyway; warming keeps it linear.
    const WARMUP: usize = 50;

    pub fn run(kind: Kind) {
        let url = std::env::var(URL).expect("KAJABI_BENCH_URL");
        let calls: usize = std::env::var(CALLS)
            .expect("KAJABI_BENCH_CALLS")
            .parse()
            .expect("KAJABI_BENCH_CALLS is a number");
        Tracing::from_env().install();
        // A current-thread runtime: no worker threads parking and stealing, whose
        // instructions would vary from run to run without being the client's work.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("client runtime");
        runtime.block_on(async {
            let side = Side::new(kind, &url).await;
            for _ in 0..WARMUP + calls {
                side.call().await;
            }
        });
    }
}

/// Instructions per call from callgrind, by the difference of two call counts.
mod instructions {
    use super::*;

    const FEW: u64 = 200;
    const MANY: u64 = 1_200;

    /// Per-call instructions of one side under `tracing`, or why there are none.
    pub fn per_call(kind: Kind, tracing: Tracing, url: &str) -> Result<f64, String> {
        let few = total(kind, tracing, FEW, url)?;
        let many = total(kind, tracing, MANY, url)?;
        Ok((many as f64 - few as f64) / (MANY - FEW) as f64)
    }

    pub fn valgrind_available() -> bool {
        Command::new("valgrind")
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    }

    pub fn out_file(kind: Kind, tracing: Tracing, calls: u64) -> PathBuf {
        PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!(
            "overhead-{}-{}-{calls}.callgrind",
            kind.role(),
            tracing.name()
        ))
    }

    /// Instructions of one whole client run of `calls` calls.
    fn total(kind: Kind, tracing: Tracing, calls: u64, url: &str) -> Result<u64, String> {
        let out = out_file(kind, tracing, calls);
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let run = Command::new("valgrind")
            .arg("--tool=callgrind")
            .arg(format!("--callgrind-out-file={}", out.display()))
            .arg(exe)
            .env(ROLE, kind.role())
            .env(CALLS, calls.to_string())
            .env(TRACING, tracing.name())
            .env(URL, url)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("valgrind does not start: {e}"))?;
        if !run.status.success() {
            let stderr = String::from_utf8_lossy(&run.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
            return Err(format!(
                "{} with {calls} calls failed ({}):\n{}",
                kind.role(),
                run.status,
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ));
        }
        let text = std::fs::read_to_string(&out)
            .map_err(|e| format!("cannot read {}: {e}", out.display()))?;
        // `summary:` is the whole run's total; `totals:` the same when `summary:` is absent.
        ["summary:", "totals:"]
            .iter()
            .find_map(|key| {
                text.lines()
                    .find_map(|line| line.strip_prefix(key))
                    .and_then(|rest| rest.split_whitespace().next())
                    .and_then(|n| n.parse().ok())
            })
            .ok_or_else(|| format!("no summary line in {}", out.display()))
    }
}

/// Wall-clock time per call, in the orchestrator's multi-thread runtime.
mod wall {
    use super::*;

    // About 10,000 sequential and 32,000 concurrent calls per side: a few seconds in all.
    const BLOCKS: usize = 20;
    const BLOCK_CALLS: u32 = 500;
    const ROUNDS: usize = 10;
    pub const TASKS: usize = 64;
    const TASK_CALLS: u32 = 50;

    /// Per-call nanoseconds of sequential calls, sdk and raw: the median over blocks.
    /// Blocks alternate sdk/raw (ABBA) so that drift of the machine hits both alike.
    pub async fn sequential(sdk: &Side, raw: &Side) -> (f64, f64) {
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for block in 0..BLOCKS {
            let order = [[0, 1], [1, 0]][block % 2];
            for which in order {
                let side = [sdk, raw][which];
                let started = Instant::now();
                for _ in 0..BLOCK_CALLS {
                    side.call().await;
                }
                let per_call = started.elapsed().as_nanos() as f64 / f64::from(BLOCK_CALLS);
                [&mut a, &mut b][which].push(per_call);
            }
        }
        (median(a), median(b))
    }

    /// Per-call nanoseconds with `TASKS` calls in flight: elapsed time over all calls of a
    /// round, the median over alternating rounds.
    pub async fn concurrent(sdk: &Side, raw: &Side) -> (f64, f64) {
        // Open the connections first, so that no round pays for connecting.
        round(sdk, 1).await;
        round(raw, 1).await;
        let (mut a, mut b) = (Vec::new(), Vec::new());
        for r in 0..ROUNDS {
            let order = [[0, 1], [1, 0]][r % 2];
            for which in order {
                let side = [sdk, raw][which];
                let started = Instant::now();
                round(side, TASK_CALLS).await;
                let calls = TASKS as f64 * f64::from(TASK_CALLS);
                [&mut a, &mut b][which].push(started.elapsed().as_nanos() as f64 / calls);
            }
        }
        (median(a), median(b))
    }

    async fn round(side: &Side, calls: u32) {
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let side = side.clone();
                tokio::spawn(async move {
                    for _ in 0..calls {
                        side.call().await;
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("task completes");
        }
    }

    fn median(mut values: Vec<f64>) -> f64 {
        values.sort_by(f64::total_cmp);
        let mid = values.len() / 2;
        if values.len().is_multiple_of(2) {
            (values[mid - 1] + values[mid]) / 2.0
        } else {
            values[mid]
        }
    }
}

/// Token requests caused by many tasks starting together on a client without a token.
mod cold {
    use super::*;

    pub const TASKS: usize = 1_000;

    /// (token requests, failed calls)
    pub async fn token_requests(server: &ServerProcess) -> (u64, usize) {
        let client = sdk_client(&server.url);
        let before = server.token_requests().await;
        // All tasks wait at the barrier, then call at once: the worst case for single flight.
        let barrier = Arc::new(tokio::sync::Barrier::new(TASKS));
        let tasks: Vec<_> = (0..TASKS)
            .map(|_| {
                let (client, barrier) = (client.clone(), barrier.clone());
                tokio::spawn(async move {
                    barrier.wait().await;
                    client.get_me().send().await.is_ok()
                })
            })
            .collect();
        let mut failed = 0;
        for task in tasks {
            if !task.await.expect("task completes") {
                failed += 1;
            }
        }
        let after = server.token_requests().await;
        (after - before, failed)
    }
}

mod orchestrator {
    use super::*;

    pub fn run() {
        let started = Instant::now();
        let server = ServerProcess::start();
        println!(
            "overhead: GET /v1/me, kajabi-api vs the same request by hand with reqwest; server pid {} at {}",
            server.child.id(),
            server.url
        );

        // Instructions first, while this process is idle: the client roles run alone.
        let available = instructions::valgrind_available();
        let instructions = Tracing::ALL.map(|tracing| {
            [Kind::Sdk, Kind::Raw].map(|kind| {
                if available {
                    instructions::per_call(kind, tracing, &server.url)
                } else {
                    Err("valgrind is not installed".to_string())
                }
            })
        });

        let runtime = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let (sequential, concurrent, (tokens, failed)) = runtime.block_on(async {
            let sdk = Side::new(Kind::Sdk, &server.url).await;
            let raw = Side::new(Kind::Raw, &server.url).await;
            // Warm both: token, connection, allocator.
            for _ in 0..200 {
                sdk.call().await;
                raw.call().await;
            }
            let sequential = wall::sequential(&sdk, &raw).await;
            let concurrent = wall::concurrent(&sdk, &raw).await;
            let cold = cold::token_requests(&server).await;
            let heads = server.heads().await;
            // Every call of either side, callgrind's included, sent the same request.
            assert!(
                heads.len() == 1,
                "the SDK and the hand-written request differ on the wire:\n\n{}",
                heads.join("\n\n")
            );
            (sequential, concurrent, cold)
        });
        drop(runtime);
        drop(server);

        report(&instructions, sequential, concurrent, tokens, failed);
        eprintln!("(took {:.1} s)", started.elapsed().as_secs_f64());
        let instruction_ratio = match &instructions[0] {
            [Ok(sdk), Ok(raw)] => fmt2(sdk / raw),
            _ => "nan".to_string(),
        };
        println!(
            "overhead sdk/raw: instructions {instruction_ratio}, wall sequential {:.2}, wall concurrent {:.2}, token requests for 1000 cold calls: {tokens}",
            sequential.0 / sequential.1,
            concurrent.0 / concurrent.1,
        );
    }

    /// Two decimals; `nan` rather than Rust's `NaN`.
    fn fmt2(value: f64) -> String {
        if value.is_nan() {
            "nan".into()
        } else {
            format!("{value:.2}")
        }
    }

    fn report(
        instructions: &[[Result<f64, String>; 2]; 3],
        sequential: (f64, f64),
        concurrent: (f64, f64),
        tokens: u64,
        failed: usize,
    ) {
        println!();
        println!("{:<34} {:>12} {:>12} {:>9}", "", "sdk", "raw", "sdk/raw");
        println!("instructions per call (callgrind):");
        for (tracing, figures) in Tracing::ALL.iter().zip(instructions) {
            let label = format!("  {}", tracing.label());
            match figures {
                [Ok(sdk), Ok(raw)] => {
                    println!("{label:<34} {sdk:>12.0} {raw:>12.0} {:>9.3}", sdk / raw)
                }
                _ => {
                    println!("{label:<34} {:>12} {:>12} {:>9}", "n/a", "n/a", "nan");
                    for error in figures.iter().filter_map(|r| r.as_ref().err()) {
                        println!("  instructions n/a: {error}");
                    }
                }
            }
        }
        for (label, (sdk, raw)) in [
            ("wall sequential (us/call)", sequential),
            (
                &*format!("wall {} in flight (us/call)", wall::TASKS),
                concurrent,
            ),
        ] {
            println!(
                "{label:<34} {:>12.2} {:>12.2} {:>9.3}",
                sdk / 1e3,
                raw / 1e3,
                sdk / raw
            );
        }
        println!(
            "token requests, {} tasks on a cold client: {tokens} ({failed} calls failed)",
            cold::TASKS
        );
        if instructions.iter().flatten().all(Result::is_ok) {
            println!(
                "callgrind files: {}",
                instructions::out_file(Kind::Sdk, Tracing::None, 1_200)
                    .parent()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            );
        }
        println!();
    }
}
