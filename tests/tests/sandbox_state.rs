//! The sandbox as a stateful Kajabi, driven through the SDK (`Client::call_operation`, the
//! code path of the typed methods): for every writable kind the spec has (a collection with a
//! create operation), create one, read it, find it in the list with the right
//! `meta.total_count`, update it, relate it and delete it, and see 404 after. The operations
//! are found in the spec at test time.

use kajabi_api::{ApiError, Client, RetryPolicy};
use kajabi_sandbox::{Sandbox, SEED_SIZE};
use kajabi_spec::Operation;
use serde_json::{json, Map, Value};

const SPEC: &str = include_str!("../../openapi.yaml");
const CREATED: &str = "created through the SDK";
const UPDATED: &str = "updated through the SDK";

struct Spec {
    document: Value,
    operations: Vec<Operation>,
}

impl Spec {
    fn load() -> Spec {
        let document = kajabi_spec::load(SPEC).expect("spec");
        let operations = kajabi_spec::normalize(&document)
            .expect("normalizes")
            .operations;
        Spec {
            document,
            operations,
        }
    }

    fn find(&self, method: &str, path: &str) -> Option<&Operation> {
        self.operations
            .iter()
            .find(|op| op.method == method && op.path == path)
    }

    /// The request body schema of `op` in the original document.
    fn request_schema(&self, op: &Operation) -> Option<Value> {
        let object = self.document["paths"][&op.path][op.method.to_ascii_lowercase()].clone();
        let body = kajabi_spec::resolve(&self.document, &object["requestBody"]);
        let (_, media) = body.get("content")?.as_object()?.iter().next()?;
        media.get("schema").cloned()
    }

    /// A valid body for `op`, built from its schema.
    fn body(&self, op: &Operation) -> Value {
        let schema = self.request_schema(op).expect("a request body");
        kajabi_spec::example_value(&self.document, &schema)
    }

    /// The first plain string attribute (no enum, no format) of a body's `data.attributes`.
    fn text_attribute(&self, op: &Operation) -> Option<String> {
        let schema = self.request_schema(op)?;
        let data = property(&self.document, &schema, "data")?;
        let attributes = property(&self.document, data, "attributes")?;
        let properties = kajabi_spec::resolve(&self.document, attributes)
            .get("properties")?
            .as_object()?;
        properties.iter().find_map(|(name, schema)| {
            let schema = kajabi_spec::resolve(&self.document, schema);
            let plain = schema.get("type") == Some(&json!("string"))
                && schema.get("enum").is_none()
                && schema.get("format").is_none()
                && schema.get("readOnly").is_none();
            plain.then(|| name.clone())
        })
    }
}

fn property<'a>(document: &'a Value, schema: &'a Value, name: &str) -> Option<&'a Value> {
    kajabi_spec::resolve(document, schema)
        .get("properties")?
        .get(name)
}

fn params(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

async fn call(
    client: &Client,
    op: &Operation,
    params: &Map<String, Value>,
    body: Option<Value>,
) -> Result<Value, kajabi_api::Error> {
    Box::pin(client.call_operation(&op.name, params, body)).await
}

/// `(total_count, ids on the first 100)` of a list operation.
async fn list(client: &Client, op: &Operation) -> (u64, Vec<String>) {
    let page = call(client, op, &params(&[("page[size]", json!(100))]), None)
        .await
        .unwrap_or_else(|e| panic!("{}: {e}", op.name));
    let total = page["meta"]["total_count"]
        .as_u64()
        .unwrap_or_else(|| panic!("{}: no meta.total_count through the SDK: {page}", op.name));
    assert!(
        page["links"]["first"]
            .as_str()
            .is_some_and(|l| l.starts_with("http://")),
        "{}: links.first through the SDK: {page}",
        op.name
    );
    let ids = page["data"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item["id"].as_str().map(str::to_string))
        .collect();
    (total, ids)
}

fn assert_404(result: Result<Value, kajabi_api::Error>, what: &str) {
    let error = result.expect_err(what);
    assert_eq!(
        error.status().map(|s| s.as_u16()),
        Some(404),
        "{what}: {error}"
    );
    assert!(
        matches!(error.api_error(), Some(ApiError::JsonApi(errors)) if !errors.is_empty()),
        "{what}: {error:?}"
    );
}

#[tokio::test]
async fn every_writable_kind_lives_through_create_read_list_update_relate_delete() {
    let spec = Spec::load();
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .retry_policy(RetryPolicy::disabled())
        .build()
        .expect("client");
    let creates: Vec<&Operation> = spec
        .operations
        .iter()
        .filter(|op| op.method == "POST" && op.path_params().next().is_none())
        .filter(|op| op.success_statuses.first().map(String::as_str) == Some("201"))
        .collect();
    assert!(creates.len() >= 3, "writable kinds: {}", creates.len());
    let mut report = Vec::new();
    for create in creates {
        let collection = &create.path;
        let item = format!("{collection}/{{id}}");
        let mut steps = vec!["create"];
        let attribute = spec.text_attribute(create);
        let mut body = spec.body(create);
        if let Some(name) = &attribute {
            body["data"]["attributes"][name] = json!(CREATED);
        }
        let list_op = spec.find("GET", collection);
        let before = match list_op {
            Some(op) => list(&client, op).await.0,
            None => 0,
        };
        let created = call(&client, create, &Map::new(), Some(body))
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", create.name));
        let id = created["data"]["id"].as_str().expect("an id").to_string();
        let by_id = params(&[("id", json!(id))]);
        if let Some(name) = &attribute {
            assert_eq!(
                created["data"]["attributes"][name], CREATED,
                "{}",
                create.name
            );
        }

        if let Some(show) = spec.find("GET", &item) {
            let read = call(&client, show, &by_id, None).await.expect("read");
            assert_eq!(read["data"]["id"], json!(id), "{}", show.name);
            if let Some(name) = &attribute {
                assert_eq!(read["data"]["attributes"][name], CREATED, "{}", show.name);
            }
            steps.push("read");
        }
        if let Some(op) = list_op {
            let (after, ids) = list(&client, op).await;
            assert_eq!(after, before + 1, "{}: meta.total_count", op.name);
            assert!(ids.contains(&id), "{}: {id} listed", op.name);
            steps.push("list");
        }
        if let Some(update) = spec.find("PATCH", &item) {
            let mut body = spec.body(update);
            body["data"]["id"] = json!(id);
            if let Some(name) = spec.text_attribute(update) {
                body["data"]["attributes"][&name] = json!(UPDATED);
                let updated = call(&client, update, &by_id, Some(body))
                    .await
                    .unwrap_or_else(|e| panic!("{}: {e}", update.name));
                assert_eq!(updated["data"]["attributes"][&name], UPDATED);
                if let Some(show) = spec.find("GET", &item) {
                    let read = call(&client, show, &by_id, None).await.expect("read");
                    assert_eq!(read["data"]["attributes"][&name], UPDATED);
                }
                steps.push("update");
            }
        }
        let relationships = format!("{collection}/{{");
        let writes: Vec<&Operation> = spec
            .operations
            .iter()
            .filter(|op| op.path.starts_with(&relationships) && op.path.contains("/relationships/"))
            .filter(|op| op.method == "POST")
            .collect();
        for add in writes {
            let owner = add.path_params().next().expect("owner id").to_string();
            let owner_params = params(&[(owner.as_str(), json!(id))]);
            let kind = add.path.rsplit('/').next().unwrap_or("");
            let identifiers = |ids: &[&str]| {
                let data: Vec<Value> = ids.iter().map(|i| json!({"id": i, "type": kind})).collect();
                json!({ "data": data })
            };
            let ids_of = |value: &Value| -> Vec<String> {
                value["data"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|i| i["id"].as_str().map(str::to_string))
                    .collect()
            };
            let added = call(&client, add, &owner_params, Some(identifiers(&["1", "2"])))
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", add.name));
            assert_eq!(ids_of(&added), ["1", "2"], "{}", add.name);
            if let Some(get) = spec.find("GET", &add.path) {
                let read = call(&client, get, &owner_params, None).await.expect("read");
                assert_eq!(ids_of(&read), ["1", "2"], "{}", get.name);
            }
            if let Some(replace) = spec.find("PATCH", &add.path) {
                let replaced = call(&client, replace, &owner_params, Some(identifiers(&["3"])))
                    .await
                    .expect("replace");
                assert_eq!(ids_of(&replaced), ["3"], "{}", replace.name);
            }
            if let Some(remove) = spec.find("DELETE", &add.path) {
                let removed = call(&client, remove, &owner_params, Some(identifiers(&["3"])))
                    .await
                    .expect("remove");
                assert!(ids_of(&removed).is_empty(), "{}", remove.name);
            }
            // A related id that names nothing is a 404.
            assert_404(
                call(
                    &client,
                    add,
                    &owner_params,
                    Some(identifiers(&["no-such-id"])),
                )
                .await,
                &add.name,
            );
            steps.push("relate");
        }
        if let Some(delete) = spec.find("DELETE", &item) {
            call(&client, delete, &by_id, None)
                .await
                .unwrap_or_else(|e| panic!("{}: {e}", delete.name));
            if let Some(show) = spec.find("GET", &item) {
                assert_404(call(&client, show, &by_id, None).await, &show.name);
            }
            assert_404(call(&client, delete, &by_id, None).await, &delete.name);
            if let Some(op) = list_op {
                assert_eq!(list(&client, op).await.0, before, "{}", op.name);
            }
            steps.push("delete, then 404");
        }
        report.push(format!("{collection}: {}", steps.join(", ")));
    }
    println!("{}", report.join("\n"));
    // Contacts, the richest kind, go through every step.
    assert!(
        report.iter().any(|r| r.starts_with("/v1/contacts:")
            && ["read", "list", "update", "relate", "delete"]
                .iter()
                .all(|s| r.contains(s))),
        "{report:?}"
    );
}

#[tokio::test]
async fn granting_an_offer_creates_the_customer_and_records_a_purchase() {
    let spec = Spec::load();
    let sandbox = Sandbox::start().await.expect("sandbox");
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()
        .expect("client");
    let op = |method: &str, path: &str| spec.find(method, path).expect("operation");
    let body = json!({"data": {"type": "contacts",
        "attributes": {"name": "Grace Hopper", "email": "grace@example.com"},
        "relationships": {"site": {"data": {"id": "1", "type": "sites"}}}}});
    let created = call(&client, op("POST", "/v1/contacts"), &Map::new(), Some(body))
        .await
        .expect("create");
    let contact = created["data"]["id"].as_str().expect("id").to_string();
    let customers_before = list(&client, op("GET", "/v1/customers")).await.0;
    let grant = json!({"data": [{"id": "4", "type": "offers"}]});
    call(
        &client,
        op("POST", "/v1/contacts/{contact_id}/relationships/offers"),
        &params(&[("contact_id", json!(contact))]),
        Some(grant),
    )
    .await
    .expect("grant");

    let read = call(
        &client,
        op("GET", "/v1/contacts/{id}"),
        &params(&[("id", json!(contact))]),
        None,
    )
    .await
    .expect("contact");
    let customer = read["data"]["relationships"]["customer"]["data"]["id"]
        .as_str()
        .expect("the contact has a customer now")
        .to_string();
    assert_eq!(
        list(&client, op("GET", "/v1/customers")).await.0,
        customers_before + 1
    );
    let customer_offers = call(
        &client,
        op("GET", "/v1/customers/{customer_id}/relationships/offers"),
        &params(&[("customer_id", json!(customer))]),
        None,
    )
    .await
    .expect("customer offers");
    assert_eq!(customer_offers["data"][0]["id"], "4");
    let shown = call(
        &client,
        op("GET", "/v1/customers/{id}"),
        &params(&[("id", json!(customer))]),
        None,
    )
    .await
    .expect("customer");
    assert_eq!(shown["data"]["attributes"]["email"], "grace@example.com");
    assert_eq!(
        shown["data"]["relationships"]["contact"]["data"]["id"],
        json!(contact)
    );
    let purchases = call(
        &client,
        op("GET", "/v1/purchases"),
        &params(&[("filter[customer_id]", json!(customer))]),
        None,
    )
    .await
    .expect("purchases");
    assert_eq!(purchases["meta"]["total_count"], 1, "{purchases}");
    let purchase = &purchases["data"][0]["relationships"];
    assert_eq!(purchase["offer"]["data"]["id"], "4");
    assert_eq!(purchase["customer"]["data"]["id"], json!(customer));

    // A second grant reuses the customer; the seeded data is back after reset().
    call(
        &client,
        op("POST", "/v1/contacts/{contact_id}/relationships/offers"),
        &params(&[("contact_id", json!(contact))]),
        Some(json!({"data": [{"id": "5", "type": "offers"}]})),
    )
    .await
    .expect("grant again");
    assert_eq!(
        list(&client, op("GET", "/v1/customers")).await.0,
        customers_before + 1
    );
    sandbox.reset();
    assert_eq!(
        list(&client, op("GET", "/v1/customers")).await.0,
        SEED_SIZE as u64
    );
}
