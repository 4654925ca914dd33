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

#[tokio::test]
async fn a_purchase_hook_for_one_offer_does_not_fire_for_another() {
    let sandbox = Sandbox::start().await.expect("start");
    let (access, _) = grant(&sandbox, &client()).await;
    let offers = call(&sandbox, &access, reqwest::Method::GET, "/v1/offers", None).await;
    let id = |i: usize| {
        offers["data"][i]["id"]
            .as_str()
            .expect("an offer id")
            .to_string()
    };
    let (offer_a, offer_b) = (id(0), id(1));
    assert_ne!(offer_a, offer_b);
    let contact = "1";
    let offers_of_contact = format!("/v1/contacts/{contact}/relationships/offers");
    // The contact starts without offers, so that each grant is a new purchase.
    call(
        &sandbox,
        &access,
        reqwest::Method::PATCH,
        &offers_of_contact,
        Some(json!({"data": []})),
    )
    .await;
    let resource_id: i64 = offer_a.parse().expect("numeric offer id");
    let hook = call(
        &sandbox,
        &access,
        reqwest::Method::POST,
        "/v1/hooks",
        Some(json!({"data": {"type": "hooks",
            "attributes": {"event": "purchase", "target_url": "https://example.com/offer-a",
                           "resource_id": resource_id},
            "relationships": {"site": {"data": {"id": "1", "type": "sites"}}}}})),
    )
    .await;
    let hook_id = hook["data"]["id"]
        .as_str()
        .expect("the hook's id")
        .to_string();

    let grant_offer = |offer: &str| json!({"data": [{"type": "offers", "id": offer}]});
    call(
        &sandbox,
        &access,
        reqwest::Method::POST,
        &offers_of_contact,
        Some(grant_offer(&offer_b)),
    )
    .await;
    // The seed's hooks are recorded too: only this hook's deliveries count.
    let of_hook = || -> Vec<Delivery> {
        sandbox
            .deliveries()
            .into_iter()
            .filter(|d| d.hook_id == hook_id)
            .collect()
    };
    assert_eq!(
        of_hook().len(),
        0,
        "a purchase of offer B fired offer A's hook"
    );

    call(
        &sandbox,
        &access,
        reqwest::Method::POST,
        &offers_of_contact,
        Some(grant_offer(&offer_a)),
    )
    .await;
    let deliveries = of_hook();
    assert_eq!(deliveries.len(), 1, "one purchase of offer A, one delivery");
    let delivery = &deliveries[0];
    assert_eq!(delivery.event, "purchase");
    assert_eq!(delivery.outcome, Outcome::SkippedNotLoopback);
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
    let sandbox = Sandbox::start().await.expect("start");
    let (access, _) = grant(&sandbox, &client()).await;
    let tags = call(
        &sandbox,
        &access,
        reqwest::Method::GET,
        "/v1/contact_tags",
        None,
    )
    .await;
    let id = |i: usize| {
        tags["data"][i]["id"]
            .as_str()
            .expect("a tag id")
            .to_string()
    };
    let (tag_a, tag_b) = (id(0), id(1));
    let contact = "1";
    let tags_of_contact = format!("/v1/contacts/{contact}/relationships/tags");
    // The contact starts without tags, so that each one given is an addition.
    call(
        &sandbox,
        &access,
        reqwest::Method::PATCH,
        &tags_of_contact,
        Some(json!({"data": []})),
    )
    .await;
    let resource_id: i64 = tag_a.parse().expect("numeric tag id");
    let hook = call(
        &sandbox,
        &access,
        reqwest::Method::POST,
        "/v1/hooks",
        Some(json!({"data": {"type": "hooks",
            "attributes": {"event": "tag_added", "target_url": "https://example.com/tag-a",
                           "resource_id": resource_id},
            "relationships": {"site": {"data": {"id": "1", "type": "sites"}}}}})),
    )
    .await;
    let hook_id = hook["data"]["id"]
        .as_str()
        .expect("the hook's id")
        .to_string();
    let add = |tag: &str| json!({"data": [{"type": "contact_tags", "id": tag}]});
    let of_hook = || -> Vec<Delivery> {
        sandbox
            .deliveries()
            .into_iter()
            .filter(|d| d.hook_id == hook_id)
            .collect()
    };
    call(
        &sandbox,
        &access,
        reqwest::Method::POST,
        &tags_of_contact,
        Some(add(&tag_b)),
    )
    .await;
    assert_eq!(of_hook().len(), 0, "tag B fired tag A's hook");
    call(
        &sandbox,
        &access,
        reqwest::Method::POST,
        &tags_of_contact,
        Some(add(&tag_a)),
    )
    .await;
    let deliveries = of_hook();
    assert_eq!(deliveries.len(), 1, "one tag A added, one delivery");
    assert_eq!(deliveries[0].event, "tag_added");
    assert_eq!(
        deliveries[0].body["id"],
        json!(contact),
        "{}",
        deliveries[0].body
    );
}
