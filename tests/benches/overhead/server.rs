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
const TOKEN: &str =
    r#"{"access_token":"bench-token","refresh_token":"r","token_type":"Bearer","expires_in":7200}"#;

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
    (input.len() >= head_end + body).then_some((Request { method, path, head }, head_end + body))
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
