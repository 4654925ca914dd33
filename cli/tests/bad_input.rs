//! Bad input exits 2 and sends nothing; errors map to their exit codes; the built-in
//! commands (`--version`, `completion`, `--verbose`, `sandbox`) work.

mod support;

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use httpmock::{Method::GET, Method::PATCH, MockServer};
use serde_json::json;
use support::{describe, kajabi, run};

const TOKEN: &str = "bad-input-token-1234";

/// A mock that answers anything with 500, to see whether a request went out.
fn catch_all(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.any_request();
        then.status(500);
    })
}

fn with_env<'a>(
    command: &'a mut std::process::Command,
    server: &MockServer,
) -> &'a mut std::process::Command {
    command
        .env("KAJABI_BASE_URL", server.base_url())
        .env("KAJABI_ACCESS_TOKEN", TOKEN)
}

#[test]
fn bad_input_exits_2_and_sends_nothing() {
    let server = MockServer::start();
    let any = catch_all(&server);
    let config = tempfile::tempdir().unwrap();
    let body_file = config.path().join("body.json");
    std::fs::write(&body_file, "{\"data\": ").unwrap();
    let relationships = json!({"site": {"data": {"id": "1", "type": "sites"}}});
    let cases: Vec<(Vec<String>, Option<String>, &str)> = vec![
        (vec!["contacts".into(), "list".into(), "--nope".into()], None, "unexpected argument"),
        (vec!["contacts".into(), "get".into()], None, "<id>"),
        (vec!["kajabi-payments-payouts".into(), "list".into()], None, "--filter-site-id"),
        (vec!["contacts".into(), "list".into(), "--page-size".into(), "ten".into()], None, "ten"),
        (vec!["hooks".into(), "list".into(), "--filter-event-eq".into(), "nope".into()], None, "possible values"),
        (vec!["nothing".into(), "here".into()], None, "unrecognized subcommand"),
        (vec!["contacts".into(), "list".into(), "--limit".into(), "0".into()], None, "--limit"),
        (vec!["contacts".into(), "list".into(), "--timeout".into(), "0".into()], None, "at least 1 second"),
        (vec!["contacts".into(), "list".into(), "--timeout".into(), "soon".into()], None, "\"soon\""),
        (
            vec!["contacts".into(), "create".into(), "--body".into(), "-".into()],
            Some("not json at all".into()),
            "--body is not JSON",
        ),
        (
            vec!["contacts".into(), "create".into(), "--body".into(), body_file.display().to_string()],
            None,
            "--body is not JSON",
        ),
        (
            vec!["contacts".into(), "create".into(), "--body".into(), "/no/such/file".into()],
            None,
            "cannot read /no/such/file",
        ),
        (
            vec!["contacts".into(), "create".into(), "--body".into(), "-".into()],
            Some(json!({"data": {"type": "contacts", "attributes": {"email": 5, "name": "n"}, "relationships": relationships}}).to_string()),
            "member `/data/attributes/email` does not fit the schema (`type`), given by --email;",
        ),
        (
            vec!["contacts".into(), "create".into(), "--email".into(), "a@example.com".into()],
            None,
            "--site is required (member `/data/relationships`)",
        ),
    ];
    for (args, stdin, expected) in cases {
        let output = run(
            with_env(&mut kajabi(config.path()), &server).args(&args),
            stdin.as_deref(),
        );
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(expected),
            "{args:?}: expected {expected:?} in {stderr}"
        );
        assert!(output.stdout.is_empty(), "{args:?}");
        assert_eq!(
            stderr.lines().count(),
            1,
            "{args:?}: one line, not {stderr}"
        );
        assert!(stderr.starts_with("kajabi: "), "{args:?}: {stderr}");
        // clap's usage block and its pointer to --help are left out: the line says "see --help".
        assert!(
            !stderr.contains("Usage:") && !stderr.contains("For more information"),
            "{args:?}: {stderr}"
        );
        assert!(
            !stderr.contains(TOKEN) && !stderr.contains("panicked"),
            "{stderr}"
        );
    }
    any.assert_calls(0);

    // A bad base URL is bad input too.
    let output = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", "http://api.example.com")
            .env("KAJABI_ACCESS_TOKEN", TOKEN)
            .args(["me", "get"]),
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
}

#[test]
fn errors_map_to_exit_codes_in_one_line() {
    let server = MockServer::start();
    let error = |status: u16, id: &str| {
        server.mock(move |when, then| {
            when.method(GET).path(format!("/v1/contacts/{id}"));
            then.status(status)
                .header("content-type", "application/vnd.api+json")
                .header("x-request-id", format!("req-{id}"))
                .json_body(json!({"errors": [{"status": status.to_string(), "title": "Nope", "detail": format!("contact {id} says no")}]}));
        })
    };
    let _m404 = error(404, "missing");
    let _m401 = error(401, "locked");
    let _m500 = error(500, "broken");
    let config = tempfile::tempdir().unwrap();
    for (id, code) in [("missing", 4), ("locked", 3), ("broken", 1)] {
        let output = run(
            with_env(&mut kajabi(config.path()), &server)
                .env("KAJABI_CLIENT_ID", "id")
                .env("KAJABI_CLIENT_SECRET", "bad-input-secret")
                .args(["contacts", "get", id]),
            None,
        );
        assert_eq!(
            output.status.code(),
            Some(code),
            "{id}: {}",
            describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(&format!("req-{id}")), "{stderr}");
        assert!(
            stderr.contains(&format!("contact {id} says no")),
            "{stderr}"
        );
        assert!(!stderr.contains(TOKEN) && !stderr.contains("bad-input-secret"));
        assert!(output.stdout.is_empty());
    }
}

/// A 422's errors are listed a line each, named by the flag (or positional) that sets the
/// member of their `source.pointer`, or that sends their `source.parameter`.
#[test]
fn a_422_names_the_flag_of_each_error() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(PATCH).path("/v1/contacts/5");
        then.status(422)
            .header("content-type", "application/vnd.api+json")
            .json_body(json!({"errors": [
                {"status": "422", "detail": "is taken", "source": {"pointer": "/data/attributes/email"}},
                {"status": "422", "detail": "is not yours", "source": {"pointer": "/data/id"}},
                {"status": "422", "detail": "is odd", "source": {"parameter": "id"}},
                {"status": "422", "detail": "is wrong", "source": {"pointer": "/data/nothing"}},
            ]}));
    });
    let config = tempfile::tempdir().unwrap();
    let output = run(
        with_env(&mut kajabi(config.path()), &server).args([
            "contacts",
            "update",
            "5",
            "--name",
            "N",
            "--email",
            "n@example.com",
        ]),
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    let details: Vec<&str> = stderr.lines().skip(1).collect();
    assert_eq!(
        details,
        [
            "  --email: is taken",
            "  <id>: is not yours",
            "  <id>: is odd",
            "  is wrong"
        ],
        "{stderr}"
    );
}

#[test]
fn verbose_shows_each_request_and_no_credential() {
    let runtime = support::runtime();
    // Two sandboxes of one seed issue the same tokens: the first one shows which token the
    // second gives the CLI.
    let seeded = || kajabi_sandbox::Config {
        seed: Some(25),
        ..kajabi_sandbox::Config::default()
    };
    let twin = runtime
        .block_on(kajabi_sandbox::Sandbox::start_with(seeded()))
        .expect("sandbox");
    let client = kajabi_api::Client::builder()
        .base_url(twin.base_url())
        .client_credentials(twin.client_id(), twin.client_secret())
        .build()
        .unwrap();
    let token = runtime.block_on(client.access_token()).unwrap();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start_with(seeded()))
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let verbose = |flag: &str| {
        run(
            kajabi(config.path())
                .env("KAJABI_BASE_URL", sandbox.base_url())
                .env("KAJABI_CLIENT_ID", sandbox.client_id())
                .env("KAJABI_CLIENT_SECRET", sandbox.client_secret())
                .args(["contacts", "get", "3", flag]),
            None,
        )
    };
    for flag in ["--verbose", "-vv"] {
        let output = verbose(flag);
        assert!(output.status.success(), "{}", describe(&output));
        let stderr = String::from_utf8_lossy(&output.stderr);
        let line = |start: &str| stderr.lines().any(|l| l.starts_with(start));
        assert!(line("kajabi: GET /v1/contacts/3 → 200 in "), "{stderr}");
        assert!(line("kajabi: POST /v1/oauth/token → 200 in "), "{stderr}");
        // The sandbox answers every request with an X-Request-Id, shown on its line.
        let get = stderr
            .lines()
            .find(|l| l.starts_with("kajabi: GET /v1/contacts/3 "))
            .unwrap_or_default();
        assert!(get.contains(", request id "), "{stderr}");
        // -vv: the headers the SDK sent and the server's, the credential redacted.
        let headers = [
            "  > api-version: ",
            "  > accept: application/",
            "  > authorization: [redacted]",
            "  > content-type: application/x-www-form-urlencoded",
            "  < x-request-id: ",
            "  < content-type: application/",
        ];
        for header in headers {
            assert_eq!(
                line(header),
                flag == "-vv",
                "{header:?} with {flag}: {stderr}"
            );
        }
        let me: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(me["data"]["id"], "3");
        assert!(!stderr.contains(sandbox.client_secret()), "{stderr}");
        assert!(!stderr.contains(token.secret()), "{stderr}");
        assert!(!stderr.to_lowercase().contains("bearer "), "{stderr}");
    }
    let quiet = verbose("--timeout=30");
    assert!(quiet.stderr.is_empty(), "{}", describe(&quiet));
}

#[test]
fn version_help_and_completion() {
    let config = tempfile::tempdir().unwrap();
    let version = run(kajabi(config.path()).arg("--version"), None);
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("kajabi {}", env!("CARGO_PKG_VERSION"))
    );
    let help = run(
        kajabi(config.path()).args(["contacts", "add-tags", "--help"]),
        None,
    );
    assert!(help.status.success());
    let help = String::from_utf8_lossy(&help.stdout);
    assert!(
        help.contains("Add tag to contact"),
        "the spec's summary: {help}"
    );
    assert!(
        help.contains("POST /v1/contacts/{contact_id}/relationships/tags"),
        "{help}"
    );
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let output = run(kajabi(config.path()).args(["completion", shell]), None);
        assert!(output.status.success(), "{shell}: {}", describe(&output));
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(
            script.contains("contact-notes") && script.contains("add-tags"),
            "{shell}"
        );
    }
    let unknown = run(kajabi(config.path()).args(["completion", "tcsh"]), None);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn the_sandbox_command_prints_exports_that_work() {
    let config = tempfile::tempdir().unwrap();
    let mut child = kajabi(config.path())
        .args(["sandbox", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("kajabi sandbox starts");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut env = Vec::new();
    for _ in 0..3 {
        let line = lines.next().expect("an export line").expect("text");
        let (name, value) = line
            .strip_prefix("export ")
            .and_then(|l| l.split_once('='))
            .unwrap_or_else(|| panic!("not an export line: {line}"));
        env.push((name.to_string(), value.to_string()));
    }
    let names: Vec<&str> = env.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "KAJABI_BASE_URL",
            "KAJABI_CLIENT_ID",
            "KAJABI_CLIENT_SECRET"
        ]
    );
    let output = run(kajabi(config.path()).envs(env).args(["me", "get"]), None);
    child.kill().expect("stop the sandbox");
    child.wait().expect("the sandbox ends");
    assert!(output.status.success(), "{}", describe(&output));
    let me: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(me["data"]["attributes"]["name"], "Sandbox User");
}

#[test]
fn api_sends_any_request_with_the_sdk_auth() {
    let server = MockServer::start();
    let post = server.mock(|when, then| {
        when.method(httpmock::Method::POST)
            .path("/v2/not_in_the_spec")
            .query_param("filter[x]", "a b")
            .query_param("n", "1")
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("accept", "application/vnd.api+json, application/json")
            .header("content-type", "application/vnd.api+json")
            .json_body(json!({"data": {"type": "things"}}));
        then.status(201)
            .header("content-type", "application/vnd.api+json")
            .json_body(json!({"data": {"id": "9"}}));
    });
    let gone = server.mock(|when, then| {
        when.method(httpmock::Method::DELETE).path("/v2/gone");
        then.status(404)
            .header("content-type", "application/vnd.api+json")
            .json_body(json!({"errors": [{"status": "404", "title": "Not Found", "detail": "no such thing"}]}));
    });
    let empty = server.mock(|when, then| {
        when.method(httpmock::Method::DELETE).path("/v2/empty");
        then.status(204);
    });
    let config = tempfile::tempdir().unwrap();
    let output = run(
        with_env(&mut kajabi(config.path()), &server).args([
            "api",
            "post",
            "/v2/not_in_the_spec",
            "--query",
            "filter[x]=a b",
            "-q",
            "n=1",
            "--body",
            "-",
        ]),
        Some(r#"{"data": {"type": "things"}}"#),
    );
    assert!(output.status.success(), "{}", describe(&output));
    let value: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value, json!({"data": {"id": "9"}}));
    post.assert_calls(1);

    let missing = run(
        with_env(&mut kajabi(config.path()), &server).args(["api", "DELETE", "/v2/gone"]),
        None,
    );
    assert_eq!(missing.status.code(), Some(4), "{}", describe(&missing));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no such thing"));
    gone.assert_calls(1);

    let nothing = run(
        with_env(&mut kajabi(config.path()), &server).args(["api", "DELETE", "/v2/empty"]),
        None,
    );
    assert!(nothing.status.success(), "{}", describe(&nothing));
    assert!(nothing.stdout.is_empty());
    empty.assert_calls(1);

    let any = catch_all(&server);
    for args in [
        ["api", "GET", "no-slash"],
        ["api", "GET", "//evil.example.com/x"],
        ["api", "B@D", "/v1/me"],
    ] {
        let output = run(
            with_env(&mut kajabi(config.path()), &server).args(args),
            None,
        );
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            describe(&output)
        );
    }
    let bad_query = run(
        with_env(&mut kajabi(config.path()), &server)
            .args(["api", "GET", "/v1/me", "-q", "novalue"]),
        None,
    );
    assert_eq!(bad_query.status.code(), Some(2), "{}", describe(&bad_query));
    any.assert_calls(0);
}
