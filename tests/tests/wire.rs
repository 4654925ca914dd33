//! What the generated operations put on the wire: media types from the spec, and
//! `Authorization` exactly where the spec's `security` asks for it.

mod support;

use httpmock::{Method::GET, Method::POST, MockServer};
use kajabi_api::types;
use serde_json::json;
use support::*;

#[tokio::test]
async fn version_has_no_authorization_and_accepts_json_api() {
    let server = MockServer::start_async().await;
    let grant = client_credentials_grant(&server, "at", "rt", 7200).await;
    let version = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/version")
                .header("accept", "application/vnd.api+json")
                .header_missing("authorization");
            then.status(200)
                .header("content-type", "application/vnd.api+json")
                .json_body(json!({"meta": {"title": "Kajabi API", "version": "1.1.0"}}));
        })
        .await;
    let response = client(&server).get_version().send().await.unwrap();
    assert_eq!(
        response.meta.as_ref().unwrap().version.as_deref(),
        Some("1.1.0")
    );
    version.assert_calls_async(1).await;
    grant.assert_calls_async(0).await;
}

#[tokio::test]
async fn me_carries_the_bearer_and_accepts_json_api() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at-9", "rt", 7200).await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/me")
                .header("accept", "application/vnd.api+json")
                .header("authorization", "Bearer at-9")
                .header_exists("api-version");
            then.status(200)
                .header("content-type", "application/vnd.api+json")
                .json_body(me_body());
        })
        .await;
    let response = client(&server).get_me().send().await.unwrap();
    let attributes = response.data.attributes.as_ref().unwrap();
    assert_eq!(attributes.name.as_deref(), Some("Ada"));
    me.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_generated_token_operation_sends_a_form_without_authorization() {
    let server = MockServer::start_async().await;
    let token = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/oauth/token")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json")
                .header_missing("authorization")
                .body("client_id=id&client_secret=a%2Bb%2Fc%3D%26%25&grant_type=client_credentials");
            then.status(200)
                .json_body(json!({"access_token": "at", "refresh_token": "rt", "token_type": "Bearer", "expires_in": 7200}));
        })
        .await;
    let response = client(&server)
        .create_token()
        .body(types::CreateTokenBody {
            client_id: Some("id".into()),
            client_secret: Some("a+b/c=&%".into()),
            grant_type: Some("client_credentials".into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap();
    assert_eq!(response.access_token.as_ref().unwrap().secret(), "at");
    assert_eq!(response.expires_in, Some(7200));
    token.assert_calls_async(1).await;
}

#[tokio::test]
async fn me_status_errors_are_typed() {
    let cases: [(u16, &str, &str, &str); 6] = [
        (401, "application/vnd.api+json", r#"{"errors":[{"status":"401","title":"Unauthorized"}]}"#, "get_me returned 401 Unauthorized; the token is invalid"),
        (403, "application/vnd.api+json", r#"{"errors":[{"status":"403","title":"Forbidden","detail":"missing scope"}]}"#, "get_me returned 403 Forbidden: missing scope; the API key lacks the permission for this call"),
        (404, "application/vnd.api+json", r#"{"errors":[{"status":"404","title":"Not Found"}]}"#, "get_me returned 404 Not Found; check the id"),
        (429, "application/vnd.api+json", r#"{"errors":[{"status":"429","title":"Too Many Requests"}]}"#, "get_me returned 429 Too Many Requests; rate limited: retry later"),
        (500, "text/html", "<html>oops</html>", "get_me returned 500 Internal Server Error with a body that is not a Kajabi error (text/html)"),
        (502, "text/plain", "", "get_me returned 502 Bad Gateway with an empty body"),
    ];
    for (status, content_type, body, display) in cases {
        let server = MockServer::start_async().await;
        client_credentials_grant(&server, "at", "rt", 7200).await;
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/me");
                then.status(status)
                    .header("content-type", content_type)
                    .body(body);
            })
            .await;
        let error = builder(&server)
            .build()
            .unwrap()
            .get_me()
            .send()
            .await
            .unwrap_err();
        assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
        assert!(error.to_string().starts_with(display), "{error}");
        assert_eq!(error.body(), body.as_bytes());
    }
}

#[tokio::test]
async fn a_body_that_does_not_match_the_schema_names_the_operation() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(200)
                .header("content-type", "application/vnd.api+json")
                .body(r#"{"data": {"id": 42}}"#);
        })
        .await;
    let error = client(&server).get_me().send().await.unwrap_err();
    assert!(error.is_decode(), "{error}");
    assert_eq!(error.operation(), Some("get_me"));
    assert!(
        error
            .to_string()
            .starts_with("get_me returned a body that does not match the API schema"),
        "{error}"
    );
}

#[tokio::test]
async fn unknown_fields_from_a_newer_server_are_ignored() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/me");
            then.status(200).json_body(json!({"data": {"id": "1", "type": "users", "brand_new": [1, 2], "attributes": {"name": "A", "new_field": true}}, "meta": {}}));
        })
        .await;
    let me = client(&server).get_me().send().await.unwrap();
    assert_eq!(
        me.data.attributes.as_ref().unwrap().name.as_deref(),
        Some("A")
    );
}

#[tokio::test]
async fn call_operation_sends_the_typed_request_by_name() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    let contacts = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/contacts")
                .query_param("page[size]", "2")
                .query_param("filter[site_id]", "s 1")
                .header("accept", "application/vnd.api+json")
                .header("authorization", "Bearer at");
            then.status(200)
                .json_body(json!({"data": [{"id": "1", "type": "contacts"}]}));
        })
        .await;
    let client = client(&server);
    let params = json!({"page[size]": 2, "filter[site_id]": "s 1"});
    let page = client
        .call_operation("list_contacts", params.as_object().unwrap(), None)
        .await
        .unwrap();
    assert_eq!(page["data"][0]["id"], "1");
    contacts.assert_calls_async(1).await;

    let error = client
        .call_operation("no_such_thing", &serde_json::Map::new(), None)
        .await
        .unwrap_err();
    assert!(error.is_request(), "{error}");
    let bad = json!({"page[size]": "two"});
    let error = client
        .call_operation("list_contacts", bad.as_object().unwrap(), None)
        .await
        .unwrap_err();
    assert!(
        error.is_request() && error.to_string().contains("page[size]"),
        "{error}"
    );
}

/// `Client::request` sends each method Kajabi's API uses, named in any case, with the bearer,
/// and refuses another method before sending anything.
#[tokio::test]
async fn a_raw_request_sends_every_method_the_api_uses() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    let client = client(&server);
    for method in ["get", "POST", "Put", "patch", "DELETE", "head", "options"] {
        let upper = method.to_ascii_uppercase();
        let answered = server
            .mock_async(|when, then| {
                when.method(upper.as_str())
                    .path("/v1/raw")
                    .header("authorization", "Bearer at");
                then.status(200)
                    .header("content-type", "application/vnd.api+json")
                    .body(if upper == "HEAD" {
                        ""
                    } else {
                        r#"{"data": []}"#
                    });
            })
            .await;
        let body = client.request(method, "/v1/raw", &[], None).await;
        let body = body.unwrap_or_else(|e| panic!("{method}: {e}"));
        let expected = (upper != "HEAD").then(|| json!({"data": []}));
        assert_eq!(body, expected, "{method}");
        answered.assert_calls_async(1).await;
    }
    let trace = server
        .mock_async(|when, then| {
            when.method("TRACE");
            then.status(200);
        })
        .await;
    let error = client
        .request("TRACE", "/v1/raw", &[], None)
        .await
        .expect_err("TRACE is not a method of the API");
    assert!(error.is_request(), "{error:?}");
    trace.assert_calls_async(0).await;
    // A path goes below the base URL: one leading `/`, not none (it would run into the
    // port) and not two (a URL of another host).
    for path in ["v1/raw", "//v1/raw"] {
        let error = client
            .request("get", path, &[], None)
            .await
            .expect_err(path);
        assert!(error.is_request(), "{path}: {error:?}");
        assert!(
            error.to_string().contains("must start with one `/`"),
            "{path}: {error}"
        );
    }
}

/// An empty page called by name is the document Kajabi sent, `{"data": []}`, not `{}`.
#[tokio::test]
async fn call_operation_keeps_an_empty_pages_data() {
    let server = MockServer::start_async().await;
    client_credentials_grant(&server, "at", "rt", 7200).await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/contacts");
            then.status(200)
                .header("content-type", "application/vnd.api+json")
                .json_body(json!({"data": []}));
        })
        .await;
    let page = client(&server)
        .call_operation("list_contacts", &serde_json::Map::new(), None)
        .await
        .unwrap();
    assert_eq!(page, json!({"data": []}));
}
