//! `--all` follows `page[number]` until a short or empty page and writes one item per line
//! (NDJSON), over 0, 1 and 3 pages, against a mock that serves schema-valid pages.

mod support;

use httpmock::{Method::GET, MockServer};
use serde_json::{json, Value};
use support::{describe, kajabi, run};

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");

/// A `list_contacts` item valid for the schema, with `id`.
fn item(id: usize) -> Value {
    let text = std::fs::read_to_string(SPEC).unwrap();
    let normalized = kajabi_spec::normalize(&kajabi_spec::load(&text).unwrap()).unwrap();
    let op = normalized
        .operations
        .iter()
        .find(|o| o.name == "list_contacts")
        .unwrap();
    let page =
        kajabi_spec::example_value(&normalized.document, op.response_schema.as_ref().unwrap());
    let mut item = page["data"][0].clone();
    item["id"] = json!(id.to_string());
    item
}

/// Serves `pages` (item counts) of size 2 and runs `kajabi contacts list --all --page-size 2`;
/// returns the ids printed, one per line, and the mocks' hit counts.
fn list_all(pages: &[usize]) -> (Vec<String>, Vec<usize>) {
    let server = MockServer::start();
    let mut next_id = 1;
    let mut mocks = Vec::new();
    // One page past the last one, which must never be asked for.
    for (index, count) in pages.iter().chain([&2]).enumerate() {
        let data: Vec<Value> = (0..*count)
            .map(|_| {
                next_id += 1;
                item(next_id - 1)
            })
            .collect();
        mocks.push(server.mock(|when, then| {
            when.method(GET)
                .path("/v1/contacts")
                .query_param("page[number]", (index + 1).to_string())
                .query_param("page[size]", "2")
                .header("authorization", "Bearer pages-token");
            then.status(200)
                .header("content-type", "application/vnd.api+json")
                .json_body(json!({ "data": data }));
        }));
    }
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", server.base_url())
            .env("KAJABI_ACCESS_TOKEN", "pages-token")
            .args(["contacts", "list", "--all", "--page-size", "2"]),
        None,
    );
    assert!(output.status.success(), "{}", describe(&output));
    assert!(
        output.stderr.is_empty(),
        "no progress line when stderr is not a terminal: {}",
        describe(&output)
    );
    let ids = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let item: Value = serde_json::from_str(line).expect("one JSON item per line");
            item["id"].as_str().unwrap().to_string()
        })
        .collect();
    (ids, mocks.iter().map(|m| m.calls()).collect())
}

#[test]
fn zero_pages() {
    let (ids, calls) = list_all(&[0]);
    assert!(ids.is_empty());
    assert_eq!(calls, [1, 0]);
}

#[test]
fn one_short_page() {
    let (ids, calls) = list_all(&[1]);
    assert_eq!(ids, ["1"]);
    assert_eq!(calls, [1, 0]);
}

#[test]
fn three_pages() {
    let (ids, calls) = list_all(&[2, 2, 1]);
    assert_eq!(ids, ["1", "2", "3", "4", "5"]);
    assert_eq!(calls, [1, 1, 1, 0]);
}

#[test]
fn full_pages_end_at_an_empty_one() {
    let (ids, calls) = list_all(&[2, 0]);
    assert_eq!(ids, ["1", "2"]);
    assert_eq!(calls, [1, 1, 0]);
}

#[test]
fn all_is_only_for_list_commands() {
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path()).args(["contacts", "get", "1", "--all"]),
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
}
