//! Webhook deliveries: every event of the spec parses from an envelope around its `_sample`
//! description JSON (the list of events and the samples are read from `openapi.yaml` at test
//! time), unknown events are kept, bad bodies get a typed one-line error, and the axum
//! receiver answers a real loopback request.

use std::time::Duration;

use kajabi_api::types::GetHookTagAddedSampleResponseItem as TagAddedItem;
use kajabi_api::webhooks::{self, Event, EVENTS};
use serde_json::{json, Value};

fn spec() -> Value {
    kajabi_spec::load(include_str!("../../openapi.yaml")).expect("the spec loads")
}

/// The events of the spec: the enum of `data.attributes.event` in `POST /v1/hooks`.
fn spec_events(doc: &Value) -> Vec<String> {
    let body = &doc["paths"]["/v1/hooks"]["post"]["requestBody"]["content"];
    let schema = body
        .as_object()
        .and_then(|media| media.values().next())
        .map(|m| &m["schema"])
        .expect("POST /v1/hooks has a request body");
    let attributes = kajabi_spec::resolve(
        doc,
        &schema["properties"]["data"]["properties"]["attributes"],
    );
    let event = kajabi_spec::resolve(doc, &attributes["properties"]["event"]);
    event["enum"]
        .as_array()
        .expect("`event` is an enum")
        .iter()
        .map(|e| e.as_str().expect("event names are strings").to_string())
        .collect()
}

/// The first fenced block of `GET /v1/hooks/<event>_sample`'s description, as JSON.
fn sample(doc: &Value, event: &str) -> Value {
    let description = doc["paths"][format!("/v1/hooks/{event}_sample")]["get"]["description"]
        .as_str()
        .unwrap_or_else(|| panic!("{event} has a sample operation with a description"));
    let start = description.find("```").expect("a fenced block") + 3;
    let rest = &description[start..];
    let rest = &rest[rest.find('\n').expect("the fence ends its line") + 1..];
    let block = &rest[..rest.find("```").expect("the block closes")];
    serde_json::from_str(block).unwrap_or_else(|e| panic!("the {event} sample is JSON: {e}"))
}

fn envelope(event: &str, payload: &Value) -> Vec<u8> {
    serde_json::to_vec(&json!({"id": "hash_42", "event": event, "payload": payload})).unwrap()
}

#[test]
fn every_event_of_the_spec_parses_from_its_sample() {
    let doc = spec();
    let events = spec_events(&doc);
    assert_eq!(
        EVENTS,
        events.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(
        events.len() >= 6,
        "the spec lists the six events: {events:?}"
    );
    for name in &events {
        let payload = sample(&doc, name);
        let event = Event::parse(&envelope(name, &payload))
            .unwrap_or_else(|e| panic!("the {name} sample does not parse: {e}"));
        assert!(!matches!(event, Event::Unknown { .. }), "{name} is typed");
        assert_eq!(event.name(), name);
        assert_eq!(event.id(), "hash_42");
        assert_eq!(event.raw_payload(), &payload);
    }
}

/// A known event's typed payload, written back as JSON: what the typed view holds.
fn typed_json(event: &Event) -> Value {
    let typed = match event {
        Event::TagAdded { payload, .. } => serde_json::to_value(payload.typed()),
        Event::TagRemoved { payload, .. } => serde_json::to_value(payload.typed()),
        Event::FormSubmission { payload, .. } => serde_json::to_value(payload.typed()),
        Event::Purchase { payload, .. } => serde_json::to_value(payload.typed()),
        Event::PaymentSucceeded { payload, .. } => serde_json::to_value(payload.typed()),
        Event::OrderCreated { payload, .. } => serde_json::to_value(payload.typed()),
        other => panic!("{}: add its variant to typed_json", other.name()),
    };
    typed.expect("a typed payload serializes")
}

/// Each item of every sample is read into the variant of its `type`, with its `id` and its
/// attributes: none lands in a variant of another resource, or in an empty one.
#[test]
fn every_item_of_every_sample_is_typed_as_its_resource() {
    let doc = spec();
    for name in &spec_events(&doc) {
        let payload = sample(&doc, name);
        let event = Event::parse(&envelope(name, &payload)).expect("parses");
        let typed = typed_json(&event);
        let (raw, typed) = (payload.as_array().unwrap(), typed.as_array().unwrap());
        assert!(!raw.is_empty(), "{name}: the sample has items");
        assert_eq!(typed.len(), raw.len(), "{name}");
        for (raw, typed) in raw.iter().zip(typed) {
            let at = format!("{name} {} {}", raw["type"], raw["id"]);
            assert!(raw["id"].is_string(), "{at}: the sample item has an id");
            assert_eq!(typed["type"], raw["type"], "{at}: typed as {typed}");
            assert_eq!(typed["id"], raw["id"], "{at}: typed as {typed}");
            if let Some(attributes) = raw["attributes"].as_object().filter(|a| !a.is_empty()) {
                let kept = typed["attributes"].as_object();
                assert!(
                    kept.is_some_and(|k| k.keys().any(|key| attributes.contains_key(key))),
                    "{at}: attributes typed as {typed}"
                );
            }
        }
    }
}

#[test]
fn a_typed_payload_reads_the_sample_and_keeps_undeclared_members() {
    let doc = spec();
    let mut payload = sample(&doc, "tag_added");
    payload[0]["attributes"]["favourite_colour"] = json!("teal");
    payload[0]["new_member"] = json!({"nested": [1, 2]});
    payload[1]["attributes"]["colour"] = json!("teal");
    payload[1]["meta"] = json!({"source": "api"});
    let Event::TagAdded { id, payload: typed } =
        Event::parse(&envelope("tag_added", &payload)).expect("parses")
    else {
        panic!("tag_added is Event::TagAdded");
    };
    assert_eq!(id, "hash_42");
    assert_eq!(typed.typed().len(), 2, "both resources of the sample");
    // Undeclared members do not stop an item from taking the variant of its `type`.
    assert!(
        matches!(
            &typed.typed()[0],
            TagAddedItem::Contacts { id: Some(_), .. }
        ),
        "{:?}",
        typed.typed()[0]
    );
    assert!(
        matches!(
            &typed.typed()[1],
            TagAddedItem::ContactTags {
                id: Some(_),
                attributes: Some(_)
            }
        ),
        "{:?}",
        typed.typed()[1]
    );
    assert_eq!(typed.raw()[0]["attributes"]["favourite_colour"], "teal");
    assert_eq!(typed.raw()[0]["new_member"]["nested"][1], 2);
}

#[test]
fn an_unknown_event_is_kept_not_refused() {
    let body = br#"{"id": 7, "event": "course_completed", "payload": {"anything": [true]}}"#;
    match Event::parse(body).expect("an unknown event parses") {
        Event::Unknown { name, id, payload } => {
            assert_eq!(name, "course_completed");
            assert_eq!(id, "7");
            assert_eq!(payload, json!({"anything": [true]}));
        }
        other => panic!("not Unknown: {other:?}"),
    }
}

#[test]
fn bad_bodies_get_a_typed_one_line_error_that_never_quotes_the_body() {
    let secret = "sk_live_SECRET_VALUE";
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"<html>502 Bad Gateway</html>".to_vec(), "not JSON"),
        (
            format!(r#"{{"id": "1", "event": "tag_added", "payload": ["{secret}""#).into_bytes(),
            "truncated JSON",
        ),
        (b"".to_vec(), "truncated JSON"),
        // The spec's own example: a trailing comma is not JSON.
        (
            br#"{"id": "hash_id", "event": "tag_added", "payload": [],}"#.to_vec(),
            "not JSON",
        ),
        (format!(r#"["{secret}"]"#).into_bytes(), "not a JSON object"),
        (br#"{"id": "1", "payload": []}"#.to_vec(), "no `event`"),
        (
            br#"{"id": "1", "event": 3, "payload": []}"#.to_vec(),
            "`event` is not a string",
        ),
        (
            br#"{"event": "tag_added", "payload": []}"#.to_vec(),
            "no `id`",
        ),
        (
            br#"{"id": "1", "event": "tag_added"}"#.to_vec(),
            "no `payload`",
        ),
        (
            format!(r#"{{"id": "1", "event": "tag_added", "payload": "{secret}"}}"#).into_bytes(),
            "does not have the shape of the event's sample",
        ),
    ];
    for (body, reason) in cases {
        let error = Event::parse(&body).expect_err("refused");
        let text = error.to_string();
        assert!(error.is_decode(), "{text}");
        assert!(text.contains(reason), "`{text}` does not say `{reason}`");
        assert!(!text.contains('\n'), "one line: {text}");
        assert!(!text.contains(secret), "the body leaks: {text}");
    }
}

#[test]
fn the_core_receiver_bounds_the_body() {
    let doc = spec();
    let body = envelope("tag_removed", &sample(&doc, "tag_removed"));
    assert_eq!(
        webhooks::receive(&body, body.len())
            .expect("at the bound")
            .name(),
        "tag_removed"
    );
    let error = webhooks::receive(&body, body.len() - 1).expect_err("over the bound");
    assert!(
        error
            .to_string()
            .contains(&format!("{}-byte limit", body.len() - 1)),
        "{error}"
    );
    assert_eq!(webhooks::DEFAULT_MAX_BODY, 1024 * 1024);
}

/// Serves `handler` on a loopback port; returns its URL and the events the closure got.
async fn serve(router: axum::routing::MethodRouter) -> (String, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/hooks/unguessable",
        listener.local_addr().unwrap()
    );
    let app = axum::Router::new().route("/hooks/unguessable", router);
    let task = tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    (url, task)
}

#[tokio::test]
async fn the_axum_handler_hands_good_deliveries_on_and_answers_400_to_bad_ones() {
    let (sender, mut received) = tokio::sync::mpsc::unbounded_channel();
    let (url, server) = serve(webhooks::handler(move |event: Event| {
        let sender = sender.clone();
        async move {
            sender.send(event).unwrap();
        }
    }))
    .await;
    let http = reqwest::Client::new();
    let doc = spec();

    let good = envelope("form_submission", &sample(&doc, "form_submission"));
    let response = http.post(&url).body(good).send().await.unwrap();
    assert_eq!(response.status(), 204);
    let event = tokio::time::timeout(Duration::from_secs(10), received.recv())
        .await
        .expect("the closure ran before the answer")
        .expect("an event");
    assert!(matches!(event, Event::FormSubmission { .. }), "{event:?}");

    let response = http.post(&url).body("{\"id\":").send().await.unwrap();
    assert_eq!(response.status(), 400);
    let reason = response.text().await.unwrap();
    assert!(reason.contains("truncated JSON"), "{reason}");
    assert!(!reason.trim_end().contains('\n'), "{reason}");

    let oversized = vec![b' '; webhooks::DEFAULT_MAX_BODY + 1];
    let response = http.post(&url).body(oversized).send().await.unwrap();
    assert_eq!(response.status(), 400);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("1048576-byte limit"));

    assert!(
        received.try_recv().is_err(),
        "bad bodies never reach the closure"
    );
    server.abort();
}

#[tokio::test]
async fn a_smaller_limit_refuses_what_the_default_accepts() {
    let (url, server) = serve(webhooks::handler_with_limit(16, |_event: Event| async {})).await;
    let body = br#"{"id": "1", "event": "x", "payload": null}"#.to_vec();
    let response = reqwest::Client::new()
        .post(&url)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert!(response.text().await.unwrap().contains("16-byte limit"));
    server.abort();
}
