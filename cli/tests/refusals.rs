//! What a user sees when Kajabi or the local system refuses: the exit code of a 403, and a
//! stored login that other users of the machine (its group included) may read.

mod support;

use httpmock::{Method::GET, MockServer};
use serde_json::json;
use support::{describe, kajabi, run};

#[test]
fn a_403_exits_3_like_any_refused_credential() {
    let server = MockServer::start();
    let me = server.mock(|when, then| {
        when.method(GET)
            .path("/v1/me")
            .header("authorization", "Bearer scoped-down-token");
        then.status(403)
            .header("content-type", "application/vnd.api+json")
            .json_body(json!({"errors": [{"status": "403", "title": "Forbidden",
                "detail": "this token may not read the user"}]}));
    });
    let config = tempfile::tempdir().unwrap();
    let forbidden = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", server.base_url())
            .env("KAJABI_ACCESS_TOKEN", "scoped-down-token")
            .args(["me", "get"]),
        None,
    );
    me.assert_calls(1);
    assert_eq!(forbidden.status.code(), Some(3), "{}", describe(&forbidden));
    let stderr = String::from_utf8_lossy(&forbidden.stderr);
    assert!(stderr.contains("403"), "{stderr}");
    assert!(!stderr.contains("scoped-down-token"), "{stderr}");
    // The credentials were sent and refused: no hint to set them.
    assert!(!stderr.contains("KAJABI_CLIENT_ID"), "{stderr}");
    assert!(forbidden.stdout.is_empty(), "{}", describe(&forbidden));
}

#[test]
fn a_refused_query_parameter_is_named_by_its_flag() {
    let server = MockServer::start();
    let list = server.mock(|when, then| {
        when.method(GET)
            .path("/v1/contacts")
            .query_param("sort", "shoe_size");
        then.status(400)
            .header("content-type", "application/vnd.api+json")
            .json_body(json!({"errors": [{"status": "400", "title": "Bad Request",
                "detail": "cannot sort by shoe_size", "source": {"parameter": "sort"}}]}));
    });
    let config = tempfile::tempdir().unwrap();
    let refused = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", server.base_url())
            .env("KAJABI_ACCESS_TOKEN", "a-token")
            .args([
                "contacts",
                "list",
                "--sort",
                "shoe_size",
                "--page-size",
                "5",
            ]),
        None,
    );
    list.assert_calls(1);
    assert_eq!(refused.status.code(), Some(2), "{}", describe(&refused));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.ends_with("\n  --sort: cannot sort by shoe_size\n"),
        "{}",
        describe(&refused)
    );
}

#[test]
fn a_server_that_is_not_there_is_named_with_the_request() {
    // Port 9 (discard) is closed on the machines this runs on: checked first.
    let closed = std::net::TcpStream::connect("127.0.0.1:9").expect_err("port 9 is closed");
    assert_eq!(closed.kind(), std::io::ErrorKind::ConnectionRefused);
    let config = tempfile::tempdir().unwrap();
    let refused = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", "http://127.0.0.1:9")
            .env("KAJABI_ACCESS_TOKEN", "a-token")
            .args(["me", "get"]),
        None,
    );
    assert_eq!(refused.status.code(), Some(1), "{}", describe(&refused));
    assert_eq!(
        String::from_utf8_lossy(&refused.stderr),
        "kajabi: cannot reach GET http://127.0.0.1:9/v1/me: the connection was refused; is the server running, and is the base URL right?\n"
    );
}

#[cfg(unix)]
#[test]
fn a_stored_login_its_group_or_others_may_read_or_write_is_refused() {
    use std::os::unix::fs::PermissionsExt;

    let config = tempfile::tempdir().unwrap();
    let path = config.path().join("config.json");
    let login = json!({
        "client_id": "group-id",
        "client_secret": "group-readable-secret",
        "base_url": "http://127.0.0.1:9"
    });
    std::fs::write(&path, login.to_string()).unwrap();
    for mode in [0o640, 0o604, 0o660, 0o620, 0o602] {
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
        let refused = run(kajabi(config.path()).args(["me", "get"]), None);
        assert_eq!(
            refused.status.code(),
            Some(2),
            "mode {mode:o}: {}",
            describe(&refused)
        );
        let message = String::from_utf8_lossy(&refused.stderr);
        assert!(
            message.contains("chmod 600") && message.contains(&format!("{mode:o}")),
            "mode {mode:o}: {message}"
        );
        assert!(!message.contains("group-readable-secret"), "{message}");
    }
}
