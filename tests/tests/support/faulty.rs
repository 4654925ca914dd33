//! A raw-TCP HTTP/1.1 server on 127.0.0.1 that misbehaves on purpose.
//!
//! httpmock only speaks well-formed HTTP; the failures a production client meets (a body cut
//! short, a reset, headers that never come, an endless body) need a server that writes bytes,
//! not responses. [`Faulty`] reads each request (head and `Content-Length` body), then plays
//! the [`Script`] for that request: request `n` (counted from 0 across all connections) gets
//! `scripts[n]`, the last script repeating. A script that ends without closing leaves the
//! connection open for the next request (keep-alive). Everything is recorded: connections
//! accepted, requests seen, bytes written, and whether the client hung up mid-script.
#![allow(dead_code)]

use std::{
    future::Future,
    net::SocketAddr,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use kajabi_api::{ClientBuilder, RetryPolicy};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    task::{JoinHandle, JoinSet},
};

/// The token the test clients send; long and odd enough never to occur in a fuzzed body.
pub const TOKEN: &str = "faulty-test-token-7c1e9a";

/// How long any single call may take before the test calls it a hang. Generous on purpose:
/// the clients under test time out after 500 ms, a loaded 2-core machine is slow, and on
/// tokio's paused clock (most retry and timeout tests) it is virtual time anyway.
pub const HANG: Duration = Duration::from_secs(60);

/// One thing the server does after reading a request.
#[derive(Debug, Clone)]
pub enum Step {
    /// Writes these bytes.
    Write(Vec<u8>),
    /// Waits.
    Pause(Duration),
    /// Writes `chunk` again and again until `total` bytes are out (`None`: forever) or the
    /// client hangs up.
    Stream { chunk: Vec<u8>, total: Option<u64> },
    /// Sends nothing more and waits for the client to hang up.
    Stall,
    /// Closes the connection normally (FIN).
    Close,
    /// Aborts the connection (RST).
    Reset,
}

/// What the server does with one request.
pub type Script = Vec<Step>;

/// A request as the server read it.
#[derive(Debug, Clone)]
pub struct Seen {
    /// The request line and headers, as sent.
    pub head: String,
    pub body: Vec<u8>,
}

impl Seen {
    /// The request line, e.g. `GET /v1/me HTTP/1.1`.
    pub fn line(&self) -> &str {
        self.head.lines().next().unwrap_or("")
    }

    /// A header's value (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().skip(1).find_map(|line| {
            let (key, value) = line.split_once(':')?;
            key.trim()
                .eq_ignore_ascii_case(name)
                .then_some(value.trim())
        })
    }
}

#[derive(Default)]
struct Shared {
    scripts: Vec<Script>,
    accepted: AtomicUsize,
    requests: Mutex<Vec<Seen>>,
    written: AtomicU64,
    hung_up: AtomicUsize,
}

/// The running server; dropping it stops it and every connection it holds.
pub struct Faulty {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: JoinHandle<()>,
}

impl Faulty {
    /// Serves request `n` with `scripts[n]`, the last script for every later request.
    pub async fn start(scripts: Vec<Script>) -> Faulty {
        assert!(!scripts.is_empty(), "a server needs at least one script");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        let addr = listener.local_addr().expect("local addr");
        let shared = Arc::new(Shared {
            scripts,
            ..Shared::default()
        });
        let state = shared.clone();
        let task = tokio::spawn(async move {
            // Held by the accept task, so that aborting it drops (aborts) every connection.
            let mut connections = JoinSet::new();
            loop {
                match listener.accept().await {
                    Ok((stream, _)) => {
                        state.accepted.fetch_add(1, Ordering::SeqCst);
                        while connections.try_join_next().is_some() {}
                        connections.spawn(serve(stream, state.clone()));
                    }
                    // Out of descriptors or similar: back off instead of spinning.
                    Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                }
            }
        });
        Faulty { addr, shared, task }
    }

    /// Serves every request with `script`.
    pub async fn always(script: Script) -> Faulty {
        Faulty::start(vec![script]).await
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// TCP connections accepted so far.
    pub fn accepted(&self) -> usize {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// The requests read so far, in order.
    pub fn requests(&self) -> Vec<Seen> {
        self.shared.requests.lock().unwrap().clone()
    }

    /// Bytes written by `Write` and `Stream` steps, across connections.
    pub fn written(&self) -> u64 {
        self.shared.written.load(Ordering::SeqCst)
    }

    /// How many times the client hung up before a script was done (a failed write, or the end
    /// of the connection during `Stall`).
    pub fn hung_up(&self) -> usize {
        self.shared.hung_up.load(Ordering::SeqCst)
    }
}

impl Drop for Faulty {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(mut stream: TcpStream, shared: Arc<Shared>) {
    let mut pending = Vec::new();
    while let Some(seen) = read_request(&mut stream, &mut pending).await {
        let index = {
            let mut requests = shared.requests.lock().unwrap();
            requests.push(seen);
            requests.len() - 1
        };
        let script = &shared.scripts[index.min(shared.scripts.len() - 1)];
        for step in script {
            let written = match step {
                Step::Write(bytes) => write(&mut stream, bytes, &shared).await,
                Step::Pause(wait) => {
                    tokio::time::sleep(*wait).await;
                    true
                }
                Step::Stream { chunk, total } => {
                    let mut sent = 0u64;
                    let mut ok = true;
                    while ok && total.is_none_or(|total| sent < total) {
                        let room = total.map_or(chunk.len() as u64, |t| t - sent);
                        let piece = &chunk[..chunk.len().min(room as usize)];
                        ok = write(&mut stream, piece, &shared).await;
                        sent += piece.len() as u64;
                    }
                    ok
                }
                Step::Stall => {
                    // Whatever the client sends now is ignored; its hang-up ends the wait.
                    let mut sink = [0u8; 1024];
                    while let Ok(1..) = stream.read(&mut sink).await {}
                    shared.hung_up.fetch_add(1, Ordering::SeqCst);
                    return;
                }
                Step::Close => {
                    let _ = stream.shutdown().await;
                    return;
                }
                Step::Reset => {
                    // A zero linger makes close() send RST at once; it is a non-zero linger
                    // that would block the thread, which is why tokio deprecates the setter.
                    #[allow(deprecated)]
                    let _ = stream.set_linger(Some(Duration::ZERO));
                    return;
                }
            };
            if !written {
                return;
            }
        }
    }
}

async fn write(stream: &mut TcpStream, bytes: &[u8], shared: &Shared) -> bool {
    match stream.write_all(bytes).await {
        Ok(()) => {
            shared
                .written
                .fetch_add(bytes.len() as u64, Ordering::SeqCst);
            true
        }
        Err(_) => {
            shared.hung_up.fetch_add(1, Ordering::SeqCst);
            false
        }
    }
}

/// Reads one request (head, then a `Content-Length` body); `None` at the end of the
/// connection. Bytes past the request stay in `pending` for the next one.
async fn read_request(stream: &mut TcpStream, pending: &mut Vec<u8>) -> Option<Seen> {
    const MAX_HEAD: usize = 64 * 1024;
    let mut buf = [0u8; 8192];
    let head_end = loop {
        if let Some(at) = pending.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        if pending.len() > MAX_HEAD {
            return None;
        }
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => pending.extend_from_slice(&buf[..n]),
        }
    };
    let head = String::from_utf8_lossy(&pending[..head_end - 4]).into_owned();
    let mut seen = Seen {
        head,
        body: Vec::new(),
    };
    let length: usize = seen
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    while pending.len() < head_end + length {
        match stream.read(&mut buf).await {
            Ok(0) | Err(_) => return None,
            Ok(n) => pending.extend_from_slice(&buf[..n]),
        }
    }
    seen.body = pending[head_end..head_end + length].to_vec();
    pending.drain(..head_end + length);
    Some(seen)
}

/// A status line and headers, without `Content-Length`: the caller frames the body.
pub fn head(status: u16, headers: &[(&str, &str)]) -> Vec<u8> {
    let mut out = format!("HTTP/1.1 {status} Faulty\r\n");
    for (name, value) in headers {
        out.push_str(&format!("{name}: {value}\r\n"));
    }
    out.push_str("\r\n");
    out.into_bytes()
}

/// A complete response with a `Content-Length` body.
pub fn response(status: u16, headers: &[(&str, &str)], body: impl AsRef<[u8]>) -> Vec<u8> {
    let body = body.as_ref();
    let length = body.len().to_string();
    let mut all: Vec<(&str, &str)> = headers.to_vec();
    all.push(("content-length", &length));
    let mut out = head(status, &all);
    out.extend_from_slice(body);
    out
}

/// A complete `application/vnd.api+json` response.
pub fn json(status: u16, body: &serde_json::Value) -> Vec<u8> {
    response(
        status,
        &[("content-type", "application/vnd.api+json")],
        body.to_string(),
    )
}

/// One chunk of a `Transfer-Encoding: chunked` body.
pub fn chunk(data: &[u8]) -> Vec<u8> {
    let mut out = format!("{:x}\r\n", data.len()).into_bytes();
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
    out
}

/// A script that writes `bytes` and keeps the connection open.
pub fn reply(bytes: Vec<u8>) -> Script {
    vec![Step::Write(bytes)]
}

/// `GET /v1/me`'s 200.
pub fn me_ok() -> Script {
    reply(json(200, &super::me_body()))
}

/// A `create_contact` body (a `POST`, so not idempotent).
pub fn new_contact() -> kajabi_api::types::CreateContactBody {
    let body = serde_json::json!({"data": {"type": "contacts", "attributes": {"email": "ada@example.com"}, "relationships": {}}});
    serde_json::from_value(body).expect("a valid contact body")
}

/// `POST /v1/contacts`'s 201.
pub fn contact_created() -> Script {
    let body = serde_json::json!({"data": {"id": "8", "type": "contacts", "attributes": {"email": "ada@example.com"}}});
    reply(json(201, &body))
}

/// A client of `base_url` with a ready token (no token request), no retries and a 5 s
/// timeout; tests override what they exercise.
pub fn builder(base_url: &str) -> ClientBuilder {
    kajabi_api::Client::builder()
        .base_url(base_url)
        .access_token(TOKEN)
        .retry_policy(RetryPolicy::disabled())
        .timeout(Duration::from_secs(5))
}

/// Retries with waits short enough for tests: backoff ≤ 20 ms, any wait ≤ `max_delay`.
pub fn quick_retries(max_attempts: u32, max_delay: Duration) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: Duration::from_millis(1).min(max_delay),
        max_delay,
        max_elapsed: Duration::from_secs(30),
    }
}

/// A loopback address that refuses connections: its port is bound but not listening, so the
/// kernel answers a SYN with RST, and no other test can take the port while this lives.
pub struct Refusing {
    _socket: tokio::net::TcpSocket,
    pub base_url: String,
}

pub fn refusing() -> Refusing {
    let socket = tokio::net::TcpSocket::new_v4().expect("socket");
    socket
        .bind("127.0.0.1:0".parse().unwrap())
        .expect("bind loopback");
    let port = socket.local_addr().expect("local addr").port();
    Refusing {
        _socket: socket,
        base_url: format!("http://127.0.0.1:{port}"),
    }
}

/// Awaits `future`, failing the test if it takes longer than [`HANG`].
pub async fn bounded<F: Future>(what: &str, future: F) -> F::Output {
    match tokio::time::timeout(HANG, future).await {
        Ok(output) => output,
        Err(_) => panic!("{what}: hung for more than {HANG:?}"),
    }
}
