//! `kajabi login` → commands → `kajabi logout`, against the sandbox and on the wire; the
//! stored login's permissions and contents; secrets never in the output.

mod support;

use std::path::Path;

use httpmock::{Method::GET, Method::POST, MockServer};
use serde_json::{json, Value};
use support::{describe, kajabi, run, runtime};

const CONFIG: &str = "config.json";

/// The whole config file.
fn config_file(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(CONFIG)).expect("a stored login")).expect("JSON")
}

/// The stored login of the profile `default`.
fn stored(dir: &Path) -> Value {
    config_file(dir)["profiles"]["default"].clone()
}

fn text(output: &std::process::Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

#[test]
fn login_a_command_and_logout_against_the_sandbox() {
    let runtime = runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let dir = config.path().join("nested");

    let login = support::login(&dir, &sandbox, None);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir.join(CONFIG)), 0o600);
        assert_eq!(mode(&dir), 0o700);
    }
    let login_file = stored(&dir);
    let access = login_file["session"]["access_token"]
        .as_str()
        .expect("the session is stored")
        .to_string();
    assert_eq!(login_file["client_id"], sandbox.client_id());
    assert_eq!(sandbox.token_requests(), 1);

    // Two commands and the status reuse the stored session: no new token.
    let me = run(kajabi(&dir).args(["me", "get"]), None);
    assert!(me.status.success(), "{}", describe(&me));
    let me: Value = serde_json::from_slice(&me.stdout).expect("JSON on stdout");
    assert_eq!(me["data"]["attributes"]["name"], "Sandbox User");
    let list = run(kajabi(&dir).args(["contacts", "list"]), None);
    assert!(list.status.success(), "{}", describe(&list));
    let status = run(kajabi(&dir).args(["auth", "status"]), None);
    assert!(status.status.success(), "{}", describe(&status));
    assert!(
        String::from_utf8_lossy(&status.stdout).contains("Sandbox User <sandbox@example.com>"),
        "{}",
        describe(&status)
    );
    assert_eq!(sandbox.token_requests(), 1, "one token for all commands");

    // A renewed session is written back: with the stored one past its renewal time, the
    // next command renews it (refresh grant) and the one after uses the renewed token.
    let mut stale = config_file(&dir);
    stale["profiles"]["default"]["session"]["renew_at"] = json!(1);
    std::fs::write(dir.join(CONFIG), stale.to_string()).unwrap();
    for _ in 0..2 {
        let me = run(kajabi(&dir).args(["me", "get"]), None);
        assert!(me.status.success(), "{}", describe(&me));
    }
    assert_eq!(sandbox.token_requests(), 2, "renewed once, then reused");
    let renewed = stored(&dir)["session"]["access_token"].clone();
    assert_ne!(renewed, json!(access));
    let access = renewed.as_str().unwrap().to_string();

    let logout = run(kajabi(&dir).arg("logout"), None);
    assert!(logout.status.success(), "{}", describe(&logout));
    assert!(!dir.join(CONFIG).exists(), "the login is removed");

    // The session is dead on the server: its tokens are refused, exit code 3.
    let refused = run(
        kajabi(&dir)
            .env("KAJABI_BASE_URL", sandbox.base_url())
            .env("KAJABI_ACCESS_TOKEN", &access)
            .args(["me", "get"]),
        None,
    );
    assert_eq!(refused.status.code(), Some(3), "{}", describe(&refused));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("401"));
    assert!(refused.stdout.is_empty());

    // Logged out and no environment: exit code 3 with what to do.
    let none = run(kajabi(&dir).args(["me", "get"]), None);
    assert_eq!(none.status.code(), Some(3), "{}", describe(&none));
    assert!(String::from_utf8_lossy(&none.stderr).contains("kajabi login"));

    for output in [&login, &logout, &refused, &none, &status] {
        let all = text(output);
        assert!(!all.contains(sandbox.client_secret()), "{all}");
        assert!(!all.contains(&access), "{all}");
    }
}

#[test]
fn logout_revokes_the_stored_session_on_the_wire() {
    let server = MockServer::start();
    let token = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/oauth/token")
            .form_urlencoded_tuple("grant_type", "client_credentials")
            .form_urlencoded_tuple("client_id", "wire-id")
            .form_urlencoded_tuple("client_secret", "wire-secret");
        then.status(200).json_body(json!({
            "access_token": "wire-access-token",
            "refresh_token": "wire-refresh-token",
            "token_type": "Bearer",
            "expires_in": 7200
        }));
    });
    let me = server.mock(|when, then| {
        when.method(GET)
            .path("/v1/me")
            .header("authorization", "Bearer wire-access-token");
        then.status(200)
            .header("content-type", "application/vnd.api+json")
            .json_body(json!({"data": {"id": "1", "type": "users", "attributes": {"name": "W", "email": "w@example.com"}}}));
    });
    let revoke = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/oauth/revoke")
            .header("authorization", "Bearer wire-access-token")
            .header("content-type", "application/x-www-form-urlencoded")
            .form_urlencoded_tuple("token", "wire-access-token");
        then.status(200);
    });
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    let login = run(
        kajabi(dir).env("KAJABI_BASE_URL", server.base_url()).args([
            "login",
            "--client-id",
            "wire-id",
            "--client-secret-stdin",
        ]),
        Some("wire-secret\n"),
    );
    assert!(login.status.success(), "{}", describe(&login));
    // The base URL came from the environment at login and is stored with it.
    let get = run(kajabi(dir).args(["me", "get"]), None);
    assert!(get.status.success(), "{}", describe(&get));
    let logout = run(kajabi(dir).arg("logout"), None);
    assert!(logout.status.success(), "{}", describe(&logout));
    token.assert_calls(1);
    me.assert_calls(1);
    revoke.assert_calls(1);
    assert!(!dir.join(CONFIG).exists());
    for output in [&login, &get, &logout] {
        let all = text(output);
        for secret in ["wire-secret", "wire-access-token", "wire-refresh-token"] {
            assert!(!all.contains(secret), "{secret} in {all}");
        }
    }
}

#[test]
fn a_stored_login_others_can_read_or_that_is_garbage_is_refused() {
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    let path = dir.join(CONFIG);
    let secret_login = r#"{"client_id": "id", "client_secret": "garbage-secret-123", "session": {"access_token": 42}}"#;
    std::fs::write(&path, secret_login).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let open = run(kajabi(dir).args(["me", "get"]), None);
        assert_eq!(open.status.code(), Some(2), "{}", describe(&open));
        let message = String::from_utf8_lossy(&open.stderr);
        assert!(
            message.contains("chmod 600") && message.contains("644"),
            "{message}"
        );
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let garbage = run(kajabi(dir).args(["me", "get"]), None);
    assert_eq!(garbage.status.code(), Some(2), "{}", describe(&garbage));
    let message = String::from_utf8_lossy(&garbage.stderr);
    assert!(message.contains("not a valid kajabi login"), "{message}");
    assert!(!message.contains("garbage-secret-123") && !message.contains("panicked"));

    std::fs::write(&path, [0xff, 0xfe, 0x00, 0x01]).unwrap();
    let binary = run(kajabi(dir).args(["auth", "status"]), None);
    assert_eq!(binary.status.code(), Some(2), "{}", describe(&binary));
}

#[test]
fn the_client_secret_is_never_taken_from_argv() {
    let config = tempfile::tempdir().unwrap();
    let flag = run(
        kajabi(config.path()).args(["login", "--client-id", "x", "--client-secret", "s3cret"]),
        None,
    );
    assert_eq!(flag.status.code(), Some(2), "{}", describe(&flag));
    // No terminal to prompt on and no --client-secret-stdin: refused, nothing stored.
    let no_prompt = run(
        kajabi(config.path()).args(["login", "--client-id", "x"]),
        None,
    );
    assert_eq!(no_prompt.status.code(), Some(2), "{}", describe(&no_prompt));
    assert!(String::from_utf8_lossy(&no_prompt.stderr).contains("--client-secret-stdin"));
    assert!(!config.path().join(CONFIG).exists());
    // No credential member of a body is a flag: the OAuth forms take `--body` only.
    for args in [
        ["oauth", "create-token", "--client-secret", "s"],
        ["oauth", "revoke-token", "--token", "t"],
    ] {
        let output = run(kajabi(config.path()).args(args), None);
        assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    }
}

#[test]
fn tokens_in_a_response_are_redacted() {
    let runtime = runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let body = json!({
        "grant_type": "client_credentials",
        "client_id": sandbox.client_id(),
        "client_secret": sandbox.client_secret(),
    });
    let output = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", sandbox.base_url())
            .args(["oauth", "create-token", "--body", "-"]),
        Some(&body.to_string()),
    );
    assert!(output.status.success(), "{}", describe(&output));
    let value: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(value["access_token"], "[redacted]");
    assert_eq!(value["refresh_token"], "[redacted]");
    assert_eq!(value["token_type"], "Bearer");
}

#[test]
fn logout_of_a_stale_session_revokes_the_renewed_tokens() {
    let server = MockServer::start();
    let refresh = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/oauth/token")
            .form_urlencoded_tuple("grant_type", "refresh_token")
            .form_urlencoded_tuple("refresh_token", "old-refresh");
        then.status(200).json_body(json!({
            "access_token": "new-access",
            "refresh_token": "new-refresh",
            "token_type": "Bearer",
            "expires_in": 7200
        }));
    });
    let revoke = server.mock(|when, then| {
        when.method(POST)
            .path("/v1/oauth/revoke")
            .header("authorization", "Bearer new-access")
            .form_urlencoded_tuple("token", "new-access");
        then.status(200);
    });
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    let login = json!({
        "base_url": server.base_url(),
        "client_id": "id",
        "client_secret": "secret",
        "session": {"access_token": "old-access", "refresh_token": "old-refresh", "renew_at": 1}
    });
    support::write_config(dir, &login.to_string());
    let logout = run(kajabi(dir).arg("logout"), None);
    assert!(logout.status.success(), "{}", describe(&logout));
    refresh.assert_calls(1);
    revoke.assert_calls(1);
    assert!(!dir.join(CONFIG).exists());
}
