//! The flat layer (`kajabi_api::resources`), generated from the spec:
//!
//! - every list and show body the sandbox serves (every such operation, read from the spec at
//!   test time) converts into the flat types and back with nothing lost, also with members the
//!   spec does not declare added at every level;
//! - every parameter struct reads and writes its operation's request document unchanged, and
//!   the handles put the same bytes on the wire as the raw operations.

mod support;

use httpmock::{HttpMockRequest, MockServer};
use kajabi_api::{
    resources::{
        self, ContactId, ContactTagId, ContactUpdate, NewContact, NewContactNote, NewHook,
    },
    resources::{OfferId, SiteId},
    Client,
};
use serde_json::{json, Map, Value};
use support::conformance::Recorder;

const SPEC: &str = include_str!("../../openapi.yaml");

fn spec() -> kajabi_spec::Normalized {
    kajabi_spec::normalize(&kajabi_spec::load(SPEC).unwrap()).unwrap()
}

/// Whether a schema describes a JSON:API resource object (declares `id` and `type`).
fn is_resource(doc: &Value, schema: &Value) -> bool {
    let properties = kajabi_spec::resolve(doc, schema).get("properties");
    properties.is_some_and(|p| p.get("id").is_some() && p.get("type").is_some())
}

/// The spec's list and show operations of resources: a GET on `/<noun>` or `/<noun>/{id}`
/// whose `data` holds resource objects.
fn resource_reads(spec: &kajabi_spec::Normalized) -> Vec<&kajabi_spec::Operation> {
    let doc = &spec.document;
    spec.operations
        .iter()
        .filter(|op| {
            let segments = kajabi_spec::names::resource_segments(&op.path);
            let shape = match segments.as_slice() {
                [noun] => !noun.starts_with('{'),
                [noun, id] => !noun.starts_with('{') && id.starts_with('{'),
                _ => false,
            };
            let data = op.response_schema.as_ref().and_then(|s| {
                kajabi_spec::resolve(doc, s)
                    .get("properties")
                    .and_then(|p| p.get("data"))
            });
            let holds_resources = data.is_some_and(|data| {
                is_resource(doc, data)
                    || kajabi_spec::resolve(doc, data)
                        .get("items")
                        .is_some_and(|items| is_resource(doc, items))
            });
            op.method == "GET" && shape && holds_resources
        })
        .collect()
}

/// Members the spec does not declare, added to a resource object at every level.
fn with_undeclared(mut resource: Value) -> Value {
    let object = resource.as_object_mut().unwrap();
    object.insert("x_top".into(), json!({"nested": [1, "two", null]}));
    object.insert("meta".into(), json!({"x_meta": true}));
    let attributes = object.entry("attributes").or_insert_with(|| json!({}));
    attributes["x_attribute"] = json!(42.5);
    attributes["x_null"] = Value::Null;
    let relationships = object.entry("relationships").or_insert_with(|| json!({}));
    relationships["x_relationship"] =
        json!({"data": {"type": "things", "id": "9", "meta": {"k": 1}}});
    for relationship in relationships.as_object_mut().unwrap().values_mut() {
        match relationship.get_mut("data") {
            Some(Value::Object(identifier)) => {
                identifier.insert("meta".into(), json!({"x": 1}));
            }
            Some(Value::Array(identifiers)) => {
                identifiers.push(json!({"type": "whatever", "id": "77", "meta": {}}));
            }
            _ => {}
        }
        relationship["links"] = json!({"related": "https://example.com/x"});
    }
    resource
}

async fn sandbox_client() -> (kajabi_sandbox::Sandbox, Client) {
    let sandbox = kajabi_sandbox::Sandbox::start().await.unwrap();
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()
        .unwrap();
    (sandbox, client)
}

#[tokio::test]
async fn every_list_and_show_body_of_the_sandbox_round_trips_through_the_flat_types() {
    let spec = spec();
    let reads = resource_reads(&spec);
    assert!(
        reads.len() >= 30,
        "the spec has list and show operations: {}",
        reads.len()
    );
    let (_sandbox, client) = sandbox_client().await;
    let mut nouns = std::collections::BTreeSet::new();
    for op in reads {
        let mut params = Map::new();
        for name in op.path_params() {
            params.insert(name.to_string(), json!("1"));
        }
        let body = client
            .call_operation(&op.name, &params, None)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", op.name));
        let back = resources::round_trip_response(&op.name, body.clone())
            .unwrap_or_else(|| panic!("{}: no flat type for a resource read", op.name))
            .unwrap_or_else(|e| panic!("{}: does not convert: {e}", op.name));
        assert_eq!(back, body, "{}: lost in the round trip", op.name);

        let mut extended = body.clone();
        extended["x_document"] = json!({"kept": true});
        match extended.get_mut("data") {
            Some(Value::Array(items)) => {
                assert!(!items.is_empty(), "{}: the sandbox lists items", op.name);
                for item in items.iter_mut() {
                    *item = with_undeclared(item.take());
                }
            }
            Some(data) => *data = with_undeclared(data.take()),
            None => panic!("{}: no data", op.name),
        }
        let back = resources::round_trip_response(&op.name, extended.clone())
            .unwrap()
            .unwrap_or_else(|e| panic!("{}: does not convert: {e}", op.name));
        assert_eq!(back, extended, "{}: undeclared members lost", op.name);
        nouns.insert(kajabi_spec::names::resource_segments(&op.path)[0].to_string());
    }
    for noun in [
        "contacts",
        "offers",
        "products",
        "purchases",
        "hooks",
        "sites",
    ] {
        assert!(nouns.contains(noun), "{noun} not covered: {nouns:?}");
    }
}

#[tokio::test]
async fn flat_fields_hold_the_attributes_and_relationship_ids() {
    let (_sandbox, client) = sandbox_client().await;
    let contact = client.contacts().get(&ContactId::new("1")).await.unwrap();
    // What the sandbox serves for contact 1, read as plain JSON.
    let served = client
        .call_operation(
            "get_contact",
            &serde_json::Map::from_iter([("id".into(), "1".into())]),
            None,
        )
        .await
        .unwrap();
    let data = &served["data"];
    assert_eq!(contact.id.as_str(), "1");
    assert_eq!(
        contact.email.as_deref(),
        data["attributes"]["email"].as_str()
    );
    assert!(contact.email.is_some());
    assert_eq!(contact.name.as_deref(), data["attributes"]["name"].as_str());
    let site = data["relationships"]["site"]["data"]["id"]
        .as_str()
        .expect("a site");
    assert_eq!(contact.site, Some(SiteId::new(site)));
    let tags = data["relationships"]["tags"]["data"]
        .as_array()
        .expect("tags");
    assert_eq!(contact.tags.as_ref().map(Vec::len), Some(tags.len()));
    // The relationship's own endpoint gives the same ids.
    let tag_ids = client.contacts().tags(&contact.id).await.unwrap();
    assert!(!tag_ids.is_empty());
    assert_eq!(Some(tag_ids), contact.tags);
    // Lifted members leave the residue; what the fields do not hold stays in it.
    assert!(contact.extra["attributes"].get("email").is_none());
    assert_eq!(contact.extra["type"], "contacts");
    assert!(contact.extra["relationships"]["site"]["data"]
        .get("id")
        .is_none());

    // Lossless to and from the generated document type, and JSON.
    let raw = client
        .get_contact()
        .id("1")
        .send()
        .await
        .unwrap()
        .into_inner()
        .data;
    let from_raw = resources::Contact::try_from(raw.clone()).unwrap();
    assert_eq!(from_raw, contact);
    let back = kajabi_api::types::ContactsShowResponseData::try_from(from_raw).unwrap();
    assert_eq!(
        serde_json::to_value(back).unwrap(),
        serde_json::to_value(raw).unwrap()
    );

    // The list is the page stream of flat values.
    use futures::{StreamExt, TryStreamExt};
    use kajabi_api::Paginate;
    use support::STREAM_BOUND;
    let all: Vec<resources::Contact> = client
        .contacts()
        .list()
        .page_size(3)
        .items()
        .take(STREAM_BOUND)
        .try_collect()
        .await
        .unwrap();
    let ids: Vec<&str> = all.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6", "7"]);
}

#[test]
fn undeclared_nulls_and_foreign_identifiers_survive_and_a_missing_id_is_an_error() {
    let resource = json!({
        "id": "5", "type": "contacts",
        "attributes": {"name": null, "email": "a@b.c", "subscribed": "not a bool"},
        "relationships": {"site": {"data": null}, "tags": {"data": [{"type": "contact_tags", "id": "3"}]}}
    });
    let contact = resources::Contact::try_from(resource.clone()).unwrap();
    assert_eq!(contact.name, None);
    // A member of another type than declared stays in `extra` rather than failing or vanishing.
    assert_eq!(contact.subscribed, None);
    assert_eq!(contact.site, None);
    assert_eq!(contact.tags, Some(vec![ContactTagId::new("3")]));
    assert_eq!(Value::from(contact.clone()), resource);

    // Changing a field changes the output where the member came from.
    let mut changed = contact;
    changed.tags = Some(vec![ContactTagId::new("3"), ContactTagId::new("4")]);
    changed.email = None;
    let out = Value::from(changed);
    assert_eq!(
        out["relationships"]["tags"]["data"][1],
        json!({"type": "contact_tags", "id": "4"})
    );
    assert!(out["attributes"].get("email").is_none());

    // Clearing a relationship drops its identifier, `type` included: no identifier without
    // an id goes out.
    let mut cleared = resources::Contact::try_from(json!({
        "id": "6", "type": "contacts",
        "relationships": {"site": {"data": {"type": "sites", "id": "9"}},
                          "tags": {"data": [{"type": "contact_tags", "id": "3"}]}}
    }))
    .unwrap();
    cleared.site = None;
    cleared.tags = None;
    assert_eq!(
        Value::from(cleared),
        json!({"id": "6", "type": "contacts", "relationships": {"site": {}, "tags": {}}})
    );

    let error = resources::Contact::try_from(json!({"type": "contacts"})).unwrap_err();
    assert!(error.to_string().contains("`id`"), "{error}");
    for (value, found) in [
        (json!(5), "a number"),
        (json!([]), "an array"),
        (json!("contact"), "a string"),
        (json!(null), "null"),
        (json!(true), "a boolean"),
    ] {
        let error = resources::Contact::try_from(value).unwrap_err();
        assert!(
            error.to_string().contains(&format!("found {found}")),
            "{error}"
        );
    }
}

/// Every create/update operation of a resource has a parameter struct, which reads the
/// operation's example document and writes it back unchanged; the raw operation sends the
/// same bytes for both.
#[tokio::test]
async fn every_parameter_struct_writes_the_document_the_raw_operation_sends() {
    let spec = spec();
    let server = MockServer::start_async().await;
    support::client_credentials_grant(&server, "access", "refresh", 3600).await;
    let recorder = Recorder::install(&server).await;
    let client = support::client(&server);
    let mut covered = Vec::new();
    for op in &spec.operations {
        let Some(schema) = &op.request_schema else {
            continue;
        };
        let example = kajabi_spec::example_value(&spec.document, schema);
        let Some(converted) = resources::round_trip_request(&op.name, example.clone()) else {
            continue;
        };
        let converted = converted.unwrap_or_else(|e| panic!("{}: {e}", op.name));
        assert_eq!(converted, example, "{}: the document changed", op.name);
        let mut params = Map::new();
        for name in op.path_params() {
            params.insert(name.to_string(), json!("8"));
        }
        let _ = client
            .call_operation(&op.name, &params, Some(example))
            .await;
        let _ = client
            .call_operation(&op.name, &params, Some(converted))
            .await;
        let sent: Vec<HttpMockRequest> = recorder
            .take()
            .into_iter()
            .filter(|r| r.uri().path() != "/v1/oauth/token")
            .collect();
        assert_eq!(sent.len(), 2, "{}", op.name);
        assert_eq!(sent[0].body_ref(), sent[1].body_ref(), "{}", op.name);
        covered.push(op.name.clone());
    }
    for name in [
        "create_contact",
        "update_contact",
        "create_contact_note",
        "update_contact_note",
        "create_hook",
    ] {
        assert!(covered.iter().any(|c| c == name), "{name}: {covered:?}");
    }
}

/// The bodies and request lines two clients send to `server`, token requests left out.
async fn sent(recorder: &Recorder) -> Vec<(String, String, Vec<u8>)> {
    recorder
        .take()
        .into_iter()
        .filter(|r| r.uri().path() != "/v1/oauth/token")
        .map(|r| {
            (
                r.method_str().to_string(),
                r.uri().to_string(),
                r.body_ref().to_vec(),
            )
        })
        .collect()
}

/// A generated body type from the JSON a user would write.
macro_rules! body {
    ($type:ident, $json:expr $(,)?) => {
        serde_json::from_value::<kajabi_api::types::$type>($json).unwrap()
    };
}

#[tokio::test]
async fn the_handles_send_the_same_bytes_as_the_raw_operations() {
    let server = MockServer::start_async().await;
    support::client_credentials_grant(&server, "access", "refresh", 3600).await;
    let recorder = Recorder::install(&server).await;
    let client = support::client(&server);
    let contacts = client.contacts();
    let contact = ContactId::new("8");
    let tags = [ContactTagId::new("3"), ContactTagId::new("4")];
    let offers = [OfferId::new("2")];

    // Each pair: the raw operation with the document written by hand, then the handle.
    let _ = client
        .create_contact()
        .body(body!(
            CreateContactBody,
            json!({"data": {
                "type": "contacts",
                "attributes": {"name": "Ada", "email": "ada@example.com", "subscribed": true},
                "relationships": {"site": {"data": {"type": "sites", "id": "5"}}}
            }})
        ))
        .send()
        .await;
    let _ = contacts
        .create(
            NewContact::new(SiteId::new("5"))
                .name("Ada")
                .email("ada@example.com")
                .subscribed(true),
        )
        .await;

    let _ = client
        .update_contact()
        .id("8")
        .body(body!(
            UpdateContactBody,
            json!({"data": {
                "id": "8", "type": "contacts", "attributes": {"phone_number": "555"}
            }})
        ))
        .send()
        .await;
    let _ = contacts
        .update(&contact, ContactUpdate::new().phone_number("555"))
        .await;

    let tags_body =
        json!({"data": [{"type": "contact_tags", "id": "3"}, {"type": "contact_tags", "id": "4"}]});
    let _ = client
        .add_contact_tags()
        .contact_id("8")
        .body(body!(AddContactTagsBody, tags_body.clone()))
        .send()
        .await;
    let _ = contacts.add_tags(&contact, &tags).await;
    let _ = client
        .remove_contact_tags()
        .contact_id("8")
        .body(body!(RemoveContactTagsBody, tags_body.clone()))
        .send()
        .await;
    let _ = contacts.remove_tags(&contact, &tags).await;
    let _ = client
        .replace_contact_tags()
        .contact_id("8")
        .body(body!(ReplaceContactTagsBody, tags_body))
        .send()
        .await;
    let _ = contacts.replace_tags(&contact, &tags).await;

    let _ = client
        .add_contact_offers()
        .contact_id("8")
        .body(body!(
            AddContactOffersBody,
            json!({"data": [{"type": "offers", "id": "2"}]}),
        ))
        .send()
        .await;
    let _ = contacts.grant_offers(&contact, &offers).await;

    let _ = client
        .create_contact_note()
        .body(body!(
            ContactNotesCreateRequest,
            json!({"data": {
                "type": "contact_notes", "attributes": {"body": "Called"},
                "relationships": {"contact": {"data": {"type": "contacts", "id": "8"}}}
            }})
        ))
        .send()
        .await;
    let _ = client
        .contact_notes()
        .create(NewContactNote::new("Called", contact.clone()))
        .await;

    let _ = client
        .create_hook()
        .body(body!(CreateHookBody, json!({"data": {
            "type": "hooks", "attributes": {"event": "purchase", "target_url": "https://example.com/h"},
            "relationships": {"site": {"data": {"type": "sites", "id": "5"}}}
        }})))
        .send()
        .await;
    let _ = client
        .hooks()
        .create(NewHook::new(
            "purchase",
            "https://example.com/h",
            SiteId::new("5"),
        ))
        .await;

    let _ = client.delete_contact().id("8").send().await;
    let _ = contacts.delete(&contact).await;
    let _ = client.get_contact().id("8").send().await;
    let _ = contacts.get(&contact).await;

    let sent = sent(&recorder).await;
    assert_eq!(sent.len(), 20, "{sent:?}");
    for pair in sent.chunks(2) {
        let show = |(method, uri, body): &(String, String, Vec<u8>)| {
            format!("{method} {uri} {}", String::from_utf8_lossy(body))
        };
        assert_eq!(show(&pair[1]), show(&pair[0]));
    }
}

/// A resource object of type `contacts` with members the spec does not declare at every
/// level (see [`with_undeclared`]).
fn undeclared_contact(id: &str) -> Value {
    with_undeclared(json!({
        "id": id, "type": "contacts",
        "attributes": {"name": "Ada", "email": "ada@example.com"},
        "relationships": {
            "site": {"data": {"type": "sites", "id": "5"}},
            "tags": {"data": [{"type": "contact_tags", "id": "3"}]}
        },
        "links": {"self": "https://example.com/c"}
    }))
}

/// The handles read their values from the response body itself: what the spec does not
/// declare (on the resource object, in its attributes, its relationships and their
/// identifiers) reaches `extra` and serializes back to what the server sent, through `get`,
/// `create`, a list page and the page stream (which still follows `links.next`).
#[tokio::test]
async fn handles_keep_the_members_the_spec_does_not_declare() {
    use futures::{StreamExt, TryStreamExt};
    use kajabi_api::Paginate;
    use support::STREAM_BOUND;

    let server = MockServer::start_async().await;
    support::client_credentials_grant(&server, "access", "refresh", 3600).await;
    let one = undeclared_contact("8");
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET).path("/v1/contacts/8");
            then.status(200)
                .header("content-type", "application/vnd.api+json")
                .json_body(json!({"data": one, "x_document": {"kept": "no: not a resource's"}}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST).path("/v1/contacts");
            then.status(201)
                .header("content-type", "application/vnd.api+json")
                .json_body(json!({"data": one}));
        })
        .await;
    // Page 1 links to page 3: a stream that lost `links` would ask for page 2 and fail.
    let next = format!(
        "{}/v1/contacts?page%5Bnumber%5D=3&page%5Bsize%5D=2",
        server.base_url()
    );
    let pages = [
        ("1", vec![undeclared_contact("1"), undeclared_contact("2")]),
        ("3", vec![undeclared_contact("3")]),
    ];
    for (number, items) in &pages {
        let links = if *number == "1" {
            json!({"next": next})
        } else {
            json!({"next": null})
        };
        server
            .mock_async(|when, then| {
                when.method(httpmock::Method::GET)
                    .path("/v1/contacts")
                    .query_param("page[number]", *number);
                then.status(200)
                    .header("content-type", "application/vnd.api+json")
                    .json_body(json!({"data": items, "links": links, "meta": {"x": 1}}));
            })
            .await;
    }
    // A resource object without its `id`, and a body that is not JSON: typed decode errors.
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET).path("/v1/contacts/9");
            then.status(200)
                .json_body(json!({"data": {"type": "contacts", "attributes": {}}}));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(httpmock::Method::GET).path("/v1/contacts/10");
            then.status(200).body("<html>proxy</html>");
        })
        .await;
    let client = support::client(&server);
    let contacts = client.contacts();
    for id in ["9", "10"] {
        let error = contacts.get(&ContactId::new(id)).await.unwrap_err();
        assert!(error.is_decode(), "{id}: {error}");
        // Named by the operation: the error came down the operation's own call path.
        assert_eq!(error.operation(), Some("get_contact"), "{id}");
    }

    let contact = contacts.get(&ContactId::new("8")).await.unwrap();
    assert_eq!(contact.name.as_deref(), Some("Ada"));
    assert_eq!(contact.site, Some(SiteId::new("5")));
    assert_eq!(contact.extra["x_top"], json!({"nested": [1, "two", null]}));
    assert_eq!(contact.extra["meta"], json!({"x_meta": true}));
    assert_eq!(contact.extra["attributes"]["x_attribute"], json!(42.5));
    assert_eq!(contact.extra["attributes"]["x_null"], Value::Null);
    assert_eq!(
        contact.extra["relationships"]["x_relationship"]["data"],
        json!({"type": "things", "id": "9", "meta": {"x": 1}})
    );
    assert_eq!(
        contact.extra["relationships"]["site"]["data"]["meta"],
        json!({"x": 1})
    );
    assert_eq!(
        contact.extra["relationships"]["tags"]["links"],
        json!({"related": "https://example.com/x"})
    );
    assert_eq!(Value::from(contact), one);

    let created = contacts
        .create(NewContact::new(SiteId::new("5")).name("Ada"))
        .await
        .unwrap();
    assert_eq!(Value::from(created), one);

    let first: Vec<Value> = contacts
        .list()
        .page_number(1)
        .page_size(2)
        .send()
        .await
        .unwrap()
        .into_iter()
        .map(Value::from)
        .collect();
    assert_eq!(first, pages[0].1);
    let all: Vec<Value> = contacts
        .list()
        .page_size(2)
        .items()
        .take(STREAM_BOUND)
        .map_ok(Value::from)
        .try_collect()
        .await
        .unwrap();
    let served: Vec<Value> = pages.iter().flat_map(|(_, items)| items.clone()).collect();
    assert_eq!(all, served);
}
