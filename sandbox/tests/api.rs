//! The JSON:API operations: auth, version, me, ids, echo, created resources, paging, errors.

mod common;

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use common::{client, content_type, grant};
use kajabi_sandbox::{Config, ManualClock, Sandbox};
use serde_json::{json, Value};

const JSON_API: &str = "application/vnd.api+json";

struct Session {
    sandbox: Sandbox,
    client: reqwest::Client,
    access: String,
}

impl Session {
    async fn new() -> Session {
        Session::with(Sandbox::start().await.expect("start")).await
    }

    async fn with(sandbox: Sandbox) -> Session {
        let client = client();
        let (access, _) = grant(&sandbox, &client).await;
        Session {
            sandbox,
            client,
            access,
        }
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{path}", self.sandbox.base_url()))
            .bearer_auth(&self.access)
    }

    async fn get(&self, path: &str) -> (u16, Value) {
        let response = self
            .request(reqwest::Method::GET, path)
            .send()
            .await
            .expect("GET");
        let status = response.status().as_u16();
        assert_eq!(content_type(&response), JSON_API, "{path}");
        (status, response.json().await.expect("JSON body"))
    }

    async fn send(&self, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
        let response = self
            .request(method, path)
            .header("content-type", JSON_API)
            .body(body.to_string())
            .send()
            .await
            .expect("request");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).expect("JSON body")
        };
        (status, body)
    }
}

#[tokio::test]
async fn base_url_has_no_trailing_slash() {
    let sandbox = Sandbox::start().await.expect("start");
    let url = sandbox.base_url();
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with('/'),
        "{url}"
    );
    assert_eq!(url, format!("http://{}", sandbox.addr()));
}

#[tokio::test]
async fn version_needs_no_auth() {
    let sandbox = Sandbox::start().await.expect("start");
    let response = client()
        .get(format!("{}/v1/version", sandbox.base_url()))
        .send()
        .await
        .expect("version");
    assert_eq!(response.status(), 200);
    assert_eq!(content_type(&response), JSON_API);
    let body: Value = response.json().await.expect("JSON");
    let (document, _) = common::spec();
    assert_eq!(body["meta"]["title"], "Kajabi API");
    assert_eq!(body["meta"]["version"], document["info"]["version"]);
}

#[tokio::test]
async fn me_reads_like_a_user() {
    let session = Session::new().await;
    let (status, body) = session.get("/v1/me").await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["attributes"]["name"], "Sandbox User");
    assert_eq!(body["data"]["attributes"]["email"], "sandbox@example.com");
}

#[tokio::test]
async fn unknown_or_missing_bearer_is_401_json_api() {
    let sandbox = Sandbox::start().await.expect("start");
    for auth in [Some("Bearer nope"), Some("Basic dXNlcjpwYXNz"), None] {
        let mut request = client().get(format!("{}/v1/contacts", sandbox.base_url()));
        if let Some(auth) = auth {
            request = request.header("authorization", auth);
        }
        let response = request.send().await.expect("contacts");
        assert_eq!(response.status(), 401);
        assert_eq!(content_type(&response), JSON_API);
        assert!(response.headers().contains_key("www-authenticate"));
        let body: Value = response.json().await.expect("JSON");
        let error = &body["errors"][0];
        assert_eq!(
            (error["status"].as_str(), error["title"].as_str()),
            (Some("401"), Some("Unauthorized"))
        );
        assert!(error["detail"].is_string());
    }
}

#[tokio::test]
async fn stored_resources_are_read_by_id_and_unknown_ids_are_404() {
    let session = Session::new().await;
    let (status, body) = session.get("/v1/contacts/3").await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["id"], "3");
    assert_eq!(body["data"]["type"], "contacts");
    // GET /v1/contacts/{id} does not declare 404, yet an unknown id is one (JSON:API error).
    for path in [
        "/v1/contacts/abc-123",
        "/v1/offers/x%20y",
        "/v1/hooks/99",
        "/v1/contacts/%FF%FE",
    ] {
        let (status, body) = session.get(path).await;
        assert_eq!(status, 404, "{path}");
        assert_eq!(body["errors"][0]["status"], "404");
        assert!(body["errors"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("no ")));
    }
    let (status, _) = session
        .send(reqwest::Method::DELETE, "/v1/hooks/99", &Value::Null)
        .await;
    assert_eq!(status, 404);
    let (status, _) = session.get("/v1/contacts/99/relationships/tags").await;
    assert_eq!(status, 404);
    // A literal path beats the `{id}` template next to it.
    let (status, body) = session.get("/v1/hooks/tag_added_sample").await;
    assert_eq!(status, 200);
    assert!(body.is_array());
}

#[tokio::test]
async fn created_contacts_are_stored_updated_and_deleted() {
    let clock = ManualClock::at(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
    let sandbox = Sandbox::start_with(Config {
        clock: Arc::new(clock.clone()),
        ..Config::default()
    })
    .await
    .expect("start");
    let session = Session::with(sandbox).await;
    let create = json!({"data": {"type": "contacts", "attributes": {
        "name": "Ada Lovelace", "email": "ada@example.com", "subscribed": false,
        "phone_number": null, "created_at": "2020-01-01T00:00:00Z", "unknown": 1,
    }, "relationships": {"site": {"data": {"id": "1", "type": "sites"}}}}});
    let (status, body) = session
        .send(reqwest::Method::POST, "/v1/contacts", &create)
        .await;
    assert_eq!(status, 201);
    let data = &body["data"];
    assert_eq!(data["attributes"]["name"], "Ada Lovelace");
    assert_eq!(data["attributes"]["email"], "ada@example.com");
    assert_eq!(data["attributes"]["subscribed"], false);
    assert_eq!(data["attributes"]["phone_number"], Value::Null);
    // Read-only attributes come from the clock; unknown ones are not stored.
    assert_eq!(data["attributes"]["created_at"], "2023-11-14T22:13:20Z");
    assert!(data["attributes"].get("unknown").is_none());
    // A new contact has no tags, offers or customer yet.
    assert_eq!(data["relationships"]["tags"]["data"], json!([]));
    assert!(data["relationships"].get("customer").is_none(), "{data}");
    let id = data["id"].as_str().expect("id").to_string();
    assert!(id.parse::<usize>().expect("numeric id") > kajabi_sandbox::SEED_SIZE);

    let (status, read) = session.get(&format!("/v1/contacts/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(read["data"], body["data"]);
    let (_, list) = session
        .get("/v1/contacts?filter[email_contains]=ada@")
        .await;
    assert_eq!(list["meta"]["total_count"], 1);
    assert_eq!(list["data"][0]["id"], json!(id));

    clock.advance(Duration::from_secs(60));
    let update =
        json!({"data": {"id": id, "type": "contacts", "attributes": {"name": "Ada King"}}});
    let (status, updated) = session
        .send(
            reqwest::Method::PATCH,
            &format!("/v1/contacts/{id}"),
            &update,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(updated["data"]["attributes"]["name"], "Ada King");
    assert_eq!(updated["data"]["attributes"]["email"], "ada@example.com");
    assert_eq!(
        updated["data"]["attributes"]["updated_at"],
        "2023-11-14T22:14:20Z"
    );
    assert_eq!(
        updated["data"]["attributes"]["created_at"],
        "2023-11-14T22:13:20Z"
    );

    let (status, _) = session
        .send(
            reqwest::Method::DELETE,
            &format!("/v1/contacts/{id}"),
            &Value::Null,
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = session.get(&format!("/v1/contacts/{id}")).await;
    assert_eq!(status, 404);
    let (status, _) = session
        .send(
            reqwest::Method::DELETE,
            &format!("/v1/contacts/{id}"),
            &Value::Null,
        )
        .await;
    assert_eq!(status, 404);

    // reset() brings the seeded data back and forgets what was created.
    session.sandbox.reset();
    let (_, list) = session.get("/v1/contacts").await;
    assert_eq!(list["meta"]["total_count"], kajabi_sandbox::SEED_SIZE);
}

#[tokio::test]
async fn created_hooks_echo_attributes_but_only_valid_values() {
    let session = Session::new().await;
    let create = json!({"data": {"type": "hooks", "attributes": {"event": "purchase", "target_url": "https://example.org/hook"},
        "relationships": {"site": {"data": {"id": "1", "type": "sites"}}}}});
    let (status, body) = session
        .send(reqwest::Method::POST, "/v1/hooks", &create)
        .await;
    assert_eq!(status, 201);
    assert_eq!(body["data"]["attributes"]["event"], "purchase");
    assert_eq!(
        body["data"]["attributes"]["target_url"],
        "https://example.org/hook"
    );
    // A value outside the schema's enum is refused with a pointer to it.
    let bad = json!({"data": {"type": "hooks", "attributes": {"event": "nonsense", "target_url": "https://example.org/hook"},
        "relationships": {"site": {"data": {"id": "1", "type": "sites"}}}}});
    let (status, body) = session.send(reqwest::Method::POST, "/v1/hooks", &bad).await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/attributes/event"
    );
    // So is a reference to a site that does not exist.
    let mut orphan = create.clone();
    orphan["data"]["relationships"]["site"]["data"]["id"] = json!("404");
    let (status, body) = session
        .send(reqwest::Method::POST, "/v1/hooks", &orphan)
        .await;
    assert_eq!(status, 422);
    assert_eq!(
        body["errors"][0]["source"]["pointer"],
        "/data/relationships/site/data/id"
    );
    let (_, hooks) = session.get("/v1/hooks").await;
    assert_eq!(hooks["meta"]["total_count"], kajabi_sandbox::SEED_SIZE + 1);
}

#[tokio::test]
async fn pagination_slices_seven_items() {
    let session = Session::new().await;
    let mut seen = Vec::new();
    for (page, expected) in [(1, 3), (2, 3), (3, 1), (4, 0)] {
        let (status, body) = session
            .get(&format!(
                "/v1/contacts?page%5Bnumber%5D={page}&page%5Bsize%5D=3"
            ))
            .await;
        assert_eq!(status, 200);
        let data = body["data"].as_array().expect("data array");
        assert_eq!(data.len(), expected, "page {page}");
        seen.extend(
            data.iter()
                .map(|item| item["id"].as_str().expect("id").to_string()),
        );
        let self_link = body["links"]["self"].as_str().expect("links.self");
        assert!(
            self_link.contains(&format!("page[number]={page}")),
            "{self_link}"
        );
        assert!(body["links"]["current"].is_string());
        // Pages 1 and 2 link the next page; page 3 is the last (of 3).
        let next = body["links"]["next"].as_str();
        match page {
            1 | 2 => assert!(
                next.is_some_and(|l| l.contains(&format!("page[number]={}", page + 1))),
                "{next:?}"
            ),
            _ => assert_eq!(next, None),
        }
        assert!(
            body["links"]["last"]
                .as_str()
                .is_some_and(|l| l.contains("page[number]=3")),
            "{body}"
        );
    }
    assert_eq!(seen, ["1", "2", "3", "4", "5", "6", "7"]);
    // Defaults: one page of 25 holds everything; sizes are clamped; brackets may be raw.
    let (_, body) = session.get("/v1/offers").await;
    assert_eq!(body["data"].as_array().map(Vec::len), Some(7));
    let (_, body) = session.get("/v1/offers?page[size]=0").await;
    assert_eq!(body["data"].as_array().map(Vec::len), Some(1));
    assert_eq!(body["meta"]["total_pages"], 7);
    let (_, body) = session.get("/v1/offers?filter[title_cont]=offer%203").await;
    assert_eq!(body["meta"]["total_count"], 1);
    let (_, body) = session.get("/v1/offers?sort=-id&page[size]=2").await;
    assert_eq!(body["data"][0]["id"], "7");
    assert!(body["links"]["next"]
        .as_str()
        .is_some_and(|l| l.starts_with("http://") && l.contains("sort=-id")));
    let (_, body) = session
        .get("/v1/podcasts?page[size]=5&page[number]=2")
        .await;
    assert_eq!(body["meta"]["total_count"], 7);
    assert_eq!(body["meta"]["total_pages"], 2);
    assert!(body["links"]["prev"].is_string() && body["links"].get("next").is_none());
}

#[tokio::test]
async fn unknown_paths_are_404_and_wrong_methods_405() {
    let session = Session::new().await;
    let response = session
        .request(reqwest::Method::GET, "/v1/nothing-here")
        .send()
        .await
        .expect("GET");
    assert_eq!(response.status(), 404);
    assert_eq!(content_type(&response), JSON_API);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["status"], "404");
    let response = session
        .request(reqwest::Method::PUT, "/v1/contacts/1")
        .send()
        .await
        .expect("PUT");
    assert_eq!(response.status(), 405);
    let allow = response.headers()["allow"]
        .to_str()
        .expect("allow")
        .to_string();
    assert!(
        allow.contains("GET") && allow.contains("PATCH") && allow.contains("DELETE"),
        "{allow}"
    );
}

#[tokio::test]
async fn bodies_that_are_not_json_get_a_declared_error_status() {
    let session = Session::new().await;
    let garbage = |method, path: &str| {
        session
            .request(method, path)
            .header("content-type", JSON_API)
            .body("{not json")
            .send()
    };
    // POST /v1/contacts declares 400 (and 422): 400.
    let response = garbage(reqwest::Method::POST, "/v1/contacts")
        .await
        .expect("POST");
    assert_eq!(response.status(), 400);
    assert_eq!(content_type(&response), JSON_API);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["errors"][0]["status"], "400");
    // POST /v1/hooks declares 422 only.
    let response = garbage(reqwest::Method::POST, "/v1/hooks")
        .await
        .expect("POST");
    assert_eq!(response.status(), 422);
    // POST /v1/forms/{id}/submit declares neither: the body is ignored.
    let response = garbage(reqwest::Method::POST, "/v1/forms/1/submit")
        .await
        .expect("POST");
    assert_eq!(response.status(), 201);
    // Plain JSON is as good as JSON:API.
    let response = session
        .request(reqwest::Method::POST, "/v1/contact_notes")
        .header("content-type", "application/json")
        .body(r#"{"data":{"type":"contact_notes","attributes":{"body":"hi"},"relationships":{"contact":{"data":{"id":"2","type":"contacts"}}}}}"#)
        .send()
        .await
        .expect("POST");
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("JSON");
    assert_eq!(body["data"]["attributes"]["body"], "hi");
}

#[tokio::test]
async fn a_json_document_sent_as_another_media_type_is_refused() {
    let session = Session::new().await;
    let contact = json!({"data": {"type": "contacts",
        "attributes": {"name": "Plain Text", "email": "plain@example.com"},
        "relationships": {"site": {"data": {"id": "1", "type": "sites"}}}}});
    let (_, before) = session.get("/v1/contacts").await;
    for media in [
        "text/plain",
        "text/plain; charset=utf-8",
        "application/x-www-form-urlencoded",
    ] {
        let response = session
            .request(reqwest::Method::POST, "/v1/contacts")
            .header("content-type", media)
            .body(contact.to_string())
            .send()
            .await
            .expect("POST");
        assert_eq!(response.status(), 400, "{media}");
        assert_eq!(content_type(&response), JSON_API);
        let body: Value = response.json().await.expect("JSON");
        let detail = body["errors"][0]["detail"].as_str().unwrap_or_default();
        let essence = media.split(';').next().unwrap_or_default();
        assert!(
            detail.contains(&format!("not \"{essence}\"")),
            "{media}: {body}"
        );
    }
    let (_, after) = session.get("/v1/contacts").await;
    assert_eq!(after["meta"]["total_count"], before["meta"]["total_count"]);
    // The same document as JSON:API is taken: the refusal was the media type's.
    let (status, _) = session
        .send(reqwest::Method::POST, "/v1/contacts", &contact)
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn requests_counts_everything_answered() {
    let session = Session::new().await;
    session.get("/v1/me").await;
    let _ = session
        .request(reqwest::Method::GET, "/nope")
        .send()
        .await
        .expect("GET");
    let _ = client()
        .get(format!("{}/v1/me", session.sandbox.base_url()))
        .send()
        .await
        .expect("GET");
    assert_eq!(session.sandbox.requests(), 4);
    assert_eq!(session.sandbox.token_requests(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_sandbox_frees_the_port() {
    let sandbox = Sandbox::start().await.expect("start");
    let addr = sandbox.addr();
    // A pooled keep-alive connection must not keep the server alive either.
    let http = client();
    let response = http
        .get(format!("{}/v1/version", sandbox.base_url()))
        .send()
        .await
        .expect("version");
    assert_eq!(response.status(), 200);
    drop(sandbox);
    // The listener closes on the server's task, after `drop` returns: wait for it with a wide
    // bound (never a tight one), and never bind the port again (another test may hold it).
    let refused = tokio::time::timeout(Duration::from_secs(30), async {
        while tokio::net::TcpStream::connect(addr).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(
        refused.is_ok(),
        "the port still accepts connections 30 s after drop"
    );
}

#[test]
fn sandbox_and_config_can_cross_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Sandbox>();
    assert_send_sync::<Config>();
}

#[tokio::test]
async fn hostile_requests_get_answers_not_crashes() {
    let session = Session::new().await;
    let base = session.sandbox.base_url();
    let http = client();
    // A form body that is not UTF-8.
    let response = http
        .post(format!("{base}/v1/oauth/token"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![0xff, 0xfe, b'=', 0x80])
        .send()
        .await
        .expect("token");
    assert_eq!(response.status(), 400);
    // Bytes that are not UTF-8 in a path parameter: an id like any other, unknown.
    let (status, body) = session.get("/v1/contacts/%FF%FE").await;
    assert_eq!(status, 404);
    assert!(body["errors"][0]["detail"].is_string());
    // An unknown method, a bearer header that is not text, a body over the size limit.
    let brew = reqwest::Method::from_bytes(b"BREW").expect("method");
    assert_eq!(
        session
            .request(brew, "/v1/me")
            .send()
            .await
            .expect("BREW")
            .status(),
        405
    );
    let response = http
        .get(format!("{base}/v1/me"))
        .header(
            "authorization",
            reqwest::header::HeaderValue::from_bytes(b"Bearer \xff\xfe").expect("header"),
        )
        .send()
        .await
        .expect("me");
    assert_eq!(response.status(), 401);
    // The sandbox answers an oversized body without reading it and closes the connection, so
    // the client either reads the 400 or loses it to the reset while still sending; in both
    // cases the sandbox must have answered (a panic would answer nothing) and stored nothing.
    let (_, before) = session.get("/v1/contacts").await;
    let answered = session.sandbox.requests();
    let huge = vec![b'x'; 2 * 1024 * 1024];
    match session
        .request(reqwest::Method::POST, "/v1/contacts")
        .header("content-type", JSON_API)
        .body(huge)
        .send()
        .await
    {
        Ok(response) => {
            assert_eq!(response.status(), 400);
            let body: Value = response.json().await.expect("a JSON:API error");
            let detail = body["errors"][0]["detail"].as_str().unwrap_or_default();
            assert!(detail.contains("at most 1 MiB"), "{body}");
        }
        Err(e) => assert!(
            e.is_request() && !e.is_timeout(),
            "the oversized body failed otherwise than by a closed connection: {e:?}"
        ),
    }
    assert_eq!(
        session.sandbox.requests(),
        answered + 1,
        "the sandbox answered it"
    );
    let (_, after) = session.get("/v1/contacts").await;
    assert_eq!(after["meta"]["total_count"], before["meta"]["total_count"]);
    // Query strings that are not what a list expects.
    let (status, _) = session
        .get("/v1/contacts?page[size]=-1&page[number]=%FF&&=&page[size]")
        .await;
    assert_eq!(status, 200);
    // Still serving.
    let response = http
        .get(format!("{base}/v1/version"))
        .send()
        .await
        .expect("version");
    assert_eq!(response.status(), 200);
}
