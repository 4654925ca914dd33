//! `Error::kind()` and the status predicates, on errors from real responses: what a caller's
//! `match` sees for each status class, a JSON:API validation error's pointers, and a refused
//! credential that stays an auth error.

mod support;

use httpmock::{Method::POST, MockServer};
use kajabi_api::{Client, ErrorKind};
use serde_json::json;
use support::faulty::{self, bounded, json as json_response, new_contact, reply, response, Faulty};

/// The error of `create_contact` answered with `script`.
async fn create_fails_with(script: support::faulty::Script) -> kajabi_api::Error {
    let server = Faulty::start(vec![script]).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    bounded("create", client.create_contact().body(new_contact()).send())
        .await
        .expect_err("an error status")
}

#[tokio::test]
async fn each_status_class_has_its_kind() {
    let jsonapi = |code: u16| {
        let body = json!({"errors": [{"status": code.to_string(), "title": "No"}]});
        reply(json_response(code, &body))
    };
    let cases = [
        (401, ErrorKind::Unauthorized),
        (403, ErrorKind::Forbidden),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::ClientStatus),
        (429, ErrorKind::RateLimited),
        (500, ErrorKind::ServerStatus),
        (503, ErrorKind::ServerStatus),
    ];
    for (code, kind) in cases {
        let error = create_fails_with(jsonapi(code)).await;
        assert_eq!(error.kind(), kind, "{code}: {error:?}");
        assert_eq!(error.is_not_found(), code == 404, "{code}");
        assert_eq!(error.is_forbidden(), code == 403, "{code}");
        assert_eq!(error.is_unauthorized(), code == 401, "{code}");
        assert_eq!(error.is_rate_limited(), code == 429, "{code}");
        assert!(!error.is_validation(), "{code}");
    }
    // A 204 where the spec declares 201: not an error status, not what the operation says.
    let error = create_fails_with(reply(response(204, &[], ""))).await;
    assert_eq!(error.kind(), ErrorKind::UnexpectedStatus, "{error:?}");
}

#[tokio::test]
async fn a_422_with_json_api_errors_is_validation_with_its_pointers() {
    let body = json!({"errors": [
        {"status": "422", "title": "Invalid", "source": {"pointer": "/data/attributes/email"}},
        {"status": "422", "title": "Missing", "source": {"parameter": "include"}},
        {"status": "422", "title": "Invalid", "source": {"pointer": "/data/attributes/name"}},
    ]});
    let error = create_fails_with(reply(json_response(422, &body))).await;
    assert_eq!(error.kind(), ErrorKind::Validation, "{error:?}");
    assert!(error.is_validation() && !error.is_auth());
    assert_eq!(
        error.source_pointers().collect::<Vec<_>>(),
        ["/data/attributes/email", "/data/attributes/name"]
    );
    // 400 with the same body is validation too; without a JSON:API body it is not.
    let error = create_fails_with(reply(json_response(400, &body))).await;
    assert!(error.is_validation(), "{error:?}");
    let html = reply(response(
        400,
        &[("content-type", "text/html")],
        "<h1>Bad</h1>",
    ));
    let error = create_fails_with(html).await;
    assert_eq!(error.kind(), ErrorKind::ClientStatus, "{error:?}");
    assert_eq!(error.source_pointers().count(), 0);
}

/// The class predicates of `error`, in a fixed order, with the names of those that hold.
fn classes(error: &kajabi_api::Error) -> Vec<&'static str> {
    [
        ("config", error.is_config()),
        ("request", error.is_request()),
        ("transport", error.is_transport()),
        ("timeout", error.is_timeout()),
        ("status", error.is_status()),
        ("decode", error.is_decode()),
    ]
    .into_iter()
    .filter_map(|(name, holds)| holds.then_some(name))
    .collect()
}

#[tokio::test]
async fn each_error_is_of_exactly_one_class() {
    let config = Client::builder().base_url("not a url").build().unwrap_err();
    assert_eq!(classes(&config), ["config"], "{config}");
    let refusing = faulty::refusing();
    let client = faulty::builder(&refusing.base_url).build().unwrap();
    let request = client
        .call_operation(
            "list_contacts",
            json!({"page[size]": "two"}).as_object().unwrap(),
            None,
        )
        .await
        .unwrap_err();
    assert_eq!(classes(&request), ["request"], "{request}");
    let refused = bounded("refused", client.get_me().send())
        .await
        .unwrap_err();
    assert_eq!(classes(&refused), ["transport"], "{refused}");
    let status = create_fails_with(reply(json_response(409, &json!({"errors": []})))).await;
    assert_eq!(classes(&status), ["status"], "{status}");
    let garbage = reply(response(
        201,
        &[("content-type", "application/vnd.api+json")],
        "{not json",
    ));
    let decode = create_fails_with(garbage).await;
    assert_eq!(classes(&decode), ["decode"], "{decode}");
}

#[tokio::test]
async fn a_long_validation_answer_is_read_whole_and_decoded() {
    // 200 errors, about 20 KiB: well under the 64 KiB kept of an error body.
    let errors: Vec<_> = (0..200)
        .map(|i| {
            json!({"status": "422", "title": "Invalid",
            "detail": format!("field {i} is not what the form expects here"),
            "source": {"pointer": format!("/data/attributes/field_{i}")}})
        })
        .collect();
    let body = json!({ "errors": errors });
    let length = body.to_string().len();
    assert!(length > 16 * 1024, "{length}");
    let error = create_fails_with(reply(json_response(422, &body))).await;
    assert!(!error.body_truncated());
    assert_eq!(error.body().len(), length);
    assert_eq!(error.source_pointers().count(), 200, "{error:?}");
}

#[tokio::test]
async fn an_undecodable_success_body_is_kept_up_to_the_limit() {
    let limit = kajabi_api::MAX_ERROR_BODY;
    for (length, truncated) in [(100, false), (limit, false), (limit + 1, true)] {
        // A JSON string of `length` bytes: valid JSON, the wrong shape for a contact.
        let text = format!("\"{}\"", "x".repeat(length - 2));
        let answer = reply(response(
            201,
            &[("content-type", "application/vnd.api+json")],
            text,
        ));
        let error = create_fails_with(answer).await;
        assert!(error.is_decode(), "{error}");
        assert_eq!(error.body_truncated(), truncated, "{length}");
        assert_eq!(error.body().len(), length.min(limit), "{length}");
    }
}

#[tokio::test]
async fn a_token_answer_inside_a_call_leaves_no_body_in_the_calls_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/oauth/token");
            then.status(200)
                .json_body(json!({"access_token": "leaked-access-token-1234", "expires_in": "x"}));
        })
        .await;
    let client: Client = support::client(&server);
    let error = client
        .get_me()
        .send()
        .await
        .expect_err("an unusable token answer");
    assert!(error.body().is_empty(), "{error:?}");
    assert!(!format!("{error:?} {error}").contains("leaked-access-token"));
}

#[tokio::test]
async fn a_refused_client_credential_is_auth_not_validation() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/oauth/token");
            then.status(400)
                .json_body(json!({"error": "invalid_client", "error_description": "bad"}));
        })
        .await;
    let client: Client = support::client(&server);
    let error = client.get_me().send().await.expect_err("refused");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400));
    assert_eq!(error.kind(), ErrorKind::Unauthorized, "{error:?}");
    assert!(error.is_auth() && !error.is_validation(), "{error:?}");
}

#[tokio::test]
async fn errors_without_a_response_have_their_kinds() {
    let refusing = faulty::refusing();
    let client = faulty::builder(&refusing.base_url).build().unwrap();
    let error = client.get_me().send().await.expect_err("refused");
    assert_eq!(error.kind(), ErrorKind::Transport, "{error:?}");
    // The cause is kept for whoever walks the chain.
    let causes = std::iter::successors(std::error::Error::source(&error), |e| e.source());
    assert_ne!(causes.count(), 0, "{error:?}");
    let error = Client::builder()
        .base_url("http://example.com")
        .build()
        .expect_err("plain http");
    assert_eq!(error.kind(), ErrorKind::Config);
    let client = Client::builder()
        .base_url(refusing.base_url.clone())
        .build()
        .unwrap();
    let error = client.get_me().send().await.expect_err("no credentials");
    assert_eq!(error.kind(), ErrorKind::MissingCredentials, "{error:?}");
}
