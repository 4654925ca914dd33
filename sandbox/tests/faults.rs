//! Faults, the rate limit and request ids, over HTTP as any client sees them: the error
//! bodies in the spec's shapes, matching by operation, template and parameter, `times`, the
//! proxy page, cut bodies, dropped connections, delays on paused time, the `/_sandbox/faults`
//! route, `reset`, and two sandboxes that share nothing.

mod common;

use std::time::{Duration, SystemTime};

use common::{client, client_on_paused_time, content_type, fill, grant, spec, Schemas};
use kajabi_sandbox::{Config, Fault, RateLimit, RetryAfter, Sandbox};
use serde_json::Value;
use tokio::time::Instant;

/// A sandbox and a live access token.
async fn started(config: Config) -> (Sandbox, reqwest::Client, String) {
    started_with(config, client()).await
}

/// The same, with the HTTP client `http`.
async fn started_with(config: Config, http: reqwest::Client) -> (Sandbox, reqwest::Client, String) {
    let sandbox = Sandbox::start_with(config).await.expect("sandbox starts");
    let (access, _) = grant(&sandbox, &http).await;
    (sandbox, http, access)
}

async fn get(
    http: &reqwest::Client,
    sandbox: &Sandbox,
    token: &str,
    path: &str,
) -> reqwest::Response {
    http.get(format!("{}{path}", sandbox.base_url()))
        .bearer_auth(token)
        .send()
        .await
        .expect("an answer")
}

fn header<'a>(response: &'a reqwest::Response, name: &str) -> Option<&'a str> {
    response.headers().get(name).and_then(|v| v.to_str().ok())
}

#[tokio::test]
async fn every_declared_error_status_is_answered_in_the_declared_shape() {
    let (sandbox, http, access) = started(Config::default()).await;
    let (document, operations) = spec();
    let schemas = Schemas::new(&document);
    let (mut checked, mut sent) = (0, 0);
    for op in &operations {
        for status in &op.error_statuses {
            sent += 1;
            let code: u16 = status.parse().expect("numeric status");
            sandbox
                .fault(Fault::on(&op.name).status(code).times(1))
                .expect("the fault installs");
            let url = format!("{}{}", sandbox.base_url(), fill(&op.path, "1"));
            let method = reqwest::Method::from_bytes(op.method.to_uppercase().as_bytes()).unwrap();
            let response = http
                .request(method, url)
                .bearer_auth(&access)
                .send()
                .await
                .expect("an answer");
            assert_eq!(response.status().as_u16(), code, "{} {status}", op.name);
            let Some((media, schema)) = schemas.response(op, status) else {
                continue;
            };
            assert_eq!(content_type(&response), media, "{} {status}", op.name);
            let body: Value = response.json().await.expect("a JSON error body");
            let errors = schemas.errors(&schema, &body);
            assert!(
                errors.is_empty(),
                "{} {status}: {errors:?}\n{body}",
                op.name
            );
            checked += 1;
        }
    }
    // 403 alone is declared by 68 operations.
    assert!(checked > 100, "{checked}");
    assert_eq!(sandbox.fault_records().len(), sent);
}

#[tokio::test]
async fn a_fault_answers_its_matches_times_then_steps_aside_and_records_them() {
    let (sandbox, http, access) = started(Config::default()).await;
    let id = sandbox
        .fault(Fault::on("get_contact").status(403).times(2))
        .unwrap();
    let mut ids = Vec::new();
    for _ in 0..2 {
        let response = get(&http, &sandbox, &access, "/v1/contacts/1").await;
        assert_eq!(response.status(), 403);
        ids.push(header(&response, "x-request-id").unwrap().to_string());
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["errors"][0]["status"], "403");
        assert_eq!(
            body["errors"][0]["detail"],
            "Forbidden, insufficient permission to access the resource"
        );
    }
    // Another operation was never matched; the fault has answered its two and is gone.
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts").await.status(),
        200
    );
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts/1")
            .await
            .status(),
        200
    );
    assert!(!sandbox.remove_fault(id));
    let records = sandbox.fault_records();
    assert_eq!(records.len(), 2);
    assert!(records.iter().all(|r| r.fault == id
        && r.operation == "get_contact"
        && r.method == "GET"
        && r.path == "/v1/contacts/1"));
    let recorded: Vec<&str> = records.iter().map(|r| r.request_id.as_str()).collect();
    assert_eq!(recorded, ids);
}

#[tokio::test]
async fn templates_and_parameters_narrow_the_match_and_remove_ends_it() {
    let (sandbox, http, access) = started(Config::default()).await;
    let by_id = sandbox
        .fault("GET /v1/contacts/{id} id=7: 404".parse().unwrap())
        .unwrap();
    sandbox
        .fault(
            Fault::on("list_contacts")
                .when("page[number]", "2")
                .status(500),
        )
        .unwrap();
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts/7")
            .await
            .status(),
        404
    );
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts/6")
            .await
            .status(),
        200
    );
    let page2 = "/v1/contacts?page%5Bnumber%5D=2&page%5Bsize%5D=2";
    assert_eq!(get(&http, &sandbox, &access, page2).await.status(), 500);
    let page1 = "/v1/contacts?page%5Bnumber%5D=1&page%5Bsize%5D=2";
    assert_eq!(get(&http, &sandbox, &access, page1).await.status(), 200);
    assert!(sandbox.remove_fault(by_id));
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts/7")
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn a_star_fault_matches_the_token_endpoint_too_in_its_shape() {
    let sandbox = Sandbox::start().await.unwrap();
    sandbox.fault("*: 401 times=1".parse().unwrap()).unwrap();
    let response = client()
        .post(format!("{}/v1/oauth/token", sandbox.base_url()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    // The token endpoint declares `errors_authentication_failed`: `{"error": …}`.
    let body: Value = response.json().await.unwrap();
    assert!(
        body["error"].is_string() && body.get("errors").is_none(),
        "{body}"
    );
    assert_eq!(sandbox.fault_records()[0].operation, "create_token");
}

#[tokio::test]
async fn retry_after_in_seconds_and_as_an_http_date() {
    let (sandbox, http, access) = started(Config::default()).await;
    sandbox
        .fault(
            Fault::on("get_me")
                .status(429)
                .retry_after(RetryAfter::Seconds(3))
                .times(1),
        )
        .unwrap();
    sandbox
        .fault("get_me: 503 retry-after=date+60 times=1".parse().unwrap())
        .unwrap();
    let first = get(&http, &sandbox, &access, "/v1/me").await;
    assert_eq!(
        (first.status().as_u16(), header(&first, "retry-after")),
        (429, Some("3"))
    );
    let before = SystemTime::now();
    let second = get(&http, &sandbox, &access, "/v1/me").await;
    assert_eq!(second.status(), 503);
    let date = httpdate::parse_http_date(header(&second, "retry-after").expect("Retry-After"))
        .expect("an HTTP date");
    // Whole seconds: between 59 and 61 s after the request was sent, by the system clock.
    let ahead = date.duration_since(before).expect("in the future");
    assert!(ahead >= Duration::from_secs(59), "{ahead:?}");
    assert_eq!(get(&http, &sandbox, &access, "/v1/me").await.status(), 200);
}

#[tokio::test]
async fn an_html_page_a_cut_body_and_a_dropped_connection() {
    let (sandbox, http, access) = started(Config::default()).await;
    sandbox
        .fault("get_me: html times=1".parse().unwrap())
        .unwrap();
    let page = get(&http, &sandbox, &access, "/v1/me").await;
    assert_eq!(page.status(), 502);
    assert_eq!(content_type(&page), "text/html");
    assert!(page
        .text()
        .await
        .unwrap()
        .contains("<h1>502 Bad Gateway</h1>"));

    sandbox
        .fault("get_me: cut times=1".parse().unwrap())
        .unwrap();
    let mut cut = get(&http, &sandbox, &access, "/v1/me").await;
    assert_eq!(cut.status(), 200);
    let declared: usize = header(&cut, "content-length").unwrap().parse().unwrap();
    assert!(declared > 10);
    // The first half arrives, then the connection closes: reading on fails.
    let mut received = Vec::new();
    let end = loop {
        match cut.chunk().await {
            Ok(Some(chunk)) => received.extend_from_slice(&chunk),
            other => break other,
        }
    };
    assert!(end.is_err(), "a cut body cannot be read whole: {end:?}");
    assert_eq!(received.len(), declared / 2);

    sandbox
        .fault("get_me: drop times=1".parse().unwrap())
        .unwrap();
    let dropped = http
        .get(format!("{}/v1/me", sandbox.base_url()))
        .bearer_auth(&access)
        .send()
        .await;
    let error = dropped.expect_err("no answer on a dropped connection");
    assert!(!error.is_status() && !error.is_timeout(), "{error:?}");
    // Back to normal, on a new connection.
    assert_eq!(get(&http, &sandbox, &access, "/v1/me").await.status(), 200);
    assert_eq!(sandbox.fault_records().len(), 3);
}

#[tokio::test(start_paused = true)]
async fn a_delay_holds_its_answer_and_nothing_else() {
    let (sandbox, http, access) = started_with(Config::default(), client_on_paused_time()).await;
    sandbox
        .fault(Fault::on("get_me").delay(Duration::from_secs(30)).times(1))
        .unwrap();
    let started = Instant::now();
    let slow = get(&http, &sandbox, &access, "/v1/me");
    let quick = async {
        // While the delayed request waits, a write (which takes the store's lock) goes through.
        let response = get(&http, &sandbox, &access, "/v1/contacts/1").await;
        (response.status(), started.elapsed())
    };
    let (slow, (quick_status, quick_after)) = tokio::join!(slow, quick);
    assert_eq!(slow.status(), 200, "a delay alone delays the normal answer");
    let me: Value = slow.json().await.expect("the whole answer, not cut");
    assert!(me["data"]["id"].is_string(), "{me}");
    assert!(started.elapsed() >= Duration::from_secs(30));
    assert_eq!(quick_status, 200);
    assert!(quick_after < Duration::from_secs(30), "{quick_after:?}");
}

#[tokio::test]
async fn the_http_route_installs_lists_and_removes_faults() {
    let (sandbox, http, access) = started(Config::default()).await;
    let route = format!("{}/_sandbox/faults", sandbox.base_url());
    let created = http
        .post(&route)
        .body("get_contact id=3: 403")
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), 201);
    let created: Value = created.json().await.unwrap();
    assert_eq!(created["fault"], "get_contact id=3: 403");
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts/3")
            .await
            .status(),
        403
    );
    let listing: Value = http.get(&route).send().await.unwrap().json().await.unwrap();
    assert_eq!(listing["faults"][0]["id"], created["id"]);
    assert_eq!(listing["faults"][0]["left"], Value::Null);
    assert_eq!(listing["records"][0]["path"], "/v1/contacts/3");
    assert_eq!(listing["records"][0]["operation"], "get_contact");

    let unknown = http
        .post(&route)
        .body("get_contct: 403")
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 400);
    let unknown: Value = unknown.json().await.unwrap();
    assert_eq!(unknown["nearest"][0], "get_contact");
    let garbled = http
        .post(&route)
        .body("\u{0}\u{1} nonsense")
        .send()
        .await
        .unwrap();
    assert_eq!(garbled.status(), 400);
    let reason: Value = garbled.json().await.unwrap();
    assert!(!reason["error"].as_str().unwrap().contains('\n'));

    let one = format!("{route}/{}", created["id"]);
    assert_eq!(http.delete(&one).send().await.unwrap().status(), 204);
    assert_eq!(http.delete(&one).send().await.unwrap().status(), 404);
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts/3")
            .await
            .status(),
        200
    );
    http.post(&route).body("*: 500").send().await.unwrap();
    assert_eq!(get(&http, &sandbox, &access, "/v1/me").await.status(), 500);
    // A `*` fault never blocks the sandbox's own routes: it can be removed.
    assert_eq!(http.delete(&route).send().await.unwrap().status(), 204);
    assert_eq!(get(&http, &sandbox, &access, "/v1/me").await.status(), 200);
    assert!(sandbox.fault_records().is_empty());
    let put = http.put(&route).send().await.unwrap();
    assert_eq!(put.status(), 405);
    assert_eq!(header(&put, "allow"), Some("GET, POST, DELETE"));
    let put_one = http.put(format!("{route}/1")).send().await.unwrap();
    assert_eq!(put_one.status(), 405);
    assert_eq!(header(&put_one, "allow"), Some("DELETE"));
}

#[tokio::test]
async fn a_fault_id_from_rust_is_the_id_over_http() {
    let (sandbox, http, access) = started(Config::default()).await;
    let first = sandbox.fault(Fault::on("get_me").status(500)).unwrap();
    let second = sandbox.fault(Fault::on("get_contact").status(403)).unwrap();
    assert_ne!(first.get(), second.get());
    assert_eq!(second.to_string(), second.get().to_string());
    let route = format!("{}/_sandbox/faults", sandbox.base_url());
    let listing: Value = http.get(&route).send().await.unwrap().json().await.unwrap();
    let ids: Vec<u64> = listing["faults"]
        .as_array()
        .unwrap()
        .iter()
        .map(|fault| fault["id"].as_u64().unwrap())
        .collect();
    assert_eq!(ids, [first.get(), second.get()]);
    let removed = http
        .delete(format!("{route}/{second}"))
        .send()
        .await
        .unwrap();
    assert_eq!(removed.status(), 204);
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts/1")
            .await
            .status(),
        200
    );
    assert_eq!(get(&http, &sandbox, &access, "/v1/me").await.status(), 500);
    assert!(!sandbox.remove_fault(second), "already removed over HTTP");
    // clear_faults removes the rest, and their records.
    sandbox.clear_faults();
    assert_eq!(get(&http, &sandbox, &access, "/v1/me").await.status(), 200);
    assert!(sandbox.fault_records().is_empty());
    assert!(!sandbox.remove_fault(first));
}

#[tokio::test]
async fn unknown_names_are_refused_with_the_nearest() {
    let sandbox = Sandbox::start().await.unwrap();
    let error = sandbox
        .fault(Fault::on("get_contcat").status(403))
        .unwrap_err();
    assert_eq!(error.nearest()[0], "get_contact");
    let error = sandbox
        .fault(Fault::on("GET /v1/contacts/{idd}").status(403))
        .unwrap_err();
    assert_eq!(error.nearest()[0], "GET /v1/contacts/{id}");
    assert!(sandbox.fault(Fault::on("get_me").status(200)).is_err());
    let config = Config {
        faults: vec![Fault::on("nope").status(500)],
        ..Config::default()
    };
    let error = Sandbox::start_with(config).await.unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(error.to_string().contains("no operation `nope`"), "{error}");
}

#[tokio::test]
async fn config_faults_apply_from_the_start_and_reset_clears_them() {
    let config = Config {
        faults: vec!["get_me: 503".parse().unwrap()],
        rate_limit: Some("3/60".parse().unwrap()),
        ..Config::default()
    };
    let (sandbox, http, access) = started(config).await; // 1 of 3
    assert_eq!(get(&http, &sandbox, &access, "/v1/me").await.status(), 503); // fault, uncounted
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts").await.status(),
        200
    ); // 2
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts").await.status(),
        200
    ); // 3
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts").await.status(),
        429
    );
    sandbox.reset();
    assert!(sandbox.fault_records().is_empty());
    assert_eq!(get(&http, &sandbox, &access, "/v1/me").await.status(), 200);
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts").await.status(),
        200
    );
}

#[tokio::test]
async fn two_sandboxes_share_no_faults_limits_or_records() {
    let limited = Config {
        rate_limit: Some(RateLimit {
            requests: 2,
            window: Duration::from_secs(60),
        }),
        ..Config::default()
    };
    let (one, http, one_token) = started(limited.clone()).await;
    let (two, _, two_token) = started(limited).await;
    one.fault("get_me: 500".parse().unwrap()).unwrap();
    assert_eq!(get(&http, &one, &one_token, "/v1/me").await.status(), 500);
    assert_eq!(get(&http, &two, &two_token, "/v1/me").await.status(), 200);
    assert!(two.fault_records().is_empty());
    assert_eq!(
        get(&http, &one, &one_token, "/v1/contacts").await.status(),
        200
    );
    assert_eq!(
        get(&http, &one, &one_token, "/v1/contacts").await.status(),
        429
    );
    assert_eq!(
        get(&http, &two, &two_token, "/v1/contacts").await.status(),
        429
    );
}

#[tokio::test(start_paused = true)]
async fn the_rate_limit_counts_per_client_and_its_window_follows_tokio_time() {
    let config = Config {
        rate_limit: Some("2/10".parse().unwrap()),
        ..Config::default()
    };
    let (sandbox, http, access) = started_with(config, client_on_paused_time()).await; // the token request is 1 of 2
    let started = Instant::now();
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts").await.status(),
        200
    );
    let over = get(&http, &sandbox, &access, "/v1/contacts").await;
    assert_eq!(over.status(), 429);
    assert_eq!(header(&over, "retry-after"), Some("10"));
    assert_eq!(content_type(&over), "application/vnd.api+json");
    let body: Value = over.json().await.unwrap();
    assert_eq!(body["errors"][0]["status"], "429");
    // Another client_id has its own window (and is refused for its credentials, not its rate).
    let other = http
        .post(format!("{}/v1/oauth/token", sandbox.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", "another-client"),
            ("client_secret", "x"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 401);
    // The token endpoint counts for the configured client too.
    let token = http
        .post(format!("{}/v1/oauth/token", sandbox.base_url()))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", sandbox.client_id()),
            ("client_secret", sandbox.client_secret()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(token.status(), 429);
    // 4.5 s on: what is left of the window (5.5 s), rounded up to whole seconds.
    tokio::time::advance(Duration::from_millis(4500)).await;
    let later = get(&http, &sandbox, &access, "/v1/contacts").await;
    assert_eq!(header(&later, "retry-after"), Some("6"));
    // Past the window: admitted again, on paused time (no real sleep).
    tokio::time::advance(Duration::from_millis(5500)).await;
    assert_eq!(
        get(&http, &sandbox, &access, "/v1/contacts").await.status(),
        200
    );
    assert!(started.elapsed() >= Duration::from_secs(10));
}

#[tokio::test]
async fn every_answer_has_a_random_request_id_even_under_a_seed() {
    let seeded = || Config {
        seed: Some(42),
        ..Config::default()
    };
    let (one, http, one_token) = started(seeded()).await;
    let (two, _, two_token) = started(seeded()).await;
    one.fault("get_contact: 403".parse().unwrap()).unwrap();
    let mut ids = Vec::new();
    for (sandbox, token, path) in [
        (&one, one_token.as_str(), "/v1/me"),
        (&two, two_token.as_str(), "/v1/me"),
        (&one, one_token.as_str(), "/v1/contacts/1"),
        (&one, "not-a-token", "/v1/me"),
        (&one, one_token.as_str(), "/v1/no/such/path"),
        (&one, one_token.as_str(), "/_sandbox/faults"),
    ] {
        let response = get(&http, sandbox, token, path).await;
        let id = header(&response, "x-request-id").unwrap_or_else(|| panic!("{path}: no id"));
        assert_eq!(id.len(), 36, "{id}");
        ids.push(id.to_string());
    }
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 6, "{ids:?}");
}
