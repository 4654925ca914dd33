//! `--all` and `--limit` go through the SDK's paginator and write one item per line (NDJSON):
//! without links or meta until a short or empty page (0, 1 and 3 pages); pages shorter than
//! asked followed by `links.next` or `meta.total_pages`; `--limit N`; the sandbox's 128
//! contacts at page sizes 1, 100 and 200 (clamped); `--parallel N` (pages in flight
//! together, printed in the sequential order, none past `--limit`, a bad N refused).

mod support;

use std::{
    io::{BufRead, BufReader, Write},
    net::{TcpListener, TcpStream},
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Condvar, Mutex,
    },
    thread,
    time::Duration,
};

use httpmock::{Method::GET, MockServer};
use serde_json::{json, Value};
use support::{describe, kajabi, run};

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");

/// A `list_contacts` item valid for the schema, with `id`.
fn item(id: usize) -> Value {
    static TEMPLATE: std::sync::OnceLock<Value> = std::sync::OnceLock::new();
    let mut item = TEMPLATE.get_or_init(template).clone();
    item["id"] = json!(id.to_string());
    item
}

fn template() -> Value {
    let text = std::fs::read_to_string(SPEC).unwrap();
    let normalized = kajabi_spec::normalize(&kajabi_spec::load(&text).unwrap()).unwrap();
    let op = normalized
        .operations
        .iter()
        .find(|o| o.name == "list_contacts")
        .unwrap();
    let page =
        kajabi_spec::example_value(&normalized.document, op.response_schema.as_ref().unwrap());
    page["data"][0].clone()
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

/// Serves `total` items in pages of at most `cap` (whatever size is asked for), each page
/// with `links` (`next` while there is more) or with `meta.total_pages` only; runs `kajabi
/// contacts list` with `args` and returns the ids printed and the page requests the server got.
fn capped(total: usize, cap: usize, with_links: bool, args: &[&str]) -> (Vec<String>, usize) {
    let server = MockServer::start();
    let pages = total.div_ceil(cap).max(1);
    let mut mocks = Vec::new();
    for number in 1..=pages {
        let data: Vec<Value> = ((number - 1) * cap + 1..=(number * cap).min(total))
            .map(item)
            .collect();
        let link = |n: usize| {
            format!(
                "{}/v1/contacts?page%5Bnumber%5D={n}&page%5Bsize%5D={cap}",
                server.base_url()
            )
        };
        let body = if with_links {
            json!({
                "data": data,
                "links": {
                    "first": link(1),
                    "next": (number < pages).then(|| link(number + 1)),
                    "last": link(pages),
                },
            })
        } else {
            json!({ "data": data, "meta": { "total_pages": pages, "current_page": number } })
        };
        mocks.push(server.mock(|when, then| {
            when.method(GET)
                .path("/v1/contacts")
                .query_param("page[number]", number.to_string());
            then.status(200)
                .header("content-type", "application/vnd.api+json")
                .json_body(body);
        }));
    }
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", server.base_url())
            .env("KAJABI_ACCESS_TOKEN", "pages-token")
            .args(["contacts", "list"])
            .args(args),
        None,
    );
    assert!(output.status.success(), "{}", describe(&output));
    let ids = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let item: Value = serde_json::from_str(line).expect("one JSON item per line");
            item["id"].as_str().unwrap().to_string()
        })
        .collect();
    (ids, mocks.iter().map(|m| m.calls()).sum())
}

fn numbers(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range.map(|n| n.to_string()).collect()
}

#[test]
fn pages_shorter_than_asked_are_followed_by_their_links() {
    let (ids, calls) = capped(8, 3, true, &["--all", "--page-size", "10"]);
    assert_eq!(ids, numbers(1..=8));
    assert_eq!(calls, 3);
}

#[test]
fn a_server_capping_pages_at_50_loses_no_item() {
    let (ids, calls) = capped(120, 50, false, &["--all", "--page-size", "100"]);
    assert_eq!(ids, numbers(1..=120));
    assert_eq!(calls, 3);
    let (ids, _) = capped(120, 50, true, &["--all", "--page-size", "200"]);
    assert_eq!(ids, numbers(1..=120));
}

#[test]
fn limit_stops_after_n_items() {
    let (ids, calls) = capped(120, 50, true, &["--limit", "70"]);
    assert_eq!(ids, numbers(1..=70));
    assert_eq!(calls, 2, "no page past the one holding the 70th item");
    let (ids, calls) = capped(8, 3, true, &["--limit", "100"]);
    assert_eq!(ids, numbers(1..=8));
    assert_eq!(calls, 3);
}

#[test]
fn limit_alone_asks_for_pages_of_its_size() {
    let server = MockServer::start();
    let page = server.mock(|when, then| {
        when.method(GET)
            .path("/v1/contacts")
            .query_param("page[number]", "1")
            .query_param("page[size]", "2");
        then.status(200)
            .header("content-type", "application/vnd.api+json")
            .json_body(json!({ "data": [item(1), item(2)] }));
    });
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", server.base_url())
            .env("KAJABI_ACCESS_TOKEN", "pages-token")
            .args(["contacts", "list", "--limit", "2"]),
        None,
    );
    assert!(output.status.success(), "{}", describe(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout).lines().count(), 2);
    page.assert_calls(1);
}

/// A sandbox holding 128 contacts: the seeded ones and as many added as make 128.
fn sandbox_with_128_contacts(runtime: &tokio::runtime::Runtime) -> kajabi_sandbox::Sandbox {
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let client = kajabi_api::Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()
        .unwrap();
    let seeded = runtime.block_on(async {
        use futures::TryStreamExt;
        use kajabi_api::Paginate;
        let items: Vec<Value> = client
            .paginate_operation("list_contacts", serde_json::Map::new())
            .items()
            .try_collect()
            .await
            .unwrap();
        items.len()
    });
    sandbox.add_items("contacts", 128 - seeded).unwrap();
    sandbox
}

/// The ids `kajabi contacts list` prints with `args` against `sandbox`, in order.
fn sandbox_ids(sandbox: &kajabi_sandbox::Sandbox, args: &[&str]) -> Vec<String> {
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", sandbox.base_url())
            .env("KAJABI_CLIENT_ID", sandbox.client_id())
            .env("KAJABI_CLIENT_SECRET", sandbox.client_secret())
            .args(["contacts", "list"])
            .args(args),
        None,
    );
    assert!(output.status.success(), "{args:?}: {}", describe(&output));
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["id"].to_string())
        .collect()
}

#[test]
fn the_sandbox_with_128_contacts_gives_128_lines_at_any_page_size() {
    let runtime = support::runtime();
    let sandbox = sandbox_with_128_contacts(&runtime);
    for size in ["1", "100", "200"] {
        let mut ids = sandbox_ids(&sandbox, &["--all", "--page-size", size]);
        assert_eq!(ids.len(), 128, "--page-size {size}");
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 128, "--page-size {size}: every contact once");
    }
    drop(sandbox);
}

#[test]
fn parallel_pages_print_every_contact_once_in_the_sequential_order() {
    let runtime = support::runtime();
    let sandbox = sandbox_with_128_contacts(&runtime);
    let sequential = sandbox_ids(&sandbox, &["--all", "--page-size", "10"]);
    assert_eq!(sequential.len(), 128);
    let mut once = sequential.clone();
    once.sort();
    once.dedup();
    assert_eq!(once.len(), 128, "every contact once");
    let parallel = sandbox_ids(&sandbox, &["--all", "--page-size", "10", "--parallel", "4"]);
    assert_eq!(parallel, sequential);
    drop(sandbox);
}

/// Serves `pages` pages of 2 contacts, each with `meta.total_pages`, from a thread per
/// request; page 2 is answered only once page 3 has been asked for (or, so that a test
/// cannot hang, after 20 s, which it then reports). Returns the base URL and whether page 2
/// had to give up waiting.
fn pages_2_and_3_together(pages: usize) -> (String, Arc<AtomicBool>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let third = Arc::new((Mutex::new(false), Condvar::new()));
    let gave_up = Arc::new(AtomicBool::new(false));
    let waited_out = Arc::clone(&gave_up);
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { break };
            let third = Arc::clone(&third);
            let gave_up = Arc::clone(&gave_up);
            thread::spawn(move || answer_page(stream, pages, &third, &gave_up));
        }
    });
    (base, waited_out)
}

fn answer_page(
    mut stream: TcpStream,
    pages: usize,
    third: &(Mutex<bool>, Condvar),
    gave_up: &AtomicBool,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    reader.read_line(&mut request_line).unwrap();
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
    }
    let target = request_line.split(' ').nth(1).unwrap_or("");
    let query = target.split_once('?').map_or("", |(_, query)| query);
    let number: usize = form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "page[number]")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(1);
    let (asked, cvar) = third;
    if number == 3 {
        *asked.lock().unwrap() = true;
        cvar.notify_all();
    }
    if number == 2 {
        let guard = asked.lock().unwrap();
        let (guard, wait) = cvar
            .wait_timeout_while(guard, Duration::from_secs(20), |asked| !*asked)
            .unwrap();
        drop(guard);
        if wait.timed_out() {
            gave_up.store(true, Ordering::SeqCst);
        }
    }
    let body = json!({
        "data": [item(2 * number - 1), item(2 * number)],
        "meta": {"total_pages": pages, "current_page": number},
    })
    .to_string();
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\ncontent-type: application/vnd.api+json\r\n\
         content-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
}

#[test]
fn parallel_pages_are_in_flight_together() {
    // With --all, and with a --limit (12 items: six pages of 2) that leaves room for the
    // whole window.
    for bound in [&["--all"][..], &["--limit", "12"]] {
        let (base, gave_up) = pages_2_and_3_together(6);
        let config = tempfile::tempdir().unwrap();
        let output = run(
            kajabi(config.path())
                .env("KAJABI_BASE_URL", &base)
                .env("KAJABI_ACCESS_TOKEN", "pages-token")
                .args(["contacts", "list", "--page-size", "2", "--parallel", "4"])
                .args(bound),
            None,
        );
        assert!(output.status.success(), "{bound:?}: {}", describe(&output));
        assert!(
            !gave_up.load(Ordering::SeqCst),
            "{bound:?}: page 3 was not asked for while page 2 was in flight"
        );
        let ids: Vec<String> = String::from_utf8(output.stdout)
            .unwrap()
            .lines()
            .map(|line| {
                serde_json::from_str::<Value>(line).unwrap()["id"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(ids, numbers(1..=12), "{bound:?}");
    }
}

#[test]
fn parallel_with_limit_asks_for_no_page_past_the_limit() {
    // 70 items of pages of 50 need pages 1 and 2: a window of 8 would ask for page 3 as well.
    let (ids, calls) = capped(120, 50, true, &["--limit", "70", "--parallel", "8"]);
    assert_eq!(ids, numbers(1..=70));
    assert_eq!(calls, 2);
    // Without a limit, the window asks for every page.
    let (ids, calls) = capped(
        120,
        50,
        true,
        &["--all", "--page-size", "50", "--parallel", "8"],
    );
    assert_eq!(ids, numbers(1..=120));
    assert_eq!(calls, 3);
}

#[test]
fn a_bad_parallel_exits_2_in_one_line_and_sends_nothing() {
    let server = MockServer::start();
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(500);
    });
    let config = tempfile::tempdir().unwrap();
    for bad in ["0", "four", "-1", ""] {
        let output = run(
            kajabi(config.path())
                .env("KAJABI_BASE_URL", server.base_url())
                .env("KAJABI_ACCESS_TOKEN", "pages-token")
                .args(["contacts", "list", "--all", &format!("--parallel={bad}")]),
            None,
        );
        assert_eq!(
            output.status.code(),
            Some(2),
            "{bad:?}: {}",
            describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{bad:?}: {stderr}");
        assert!(stderr.contains("--parallel"), "{bad:?}: {stderr}");
        assert!(output.stdout.is_empty(), "{bad:?}");
    }
    any.assert_calls(0);
}

#[test]
fn help_says_what_parallel_does() {
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path()).args(["contacts", "list", "--help"]),
        None,
    );
    assert!(output.status.success(), "{}", describe(&output));
    let help = String::from_utf8_lossy(&output.stdout);
    assert!(help.contains("--parallel <N>"), "{help}");
    assert!(help.contains("With --all or --limit only"), "{help}");
    // The clamping note is on --page-size's entry, and on no other.
    assert_eq!(help.matches("clamped").count(), 1, "{help}");
    let page_size = help
        .split("\n\n")
        .find(|entry| entry.trim_start().starts_with("--page-size <"))
        .expect("a --page-size entry");
    assert!(page_size.contains("clamped"), "{page_size}");
    let output = run(
        kajabi(config.path()).args(["contacts", "get", "--help"]),
        None,
    );
    assert!(!String::from_utf8_lossy(&output.stdout).contains("--parallel"));
}
