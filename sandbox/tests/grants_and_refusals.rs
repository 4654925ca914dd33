//! Behaviour that mutation testing found unchecked: an offer granted to a contact without a
//! customer creates the customer (and only a grant does), a contact and its customer hold the
//! same offers, and a refusal of the whole body says "the body".

mod common;

use common::{client, grant};
use kajabi_sandbox::Sandbox;
use serde_json::{json, Value};

const JSON_API: &str = "application/vnd.api+json";

/// A started sandbox and a token for it.
struct Session {
    sandbox: Sandbox,
    access: String,
}

impl Session {
    async fn new() -> Session {
        let sandbox = Sandbox::start().await.expect("start");
        let (access, _) = grant(&sandbox, &client()).await;
        Session { sandbox, access }
    }

    /// Sends `body` (none for `Value::Null`); the status and the JSON answer (`Null` if empty).
    async fn call(&self, method: reqwest::Method, path: &str, body: &Value) -> (u16, Value) {
        let mut request = client()
            .request(method, format!("{}{path}", self.sandbox.base_url()))
            .bearer_auth(&self.access);
        if !body.is_null() {
            request = request
                .header("content-type", JSON_API)
                .body(body.to_string());
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        let bytes = response.bytes().await.expect("body");
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    async fn get(&self, path: &str) -> Value {
        let (status, body) = self.call(reqwest::Method::GET, path, &Value::Null).await;
        assert_eq!(status, 200, "{path}: {body}");
        body
    }

    /// A new contact, which has no customer yet.
    async fn new_contact(&self, name: &str, email: &str) -> String {
        let create = json!({"data": {"type": "contacts",
            "attributes": {"name": name, "email": email},
            "relationships": {"site": {"data": {"id": "1", "type": "sites"}}}}});
        let (status, body) = self
            .call(reqwest::Method::POST, "/v1/contacts", &create)
            .await;
        assert_eq!(status, 201, "{body}");
        let contact = &body["data"];
        assert!(
            contact["relationships"].get("customer").is_none(),
            "{contact}"
        );
        contact["id"].as_str().expect("an id").to_string()
    }

    /// Grants (POST) or takes (DELETE) one offer through a relationship route.
    async fn offers(&self, method: reqwest::Method, path: &str, offer: &str) {
        let body = json!({"data": [{"type": "offers", "id": offer}]});
        let (status, answer) = self.call(method, path, &body).await;
        assert!((200..300).contains(&status), "{path}: {status}: {answer}");
    }

    /// Grants (POST) or takes (DELETE) one offer of a contact.
    async fn contact_offers(&self, method: reqwest::Method, contact: &str, offer: &str) {
        let path = format!("/v1/contacts/{contact}/relationships/offers");
        self.offers(method, &path, offer).await;
    }

    /// The id of the contact's customer, if it has one.
    async fn customer_of(&self, contact: &str) -> Option<String> {
        let read = self.get(&format!("/v1/contacts/{contact}")).await;
        read["data"]["relationships"]
            .get("customer")
            .map(|customer| customer["data"]["id"].as_str().expect("an id").to_string())
    }

    async fn customer_count(&self) -> u64 {
        self.get("/v1/customers").await["meta"]["total_count"]
            .as_u64()
            .expect("a total count")
    }

    async fn first_offer(&self) -> String {
        self.get("/v1/offers").await["data"][0]["id"]
            .as_str()
            .expect("an offer id")
            .to_string()
    }
}

fn offer_ids(item: &Value) -> Vec<&str> {
    item["relationships"]["offers"]["data"]
        .as_array()
        .expect("offers")
        .iter()
        .filter_map(|o| o["id"].as_str())
        .collect()
}

#[tokio::test]
async fn granting_an_offer_to_a_contact_without_a_customer_creates_one_holding_it() {
    let session = Session::new().await;
    let contact = session
        .new_contact("Grace Hopper", "grace@example.com")
        .await;
    let offer = session.first_offer().await;
    let customers = session.customer_count().await;

    session
        .contact_offers(reqwest::Method::POST, &contact, &offer)
        .await;

    assert_eq!(session.customer_count().await, customers + 1);
    let customer = session
        .customer_of(&contact)
        .await
        .expect("the contact now has a customer");
    let read = session.get(&format!("/v1/contacts/{contact}")).await;
    assert_eq!(offer_ids(&read["data"]), [offer.as_str()]);
    let customer = session.get(&format!("/v1/customers/{customer}")).await;
    let customer = &customer["data"];
    assert_eq!(customer["attributes"]["name"], "Grace Hopper");
    assert_eq!(customer["attributes"]["email"], "grace@example.com");
    assert_eq!(
        customer["relationships"]["contact"]["data"]["id"],
        json!(contact)
    );
    assert_eq!(offer_ids(customer), [offer.as_str()]);
}

#[tokio::test]
async fn each_grant_records_a_purchase_of_the_offer_by_the_customer() {
    let session = Session::new().await;
    let contact = session
        .new_contact("Edsger Dijkstra", "ewd@example.com")
        .await;
    // Not the first offer: the purchase template's own offer is one of the seed's.
    let offers = session.get("/v1/offers").await;
    let offer = offers["data"][2]["id"]
        .as_str()
        .expect("an offer id")
        .to_string();
    session
        .contact_offers(reqwest::Method::POST, &contact, &offer)
        .await;
    let customer = session.customer_of(&contact).await.expect("a customer");

    let newest = session.get("/v1/purchases?sort=-id&page[size]=1").await;
    let purchase = &newest["data"][0];
    let relationships = purchase["relationships"]
        .as_object()
        .expect("relationships");
    assert_eq!(
        relationships["offer"]["data"],
        json!({"id": offer, "type": "offers"}),
        "{purchase}"
    );
    assert_eq!(
        relationships["customer"]["data"]["id"],
        json!(customer),
        "{purchase}"
    );
    // The template's other to-many relationships start empty, not with the seed's items.
    for (name, relationship) in relationships {
        if let Some(items) = relationship["data"].as_array() {
            assert!(items.is_empty(), "{name}: {relationship}");
        }
    }
}

#[tokio::test]
async fn taking_an_offer_from_a_contact_without_a_customer_creates_none() {
    let session = Session::new().await;
    let contact = session.new_contact("Alan Turing", "alan@example.com").await;
    let offer = session.first_offer().await;
    let customers = session.customer_count().await;

    session
        .contact_offers(reqwest::Method::DELETE, &contact, &offer)
        .await;

    assert_eq!(session.customer_count().await, customers);
    assert_eq!(session.customer_of(&contact).await, None);
}

#[tokio::test]
async fn a_contact_and_its_customer_hold_the_same_offers_whichever_side_changes() {
    let session = Session::new().await;
    let contact = session.new_contact("Ada Lovelace", "ada@example.com").await;
    let offers = session.get("/v1/offers").await;
    let offer = |i: usize| offers["data"][i]["id"].as_str().expect("an offer id");
    let (a, b) = (offer(0), offer(1));
    session
        .contact_offers(reqwest::Method::POST, &contact, a)
        .await;
    let customer = session
        .customer_of(&contact)
        .await
        .expect("the first grant made a customer");
    let both = || async {
        let contact = session.get(&format!("/v1/contacts/{contact}")).await;
        let customer = session.get(&format!("/v1/customers/{customer}")).await;
        let ids = |item: &Value| {
            let mut ids: Vec<String> = offer_ids(&item["data"])
                .into_iter()
                .map(str::to_string)
                .collect();
            ids.sort();
            ids
        };
        (ids(&contact), ids(&customer))
    };
    let sorted = |ids: &[&str]| {
        let mut ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        ids.sort();
        ids
    };

    // Granted to the customer: the contact holds it too; granting again adds nothing.
    let of_customer = format!("/v1/customers/{customer}/relationships/offers");
    session.offers(reqwest::Method::POST, &of_customer, b).await;
    session.offers(reqwest::Method::POST, &of_customer, b).await;
    assert_eq!(both().await, (sorted(&[a, b]), sorted(&[a, b])));

    // Taken from the contact: the customer loses it too, and keeps the other.
    session
        .contact_offers(reqwest::Method::DELETE, &contact, a)
        .await;
    assert_eq!(both().await, (sorted(&[b]), sorted(&[b])));
}

#[tokio::test]
async fn a_refusal_names_the_body_or_the_member_that_does_not_fit() {
    let session = Session::new().await;
    // The whole document is wrong: the detail says "the body".
    let (status, body) = session
        .call(reqwest::Method::POST, "/v1/contacts", &json!([1, 2]))
        .await;
    assert!(matches!(status, 400 | 422), "{status}: {body}");
    let detail = body["errors"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.starts_with("the body "), "{detail}");
    // One member is wrong: the detail starts with its JSON pointer.
    let (status, body) = session
        .call(reqwest::Method::POST, "/v1/contacts", &json!({"data": 1}))
        .await;
    assert!(matches!(status, 400 | 422), "{status}: {body}");
    let detail = body["errors"][0]["detail"].as_str().unwrap_or_default();
    assert!(detail.starts_with("/data "), "{detail}");
}
