//! The typed mocks (`kajabi_api::mock`, feature `httpmock`), used as a user's unit tests use
//! them: every operation has one whose `ok_example()` the SDK decodes; `When` narrows by typed
//! parameters and bodies; `Then` answers typed bodies, typed errors and sequences.

mod support;

use std::time::Duration;

use kajabi_api::mock::{httpmock::MockServer, MockServerExt};
use kajabi_api::resources::{self, Contact, ContactId, NewContact, SiteId};
use kajabi_api::{Client, RetryPolicy};
use serde_json::{json, Map, Value};
use support::conformance::{parameter_value, Spec};

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");

/// A client of `server`, as a user's test builds it: no retries of its own, and no timeout
/// timers (they would fire at once on tokio's paused clock while the mock answers).
fn client(server: &MockServer) -> Client {
    Client::builder()
        .base_url(server.base_url())
        .client_credentials("client-id", "client-secret")
        .retry_policy(RetryPolicy::disabled())
        .http_client(reqwest::Client::new())
        .build()
        .unwrap()
}

fn contact(id: &str, email: &str) -> Contact {
    let mut contact: Contact = serde_json::from_value(json!({
        "id": id, "type": "contacts", "attributes": {}
    }))
    .unwrap();
    contact.email = Some(email.into());
    contact
}

/// Done when: "every operation has a mock method; for each, `ok_example()` is decoded by the
/// SDK's raw method and, where a flat handle exists, by the flat type". The operations are
/// read from the spec at test time.
#[tokio::test]
async fn every_operation_has_a_mock_whose_example_the_sdk_decodes() {
    let spec = Spec::load(SPEC);
    let (mut mocked, mut flat, mut failures) = (0, 0, Vec::new());
    for op in &spec.operations {
        let server = MockServer::start_async().await;
        if op.secured {
            server.grant_token();
        }
        let Some(mock) = kajabi_api::mock::ok_example_by_name(&server, &op.name) else {
            failures.push(format!("{}: no mock", op.name));
            continue;
        };
        mocked += 1;
        let params: Map<String, Value> = op
            .parameters
            .iter()
            .filter(|p| p.required)
            .map(|p| (p.name.clone(), parameter_value(&spec.document, p)))
            .collect();
        let body = op
            .request
            .as_ref()
            .map(|c| kajabi_spec::example_value(&spec.document, &c.schema));
        let client = client(&server);
        let decoded = Box::pin(client.call_operation(&op.name, &params, body)).await;
        let value = match decoded {
            Ok(value) => value,
            Err(e) => {
                failures.push(format!("{}: the raw method: {e}", op.name));
                continue;
            }
        };
        if mock.calls() != 1 {
            failures.push(format!("{}: answered {} times", op.name, mock.calls()));
        }
        match resources::round_trip_response(&op.name, value) {
            Some(Ok(_)) => flat += 1,
            Some(Err(e)) => failures.push(format!("{}: the flat type: {e}", op.name)),
            None => {}
        }
    }
    println!(
        "httpmock: {mocked}/{} operations (ok_example decoded by the flat type: {flat})",
        spec.operations.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(mocked, spec.operations.len());
    assert!(flat > 0);
}

/// The code under test in the user-style test below: lists contacts, waiting out 429s.
async fn contacts_backing_off(client: &Client) -> kajabi_api::Result<Vec<Contact>> {
    loop {
        match client.contacts().list().send().await {
            Err(e) if e.is_rate_limited() => {
                tokio::time::sleep(e.retry_after().unwrap_or(Duration::from_secs(1))).await
            }
            page => return page,
        }
    }
}

/// Done when: "a test written as a user would, with the mocks alone: a function that lists
/// contacts and backs off on 429, given a sequence 429, 429, 200".
#[tokio::test(start_paused = true)]
async fn a_user_lists_contacts_backing_off_on_two_429s() {
    let server = MockServer::start_async().await;
    server.grant_token();
    let wanted = vec![contact("1", "a@example.com"), contact("2", "b@example.com")];
    let mock = server.list_contacts(|_, then| {
        then.first(2, |then| then.rate_limited(Duration::from_secs(2)))
            .page(wanted.clone());
    });
    let client = client(&server);
    let started = tokio::time::Instant::now();
    let listed = contacts_backing_off(&client).await.unwrap();
    assert_eq!(listed, wanted);
    assert_eq!(mock.calls(), 3);
    // Two waits of the Retry-After the mock sent (a lower bound: paused time).
    assert!(
        started.elapsed() >= Duration::from_secs(4),
        "{:?}",
        started.elapsed()
    );
}

/// `rate_limited` sends `Retry-After` in whole seconds, a fraction rounded up.
#[tokio::test]
async fn rate_limited_sends_retry_after_in_whole_seconds_rounded_up() {
    for (given, sent) in [
        (Duration::from_secs(2), 2),
        (Duration::from_millis(2001), 3),
        (Duration::ZERO, 0),
    ] {
        let server = MockServer::start_async().await;
        server.grant_token();
        server.get_me(|_, then| {
            then.rate_limited(given);
        });
        let error = client(&server).get_me().send().await.unwrap_err();
        assert!(error.is_rate_limited(), "{error:?}");
        assert_eq!(
            error.retry_after(),
            Some(Duration::from_secs(sent)),
            "{given:?}"
        );
    }
}

/// `When::raw` adds httpmock's own conditions to the typed ones.
#[tokio::test]
async fn a_raw_condition_narrows_the_mock() {
    let server = MockServer::start_async().await;
    server.grant_token();
    let mock = server.get_me(|when, then| {
        when.raw(|when| when.header("x-tenant", "a"));
        then.ok_example();
    });
    let client = client(&server);
    let error = client.get_me().send().await.unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404), "{error:?}");
    let tenant = kajabi_api::CallOptions::new().header("x-tenant", "a");
    client.get_me().with(&tenant).send().await.unwrap();
    assert_eq!(mock.calls(), 1);
}

#[tokio::test]
async fn a_404_branch_and_typed_path_parameters() {
    let server = MockServer::start_async().await;
    server.grant_token();
    let missing = server.get_contact(|when, then| {
        when.id("42");
        then.not_found();
    });
    let found = server.get_contact(|when, then| {
        when.id("a/ä");
        then.resource(contact("a/ä", "a@example.com"));
    });
    let client = client(&server);
    let error = client
        .contacts()
        .get(&ContactId::new("42"))
        .await
        .unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(404));
    assert_eq!(error.operation(), Some("get_contact"));
    assert!(
        matches!(error.api_error(), Some(kajabi_api::ApiError::JsonApi(_))),
        "{error:?}"
    );
    let got = client.contacts().get(&ContactId::new("a/ä")).await.unwrap();
    assert_eq!(got.email.as_deref(), Some("a@example.com"));
    // An id neither mock names: httpmock's own 404, not an answer of either.
    assert!(client.contacts().get(&ContactId::new("7")).await.is_err());
    assert_eq!((missing.calls(), found.calls()), (1, 1));
}

#[tokio::test]
async fn typed_query_parameters_and_request_bodies_narrow_the_mock() {
    let server = MockServer::start_async().await;
    server.grant_token();
    let sized = server.list_contacts(|when, then| {
        when.page_size(10).filter_site_id("s1");
        then.page(vec![contact("1", "a@example.com")]);
    });
    let client = client(&server);
    let page = client
        .list_contacts()
        .page_size(10)
        .filter_site_id("s1")
        .send()
        .await
        .unwrap();
    assert_eq!(page.into_inner().data.len(), 1);
    assert!(client.list_contacts().page_size(11).send().await.is_err());
    assert_eq!(sized.calls(), 1);

    let new = NewContact::new(SiteId::new("s1")).email("new@example.com");
    let body = kajabi_api::types::CreateContactBody::try_from(new.clone()).unwrap();
    let created = server.create_contact(|when, then| {
        when.body(body);
        then.resource(contact("9", "new@example.com"));
    });
    let made = client.contacts().create(new).await.unwrap();
    assert_eq!(made.id, ContactId::new("9"));
    let other = NewContact::new(SiteId::new("s2")).email("new@example.com");
    assert!(client.contacts().create(other).await.is_err());
    assert_eq!(created.calls(), 1);
}

#[tokio::test]
async fn typed_errors_carry_kajabi_s_bodies_and_headers() {
    let server = MockServer::start_async().await;
    server.grant_token();
    let mock = server.get_me(|_, then| {
        then.first(1, |then| then.forbidden())
            .first(1, |then| then.rate_limited(Duration::from_millis(2500)))
            .first(1, |then| then.service_unavailable())
            .first(1, |then| {
                then.raw(
                    kajabi_api::mock::httpmock::HttpMockResponse::builder()
                        .status(502)
                        .header("content-type", "text/html")
                        .body("<html>Bad Gateway</html>")
                        .build(),
                )
            })
            .ok_example();
    });
    let client = client(&server);
    let statuses: Vec<Option<u16>> = {
        let mut seen = Vec::new();
        for _ in 0..4 {
            let e = client.get_me().send().await.unwrap_err();
            if e.is_rate_limited() {
                assert_eq!(e.retry_after(), Some(Duration::from_secs(3)));
            }
            if e.status().map(|s| s.as_u16()) == Some(403) {
                let Some(kajabi_api::ApiError::JsonApi(errors)) = e.api_error() else {
                    panic!("403 without Kajabi's errors: {e:?}");
                };
                assert_eq!(errors[0].status.as_deref(), Some("403"));
            }
            seen.push(e.status().map(|s| s.as_u16()));
        }
        seen
    };
    assert_eq!(statuses, [Some(403), Some(429), Some(503), Some(502)]);
    client.get_me().send().await.unwrap();
    client.get_me().send().await.unwrap();
    assert_eq!(mock.calls(), 6);
}

#[tokio::test]
async fn pages_carry_links_the_sdk_follows() {
    let server = MockServer::start_async().await;
    server.grant_token();
    server.list_contacts(|when, then| {
        when.page_number(1);
        then.page_of(vec![contact("1", "a@example.com")], 1, 2);
    });
    server.list_contacts(|when, then| {
        when.page_number(2);
        then.page_of(vec![contact("2", "b@example.com")], 2, 2);
    });
    let client = client(&server);
    use futures::{StreamExt, TryStreamExt};
    use kajabi_api::Paginate;
    let all: Vec<Contact> = client
        .contacts()
        .list()
        .items()
        .take(support::STREAM_BOUND)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["1", "2"]);
    // A page of several does not know the total count; a single page does.
    let page = |number: i64| {
        let params = serde_json::Map::from_iter([("page[number]".to_string(), json!(number))]);
        let client = client.clone();
        async move {
            client
                .call_operation("list_contacts", &params, None)
                .await
                .unwrap()
        }
    };
    let first = page(1).await;
    assert_eq!(first["meta"]["total_pages"], 2, "{first}");
    assert!(first["meta"]["total_count"].is_null(), "{first}");
    let single = MockServer::start_async().await;
    single.grant_token();
    single.list_contacts(|_, then| {
        then.page(vec![
            contact("1", "a@example.com"),
            contact("2", "b@example.com"),
        ]);
    });
    let listed = client_of_single(&single).await;
    assert_eq!(listed["meta"]["total_count"], 2, "{listed}");
}

async fn client_of_single(server: &MockServer) -> serde_json::Value {
    client(server)
        .call_operation("list_contacts", &serde_json::Map::new(), None)
        .await
        .unwrap()
}

/// A typed body on the token operation is compared as the form the SDK sends.
#[tokio::test]
async fn a_token_mock_matches_the_form_the_sdk_sends() {
    let server = MockServer::start_async().await;
    let body = kajabi_api::types::CreateTokenBody {
        client_id: Some("client-id".into()),
        client_secret: Some(kajabi_api::SecretString::from("client-secret".to_string())),
        grant_type: Some("client_credentials".into()),
        ..Default::default()
    };
    let mock = server.create_token(|when, then| {
        when.body(body);
        then.ok(serde_json::from_value(json!({
            "access_token": "at-form", "token_type": "Bearer", "expires_in": 60
        }))
        .unwrap());
    });
    let token = client(&server).access_token().await.unwrap();
    assert_eq!(token.secret(), "at-form");
    assert_eq!(mock.calls(), 1);
}

#[tokio::test]
async fn a_mock_s_debug_shows_no_credentials() {
    let server = MockServer::start_async().await;
    let secret = kajabi_api::SecretString::from("the-client-secret".to_string());
    let body = kajabi_api::types::CreateTokenBody {
        client_id: Some("client-id".into()),
        client_secret: Some(secret),
        ..Default::default()
    };
    let mut printed = String::new();
    server.create_token(|when, then| {
        let when = when.body(body);
        let then = then.ok(serde_json::from_value(json!({
            "access_token": "the-access-token", "token_type": "Bearer", "expires_in": 60
        }))
        .unwrap());
        printed = format!("{when:?} {then:?}");
    });
    assert!(!printed.contains("the-client-secret"), "{printed}");
    assert!(!printed.contains("the-access-token"), "{printed}");
    // What may be shown: what the matcher checks, without the body's contents, and the
    // answer's status.
    assert!(printed.contains("body: true"), "{printed}");
    assert!(printed.contains("Answer { status: 200, .. }"), "{printed}");
}
