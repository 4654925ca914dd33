//! The page stream of list operations: 0, 1 and 3 pages, and an error mid-stream.

mod support;

use futures::{StreamExt, TryStreamExt};
use httpmock::{Method::GET, MockServer};
use kajabi_api::Paginate;
use serde_json::json;
use support::*;

/// Serves `/v1/contacts` pages of `size` from `total` contacts; `fail_page` answers 500.
async fn contacts(server: &MockServer, total: usize, size: usize, fail_page: Option<usize>) {
    let pages = total.div_ceil(size).max(1) + 1;
    for page in 1..=pages {
        let ids: Vec<_> = ((page - 1) * size..(page * size).min(total))
            .map(|i| json!({"id": i.to_string(), "type": "contacts"}))
            .collect();
        server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/v1/contacts")
                    .query_param("page[number]", page.to_string())
                    .query_param("page[size]", size.to_string())
                    .query_param("filter[site_id]", "s1");
                if fail_page == Some(page) {
                    then.status(500)
                        .header("content-type", "text/html")
                        .body("<html>down</html>");
                } else {
                    then.status(200)
                        .header("content-type", "application/vnd.api+json")
                        .json_body(json!({"data": ids}));
                }
            })
            .await;
    }
}

async fn ids(server: &MockServer, size: i32) -> Result<Vec<String>, kajabi_api::Error> {
    let client = client(server);
    client
        .list_contacts()
        .filter_site_id("s1")
        .page_size(size)
        .items()
        .take(STREAM_BOUND)
        .map_ok(|c| c.id)
        .try_collect()
        .await
}

#[tokio::test]
async fn no_items_is_an_empty_stream() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    contacts(&server, 0, 10, None).await;
    assert_eq!(ids(&server, 10).await.unwrap(), Vec::<String>::new());
}

#[tokio::test]
async fn one_short_page_is_one_request() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    contacts(&server, 4, 10, None).await;
    assert_eq!(ids(&server, 10).await.unwrap(), ["0", "1", "2", "3"]);
}

#[tokio::test]
async fn three_pages_stop_at_the_short_or_empty_one() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    contacts(&server, 7, 3, None).await;
    assert_eq!(
        ids(&server, 3).await.unwrap(),
        ["0", "1", "2", "3", "4", "5", "6"]
    );

    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    contacts(&server, 9, 3, None).await; // three full pages, then an empty fourth
    let client = client(&server);
    let pages: Vec<_> = client
        .list_contacts()
        .filter_site_id("s1")
        .page_size(3)
        .pages()
        .take(STREAM_BOUND)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [3, 3, 3]);
}

#[tokio::test]
async fn an_error_on_page_two_is_yielded_and_ends_the_stream() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    contacts(&server, 9, 3, Some(2)).await;
    let client = client(&server);
    let results: Vec<_> = client
        .list_contacts()
        .filter_site_id("s1")
        .page_size(3)
        .pages()
        .take(STREAM_BOUND)
        .collect()
        .await;
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].as_ref().unwrap().len(), 3);
    let error = results[1].as_ref().unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(error.operation(), Some("list_contacts"));
    assert!(ids(&server, 3).await.is_err());
}

/// `/v1/contacts` page `number` of `size`, answered with `count` contacts.
async fn page(server: &MockServer, number: i64, size: i64, count: usize) -> httpmock::Mock<'_> {
    let items: Vec<_> = (0..count)
        .map(|i| json!({"id": format!("{number}-{i}"), "type": "contacts"}))
        .collect();
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/contacts")
                .query_param("page[number]", number.to_string())
                .query_param("page[size]", size.to_string());
            then.status(200)
                .header("content-type", "application/vnd.api+json")
                .json_body(json!({"data": items}));
        })
        .await
}

#[tokio::test]
async fn a_short_page_is_the_last_request() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    let first = page(&server, 1, 3, 3).await;
    let short = page(&server, 2, 3, 1).await;
    // Would be requested if the stream did not stop at the short page.
    let after = page(&server, 3, 3, 3).await;
    let items: Vec<_> = client(&server)
        .list_contacts()
        .page_size(3)
        .items()
        .take(STREAM_BOUND)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items.len(), 4);
    first.assert_calls_async(1).await;
    short.assert_calls_async(1).await;
    after.assert_calls_async(0).await;
}

#[tokio::test]
async fn pages_default_to_25_start_at_1_and_the_size_is_clamped() {
    let cases: [(Option<i64>, Option<i64>, i64, i64); 5] = [
        // (page_size set, page_number set, size on the wire, first page on the wire)
        (None, None, kajabi_api::DEFAULT_PAGE_SIZE, 1),
        (Some(1000), None, kajabi_api::MAX_PAGE_SIZE, 1),
        (Some(0), None, 1, 1),
        (Some(7), Some(3), 7, 3),
        (Some(7), Some(-2), 7, 1),
    ];
    assert_eq!(
        (kajabi_api::DEFAULT_PAGE_SIZE, kajabi_api::MAX_PAGE_SIZE),
        (25, 100)
    );
    for (size, number, wire_size, wire_number) in cases {
        let server = MockServer::start_async().await;
        client_credentials_grant(&server, "at", "rt", 7200).await;
        let only = page(&server, wire_number, wire_size, 0).await;
        let client = client(&server);
        let mut builder = client.list_contacts();
        if let Some(size) = size {
            builder = builder.page_size(size);
        }
        if let Some(number) = number {
            builder = builder.page_number(number);
        }
        let items: Vec<_> = builder
            .items()
            .take(STREAM_BOUND)
            .try_collect()
            .await
            .unwrap();
        assert!(items.is_empty());
        only.assert_calls_async(1).await;
    }
}

/// `/v1/contacts` page `number` of a `pages`-page list of full pages of `size`, with the
/// server's `links` (absolute, `next` null on the last page) and `meta` when `with_links` /
/// `with_meta`.
async fn described_page(
    server: &MockServer,
    number: usize,
    size: usize,
    pages: usize,
    with_links: bool,
    with_meta: bool,
) -> httpmock::Mock<'_> {
    let ids: Vec<_> = (0..size)
        .map(|i| json!({"id": format!("{number}-{i}"), "type": "contacts"}))
        .collect();
    let url = |n: usize| {
        format!(
            "{}/v1/contacts?page%5Bnumber%5D={n}&page%5Bsize%5D={size}",
            server.base_url()
        )
    };
    let mut body = json!({"data": ids});
    if with_links {
        body["links"] = json!({
            "self": url(number),
            "first": url(1),
            "prev": (number > 1).then(|| url(number - 1)),
            "next": (number < pages).then(|| url(number + 1)),
            "last": url(pages),
        });
    }
    if with_meta {
        body["meta"] =
            json!({"total_pages": pages, "total_count": pages * size, "current_page": number});
    }
    server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/contacts")
                .query_param("page[number]", number.to_string())
                .query_param("page[size]", size.to_string());
            then.status(200)
                .header("content-type", "application/vnd.api+json")
                .json_body(body);
        })
        .await
}

/// Three full pages described by `links` and/or `meta`: exactly three requests, none for a
/// fourth page (which the short-page rule alone would ask for).
async fn three_full_pages_cost_three_requests(with_links: bool, with_meta: bool) {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    let mut pages = Vec::new();
    for number in 1..=3 {
        pages.push(described_page(&server, number, 2, 3, with_links, with_meta).await);
    }
    let fourth = page(&server, 4, 2, 0).await;
    let items: Vec<_> = client(&server)
        .list_contacts()
        .page_size(2)
        .items()
        .take(STREAM_BOUND)
        .map_ok(|c| c.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, ["1-0", "1-1", "2-0", "2-1", "3-0", "3-1"]);
    for page in pages {
        page.assert_calls_async(1).await;
    }
    fourth.assert_calls_async(0).await;
}

#[tokio::test]
async fn links_next_ends_the_stream_after_a_full_last_page() {
    three_full_pages_cost_three_requests(true, false).await;
}

#[tokio::test]
async fn meta_total_pages_ends_the_stream_after_a_full_last_page() {
    three_full_pages_cost_three_requests(false, true).await;
}

#[tokio::test]
async fn links_and_meta_together_cost_three_requests() {
    three_full_pages_cost_three_requests(true, true).await;
}

#[tokio::test]
async fn links_next_is_followed_to_the_page_it_names() {
    // Page 1 links to page 3 (the server skips page 2): the stream goes where the link says.
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    let next = format!(
        "{}/v1/contacts?page%5Bnumber%5D=3&page%5Bsize%5D=2",
        server.base_url()
    );
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/contacts")
                .query_param("page[number]", "1");
            then.status(200).json_body(json!({
                "data": [{"id": "a", "type": "contacts"}, {"id": "b", "type": "contacts"}],
                "links": {"next": next}
            }));
        })
        .await;
    let skipped = page(&server, 2, 2, 2).await;
    let third = described_page(&server, 3, 2, 3, true, false).await;
    let items: Vec<_> = client(&server)
        .list_contacts()
        .page_size(2)
        .items()
        .take(STREAM_BOUND)
        .map_ok(|c| c.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(items, ["a", "b", "3-0", "3-1"]);
    first.assert_calls_async(1).await;
    skipped.assert_calls_async(0).await;
    third.assert_calls_async(1).await;
}

#[tokio::test]
async fn a_links_next_off_the_base_url_is_refused_with_a_typed_error() {
    let elsewhere = MockServer::start_async().await;
    let foreign = elsewhere
        .mock_async(|when, then| {
            when.method(GET);
            then.status(200).json_body(json!({"data": []}));
        })
        .await;
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    let links = [
        // Another port on the same host, another host, user info, another port again, a link
        // that does not go forward, one without a page number, not an absolute URL. (Paths
        // outside a base URL's path: the unit test in kajabi-api/pagination.rs.)
        format!("{}/v1/contacts?page%5Bnumber%5D=2", elsewhere.base_url()),
        "https://evil.example/v1/contacts?page%5Bnumber%5D=2".to_string(),
        server
            .base_url()
            .replace("http://", "http://user:secret-pw@")
            + "/v1/contacts?page%5Bnumber%5D=2",
        "http://127.0.0.1:1/v1/contacts?page%5Bnumber%5D=2".to_string(),
        format!("{}/v1/contacts?page%5Bnumber%5D=1", server.base_url()),
        format!("{}/v1/contacts", server.base_url()),
        "/v1/contacts?page%5Bnumber%5D=2".to_string(),
    ];
    for link in links {
        let first = server
            .mock_async(|when, then| {
                when.method(GET)
                    .path("/v1/contacts")
                    .query_param("page[number]", "1");
                then.status(200).json_body(json!({
                    "data": [{"id": "a", "type": "contacts"}],
                    "links": {"next": link.clone()}
                }));
            })
            .await;
        let second = page(&server, 2, 1, 1).await;
        let results: Vec<_> = client(&server)
            .list_contacts()
            .page_size(1)
            .pages()
            .take(STREAM_BOUND)
            .collect()
            .await;
        assert_eq!(results.len(), 2, "{link}");
        assert_eq!(results[0].as_ref().unwrap().len(), 1);
        let error = results[1].as_ref().unwrap_err();
        assert!(error.is_decode(), "{link}: {error}");
        assert!(error.to_string().contains("links.next"), "{error}");
        assert!(!error.to_string().contains("secret-pw"), "{error}");
        second.assert_calls_async(0).await;
        first.delete_async().await;
        second.delete_async().await;
    }
    foreign.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_total_is_the_servers_meta_total_count() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    described_page(&server, 1, 2, 3, true, true).await;
    let first = client(&server)
        .list_contacts()
        .page_size(2)
        .first_page()
        .await
        .unwrap();
    assert_eq!(first.total_count(), Some(6));
    assert_eq!(first.total_pages(), Some(3));
    assert_eq!(first.current_page(), Some(1));
    assert_eq!(first.items().len(), 2);

    // Without meta, no total is made up.
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    page(&server, 1, 2, 2).await;
    page(&server, 2, 2, 0).await;
    let pages: Vec<_> = client(&server)
        .list_contacts()
        .page_size(2)
        .full_pages()
        .take(STREAM_BOUND)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(pages[0].total_count(), None);
}
