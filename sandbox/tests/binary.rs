//! The `kajabi-sandbox` binary as a user starts it: it prints where it listens, serves the
//! credentials given on its command line, and refuses bad arguments with exit code 2.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

const BINARY: &str = env!("CARGO_BIN_EXE_kajabi-sandbox");

/// Kills the server when the test ends, passed or failed.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the binary and returns it with the base URL from its first line of output.
fn start(args: &[&str]) -> (Server, String) {
    let mut child = Command::new(BINARY)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("stdout");
    let server = Server(child);
    // Read on a thread so that a server that never prints fails the test instead of hanging it.
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut line = String::new();
        let _ = BufReader::new(stdout).read_line(&mut line);
        let _ = send.send(line);
    });
    let line = receive
        .recv_timeout(Duration::from_secs(120))
        .expect("a first line of output");
    let url = line
        .trim_end()
        .strip_prefix("kajabi sandbox listening on ")
        .unwrap_or_else(|| panic!("unexpected first line: {line:?}"))
        .to_string();
    (server, url)
}

async fn password_grant(url: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{url}/v1/oauth/token"))
        .form(&[
            ("grant_type", "password"),
            ("client_id", "cid"),
            ("client_secret", "csecret"),
            ("username", kajabi_sandbox::DEMO_USERNAME),
            ("password", password),
        ])
        .send()
        .await
        .expect("the sandbox answers")
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_binary_serves_the_credentials_of_its_command_line() {
    let (_server, url) = start(&[
        "--port",
        "0",
        "--client-id",
        "cid",
        "--client-secret",
        "csecret",
        "--password",
        "pw-from-the-flag",
    ]);
    assert!(url.starts_with("http://127.0.0.1:"), "{url}");
    assert_eq!(password_grant(&url, "pw-from-the-flag").await, 200);
    assert_eq!(
        password_grant(&url, kajabi_sandbox::DEMO_PASSWORD).await,
        400
    );
}

#[test]
fn bad_arguments_exit_2_and_start_nothing() {
    let output = Command::new(BINARY)
        .args(["--port", "not-a-port"])
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "{:?}", output.stdout);
    let help = Command::new(BINARY)
        .arg("--help")
        .output()
        .expect("the binary runs");
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--fault"));
}
