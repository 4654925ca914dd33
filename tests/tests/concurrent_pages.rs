//! `Paginate::concurrency`: pages in flight together, yielded in page order, within a window
//! of `n` (the typed builders, the flat handles and the by-name paginator alike); errors,
//! 429s, dropping and slow consumers. The server is an axum app on the test's own runtime, so
//! its per-page delays are timers on tokio's paused clock: every test runs in virtual time,
//! and "when" assertions compare instants of that clock.

mod support;

use std::{
    num::NonZeroUsize,
    sync::{
        atomic::{AtomicBool, AtomicUsize, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

use axum::{
    body::Body,
    extract::{RawQuery, State},
    http::{Response, Uri},
    response::IntoResponse,
    Router,
};
use futures::{StreamExt, TryStreamExt};
use kajabi_api::{Client, Paginate};
use serde_json::json;
use support::faulty;
use tokio::time::Instant;

/// How a page is answered: after `delay`, with the page, or with `status` (and a
/// `Retry-After` of that many seconds). A page can be served empty, or claim another total
/// than the server's pages (a server contradicting itself).
#[derive(Debug, Clone, Copy)]
struct Answer {
    delay: Duration,
    status: Option<(u16, Option<u64>)>,
    empty: bool,
    claimed_total: Option<i64>,
}

impl Answer {
    fn page(delay_ms: u64) -> Answer {
        Answer {
            delay: Duration::from_millis(delay_ms),
            status: None,
            empty: false,
            claimed_total: None,
        }
    }

    fn status(code: u16, retry_after: Option<u64>) -> Answer {
        Answer {
            status: Some((code, retry_after)),
            ..Answer::page(0)
        }
    }

    fn empty() -> Answer {
        Answer {
            empty: true,
            ..Answer::page(0)
        }
    }

    fn claiming_total(total: i64) -> Answer {
        Answer {
            claimed_total: Some(total),
            ..Answer::page(0)
        }
    }
}

/// What the answer of page `number` is, the `nth` time (from 0) it is asked for.
type Plan = dyn Fn(i64, usize) -> Answer + Send + Sync;

struct Shared {
    pages: i64,
    size: usize,
    /// Whether pages tell the total (`meta.total_pages`, `links.last`).
    total: bool,
    plan: Box<Plan>,
    base_url: Mutex<String>,
    /// (page, when it arrived), in arrival order.
    seen: Mutex<Vec<(i64, Instant)>>,
    /// Each request's path and query, in arrival order.
    targets: Mutex<Vec<String>>,
    /// When each error status was answered: (page, when).
    failed: Mutex<Vec<(i64, Instant)>>,
    in_flight: AtomicUsize,
    most_in_flight: AtomicUsize,
}

/// `GET /v1/contacts` in `pages` pages of `size` contacts, ids "0", "1", ...
struct Pages {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Pages {
    async fn start(
        pages: i64,
        size: usize,
        total: bool,
        plan: impl Fn(i64, usize) -> Answer + Send + Sync + 'static,
    ) -> Pages {
        let shared = Arc::new(Shared {
            pages,
            size,
            total,
            plan: Box::new(plan),
            base_url: Mutex::new(String::new()),
            seen: Mutex::new(Vec::new()),
            targets: Mutex::new(Vec::new()),
            failed: Mutex::new(Vec::new()),
            in_flight: AtomicUsize::new(0),
            most_in_flight: AtomicUsize::new(0),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind loopback");
        *shared.base_url.lock().unwrap() = format!("http://{}", listener.local_addr().unwrap());
        let app = Router::new().fallback(page).with_state(Arc::clone(&shared));
        let task = tokio::spawn(async move {
            axum::serve(listener, app).await.expect("serve");
        });
        Pages { shared, task }
    }

    fn client(&self) -> Client {
        faulty::builder(&self.shared.base_url.lock().unwrap())
            .build()
            .expect("client")
    }

    /// The pages asked for, in arrival order.
    fn asked(&self) -> Vec<i64> {
        let seen = self.shared.seen.lock().unwrap();
        seen.iter().map(|(page, _)| *page).collect()
    }

    fn seen(&self) -> Vec<(i64, Instant)> {
        self.shared.seen.lock().unwrap().clone()
    }

    /// The path and query of every request so far, sorted; forgets them.
    fn take_targets(&self) -> Vec<String> {
        let mut targets = std::mem::take(&mut *self.shared.targets.lock().unwrap());
        targets.sort();
        targets
    }

    fn failed(&self) -> Vec<(i64, Instant)> {
        self.shared.failed.lock().unwrap().clone()
    }

    fn most_in_flight(&self) -> usize {
        self.shared.most_in_flight.load(Ordering::SeqCst)
    }

    /// Every id of pages `from..=to`, in order.
    fn ids(&self, from: i64, to: i64) -> Vec<String> {
        let size = self.shared.size as i64;
        ((from - 1) * size..to * size)
            .map(|i| i.to_string())
            .collect()
    }
}

impl Drop for Pages {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn page(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    RawQuery(query): RawQuery,
) -> Response<Body> {
    shared.targets.lock().unwrap().push(uri.to_string());
    let query = query.unwrap_or_default();
    let number: i64 = form_urlencoded::parse(query.as_bytes())
        .find(|(name, _)| name == "page[number]")
        .and_then(|(_, value)| value.parse().ok())
        .unwrap_or(1);
    let nth = {
        let mut seen = shared.seen.lock().unwrap();
        let nth = seen.iter().filter(|(page, _)| *page == number).count();
        seen.push((number, Instant::now()));
        nth
    };
    let now = shared.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    shared.most_in_flight.fetch_max(now, Ordering::SeqCst);
    let answer = (shared.plan)(number, nth);
    tokio::time::sleep(answer.delay).await;
    shared.in_flight.fetch_sub(1, Ordering::SeqCst);
    if let Some((code, retry_after)) = answer.status {
        shared.failed.lock().unwrap().push((number, Instant::now()));
        let body = json!({"errors": [{"status": code.to_string(), "title": "no"}]}).to_string();
        let mut response = Response::builder()
            .status(code)
            .header("content-type", "application/vnd.api+json");
        if let Some(seconds) = retry_after {
            response = response.header("retry-after", seconds.to_string());
        }
        return response.body(Body::from(body)).expect("a response");
    }
    let size = shared.size as i64;
    let ids: Vec<_> = if !answer.empty && (1..=shared.pages).contains(&number) {
        ((number - 1) * size..number * size)
            .map(|i| json!({"id": i.to_string(), "type": "contacts"}))
            .collect()
    } else {
        Vec::new()
    };
    let base = shared.base_url.lock().unwrap().clone();
    let link = |n: i64| format!("{base}/v1/contacts?page%5Bnumber%5D={n}&page%5Bsize%5D={size}");
    let mut body = json!({
        "data": ids,
        "links": {
            "self": link(number),
            "first": link(1),
            "prev": (number > 1).then(|| link(number - 1)),
            "next": (number < shared.pages).then(|| link(number + 1)),
        },
    });
    if shared.total {
        let total = answer.claimed_total.unwrap_or(shared.pages);
        body["links"]["last"] = json!(link(total));
        body["meta"] = json!({
            "total_pages": total,
            "total_count": shared.pages * size,
            "current_page": number,
        });
    }
    (
        [("content-type", "application/vnd.api+json")],
        body.to_string(),
    )
        .into_response()
}

fn n(n: usize) -> NonZeroUsize {
    NonZeroUsize::new(n).unwrap()
}

/// Every result of the raw builder's item stream at concurrency `limit`, cut at a bound.
async fn items(server: &Pages, limit: usize) -> Vec<Result<String, kajabi_api::Error>> {
    let client = server.client();
    let size = server.shared.size as i32;
    faulty::bounded(
        "items",
        client
            .list_contacts()
            .page_size(size)
            .concurrency(n(limit))
            .items()
            .take(100 * server.shared.size)
            .map_ok(|contact| contact.id)
            .collect(),
    )
    .await
}

#[tokio::test(start_paused = true)]
async fn later_pages_answering_first_still_come_in_order() {
    // Page k answers after (11 - k) × 100 ms: the later the page, the sooner its answer.
    let server = Pages::start(10, 3, true, |page, _| {
        Answer::page((11 - page as u64) * 100)
    })
    .await;
    let started = Instant::now();
    let ids: Vec<String> = items(&server, 4)
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids, server.ids(1, 10));
    assert_eq!(server.most_in_flight(), 4);
    let mut asked = server.asked();
    asked.sort();
    assert_eq!(asked, (1..=10).collect::<Vec<_>>(), "each page once");
    // One page at a time would take 5.5 s.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );

    // The flat handles walk the same way.
    let client = server.client();
    let flat: Vec<String> = faulty::bounded(
        "flat items",
        client
            .contacts()
            .list()
            .page_size(3)
            .concurrency(n(8))
            .items()
            .take(100)
            .map_ok(|contact| contact.id.into_string())
            .try_collect(),
    )
    .await
    .unwrap();
    assert_eq!(flat, server.ids(1, 10));
    assert_eq!(server.most_in_flight(), 8);
}

#[tokio::test(start_paused = true)]
async fn by_name_later_pages_answering_first_come_in_order_with_the_same_requests() {
    // Page k answers after (11 - k) × 100 ms, as above.
    let server = Pages::start(10, 3, true, |page, _| {
        Answer::page((11 - page as u64) * 100)
    })
    .await;
    let client = server.client();
    let by_name = |limit| {
        let mut params = serde_json::Map::new();
        params.insert("page[size]".into(), 3.into());
        let items = client
            .paginate_operation("list_contacts", params)
            .concurrency(n(limit))
            .items()
            .take(100)
            .map_ok(|contact| contact["id"].as_str().expect("an id").to_string())
            .try_collect::<Vec<String>>();
        faulty::bounded("by-name items", items)
    };

    let sequential = by_name(1).await.unwrap();
    assert_eq!(sequential, server.ids(1, 10));
    assert_eq!(server.most_in_flight(), 1);
    let sequential_requests = server.take_targets();
    assert_eq!(sequential_requests.len(), 10);

    let started = Instant::now();
    let concurrent = by_name(4).await.unwrap();
    assert_eq!(concurrent, sequential, "the same items in the same order");
    assert_eq!(server.most_in_flight(), 4);
    assert_eq!(
        server.take_targets(),
        sequential_requests,
        "the same requests"
    );
    // One page at a time takes 5.5 s.
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
}

/// The pages `concurrency(4)` yields, as (page number, ids), cut at a bound.
async fn pages_of(server: &Pages) -> Vec<(Option<u64>, Vec<String>)> {
    let client = server.client();
    let pages = client
        .contacts()
        .list()
        .page_size(2)
        .concurrency(n(4))
        .full_pages()
        .take(100)
        .map_ok(|page| {
            let ids = page
                .items()
                .iter()
                .map(|c| c.id.as_str().to_string())
                .collect();
            (page.current_page(), ids)
        })
        .try_collect::<Vec<_>>();
    faulty::bounded("pages", pages).await.unwrap()
}

/// An empty page ends the walk without being yielded: the first, or one inside the window
/// before the total the first page gave.
#[tokio::test(start_paused = true)]
async fn an_empty_page_ends_the_walk_unyielded() {
    let server = Pages::start(10, 2, true, |_, _| Answer::empty()).await;
    assert_eq!(pages_of(&server).await, []);
    assert_eq!(server.asked(), [1]);

    let server = Pages::start(10, 2, true, |number, _| match number {
        1 | 2 => Answer::page(0),
        _ => Answer::empty(),
    })
    .await;
    let pages = pages_of(&server).await;
    let numbers: Vec<Option<u64>> = pages.iter().map(|(number, _)| *number).collect();
    assert_eq!(numbers, [Some(1), Some(2)], "{pages:?}");
}

/// A first page whose total (1) contradicts its `next` link: the walk follows the links, one
/// page at a time, rather than trusting the total.
#[tokio::test(start_paused = true)]
async fn a_total_that_contradicts_the_next_link_is_walked_by_the_links() {
    let server = Pages::start(3, 2, true, |number, _| match number {
        1 => Answer::claiming_total(1),
        _ => Answer::page(0),
    })
    .await;
    let pages = pages_of(&server).await;
    let ids: Vec<String> = pages.into_iter().flat_map(|(_, ids)| ids).collect();
    assert_eq!(ids, server.ids(1, 3));
    assert_eq!(server.most_in_flight(), 1, "one page at a time");
}

/// `page[number]` and `page[size]` in the params of a by-name walk set where it starts and
/// the size every page is asked for.
#[tokio::test(start_paused = true)]
async fn by_name_pages_start_at_the_page_and_size_the_params_give() {
    let server = Pages::start(10, 3, true, |_, _| Answer::page(0)).await;
    let mut params = serde_json::Map::new();
    params.insert("page[size]".into(), 3.into());
    params.insert("page[number]".into(), 8.into());
    let client = server.client();
    let items = client
        .paginate_operation("list_contacts", params)
        .items()
        .take(100)
        .map_ok(|contact| contact["id"].as_str().expect("an id").to_string())
        .try_collect::<Vec<String>>();
    let items = faulty::bounded("by-name items", items).await.unwrap();
    assert_eq!(items, server.ids(8, 10));
    assert_eq!(server.asked(), [8, 9, 10]);
    let targets = server.take_targets();
    assert!(
        targets.iter().all(|t| t.contains("page%5Bsize%5D=3")),
        "{targets:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_fast_error_on_page_9_of_10_comes_after_pages_1_to_8() {
    let server = Pages::start(10, 2, true, |page, _| match page {
        9 => Answer::status(500, None),
        _ => Answer::page(200),
    })
    .await;
    let mut results = items(&server, 8).await;
    let error = results.pop().expect("an error last").unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    let ids: Vec<String> = results.into_iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(ids, server.ids(1, 8), "every item before the error, once");
    // Page 9 failed while pages 2 to 8 were still on their way.
    let failed_at = server.failed()[0].1;
    let eighth = server.seen().iter().find(|(page, _)| *page == 8).unwrap().1;
    assert!(failed_at < eighth + Duration::from_millis(200));
}

/// Aborts the test binary when the test holding it has not ended after 20 s of wall-clock
/// time. A walk that spins without yielding (a pause that never ends, polled again at once)
/// is out of reach of tokio's timers, paused or not; this only catches such a hang.
struct Watchdog(Arc<AtomicBool>);

impl Watchdog {
    fn start(what: &'static str) -> Watchdog {
        let ended = Arc::new(AtomicBool::new(false));
        let seen = Arc::clone(&ended);
        std::thread::spawn(move || {
            std::thread::sleep(Duration::from_secs(20));
            if !seen.load(Ordering::SeqCst) {
                eprintln!("{what}: still running after 20 s, spinning without yielding");
                std::process::abort();
            }
        });
        Watchdog(ended)
    }
}

impl Drop for Watchdog {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A 429 is waited out and asked again at most `RATE_LIMITED_RETRIES` times; another error
/// status ends the walk at once, even with a `Retry-After`.
#[tokio::test(start_paused = true)]
async fn only_a_429_is_waited_out_and_only_so_many_times() {
    for (code, asks) in [
        (503, 1),
        (429, 1 + kajabi_api::RATE_LIMITED_RETRIES as usize),
    ] {
        let server = Pages::start(10, 2, true, move |page, _| match page {
            3 => Answer::status(code, Some(1)),
            _ => Answer::page(0),
        })
        .await;
        let mut results = items(&server, 4).await;
        let error = results.pop().expect("an error last").unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(code));
        let ids: Vec<String> = results.into_iter().collect::<Result<_, _>>().unwrap();
        assert_eq!(ids, server.ids(1, 2), "{code}");
        let asked = server.asked().iter().filter(|p| **p == 3).count();
        assert_eq!(asked, asks, "{code}: page 3 asked for {asked} times");
    }
}

#[tokio::test(start_paused = true)]
async fn after_a_429_no_new_page_is_asked_for_before_its_retry_after() {
    let _watchdog = Watchdog::start("after_a_429_no_new_page_is_asked_for_before_its_retry_after");
    const RETRY_AFTER: u64 = 5;
    // Page 3 answers 429 at once the first time; every other answer takes 50 ms.
    let server = Pages::start(10, 2, true, |page, nth| match (page, nth) {
        (3, 0) => Answer::status(429, Some(RETRY_AFTER)),
        _ => Answer::page(50),
    })
    .await;
    let ids: Vec<String> = items(&server, 3)
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        ids,
        server.ids(1, 10),
        "the 429 is waited out, nothing lost"
    );

    let (page, limited_at) = server.failed()[0];
    assert_eq!(page, 3);
    let resume = limited_at + Duration::from_secs(RETRY_AFTER);
    let after: Vec<_> = server
        .seen()
        .into_iter()
        .filter(|(_, at)| *at > limited_at)
        .collect();
    assert!(!after.is_empty());
    for (page, at) in &after {
        assert!(
            *at >= resume,
            "page {page} asked for {:?} after the 429, before its Retry-After",
            *at - limited_at
        );
    }
    assert_eq!(server.asked().iter().filter(|p| **p == 3).count(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_stream_sends_nothing_more() {
    let server = Pages::start(10, 2, true, |_, _| Answer::page(1000)).await;
    let client = server.client();
    let mut stream = client
        .list_contacts()
        .page_size(2)
        .concurrency(n(3))
        .items();
    // Page 1, then the first item of page 2: pages 2 to 4 were launched on the way.
    for expected in ["0", "1", "2"] {
        let id = faulty::bounded("next", stream.next())
            .await
            .unwrap()
            .unwrap()
            .id;
        assert_eq!(id, expected);
    }
    drop(stream);
    tokio::time::sleep(Duration::from_millis(10)).await;
    let asked = server.asked();
    assert!(asked.len() <= 5, "{asked:?}");
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert_eq!(server.asked(), asked, "requests after the drop");
}

#[tokio::test(start_paused = true)]
async fn a_slow_consumer_never_has_more_than_n_pages_buffered() {
    const LIMIT: usize = 3;
    let server = Pages::start(10, 2, true, |_, _| Answer::page(10)).await;
    let client = server.client();
    let mut pages = client
        .list_contacts()
        .page_size(2)
        .concurrency(n(LIMIT))
        .pages();
    let mut received = 0;
    while let Some(page) = faulty::bounded("next page", pages.next()).await {
        page.unwrap();
        received += 1;
        // The consumer dawdles; the stream must not fetch ahead meanwhile.
        tokio::time::sleep(Duration::from_secs(1)).await;
        let asked = server.asked().len();
        assert!(
            asked <= received + LIMIT,
            "{asked} pages asked for, {received} received"
        );
        assert!(received <= 10);
    }
    assert_eq!(received, 10);
    assert_eq!(server.asked().len(), 10);
}

#[tokio::test(start_paused = true)]
async fn without_a_total_pages_come_one_at_a_time() {
    let server = Pages::start(5, 2, false, |_, _| Answer::page(10)).await;
    let ids: Vec<String> = items(&server, 8)
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(ids, server.ids(1, 5));
    assert_eq!(server.most_in_flight(), 1);
    assert_eq!(server.asked(), [1, 2, 3, 4, 5]);
}
