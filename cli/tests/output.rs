//! `--format`, `--columns` and `--jq` through the binary, against a mock serving a list of
//! contacts: the bytes on stdout, and nothing sent when the flags are wrong.

mod support;

use httpmock::{Method::GET, Mock, MockServer};
use serde_json::{json, Value};
use support::{describe, kajabi, run};

fn contact(id: &str, name: &str, email: &str) -> Value {
    json!({
        "id": id,
        "type": "contacts",
        "attributes": {"name": name, "email": email, "created_at": "2026-01-02T03:04:05Z"}
    })
}

fn contacts() -> Vec<Value> {
    vec![
        contact("1", "Ada Lovelace", "ada@example.com"),
        contact("22", "Babbage, \"Charles\"", "cb@example.com"),
    ]
}

/// Serves `contacts()` as page `number` of size `size` (all of them on page 1).
fn serve<'a>(server: &'a MockServer, number: &str, data: Vec<Value>) -> Mock<'a> {
    let number = number.to_string();
    server.mock(move |when, then| {
        when.method(GET)
            .path("/v1/contacts")
            .query_param("page[number]", number);
        then.status(200)
            .header("content-type", "application/vnd.api+json")
            .json_body(json!({ "data": data }));
    })
}

/// `kajabi contacts list ARGS` against `server`.
fn list(server: &MockServer, args: &[&str]) -> std::process::Output {
    let config = tempfile::tempdir().unwrap();
    run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", server.base_url())
            .env("KAJABI_ACCESS_TOKEN", "output-token")
            .args(["contacts", "list", "--page-number", "1"])
            .args(args),
        None,
    )
}

fn stdout(output: &std::process::Output) -> String {
    assert!(output.status.success(), "{}", describe(output));
    String::from_utf8(output.stdout.clone()).unwrap()
}

#[test]
fn a_table_has_the_default_columns_aligned() {
    let server = MockServer::start();
    serve(&server, "1", contacts());
    let out = stdout(&list(&server, &["--format", "table"]));
    assert_eq!(
        out,
        "id  name                email            created_at\n\
         1   Ada Lovelace        ada@example.com  2026-01-02T03:04:05Z\n\
         22  Babbage, \"Charles\"  cb@example.com   2026-01-02T03:04:05Z\n"
    );
}

#[test]
fn a_single_resource_is_a_table_of_one_row() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(GET).path("/v1/contacts/22");
        then.status(200)
            .header("content-type", "application/vnd.api+json")
            .json_body(json!({ "data": contacts()[1] }));
    });
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", server.base_url())
            .env("KAJABI_ACCESS_TOKEN", "output-token")
            .args([
                "contacts",
                "get",
                "22",
                "--format",
                "table",
                "--columns",
                "id,email",
            ]),
        None,
    );
    assert_eq!(stdout(&output), "id  email\n22  cb@example.com\n");
}

#[test]
fn an_empty_list_is_an_empty_document_and_an_empty_table() {
    let server = MockServer::start();
    serve(&server, "1", Vec::new());
    for args in [
        &["--format", "table"][..],
        &["--format", "table", "--columns", "id,email"],
    ] {
        assert_eq!(stdout(&list(&server, args)), "", "{args:?}");
    }
    let json: Value = serde_json::from_str(&stdout(&list(&server, &[]))).unwrap();
    assert_eq!(json, json!({"data": []}));
}

#[test]
fn csv_follows_rfc_4180_with_the_columns_asked_for() {
    let server = MockServer::start();
    serve(&server, "1", contacts());
    let out = stdout(&list(
        &server,
        &["--format", "csv", "--columns", "name,id,type"],
    ));
    assert_eq!(
        out,
        "name,id,type\r\nAda Lovelace,1,contacts\r\n\"Babbage, \"\"Charles\"\"\",22,contacts\r\n"
    );
}

#[test]
fn a_table_follows_every_page_with_all() {
    let server = MockServer::start();
    let mut first = contacts();
    first.truncate(1);
    serve(&server, "1", first);
    serve(&server, "2", Vec::new());
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", server.base_url())
            .env("KAJABI_ACCESS_TOKEN", "output-token")
            .args(["contacts", "list", "--all", "--page-size", "1"])
            .args(["--format", "table", "--columns", "id,email"]),
        None,
    );
    assert_eq!(stdout(&output), "id  email\n1   ada@example.com\n");
}

#[test]
fn ndjson_prints_each_item_of_a_list_on_its_line() {
    let server = MockServer::start();
    serve(&server, "1", contacts());
    let out = stdout(&list(&server, &["--format", "ndjson"]));
    let ids: Vec<String> = out
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["id"].to_string())
        .collect();
    assert_eq!(ids, ["\"1\"", "\"22\""]);
}

#[test]
fn jq_prints_strings_raw_and_other_values_as_json() {
    let server = MockServer::start();
    serve(&server, "1", contacts());
    let out = stdout(&list(
        &server,
        &["--jq", ".data[] | .attributes.email, (.id | tonumber)"],
    ));
    assert_eq!(out, "ada@example.com\n1\ncb@example.com\n22\n");
}

#[test]
fn jq_runs_on_each_item_with_all() {
    let server = MockServer::start();
    serve(&server, "1", contacts());
    serve(&server, "2", Vec::new());
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", server.base_url())
            .env("KAJABI_ACCESS_TOKEN", "output-token")
            .args(["contacts", "list", "--all", "--page-size", "2"])
            .args(["--jq", "{id, name: .attributes.name}"]),
        None,
    );
    assert_eq!(
        stdout(&output),
        "{\"id\":\"1\",\"name\":\"Ada Lovelace\"}\n{\"id\":\"22\",\"name\":\"Babbage, \\\"Charles\\\"\"}\n"
    );
}

/// Wrong output flags are usage errors (exit 2) with one line, and nothing is sent.
#[test]
fn wrong_output_flags_send_nothing() {
    let server = MockServer::start();
    let mock = serve(&server, "1", contacts());
    for (args, says) in [
        (
            &["--jq", ".data["][..],
            "--jq: the expression does not parse",
        ),
        (
            &["--jq", "nosuchfunction"][..],
            "`nosuchfunction` is not defined",
        ),
        (&["--columns", "id"][..], "--columns chooses the columns"),
        (&["--format", "table", "--jq", ".id"][..], "do not combine"),
        (&["--format", "yaml"][..], "yaml"),
    ] {
        let output = list(&server, args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{args:?}: {}", describe(&output));
    }
    assert_eq!(mock.calls(), 0, "nothing is sent when the flags are wrong");
}

#[test]
fn a_column_no_item_has_is_named_with_those_there_are() {
    let server = MockServer::start();
    serve(&server, "1", contacts());
    let output = list(&server, &["--format", "csv", "--columns", "id,nickname"]);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(
            "no item has a member `nickname`; the items have: id, type, created_at, email, name"
        ),
        "{stderr}"
    );
    assert!(output.stdout.is_empty(), "{}", describe(&output));
}

#[test]
fn a_long_cell_is_cut_to_sixty_characters_and_a_control_character_is_a_space() {
    let server = MockServer::start();
    let long = "x".repeat(100);
    serve(
        &server,
        "1",
        vec![contact("1", &format!("two\nlines {long}"), "a@example.com")],
    );
    let out = stdout(&list(&server, &["--format", "table", "--columns", "name"]));
    let cell = format!("two lines {}…", "x".repeat(49));
    assert_eq!(cell.chars().count(), 60);
    assert_eq!(out, format!("name\n{cell}\n"));
}
