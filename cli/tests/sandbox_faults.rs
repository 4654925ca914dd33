//! `kajabi sandbox --fault` as typed in a shell, and the exit codes the CLI gives the
//! failures it then meets: 403 → 3, 404 → 4, 429 past the retries → 1, a dropped connection
//! → 1 with the request named. A fault that does not parse or names no operation exits 2
//! before anything starts.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};

use support::{describe, kajabi, run};

/// `kajabi sandbox` with `args`, and the `export` lines it printed, as `(name, value)`.
fn start_sandbox(config: &std::path::Path, args: &[&str]) -> (Child, Vec<(String, String)>) {
    let mut child = kajabi(config)
        .args(["sandbox", "--port", "0"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kajabi sandbox starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let env = (0..3)
        .map(|_| {
            let line = lines.next().expect("an export line").expect("text");
            let (name, value) = line
                .strip_prefix("export ")
                .and_then(|l| l.split_once('='))
                .unwrap_or_else(|| panic!("not an export line: {line}"));
            (name.to_string(), value.to_string())
        })
        .collect();
    (child, env)
}

#[test]
fn faults_from_the_command_line_give_the_documented_exit_codes() {
    let config = tempfile::tempdir().unwrap();
    let (mut child, env) = start_sandbox(
        config.path(),
        &[
            "--fault",
            "get_contact id=1: 403",
            "--fault",
            "get_contact id=2: 404",
            "--fault=get_contact id=3: 429",
            "--fault=get_contact id=5: drop",
        ],
    );
    let contact = |id: &str| {
        run(
            kajabi(config.path())
                .envs(env.clone())
                .args(["contacts", "get", id]),
            None,
        )
    };
    let forbidden = contact("1");
    let missing = contact("2");
    let limited = contact("3");
    let fine = contact("4");
    let dropped = contact("5");
    let listing = run(
        kajabi(config.path())
            .envs(env.clone())
            .args(["api", "GET", "/_sandbox/faults"]),
        None,
    );
    child.kill().expect("stop the sandbox");
    child.wait().expect("the sandbox ends");

    assert!(listing.status.success(), "{}", describe(&listing));
    let records: serde_json::Value = serde_json::from_slice(&listing.stdout).expect("JSON");
    assert_eq!(forbidden.status.code(), Some(3), "{}", describe(&forbidden));
    assert!(
        String::from_utf8_lossy(&forbidden.stderr).contains("403"),
        "{}",
        describe(&forbidden)
    );
    assert_eq!(missing.status.code(), Some(4), "{}", describe(&missing));
    // A connection closed without an answer: the request and the cause, not a guess.
    let closed = String::from_utf8_lossy(&dropped.stderr);
    assert_eq!(dropped.status.code(), Some(1), "{}", describe(&dropped));
    assert!(
        closed.starts_with("kajabi: cannot reach GET ")
            && closed.ends_with("; check the network and the base URL\n"),
        "{}",
        describe(&dropped)
    );
    assert_eq!(limited.status.code(), Some(1), "{}", describe(&limited));
    assert!(
        String::from_utf8_lossy(&limited.stderr).contains("429"),
        "{}",
        describe(&limited)
    );
    assert!(fine.status.success(), "{}", describe(&fine));
    // The 429 and the dropped connection were met on every attempt of the CLI's retry
    // policy (3), the others once.
    let paths: Vec<&str> = records["records"]
        .as_array()
        .expect("records")
        .iter()
        .map(|r| r["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "/v1/contacts/1",
            "/v1/contacts/2",
            "/v1/contacts/3",
            "/v1/contacts/3",
            "/v1/contacts/3",
            "/v1/contacts/5",
            "/v1/contacts/5",
            "/v1/contacts/5"
        ]
    );
}

#[test]
fn a_bad_fault_exits_2_with_the_reason_and_the_nearest_names() {
    let config = tempfile::tempdir().unwrap();
    for (fault, reason) in [
        ("get_contct: 403", "nearest: get_contact"),
        (
            "GET /v1/contact/{id}: 403",
            "nearest: GET /v1/contacts/{id}",
        ),
        ("get_contact 403", "expected `MATCH: ANSWER`"),
        ("get_contact: 200", "not an error status"),
    ] {
        let output = run(
            kajabi(config.path()).args(["sandbox", "--port", "0", "--fault", fault]),
            None,
        );
        assert_eq!(
            output.status.code(),
            Some(2),
            "{fault}: {}",
            describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(reason), "{fault}: {}", describe(&output));
        assert!(output.stdout.is_empty(), "{fault}: nothing started");
    }
    let output = run(
        kajabi(config.path()).args(["sandbox", "--rate-limit", "ten"]),
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
}

#[test]
fn the_rate_limit_flag_limits_the_sandbox() {
    let config = tempfile::tempdir().unwrap();
    // The token request is the one request allowed a minute; the call after it is refused.
    let (mut child, env) = start_sandbox(config.path(), &["--rate-limit", "1/60"]);
    let limited = run(
        kajabi(config.path()).envs(env.clone()).args(["me", "get"]),
        None,
    );
    child.kill().expect("stop the sandbox");
    child.wait().expect("the sandbox ends");
    assert_eq!(limited.status.code(), Some(1), "{}", describe(&limited));
    assert!(
        String::from_utf8_lossy(&limited.stderr).contains("429"),
        "{}",
        describe(&limited)
    );
}
