//! The generator on specs Kajabi could publish next: the vendored `openapi.yaml` with one
//! construct changed that today's document does not have, and what a user gets from it (the
//! CLI's flags, the webhook events, a build that does not panic).

use kajabi_codegen::cli::{command_table, CliCommand};
use serde_json::{json, Value};

const SPEC: &str = include_str!("../../openapi.yaml");

/// The vendored document, as the generator loads it.
fn vendored() -> Value {
    kajabi_spec::load(SPEC).expect("the vendored spec loads")
}

/// `doc[pointer]`, which the test's edit needs to exist.
fn at<'a>(doc: &'a mut Value, pointer: &str) -> &'a mut Value {
    doc.pointer_mut(pointer)
        .unwrap_or_else(|| panic!("the vendored spec has {pointer}"))
}

fn table(doc: &Value) -> Vec<CliCommand> {
    command_table(&kajabi_spec::normalize(doc).expect("normalizes")).expect("a command table")
}

fn command<'a>(table: &'a [CliCommand], operation: &str) -> &'a CliCommand {
    table
        .iter()
        .find(|c| c.operation == operation)
        .unwrap_or_else(|| panic!("no command for {operation}"))
}

/// Client and mocks, as `build.rs` generates them with the `httpmock` feature.
fn generate(doc: &Value) -> Result<(String, String), kajabi_codegen::Error> {
    kajabi_codegen::generate_with_mocks_from_yaml(&doc.to_string())
}

const NOTE: &str = "/components/schemas/contact_notes_create_request/properties/data";

/// A relationship and an attribute with one name: the attribute keeps the name, the
/// relationship is given behind `relationship-` (not a collision that fails the build).
#[test]
fn a_relationship_named_like_an_attribute_is_given_behind_relationship() {
    let mut doc = vendored();
    at(
        &mut doc,
        &format!("{NOTE}/properties/attributes/properties"),
    )
    .as_object_mut()
    .unwrap()
    .insert("contact".into(), json!({"type": "string"}));
    let table = table(&doc);
    let body = command(&table, "create_contact_note")
        .body
        .as_ref()
        .unwrap();
    let attributes: Vec<_> = body.attributes.iter().map(|a| a.flag.as_str()).collect();
    let relationships: Vec<_> = body.relationships.iter().map(|r| r.flag.as_str()).collect();
    assert_eq!(attributes, ["attribute-body", "contact"]);
    assert_eq!(relationships, ["relationship-contact"]);
}

/// `data.type` is what the schema fixes, not the path's resource, when they differ.
#[test]
fn a_bodys_type_is_the_one_its_schema_fixes() {
    let mut doc = vendored();
    *at(&mut doc, &format!("{NOTE}/properties/type/enum")) = json!(["notes"]);
    let table = table(&doc);
    let body = command(&table, "create_contact_note")
        .body
        .as_ref()
        .unwrap();
    assert_eq!(body.data_type.as_deref(), Some("notes"));
    // Two allowed types fix none: the path's resource.
    *at(&mut doc, &format!("{NOTE}/properties/type/enum")) = json!(["notes", "memos"]);
    let table = self::table(&doc);
    let body = command(&table, "create_contact_note")
        .body
        .as_ref()
        .unwrap();
    assert_eq!(body.data_type.as_deref(), Some("contact_notes"));
}

/// A relationship operation takes its ids as a repeatable flag only when `data` is an array
/// of resource identifiers (`id` and `type`); any other array is given with `--body` only.
#[test]
fn only_an_array_of_identifiers_is_given_as_ids() {
    const BODY: &str = "/paths/~1v1~1contacts~1{contact_id}~1relationships~1tags/post/requestBody/content/application~1vnd.api+json/schema/properties/data";
    /// The flag `kajabi contacts add-tags` takes the ids with, if any.
    fn linkage_flag(doc: &Value) -> Option<String> {
        let table = table(doc);
        let body = command(&table, "add_contact_tags").body.clone().unwrap();
        body.linkage.map(|l| l.flag)
    }
    let mut doc = vendored();
    assert_eq!(linkage_flag(&doc).as_deref(), Some("tag"));
    // Objects without a `type`.
    *at(&mut doc, &format!("{BODY}/items")) =
        json!({"type": "object", "properties": {"id": {"type": "string"}}});
    assert_eq!(linkage_flag(&doc), None);
    // Identifiers, but not in an array.
    *at(&mut doc, BODY) =
        json!({"type": "object", "items": {"$ref": "#/components/schemas/resource_identifier"}});
    assert_eq!(linkage_flag(&doc), None);
    // Neither an object nor an array.
    *at(&mut doc, BODY) = json!({"type": "string"});
    assert_eq!(linkage_flag(&doc), None);
}

/// Nested brackets in a parameter's name make one readable flag.
#[test]
fn a_filter_with_nested_brackets_is_one_flag() {
    let mut doc = vendored();
    at(&mut doc, "/paths/~1v1~1contacts/get/parameters")
        .as_array_mut()
        .unwrap()
        .push(
            json!({"name": "filter[created_at][gt]", "in": "query", "schema": {"type": "string"}}),
        );
    let table = table(&doc);
    let flags: Vec<_> = command(&table, "list_contacts")
        .args
        .iter()
        .map(|a| a.flag.as_str())
        .collect();
    assert!(flags.contains(&"filter-created-at-gt"), "{flags:?}");
}

/// An event named `unknown` or starting with a digit still gets a variant: `Unknown` is the
/// catch-all, and an identifier cannot start with a digit.
#[test]
fn events_that_are_no_rust_name_get_a_variant() {
    let mut doc = vendored();
    at(
        &mut doc,
        "/components/schemas/hooks_attributes/properties/event/enum",
    )
    .as_array_mut()
    .unwrap()
    .extend([json!("unknown"), json!("1st_purchase")]);
    let (client, _) = generate(&doc).expect("generates");
    let flat: String = client.split_whitespace().collect();
    for arm in [
        r#""unknown"=>{Event::EUnknown{"#,
        r#""1st_purchase"=>{Event::E1stPurchase{"#,
    ] {
        assert!(flat.contains(arm), "no {arm}");
    }
}

/// A path that ends in `relationships` gets its mock like any other.
#[test]
fn a_path_ending_in_relationships_has_a_mock() {
    let mut doc = vendored();
    let paths = at(&mut doc, "/paths").as_object_mut().unwrap();
    let get = paths["/v1/contacts/{contact_id}/relationships/tags"]["get"].clone();
    paths.insert(
        "/v1/contacts/{contact_id}/relationships".into(),
        json!({ "get": get }),
    );
    let (_, mocks) = generate(&doc).expect("generates");
    assert!(
        mocks.contains("get_contact_relationships"),
        "no mock for the new path"
    );
}

/// A response whose schema refers to itself (through properties, items, maps and `allOf`)
/// gives a command table, and a credential anywhere in it is still redacted in the output.
#[test]
fn a_recursive_response_schema_ends_and_its_credentials_are_found() {
    let mut doc = vendored();
    let schemas = at(&mut doc, "/components/schemas").as_object_mut().unwrap();
    let session = |name: &str| json!({"$ref": format!("#/components/schemas/{name}")});
    schemas.insert(
        "session".into(),
        json!({"type": "object", "properties": {
            "parent": session("session"),
            "history": {"type": "array", "items": session("session")},
            "by_device": {"type": "object", "additionalProperties": session("session")},
            "previous": {"allOf": [session("session"), session("keyholder")]},
        }}),
    );
    schemas.insert(
        "keyholder".into(),
        json!({"type": "object", "properties": {"client_secret": {"type": "string"}}}),
    );
    at(
        &mut doc,
        "/components/schemas/oauth_token_response/properties",
    )
    .as_object_mut()
    .unwrap()
    .insert("session".into(), session("session"));
    let table = table(&doc);
    assert_eq!(
        command(&table, "create_token").secret_members,
        ["access_token", "client_secret", "refresh_token"]
    );
}

/// How a flag's text is read follows its schema: a number is a number, a list of scalars is
/// a repeated flag, a list of objects one JSON text.
#[test]
fn flag_kinds_follow_the_schema() {
    use kajabi_codegen::cli::ValueKind;
    let mut doc = vendored();
    at(&mut doc, &format!("{NOTE}/properties/attributes/properties"))
        .as_object_mut()
        .unwrap()
        .extend([
            ("weight".into(), json!({"type": "number"})),
            ("labels".into(), json!({"type": "array", "items": {"type": "string"}})),
            (
                "links".into(),
                json!({"type": "array", "items": {"type": "object", "properties": {"href": {"type": "string"}}}}),
            ),
        ]);
    let table = table(&doc);
    let body = command(&table, "create_contact_note")
        .body
        .as_ref()
        .unwrap();
    let kind = |flag: &str| {
        let arg = body.attributes.iter().find(|a| a.flag == flag).unwrap();
        (arg.kind, arg.multiple)
    };
    assert_eq!(kind("weight"), (ValueKind::Number, false));
    assert_eq!(kind("labels"), (ValueKind::String, true));
    assert_eq!(kind("links"), (ValueKind::Json, false));
}

/// What the flat resources cannot model is left out of them, and the build goes on: members
/// named like Rust's path keywords, paths whose resource part is a parameter, a sub-resource
/// that is not a relationship, a resource whose only read by id is gone.
#[test]
fn what_the_resources_cannot_model_is_left_out_without_failing_the_build() {
    let mut doc = vendored();
    let attributes = at(
        &mut doc,
        "/components/schemas/contacts_attributes/properties",
    );
    for keyword in ["self", "Self", "super", "crate", "_"] {
        attributes
            .as_object_mut()
            .unwrap()
            .insert(keyword.into(), json!({"type": "string"}));
    }
    let paths = at(&mut doc, "/paths").as_object_mut().unwrap();
    let show = paths["/v1/contacts/{id}"]["get"].clone();
    let mut create = paths["/v1/contacts"]["post"].clone();
    create["parameters"] =
        json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]);
    paths.insert("/v1/{id}".into(), json!({"get": show, "post": create}));
    paths.insert(
        "/v1/contacts/{id}/notes/latest".into(),
        json!({"get": show}),
    );
    // Without its read by id, `hooks` has no `get`: not one of the `/v1/hooks/*_sample` reads.
    paths["/v1/hooks/{id}"]
        .as_object_mut()
        .unwrap()
        .remove("get");
    // Nor an `update` from a write on a literal path.
    let mut settings = paths["/v1/hooks"]["post"].clone();
    settings.as_object_mut().unwrap().remove("parameters");
    paths.insert("/v1/hooks/settings".into(), json!({ "patch": settings }));
    // A sub-resource that is not a relationship, though its name is a known type.
    paths.insert(
        "/v1/contacts/{id}/history/sites".into(),
        json!({ "get": show }),
    );
    // A list whose items have an `id` but no `type` is no resource type.
    let widgets = json!({"type": "array", "items": {"type": "object",
        "properties": {"id": {"type": "string"}, "name": {"type": "string"}}}});
    paths.insert(
        "/v1/widgets".into(),
        json!({"get": {"responses": {"200": {"description": "Success", "content": {
            "application/vnd.api+json": {"schema": {"type": "object",
                "properties": {"data": widgets}}}}}}}}),
    );

    let (client, _) = generate(&doc).expect("generates");
    let flat: String = client.split_whitespace().collect();
    assert!(flat.contains("self.client.list_hooks()"));
    assert!(
        !flat.contains("self.client.get_hook_"),
        "a sample read is hooks' get"
    );
    for call in [
        "self.client.get_contacts_history_sites()",
        "self.client.update_hook_settings()",
        "self.client.list_widgets()",
    ] {
        let method = call
            .trim_start_matches("self.client.")
            .trim_end_matches("()");
        assert!(
            flat.contains(&format!("pubfn{method}(&self)")),
            "{method} is generated"
        );
        assert!(!flat.contains(call), "{call} is in a resource");
    }
}

/// A resource's members are typed by their schema: a number keeps its precision, a
/// credential is a `SecretString` (redacted in `Debug`).
#[test]
fn resource_members_are_typed_by_their_schema() {
    let mut doc = vendored();
    at(
        &mut doc,
        "/components/schemas/contacts_attributes/properties",
    )
    .as_object_mut()
    .unwrap()
    .extend([
        ("score".into(), json!({"type": "number"})),
        ("password".into(), json!({"type": "string"})),
    ]);
    let (client, _) = generate(&doc).expect("generates");
    let flat: String = client.split_whitespace().collect();
    let contact = &flat[flat
        .find("pubstructContact{")
        .expect("the Contact resource")..];
    let contact = &contact[..contact.find('}').unwrap()];
    assert!(
        contact.contains("pubscore:Option<serde_json::Number>"),
        "{contact}"
    );
    assert!(
        contact.contains("pubpassword:Option<crate::contract::SecretString>"),
        "{contact}"
    );
}
