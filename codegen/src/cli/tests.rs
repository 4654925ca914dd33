use serde_json::Value;

use super::*;

#[test]
fn groups_and_actions_follow_the_rule() {
    assert_eq!(
        group_of("/v1/contact_notes/{id}").as_deref(),
        Some("contact-notes")
    );
    assert_eq!(group_of("/v1/me").as_deref(), Some("me"));
    assert_eq!(group_of("/contacts").as_deref(), Some("contacts"));
    assert_eq!(group_of("/v1/{id}"), None);
    assert_eq!(group_of("/api/v2/hooks/{id}").as_deref(), Some("hooks"));
    for (name, group, action) in [
        ("list_contacts", "contacts", "list"),
        ("get_contact", "contacts", "get"),
        ("add_contact_tags", "contacts", "add-tags"),
        ("get_hook_purchase_sample", "hooks", "get-purchase-sample"),
        ("list_contact_notes", "contact-notes", "list"),
        (
            "get_kajabi_payments_payout",
            "kajabi-payments-payouts",
            "get",
        ),
        ("get_me", "me", "get"),
        ("revoke_token", "oauth", "revoke-token"),
        ("list_categories", "categories", "list"),
        ("get_category", "categories", "get"),
    ] {
        assert_eq!(action_of(name, group), action, "{name}");
    }
    assert_eq!(flag_name("filter[site_id]"), "filter-site-id");
    assert_eq!(
        flag_name("filter[exclude_product_types][]"),
        "filter-exclude-product-types"
    );
    assert_eq!(flag_name("page[number]"), "page-number");
}

fn spec(paths: Value) -> Normalized {
    let doc = serde_json::json!({
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": paths,
    });
    kajabi_spec::normalize(&doc).expect("normalizes")
}

#[test]
fn a_collision_names_both_operations() {
    let ok = serde_json::json!({"200": {"description": "ok"}});
    // `get_thing_things` and `get_thing_thing` both reduce to `things get-thing`.
    let id = serde_json::json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]);
    let normalized = spec(serde_json::json!({
        "/v1/things/{id}/things": {"get": {"responses": ok, "parameters": id}},
        "/v1/things/thing": {"get": {"responses": ok}},
    }));
    let names: Vec<&str> = normalized
        .operations
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    let error = command_table(&normalized).unwrap_err();
    let text = error.to_string();
    assert!(matches!(error, CliError::CommandCollision { .. }), "{text}");
    assert!(names.iter().all(|n| text.contains(n)), "{text} / {names:?}");
}

#[test]
fn a_flag_collision_is_refused() {
    let ok = serde_json::json!({"200": {"description": "ok"}});
    let param =
        |name: &str| serde_json::json!({"name": name, "in": "query", "schema": {"type": "string"}});
    let normalized = spec(serde_json::json!({
        "/v1/things": {"get": {"responses": ok, "parameters": [param("a_b"), param("a[b]")]}},
    }));
    let error = command_table(&normalized).unwrap_err();
    assert!(matches!(error, CliError::FlagCollision { .. }), "{error}");
    assert!(error.to_string().contains("a_b") && error.to_string().contains("a[b]"));
}

#[test]
fn the_vendored_spec_gives_a_table() {
    let text = include_str!("../../../openapi.yaml");
    let normalized = kajabi_spec::normalize(&kajabi_spec::load(text).unwrap()).unwrap();
    let table = command_table(&normalized).expect("no collision");
    assert_eq!(table.len(), normalized.operations.len());
    let create = table
        .iter()
        .find(|c| c.operation == "create_contact")
        .unwrap();
    assert_eq!(
        (create.group.as_str(), create.action.as_str()),
        ("contacts", "create")
    );
    let body = create.body.as_ref().unwrap();
    assert!(body.attributes.iter().any(|a| a.flag == "email"));
    let note = table
        .iter()
        .find(|c| c.operation == "create_contact_note")
        .unwrap();
    let attributes = &note.body.as_ref().unwrap().attributes;
    assert!(attributes
        .iter()
        .any(|a| a.flag == "attribute-body" && a.wire == "body"));
    let token = table
        .iter()
        .find(|c| c.operation == "create_token")
        .unwrap();
    assert!(token.body.as_ref().unwrap().attributes.is_empty());
    let token = table
        .iter()
        .find(|c| c.operation == "create_token")
        .unwrap();
    assert_eq!(token.secret_members, ["access_token", "refresh_token"]);
    let rendered = render_rust(&table);
    assert!(syn::parse_file(&rendered).is_ok());
}

#[test]
fn writes_take_their_type_id_attributes_and_relationships_from_the_spec() {
    let text = include_str!("../../../openapi.yaml");
    let normalized = kajabi_spec::normalize(&kajabi_spec::load(text).unwrap()).unwrap();
    let table = command_table(&normalized).expect("no collision");
    let find = |name: &str| table.iter().find(|c| c.operation == name).unwrap();

    let create = find("create_contact");
    let body = create.body.as_ref().unwrap();
    assert_eq!(body.data_type.as_deref(), Some("contacts"));
    assert_eq!(body.id_param, None);
    assert!(
        body.attributes.iter().all(|a| a.wire != "created_at"),
        "read-only"
    );
    assert_eq!(
        body.relationships,
        [CliRelationship {
            name: "site".into(),
            flag: "site".into(),
            resource_type: "sites".into(),
            many: false,
            required: false,
        }]
    );
    assert_eq!(
        create.example.as_deref(),
        Some("kajabi contacts create --name NAME --site 1")
    );

    let update = find("update_contact");
    assert_eq!(
        update.body.as_ref().unwrap().id_param.as_deref(),
        Some("id")
    );
    assert_eq!(
        update.example.as_deref(),
        Some("kajabi contacts update 1 --name NAME")
    );

    let add_tags = find("add_contact_tags").body.as_ref().unwrap();
    assert_eq!(
        add_tags.linkage,
        Some(CliRelationship {
            name: "tags".into(),
            flag: "tag".into(),
            resource_type: "contact_tags".into(),
            many: true,
            required: true,
        })
    );
    let offers = find("add_customer_offers").body.as_ref().unwrap();
    let offers = offers.linkage.as_ref().unwrap();
    assert_eq!(
        (offers.flag.as_str(), offers.resource_type.as_str()),
        ("offer", "offers")
    );

    let hook = find("create_hook");
    let event = hook
        .body
        .as_ref()
        .unwrap()
        .attributes
        .iter()
        .find(|a| a.wire == "event");
    assert!(event.unwrap().values.contains(&"purchase".to_string()));
    assert_eq!(
        hook.example.as_deref(),
        Some("kajabi hooks create --event purchase --target-url TARGET_URL --site 1")
    );
    assert!(table
        .iter()
        .filter(|c| c.method == "GET")
        .all(|c| c.example.is_none()));
    assert!(table
        .iter()
        .filter(|c| c.method != "GET")
        .all(|c| c.example.is_some()));
}
