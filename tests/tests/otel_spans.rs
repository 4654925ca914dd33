//! The spans of a call with OpenTelemetry's HTTP client attributes (kajabi-api/trace.rs): a
//! `kajabi.call` per call, a `kajabi.attempt` per request sent, a `kajabi.token` per token
//! request; each field recorded once, and the token request's fields on its own spans only.
//! One test in its binary: scoped subscribers and tests on other threads race on tracing's
//! callsite interest cache, so the three cases run in turn, each under its own subscriber.

mod support;

use std::time::Duration;

use httpmock::MockServer;
use kajabi_api::CallOptions;
use support::faulty::{self, bounded, json, me_ok, quick_retries, reply, response, Faulty};
use support::spans::{SeenSpan, Spans};

/// Every field of every span recorded at most once.
fn each_field_once(spans: &[SeenSpan]) {
    for span in spans {
        for name in span.names() {
            assert_eq!(span.count(name), 1, "{name} on {span:?}");
        }
    }
}

/// The attempt spans' fields that do not depend on the outcome, for `GET /v1/me` at `port`.
fn assert_get_me_attempt(span: &SeenSpan, port: u16) {
    assert_eq!(span.get("otel.kind"), Some("client"));
    assert_eq!(span.get("otel.name"), Some("GET /v1/me"));
    assert_eq!(span.get("http.request.method"), Some("GET"));
    assert_eq!(
        span.get("url.full"),
        Some(format!("http://127.0.0.1:{port}/v1/me").as_str())
    );
    assert_eq!(span.get("url.template"), Some("/v1/me"));
    assert_eq!(span.get("server.address"), Some("127.0.0.1"));
    assert_eq!(span.get("server.port"), Some(port.to_string().as_str()));
}

#[tokio::test]
async fn spans_carry_opentelemetrys_http_client_attributes() {
    a_404_is_one_call_span_with_one_attempt_span().await;
    a_retried_429_has_one_span_per_attempt_with_the_resend_count().await;
    a_first_call_traces_its_token_request_in_spans_of_its_own().await;
    an_operation_shows_its_template_and_a_raw_request_its_path().await;
}

/// `url.template` is the operation's path template, parameters unfilled; a request built
/// by hand (`Client::request`) has no template and shows its path.
async fn an_operation_shows_its_template_and_a_raw_request_its_path() {
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(spans.subscriber(tracing::Level::INFO));
    let body = serde_json::json!({"errors": [{"status": "404", "title": "Not Found"}]});
    let server = Faulty::start(vec![reply(json(404, &body)), reply(json(404, &body))]).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let error = bounded("get_contact", client.get_contact().id("5").send())
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error:?}");
    let error = bounded("raw", client.request("get", "/v1/raw/7", &[], None))
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error:?}");

    let all = spans.all();
    let attempts = spans.named("kajabi.attempt");
    let [operation, raw] = attempts.as_slice() else {
        panic!("two attempt spans: {all:#?}")
    };
    assert_eq!(operation.get("url.template"), Some("/v1/contacts/{id}"));
    assert_eq!(operation.get("otel.name"), Some("GET /v1/contacts/{id}"));
    assert_eq!(raw.get("url.template"), Some("/v1/raw/7"));
    assert_eq!(raw.get("otel.name"), Some("GET /v1/raw/7"));
}

async fn a_404_is_one_call_span_with_one_attempt_span() {
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(spans.subscriber(tracing::Level::INFO));
    let body = serde_json::json!({"errors": [{"status": "404", "title": "Not Found"}]});
    let server = Faulty::start(vec![reply(json(404, &body))]).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    // A per-call header: its value must reach no span.
    let options = CallOptions::new().header("x-trace-me", "header-value-3141");
    let error = bounded("404", client.get_me().with(&options).send())
        .await
        .unwrap_err();
    assert!(error.is_not_found(), "{error:?}");

    let all = spans.all();
    each_field_once(&all);
    let calls = spans.named("kajabi.call");
    let [call] = calls.as_slice() else {
        panic!("one call span: {all:#?}")
    };
    assert_eq!(call.names(), ["operation", "otel.kind"], "{call:?}");
    assert_eq!(call.get("operation"), Some("get_me"));
    assert_eq!(call.get("otel.kind"), Some("internal"));
    let attempts = spans.named("kajabi.attempt");
    let [attempt] = attempts.as_slice() else {
        panic!("one attempt span: {all:#?}")
    };
    assert_eq!(all[attempt.parent.unwrap()].name, "kajabi.call");
    assert_get_me_attempt(attempt, server.addr().port());
    assert_eq!(attempt.get("http.response.status_code"), Some("404"));
    assert_eq!(attempt.get("error.type"), Some("404"));
    assert_eq!(attempt.get("http.request.resend_count"), None);
    let text = format!("{all:?}");
    assert!(!text.contains("header-value-3141"), "{text}");
    assert!(!text.contains(faulty::TOKEN), "{text}");
}

async fn a_retried_429_has_one_span_per_attempt_with_the_resend_count() {
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(spans.subscriber(tracing::Level::INFO));
    let too_many = reply(response(
        429,
        &[("retry-after", "0"), ("content-type", "application/json")],
        "{}",
    ));
    let server = Faulty::start(vec![too_many, me_ok()]).await;
    let client = faulty::builder(&server.base_url())
        .retry_policy(quick_retries(3, Duration::from_millis(2)))
        .build()
        .unwrap();
    bounded("429", client.get_me().send()).await.unwrap();

    let all = spans.all();
    each_field_once(&all);
    let [call] = spans.named("kajabi.call").try_into().unwrap();
    let attempts = spans.named("kajabi.attempt");
    let [first, second] = attempts.as_slice() else {
        panic!("two attempt spans: {all:#?}")
    };
    for attempt in [first, second] {
        assert_eq!(all[attempt.parent.unwrap()].id, call.id);
        assert_get_me_attempt(attempt, server.addr().port());
    }
    assert_eq!(first.get("http.response.status_code"), Some("429"));
    assert_eq!(first.get("error.type"), Some("429"));
    assert_eq!(first.get("http.request.resend_count"), None);
    assert_eq!(second.get("http.response.status_code"), Some("200"));
    assert_eq!(second.get("error.type"), None);
    assert_eq!(second.get("http.request.resend_count"), Some("1"));
}

async fn a_first_call_traces_its_token_request_in_spans_of_its_own() {
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(spans.subscriber(tracing::Level::INFO));
    let server = MockServer::start_async().await;
    support::client_credentials_grant(&server, "at-span-1", "rt-span-1", 7200).await;
    support::me_with(&server, "at-span-1").await;
    let client = support::client(&server);
    client.get_me().send().await.unwrap();

    let all = spans.all();
    each_field_once(&all);
    let [call] = spans.named("kajabi.call").try_into().unwrap();
    let [token] = spans.named("kajabi.token").try_into().unwrap();
    assert_eq!(call.names(), ["operation", "otel.kind"], "{call:?}");
    assert_eq!(token.get("otel.kind"), Some("internal"));
    assert_eq!(token.get("operation"), Some("create_token"));
    let attempts = spans.named("kajabi.attempt");
    let [token_attempt, call_attempt] = attempts.as_slice() else {
        panic!("two attempt spans: {all:#?}")
    };
    assert_eq!(all[token_attempt.parent.unwrap()].id, token.id);
    assert_eq!(all[call_attempt.parent.unwrap()].id, call.id);
    assert_eq!(token_attempt.get("otel.name"), Some("POST /v1/oauth/token"));
    assert_eq!(token_attempt.get("url.template"), Some("/v1/oauth/token"));
    assert_eq!(token_attempt.get("http.response.status_code"), Some("200"));
    let port = server.address().port();
    assert_get_me_attempt(call_attempt, port);
    assert_eq!(call_attempt.get("http.response.status_code"), Some("200"));
    let text = format!("{all:?}");
    for secret in ["at-span-1", "rt-span-1", support::CLIENT_SECRET] {
        assert!(!text.contains(secret), "{secret} in {text}");
    }
}
