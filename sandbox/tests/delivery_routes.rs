//! The sandbox's own routes for tools: `GET /_sandbox/info`, the delivery ids the trigger
//! answers, and `GET /_sandbox/webhooks/deliveries/{id}[?wait=SECS]`, pending until the
//! delivery ends, then delivered or failed with the cause. A receiver holds its delivery on a
//! gate the test opens, so "pending" is observed without racing the clock; the refusing
//! target is 127.0.0.1:9, checked to refuse first.

mod common;

use common::{client, grant};
use kajabi_sandbox::{Sandbox, ATTEMPTS};
use serde_json::{json, Value};

async fn get(url: &str) -> (u16, Value) {
    let response = client().get(url).send().await.expect("request");
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn hook(sandbox: &Sandbox, access: &str, event: &str, target_url: &str) -> String {
    let body = json!({"data": {"type": "hooks",
        "attributes": {"event": event, "target_url": target_url},
        "relationships": {"site": {"data": {"id": "1", "type": "sites"}}}}});
    let created: Value = client()
        .post(format!("{}/v1/hooks", sandbox.base_url()))
        .bearer_auth(access)
        .header("content-type", "application/vnd.api+json")
        .body(body.to_string())
        .send()
        .await
        .expect("create hook")
        .json()
        .await
        .expect("JSON");
    created["data"]["id"].as_str().expect("an id").to_string()
}

#[tokio::test]
async fn info_says_sandbox_and_changes_nothing() {
    let sandbox = Sandbox::start().await.expect("start");
    let base = sandbox.base_url();
    let (status, info) = get(&format!("{base}/_sandbox/info")).await;
    assert_eq!(status, 200);
    assert_eq!(
        info,
        json!({"sandbox": "kajabi-sandbox", "version": env!("CARGO_PKG_VERSION")})
    );
    let posted = client()
        .post(format!("{base}/_sandbox/info"))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 405);
    assert!(sandbox.deliveries().is_empty());
}

#[tokio::test]
async fn each_triggered_delivery_reads_pending_then_its_outcome() {
    let refused = std::net::TcpStream::connect("127.0.0.1:9").expect_err("port 9 is closed");
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    let sandbox = Sandbox::start().await.expect("start");
    let base = sandbox.base_url().to_string();
    let (access, _) = grant(&sandbox, &client()).await;
    let (release, gate) = tokio::sync::watch::channel(false);
    let router = axum::Router::new().route(
        "/held",
        axum::routing::post(move || {
            let mut gate = gate.clone();
            async move {
                let _ = gate.wait_for(|open| *open).await;
                axum::http::StatusCode::ACCEPTED
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let receiver = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let held = hook(
        &sandbox,
        &access,
        "order_created",
        &format!("http://{receiver}/held"),
    )
    .await;
    let closed = hook(&sandbox, &access, "order_created", "http://127.0.0.1:9/x").await;

    let fired: Value = client()
        .post(format!("{base}/_sandbox/webhooks/trigger/order_created"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ids: Vec<u64> = fired["delivery_ids"]
        .as_array()
        .expect("delivery ids")
        .iter()
        .map(|id| id.as_u64().expect("a number"))
        .collect();
    assert_eq!(fired["deliveries"], json!(ids.len()));
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), ids.len(), "{ids:?}");
    // The seeded hooks may be reached too: ours are found by hook id.
    let mut by_hook = std::collections::HashMap::new();
    for id in &ids {
        let (status, record) = get(&format!("{base}/_sandbox/webhooks/deliveries/{id}")).await;
        assert_eq!(status, 200);
        assert_eq!(record["id"], json!(id));
        by_hook.insert(record["hook_id"].as_str().unwrap().to_string(), record);
    }
    let held_record = &by_hook[&held];
    assert_eq!(held_record["outcome"], json!({"result": "pending"}));
    assert_eq!(held_record["event"], "order_created");
    assert_eq!(held_record["body"]["event"], "order_created");
    let closed_id = &by_hook[&closed]["id"];

    let (_, failed) = get(&format!(
        "{base}/_sandbox/webhooks/deliveries/{closed_id}?wait=30"
    ))
    .await;
    assert_eq!(failed["outcome"]["result"], "failed", "{failed}");
    assert_eq!(failed["outcome"]["status"], Value::Null);
    let reason = failed["outcome"]["reason"].as_str().unwrap();
    assert!(reason.contains("refused"), "{reason}");
    assert_eq!(failed["attempts"], json!(ATTEMPTS));
    // Waiting does not end a delivery: the held one is still pending after a short wait.
    let held_id = &held_record["id"];
    let (_, still) = get(&format!(
        "{base}/_sandbox/webhooks/deliveries/{held_id}?wait=0.05"
    ))
    .await;
    assert_eq!(still["outcome"], json!({"result": "pending"}));

    release.send(true).unwrap();
    let (_, delivered) = get(&format!(
        "{base}/_sandbox/webhooks/deliveries/{held_id}?wait=30"
    ))
    .await;
    assert_eq!(
        delivered["outcome"],
        json!({"result": "delivered", "status": 202})
    );
    assert_eq!(delivered["attempts"], 1);
    let recorded = sandbox
        .deliveries()
        .into_iter()
        .find(|d| d.hook_id == held)
        .expect("recorded");
    assert_eq!(json!(recorded.id), *held_id);
    // A later record does not push out an earlier one.
    let hooks: Vec<String> = sandbox
        .deliveries()
        .into_iter()
        .map(|d| d.hook_id)
        .collect();
    assert!(hooks.contains(&closed), "{hooks:?}");
    // From Rust, the same event reaches the same hooks: as many deliveries as over HTTP.
    let before = sandbox.deliveries().len();
    assert_eq!(sandbox.trigger("order_created"), Ok(ids.len()));
    // Waiting for them returns once they have all ended (the refused one after its retries).
    let all = tokio::time::timeout(
        std::time::Duration::from_secs(20),
        sandbox.wait_for_deliveries(before + ids.len()),
    )
    .await
    .expect("the deliveries end");
    assert_eq!(all.len(), before + ids.len());
    let unknown = sandbox.trigger("order_creatd").unwrap_err().to_string();
    assert!(
        unknown.starts_with("unknown webhook event \"order_creatd\"; the spec lists ")
            && unknown.contains("order_created"),
        "{unknown}"
    );
}

#[tokio::test]
async fn a_bad_delivery_request_gets_a_clear_status() {
    let sandbox = Sandbox::start().await.expect("start");
    let base = sandbox.base_url();
    for (path, expected) in [
        ("/_sandbox/webhooks/deliveries/999", 404),
        ("/_sandbox/webhooks/deliveries/abc", 404),
        ("/_sandbox/webhooks/deliveries/1?wait=soon", 400),
        ("/_sandbox/webhooks/deliveries/1?wait=-1", 400),
        ("/_sandbox/webhooks/deliveries/1?wait=NaN", 400),
    ] {
        let (status, body) = get(&format!("{base}{path}")).await;
        assert_eq!(status, expected, "{path}: {body}");
        assert!(body["error"].is_string(), "{path}: {body}");
    }
    let posted = client()
        .post(format!("{base}/_sandbox/webhooks/deliveries/1"))
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 405);
    assert_eq!(posted.headers()["allow"], "GET");
}

/// The sandbox's own routes answer another method with 405 and the one they take, and a GET
/// of the trigger fires nothing.
#[tokio::test]
async fn the_sandbox_routes_refuse_other_methods() {
    let sandbox = Sandbox::start().await.expect("start");
    let base = sandbox.base_url();
    for (method, path, allow) in [
        ("GET", "/_sandbox/webhooks/trigger/order_created", "POST"),
        ("POST", "/_sandbox/webhooks/deliveries", "GET"),
        ("DELETE", "/_sandbox/info", "GET"),
    ] {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let response = client()
            .request(method.clone(), format!("{base}{path}"))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 405, "{method} {path}");
        assert_eq!(response.headers()["allow"], allow, "{method} {path}");
    }
    let (status, record) = get(&format!("{base}/_sandbox/webhooks/deliveries")).await;
    assert_eq!((status, record), (200, json!([])));
    assert!(sandbox.deliveries().is_empty());
}

/// The first item of the list at `path`.
async fn first(base: &str, access: &str, path: &str) -> Value {
    let list: Value = client()
        .get(format!("{base}{path}"))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    list["data"][0].clone()
}

/// A triggered event's payload is made of the first stored resource of each type its sample
/// has, and the delivery's `id` is the first one's.
#[tokio::test]
async fn a_triggered_event_carries_the_first_stored_resources() {
    let sandbox = Sandbox::start().await.expect("start");
    let base = sandbox.base_url();
    let (access, _) = grant(&sandbox, &client()).await;
    hook(&sandbox, &access, "tag_added", "https://example.com/hooks").await;
    let contact = first(&base, &access, "/v1/contacts").await;
    let tag = first(&base, &access, "/v1/contact_tags").await;
    sandbox.trigger("tag_added").expect("a known event");
    let delivery = sandbox
        .deliveries()
        .into_iter()
        .find(|d| d.event == "tag_added")
        .expect("recorded");
    assert_eq!(delivery.body["id"], contact["id"], "{}", delivery.body);
    let payload = delivery.body["payload"].as_array().expect("an array");
    for stored in [&contact, &tag] {
        let item = payload
            .iter()
            .find(|item| item["type"] == stored["type"])
            .unwrap_or_else(|| panic!("no {} in {payload:?}", stored["type"]));
        // The stored resource, not the spec's example of one.
        assert_eq!(item["id"], stored["id"]);
        assert_eq!(item["attributes"], stored["attributes"]);
    }
}
