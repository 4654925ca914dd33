//! A hook's `resource_id` over HTTP: a hook for one resource fires for that resource only.
//! Hooks target a non-loopback URL, which the sandbox records as skipped while it answers the
//! request that caused the event, so no receiver and no wait are needed.

mod common;

use common::{client, grant};
use kajabi_sandbox::{Delivery, Outcome, Sandbox};
use serde_json::{json, Value};

const JSON_API: &str = "application/vnd.api+json";

async fn call(
    sandbox: &Sandbox,
    access: &str,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let mut request = client()
        .request(method, format!("{}{path}", sandbox.base_url()))
        .bearer_auth(access);
    if let Some(body) = body {
        request = request
            .header("content-type", JSON_API)
            .body(body.to_string());
    }
    let response = request.send().await.expect("request");
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    let bytes = response.bytes().await.expect("body");
    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
}

/// A hook for `event` on the first item of `collection`, linking items of `collection` to
/// contact 1 through its `relationship`: linking the second item fires nothing, linking the
/// first fires one delivery, returned with the first item's id.
async fn one_delivery_for_the_hooks_resource_only(
    collection: &str,
    item_type: &str,
    relationship: &str,
    event: &str,
) -> (Delivery, String) {
    let sandbox = Sandbox::start().await.expect("start");
    let (access, _) = grant(&sandbox, &client()).await;
    let items = call(&sandbox, &access, reqwest::Method::GET, collection, None).await;
    let id = |i: usize| {
        items["data"][i]["id"]
            .as_str()
            .expect("an item id")
            .to_string()
    };
    let (first, second) = (id(0), id(1));
    assert_ne!(first, second);
    let linked = format!("/v1/contacts/1/relationships/{relationship}");
    // The contact starts with none linked, so that each link is a new event.
    call(
        &sandbox,
        &access,
        reqwest::Method::PATCH,
        &linked,
        Some(json!({"data": []})),
    )
    .await;
    let resource_id: i64 = first.parse().expect("a numeric id");
    let hook = call(
        &sandbox,
        &access,
        reqwest::Method::POST,
        "/v1/hooks",
        Some(json!({"data": {"type": "hooks",
            "attributes": {"event": event, "target_url": "https://example.com/first",
                           "resource_id": resource_id},
            "relationships": {"site": {"data": {"id": "1", "type": "sites"}}}}})),
    )
    .await;
    let hook_id = hook["data"]["id"]
        .as_str()
        .expect("the hook's id")
        .to_string();
    let link = |item: &str| {
        call(
            &sandbox,
            &access,
            reqwest::Method::POST,
            &linked,
            Some(json!({"data": [{"type": item_type, "id": item}]})),
        )
    };
    // The seed's hooks are recorded too: only this hook's deliveries count.
    let of_hook = || -> Vec<Delivery> {
        sandbox
            .deliveries()
            .into_iter()
            .filter(|d| d.hook_id == hook_id)
            .collect()
    };
    link(&second).await;
    assert_eq!(
        of_hook().len(),
        0,
        "{event} of {second} fired {first}'s hook"
    );
    link(&first).await;
    let mut deliveries = of_hook();
    assert_eq!(deliveries.len(), 1, "one {event} of {first}, one delivery");
    let delivery = deliveries.remove(0);
    assert_eq!(delivery.event, event);
    assert_eq!(delivery.outcome, Outcome::SkippedNotLoopback);
    (delivery, first)
}

#[tokio::test]
async fn a_purchase_hook_for_one_offer_does_not_fire_for_another() {
    let (delivery, offer_a) =
        one_delivery_for_the_hooks_resource_only("/v1/offers", "offers", "offers", "purchase")
            .await;
    let payload = delivery.body["payload"].as_array().expect("a payload list");
    assert!(
        payload
            .iter()
            .any(|item| item["type"] == "offers" && item["id"] == json!(offer_a)),
        "{}",
        delivery.body
    );
}

#[tokio::test]
async fn a_tag_added_hook_for_one_tag_fires_for_that_tag_only() {
    let (delivery, _) = one_delivery_for_the_hooks_resource_only(
        "/v1/contact_tags",
        "contact_tags",
        "tags",
        "tag_added",
    )
    .await;
    // The envelope's id is the contact's.
    assert_eq!(delivery.body["id"], json!("1"), "{}", delivery.body);
}
