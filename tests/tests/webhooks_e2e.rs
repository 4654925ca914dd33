//! Webhooks end to end: the SDK registers hooks on the sandbox pointing at a loopback
//! receiver (bound on port 0 and kept bound), changes state through the SDK, and the receiver
//! gets the typed event; the events no API causes come from the sandbox's trigger. The event
//! list and the `_sample` schemas every delivered payload must satisfy are read from the spec
//! at test time. Waits are on channels and on the sandbox's delivery record, with a generous
//! timeout, never on a sleep.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use kajabi_api::resources::{ContactId, ContactTagId, NewHook, OfferId};
use kajabi_api::webhooks::Event;
use kajabi_api::Client;
use kajabi_sandbox::{Delivery, Outcome, Sandbox, ATTEMPTS};
use serde_json::{json, Map, Value};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

const WAIT: Duration = Duration::from_secs(30);

fn spec() -> Value {
    kajabi_spec::load(include_str!("../../openapi.yaml")).expect("the spec loads")
}

/// Every event the spec has a sample for: `GET /v1/hooks/<event>_sample`.
fn spec_events(doc: &Value) -> Vec<String> {
    let paths = doc["paths"].as_object().expect("paths");
    paths
        .keys()
        .filter_map(|p| p.strip_prefix("/v1/hooks/")?.strip_suffix("_sample"))
        .map(str::to_string)
        .collect()
}

/// The response schema of `GET /v1/hooks/<event>_sample`.
fn sample_schema<'a>(doc: &'a Value, event: &str) -> &'a Value {
    let content =
        &doc["paths"][format!("/v1/hooks/{event}_sample")]["get"]["responses"]["200"]["content"];
    let media = content.as_object().and_then(|c| c.values().next());
    &media.unwrap_or_else(|| panic!("{event}: the sample has content"))["schema"]
}

/// A loopback receiver: the SDK's axum handler on `/hooks/{event}`, every typed event sent
/// to the channel.
struct Receiver {
    base: String,
    events: mpsc::UnboundedReceiver<Event>,
}

async fn serve(router: axum::Router) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}")
}

async fn receiver() -> Receiver {
    let (tx, events) = mpsc::unbounded_channel();
    let handler = kajabi_api::webhooks::handler(move |event| {
        let tx = tx.clone();
        async move {
            let _ = tx.send(event);
        }
    });
    let base = serve(axum::Router::new().route("/hooks/{event}", handler)).await;
    Receiver { base, events }
}

impl Receiver {
    async fn next(&mut self) -> Event {
        tokio::time::timeout(WAIT, self.events.recv())
            .await
            .expect("an event arrives within 30 s")
            .expect("the receiver is running")
    }
}

/// A sandbox with no hooks (the seeded ones are deleted) and a client for it.
async fn start() -> (Sandbox, Client) {
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()
        .expect("client");
    for hook in client.hooks().list().page_size(100).send().await.unwrap() {
        client.hooks().delete(&hook.id).await.unwrap();
    }
    (sandbox, client)
}

async fn register(client: &Client, event: &str, target_url: &str, resource: Option<i64>) -> String {
    let site = client
        .sites()
        .list()
        .page_size(1)
        .send()
        .await
        .unwrap()
        .remove(0);
    let mut new = NewHook::new(event, target_url, site.id);
    if let Some(resource) = resource {
        new = new.resource_id(resource);
    }
    let hook = client.hooks().create(new).await.expect("hook created");
    // Without a resource_id the hook is for every resource: none is invented.
    assert_eq!(hook.resource_id, resource, "{event}: resource_id as sent");
    hook.id.as_str().to_string()
}

struct Ids {
    contact: ContactId,
    tag: ContactTagId,
    offer: OfferId,
    form: String,
}

async fn ids(client: &Client) -> Ids {
    let contacts = client.contacts().list().send().await.unwrap();
    let tags = client.contact_tags().list().send().await.unwrap();
    let offers = client.offers().list().send().await.unwrap();
    let forms = client.forms().list().send().await.unwrap();
    // The contact starts without tags and offers, so that adding one is a change.
    let contact = &contacts[0].id;
    client.contacts().replace_tags(contact, &[]).await.unwrap();
    client
        .contacts()
        .replace_offers(contact, &[])
        .await
        .unwrap();
    Ids {
        contact: contacts[0].id.clone(),
        tag: tags[0].id.clone(),
        offer: offers[0].id.clone(),
        form: forms[0].id.as_str().to_string(),
    }
}

/// Makes `event` happen through the SDK where a state change causes it, else by the trigger.
async fn cause(sandbox: &Sandbox, client: &Client, ids: &Ids, event: &str) {
    let contacts = client.contacts();
    match event {
        "tag_added" => contacts
            .add_tags(&ids.contact, std::slice::from_ref(&ids.tag))
            .await
            .unwrap(),
        "tag_removed" => contacts
            .remove_tags(&ids.contact, std::slice::from_ref(&ids.tag))
            .await
            .unwrap(),
        "purchase" => contacts
            .grant_offers(&ids.contact, std::slice::from_ref(&ids.offer))
            .await
            .unwrap(),
        "form_submission" => {
            let mut params = Map::new();
            params.insert("id".into(), json!(ids.form));
            let body = json!({"data": {"type": "form_submissions",
                "attributes": {"name": "Ada Lovelace", "email": "ada@example.com"}}});
            client
                .call_operation("submit_form", &params, Some(body))
                .await
                .unwrap();
        }
        other => {
            assert_eq!(sandbox.trigger(other), Ok(1), "{other}: one hook reached");
        }
    }
}

async fn recorded(sandbox: &Sandbox, count: usize) -> Vec<Delivery> {
    tokio::time::timeout(WAIT, sandbox.wait_for_deliveries(count))
        .await
        .expect("the deliveries are recorded within 30 s")
}

#[tokio::test]
async fn every_event_reaches_the_receiver_typed_and_valid_for_its_sample() {
    let doc = spec();
    let mut events = spec_events(&doc);
    // `tag_added` before `tag_removed`: the tag removed is the one added.
    events.sort();
    assert_eq!(events.len(), kajabi_api::webhooks::EVENTS.len());
    let (sandbox, client) = start().await;
    let ids = ids(&client).await;
    let mut receiver = receiver().await;
    for event in &events {
        let url = format!("{}/hooks/{event}", receiver.base);
        register(&client, event, &url, None).await;
    }
    for event in &events {
        cause(&sandbox, &client, &ids, event).await;
        let received = receiver.next().await;
        assert_eq!(received.name(), event, "the receiver got {event}");
        assert!(
            !matches!(received, Event::Unknown { .. }),
            "{event} is typed"
        );
        if event.starts_with("tag_") {
            assert_eq!(
                received.id(),
                ids.contact.as_str(),
                "the contact triggered it"
            );
        }
    }
    let deliveries = recorded(&sandbox, events.len()).await;
    assert_eq!(deliveries.len(), events.len());
    for (event, delivery) in events.iter().zip(&deliveries) {
        // Recorded in the order they happened: each was received before the next was caused.
        assert_eq!(&delivery.event, event);
        assert_eq!(delivery.outcome, Outcome::Delivered { status: 204 });
        assert_eq!(delivery.attempts, 1);
        assert_eq!(delivery.body["event"], json!(event));
        assert!(
            delivery.body["id"].is_string(),
            "{event}: the id is a string"
        );
        let payload = &delivery.body["payload"];
        assert!(
            payload.as_array().is_some_and(|p| !p.is_empty()),
            "{event}: {payload}"
        );
        if let Some(v) = kajabi_spec::violation(&doc, payload, sample_schema(&doc, event)) {
            panic!("{event}: the payload breaks the sample schema: {v}\n{payload:#}");
        }
        // Every live delivery parses into its typed variant.
        let parsed = Event::parse(delivery.body.to_string().as_bytes()).expect("parses");
        assert_eq!(parsed.name(), event);
        assert!(!matches!(parsed, Event::Unknown { .. }));
    }
    // The payload is the sandbox's state: the tag event carries the contact and the tag.
    let tag_added = &deliveries[events.iter().position(|e| e == "tag_added").unwrap()];
    let types: Vec<&str> = tag_added.body["payload"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["type"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(types, ["contacts", "contact_tags"]);
    assert_eq!(
        tag_added.body["payload"][0]["id"],
        json!(ids.contact.as_str())
    );
    assert_eq!(tag_added.body["payload"][1]["id"], json!(ids.tag.as_str()));
}

#[tokio::test]
async fn a_hook_with_a_resource_id_fires_for_that_resource_only_and_non_loopback_is_skipped() {
    let (sandbox, client) = start().await;
    let ids = ids(&client).await;
    let tags = client.contact_tags().list().send().await.unwrap();
    let (tag_a, tag_b) = (tags[0].id.clone(), tags[1].id.clone());
    let numeric: i64 = tag_a.as_str().parse().expect("numeric tag id");
    // Not loopback: recorded as skipped while the request is answered, so no wait is needed.
    let hook = register(
        &client,
        "tag_added",
        "https://example.com/hooks/a",
        Some(numeric),
    )
    .await;
    client
        .contacts()
        .add_tags(&ids.contact, &[tag_b])
        .await
        .unwrap();
    assert_eq!(sandbox.deliveries(), [], "tag B does not fire tag A's hook");
    client
        .contacts()
        .add_tags(&ids.contact, std::slice::from_ref(&tag_a))
        .await
        .unwrap();
    let deliveries = sandbox.deliveries();
    assert_eq!(deliveries.len(), 1, "{deliveries:?}");
    assert_eq!(deliveries[0].hook_id, hook);
    assert_eq!(deliveries[0].target_url, "https://example.com/hooks/a");
    assert_eq!(deliveries[0].outcome, Outcome::SkippedNotLoopback);
    assert_eq!(deliveries[0].attempts, 0);
    assert_eq!(
        deliveries[0].body["payload"][1]["id"],
        json!(tag_a.as_str())
    );
}

#[tokio::test]
async fn a_failing_receiver_gets_bounded_retries_and_a_failed_record() {
    let (sandbox, client) = start().await;
    let hits = Arc::new(std::sync::Mutex::new(Vec::new()));
    let counter = Arc::clone(&hits);
    let router = axum::Router::new().route(
        "/fail",
        axum::routing::post(move || {
            counter.lock().unwrap().push(std::time::Instant::now());
            async { axum::http::StatusCode::INTERNAL_SERVER_ERROR }
        }),
    );
    let base = serve(router).await;
    register(&client, "order_created", &format!("{base}/fail"), None).await;
    assert_eq!(sandbox.trigger("order_created"), Ok(1));
    let deliveries = recorded(&sandbox, 1).await;
    assert_eq!(deliveries[0].attempts, ATTEMPTS);
    assert!(
        matches!(
            deliveries[0].outcome,
            Outcome::Failed {
                status: Some(500),
                ..
            }
        ),
        "{:?}",
        deliveries[0].outcome
    );
    let hits = hits.lock().unwrap().clone();
    assert_eq!(hits.len(), ATTEMPTS as usize);
    // The pause doubles: 100 ms before the second attempt, 200 ms before the third. Lower
    // bounds only (a sleep never ends early), so a slow machine cannot fail them.
    assert!(hits[1] - hits[0] >= Duration::from_millis(100), "{hits:?}");
    assert!(hits[2] - hits[1] >= Duration::from_millis(200), "{hits:?}");
    let unknown = sandbox.trigger("no_such_event").unwrap_err();
    assert!(
        unknown.known.iter().any(|e| e == "order_created"),
        "{unknown}"
    );
}

/// A receiver's redirect is an answer, not a place to deliver to: the sandbox could be sent
/// off loopback by one.
#[tokio::test]
async fn a_redirecting_receiver_is_not_followed() {
    let (sandbox, client) = start().await;
    let followed = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&followed);
    let router = axum::Router::new()
        .route(
            "/moved",
            axum::routing::post(|| async {
                (
                    axum::http::StatusCode::TEMPORARY_REDIRECT,
                    [(axum::http::header::LOCATION, "/here")],
                )
            }),
        )
        .route(
            "/here",
            axum::routing::post(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async { axum::http::StatusCode::NO_CONTENT }
            }),
        );
    let base = serve(router).await;
    register(&client, "order_created", &format!("{base}/moved"), None).await;
    assert_eq!(sandbox.trigger("order_created"), Ok(1));
    let deliveries = recorded(&sandbox, 1).await;
    assert!(
        matches!(
            deliveries[0].outcome,
            Outcome::Failed {
                status: Some(307),
                ..
            }
        ),
        "{:?}",
        deliveries[0].outcome
    );
    assert_eq!(followed.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_api_answers_before_the_delivery_is_made() {
    let (sandbox, client) = start().await;
    let ids = ids(&client).await;
    // The receiver holds every delivery until the test has its API answer.
    let (release, gate) = tokio::sync::watch::channel(false);
    let router = axum::Router::new().route(
        "/slow",
        axum::routing::post(move || {
            let mut gate = gate.clone();
            async move {
                let _ = gate.wait_for(|open| *open).await;
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let base = serve(router).await;
    register(&client, "tag_added", &format!("{base}/slow"), None).await;
    client
        .contacts()
        .add_tags(&ids.contact, std::slice::from_ref(&ids.tag))
        .await
        .unwrap();
    // Had the answer waited for the delivery, the delivery would have timed out by now.
    release.send(true).unwrap();
    let deliveries = recorded(&sandbox, 1).await;
    assert_eq!(deliveries[0].outcome, Outcome::Delivered { status: 204 });
    assert_eq!(deliveries[0].attempts, 1);
}

#[tokio::test]
async fn the_trigger_and_the_record_are_served_outside_v1() {
    let (sandbox, client) = start().await;
    let mut receiver = receiver().await;
    let url = format!("{}/hooks/payment_succeeded", receiver.base);
    register(&client, "payment_succeeded", &url, None).await;
    let http = reqwest::Client::new();
    let base = sandbox.base_url();
    let answer = http
        .post(format!(
            "{base}/_sandbox/webhooks/trigger/payment_succeeded"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 202);
    let body: Value = answer.json().await.unwrap();
    assert_eq!(
        body,
        json!({"event": "payment_succeeded", "deliveries": 1, "delivery_ids": [1]})
    );
    assert!(matches!(
        receiver.next().await,
        Event::PaymentSucceeded { .. }
    ));
    recorded(&sandbox, 1).await;
    let record: Value = http
        .get(format!("{base}/_sandbox/webhooks/deliveries"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(record[0]["event"], "payment_succeeded");
    assert_eq!(
        record[0]["outcome"],
        json!({"result": "delivered", "status": 204})
    );
    assert_eq!(record[0]["attempts"], 1);
    let unknown = http
        .post(format!("{base}/_sandbox/webhooks/trigger/nope"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let body: Value = unknown.json().await.unwrap();
    assert!(body["events"]
        .as_array()
        .is_some_and(|e| e.contains(&json!("tag_added"))));
}

#[tokio::test]
async fn a_delivery_reads_pending_until_it_ends_and_its_route_can_wait_for_the_end() {
    let (sandbox, client) = start().await;
    let http = reqwest::Client::new();
    let base = sandbox.base_url();
    let info: Value = http
        .get(format!("{base}/_sandbox/info"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["sandbox"], "kajabi-sandbox");
    // The receiver holds the delivery until the test has seen it pending.
    let (release, gate) = tokio::sync::watch::channel(false);
    let router = axum::Router::new().route(
        "/held",
        axum::routing::post(move || {
            let mut gate = gate.clone();
            async move {
                let _ = gate.wait_for(|open| *open).await;
                axum::http::StatusCode::NO_CONTENT
            }
        }),
    );
    let receiver = serve(router).await;
    let hook = register(&client, "order_created", &format!("{receiver}/held"), None).await;
    let fired: Value = http
        .post(format!("{base}/_sandbox/webhooks/trigger/order_created"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let id = fired["delivery_ids"][0].as_u64().expect("a delivery id");
    let route = format!("{base}/_sandbox/webhooks/deliveries/{id}");
    let pending: Value = http.get(&route).send().await.unwrap().json().await.unwrap();
    assert_eq!(pending["id"], id);
    assert_eq!(pending["hook_id"], hook.as_str());
    assert_eq!(pending["outcome"], json!({"result": "pending"}));
    release.send(true).unwrap();
    let ended: Value = http
        .get(format!("{route}?wait=30"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ended["outcome"],
        json!({"result": "delivered", "status": 204})
    );
    assert_eq!(ended["attempts"], 1);

    let unknown = http
        .get(format!("{base}/_sandbox/webhooks/deliveries/999"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let bad_wait = http.get(format!("{route}?wait=soon")).send().await.unwrap();
    assert_eq!(bad_wait.status(), 400);
    let huge_wait = http
        .get(format!("{route}?wait=1e300"))
        .send()
        .await
        .unwrap();
    assert_eq!(huge_wait.status(), 200, "an ended delivery answers at once");
}
