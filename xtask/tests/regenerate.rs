//! Synthetic upstream changes still normalize and generate, and do not rename the SDK methods
//! of operations they do not touch: what `sync-spec` relies on when it vets a new document.

use std::collections::BTreeMap;

use kajabi_codegen::generate;
use kajabi_spec::{normalize, Normalized};
use serde_json::{json, Value};

fn vendored() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"))
        .expect("the workspace's openapi.yaml is readable");
    kajabi_spec::load(&text).expect("the vendored document parses")
}

/// SDK method names by (method, path).
fn names(normalized: &Normalized) -> BTreeMap<(String, String), String> {
    normalized
        .operations
        .iter()
        .map(|op| ((op.method.clone(), op.path.clone()), op.name.clone()))
        .collect()
}

/// Normalizes and generates the vendored document after `edit`; checks that every operation
/// outside `touched` paths keeps its name, and returns the generated source and the names.
fn regenerate(
    touched: &[&str],
    edit: impl FnOnce(&mut Value),
) -> (String, BTreeMap<(String, String), String>) {
    let base = names(&normalize(&vendored()).expect("the vendored document normalizes"));
    let mut doc = vendored();
    edit(&mut doc);
    let normalized =
        normalize(&doc).unwrap_or_else(|e| panic!("the variant does not normalize: {e}"));
    let source =
        generate(&normalized).unwrap_or_else(|e| panic!("the variant does not generate: {e}"));
    let after = names(&normalized);
    for (key, name) in &base {
        if touched.contains(&key.1.as_str()) {
            continue;
        }
        assert_eq!(
            after.get(key),
            Some(name),
            "{} {} was renamed or lost",
            key.0,
            key.1
        );
    }
    (source, after)
}

/// The generated item that starts with `head`, up to its first closing brace.
fn item<'a>(source: &'a str, head: &str) -> &'a str {
    let start = source
        .find(head)
        .unwrap_or_else(|| panic!("`{head}` is not in the generated client"));
    let len = source[start..].find('}').expect("the item closes");
    &source[start..start + len]
}

fn key(method: &str, path: &str) -> (String, String) {
    (method.to_string(), path.to_string())
}

#[test]
fn an_added_operation_generates_under_its_own_name() {
    let (source, names) = regenerate(&["/v1/widgets"], |doc| {
        doc["paths"]["/v1/widgets"] = doc["paths"]["/v1/sites"].clone();
    });
    assert_eq!(names[&key("GET", "/v1/widgets")], "list_widgets");
    assert!(
        source.contains("fn list_widgets("),
        "no list_widgets in the generated client"
    );
}

#[test]
fn a_removed_operation_leaves_the_rest_alone() {
    let (source, names) = regenerate(&["/v1/blog_posts/{id}"], |doc| {
        doc["paths"]
            .as_object_mut()
            .expect("paths is a map")
            .remove("/v1/blog_posts/{id}")
            .expect("the spec has /v1/blog_posts/{id}");
    });
    assert!(!names.contains_key(&key("GET", "/v1/blog_posts/{id}")));
    assert!(
        !source.contains("fn get_blog_post("),
        "get_blog_post is still generated"
    );
}

#[test]
fn a_path_moved_from_v1_to_v2_keeps_its_name() {
    let (_, names) = regenerate(&["/v1/sites", "/v2/sites"], |doc| {
        let paths = doc["paths"].as_object_mut().expect("paths is a map");
        let sites = paths.remove("/v1/sites").expect("the spec has /v1/sites");
        paths.insert("/v2/sites".into(), sites);
    });
    // The version prefix is not part of the name, so a move to /v2 does not rename the method.
    assert_eq!(names[&key("GET", "/v2/sites")], "list_sites");
}

#[test]
fn a_new_component_with_a_3_1_nullable_property_generates() {
    let (source, _) = regenerate(&[], |doc| {
        doc["components"]["schemas"]["widget_attributes"] = json!({
            "type": "object",
            "properties": {"nickname": {"type": ["string", "null"]}, "size": {"type": "integer"}},
            "required": ["nickname"]
        });
    });
    // Required but nullable: the field is present, its value optional.
    let body = item(&source, "pub struct WidgetAttributes");
    assert!(
        body.contains("pub nickname: ::std::option::Option<::std::string::String>"),
        "nickname is not an optional string:\n{body}"
    );
}

#[test]
fn a_renamed_parameter_generates_and_renames_nothing() {
    let (source, _) = regenerate(&[], |doc| {
        let param = doc["paths"]["/v1/sites"]["get"]["parameters"]
            .as_array_mut()
            .and_then(|ps| ps.iter_mut().find(|p| p["name"] == "filter[title_cont]"))
            .expect("GET /v1/sites has filter[title_cont]");
        param["name"] = json!("filter[name_cont]");
    });
    let builder = item(&source, "pub struct ListSites<'a>");
    assert!(
        builder.contains("filter_name_cont:"),
        "the renamed parameter is missing:\n{builder}"
    );
    assert!(
        !builder.contains("filter_title_cont:"),
        "the old parameter is still there:\n{builder}"
    );
}

#[test]
fn a_name_clash_fails_naming_both_operations() {
    // /v1 and /v2 of the same resource side by side synthesize the same name: the normalizer
    // must say which operations clash rather than let the generator pick one.
    let mut doc = vendored();
    doc["paths"]["/v2/sites"] = doc["paths"]["/v1/sites"].clone();
    let error = normalize(&doc)
        .expect_err("two operations named list_sites")
        .to_string();
    assert!(
        error.contains("GET /v2/sites") && error.contains("GET /v1/sites"),
        "{error}"
    );
    assert!(error.contains("list_sites"), "{error}");
}

/// The vendored document with every path moved under `prefix`.
fn under(prefix: &str) -> Value {
    let mut doc = vendored();
    let paths = doc["paths"].as_object_mut().expect("paths is a map");
    *paths = std::mem::take(paths)
        .into_iter()
        .map(|(path, item)| (format!("{prefix}{path}"), item))
        .collect();
    doc
}

#[test]
fn the_api_under_another_prefix_generates_the_same_methods_and_requests_tokens_there() {
    let base: Vec<String> = normalize(&vendored())
        .expect("the vendored document normalizes")
        .operations
        .into_iter()
        .map(|op| op.name)
        .collect();
    for prefix in ["/api", "/kajabi/public"] {
        let normalized = normalize(&under(prefix))
            .unwrap_or_else(|e| panic!("the {prefix} variant does not normalize: {e}"));
        let names: Vec<&str> = normalized
            .operations
            .iter()
            .map(|o| o.name.as_str())
            .collect();
        assert_eq!(names, base, "method names changed under {prefix}");
        let source = generate(&normalized)
            .unwrap_or_else(|e| panic!("the {prefix} variant does not generate: {e}"));
        // The hand layer requests tokens from the table's token-grant row: that row carries the
        // prefixed path.
        let row = item(&source, &format!("path: \"{prefix}/v1/oauth/token\""));
        assert!(
            source[source.find(row).expect("row")..]
                .lines()
                .take(4)
                .any(|l| l.contains("Role::TokenGrant")),
            "the token grant is not at {prefix}/v1/oauth/token"
        );
    }
}

/// A resource type the vendored document does not have: `widgets`, with a list, show,
/// create, update and delete operation and its own schemas.
fn add_widgets(doc: &mut Value) {
    let identifier = json!({"$ref": "#/components/schemas/resource_identifier"});
    let resource = json!({"type": "object", "properties": {
        "id": {"type": "string"}, "type": {"type": "string"},
        "attributes": {"$ref": "#/components/schemas/widgets_attributes"},
        "relationships": {"type": "object", "properties": {
            "site": {"type": "object", "properties": {"data": identifier}},
            "gizmo": {"type": "object", "properties": {"data": identifier}},
            "tags": {"type": "object", "properties": {"data": {"type": "array", "items": identifier}}}
        }}
    }});
    let schemas = &mut doc["components"]["schemas"];
    schemas["widgets_attributes"] = json!({"type": "object", "properties": {
        "nickname": {"type": ["string", "null"]}, "size": {"type": "integer"},
        "created_at": {"type": "string", "format": "date-time", "readOnly": true}
    }});
    schemas["widgets_index_response"] =
        json!({"type": "object", "properties": {"data": {"type": "array", "items": resource}}});
    schemas["widgets_show_response"] = json!({"type": "object", "properties": {"data": resource}});
    let media = |schema: &str| json!({"application/vnd.api+json": {"schema": {"$ref": format!("#/components/schemas/{schema}")}}});
    let request = json!({"application/vnd.api+json": {"schema": {"type": "object", "required": ["data"],
    "properties": {"data": {"type": "object", "required": ["type", "attributes", "relationships"],
        "properties": {
            "type": {"type": "string", "enum": ["widgets"]},
            "attributes": {"$ref": "#/components/schemas/widgets_attributes"},
            "relationships": {"type": "object", "properties": {
                "site": {"type": "object", "properties": {"data": identifier}}}}
        }}}}}});
    let id = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]);
    let ok = |status: &str, schema: &str| json!({status: {"description": "ok", "content": media(schema)}});
    doc["paths"]["/v1/widgets"] = json!({
        "get": {"tags": ["Widgets"], "responses": ok("200", "widgets_index_response"), "parameters": [
            {"name": "page[number]", "in": "query", "schema": {"type": "integer"}},
            {"name": "page[size]", "in": "query", "schema": {"type": "integer"}},
            {"name": "filter[site_id]", "in": "query", "schema": {"type": "string"}}]},
        "post": {"tags": ["Widgets"], "requestBody": {"content": request},
                 "responses": ok("201", "widgets_show_response")}
    });
    doc["paths"]["/v1/widgets/{id}"] = json!({
        "parameters": id,
        "get": {"tags": ["Widgets"], "responses": ok("200", "widgets_show_response")},
        "delete": {"tags": ["Widgets"], "responses": {"204": {"description": "gone"}}}
    });
}

#[test]
fn a_new_resource_type_gets_its_flat_type_id_and_handle() {
    let (source, names) = regenerate(&["/v1/widgets", "/v1/widgets/{id}"], add_widgets);
    assert_eq!(names[&key("GET", "/v1/widgets")], "list_widgets");
    let flat = item(&source, "pub struct Widget {");
    for field in [
        "pub id: WidgetId,",
        "pub nickname: Option<String>,",
        "pub size: Option<i64>,",
        "pub created_at: Option<String>,",
        // Relationship targets: the rule (`site` -> sites), the table (`tags` ->
        // contact_tags), and an untyped id where neither knows the target.
        "pub site: Option<SiteId>,",
        "pub tags: Option<Vec<ContactTagId>>,",
        "pub gizmo: Option<AnyId>,",
        "pub extra: Extra,",
    ] {
        assert!(flat.contains(field), "`{field}` missing:\n{flat}");
    }
    let id = item(&source, "The id of a resource of type `widgets`.");
    assert!(
        id.contains("WidgetId") && id.contains("\"widgets\""),
        "{id}"
    );
    assert!(source.contains("pub fn widgets(&self) -> resources::Widgets<'_>"));
    let handle = &source[source.find("impl<'a> Widgets<'a> {").expect("the handle")..];
    for method in [
        "pub fn list(&self) -> WidgetList<'a>",
        "pub async fn get(&self, id: &WidgetId) -> Result<Widget, crate::contract::Error>",
        "pub async fn create(&self, new: NewWidget) -> Result<Widget, crate::contract::Error>",
        "pub async fn delete(&self, id: &WidgetId) -> Result<(), crate::contract::Error>",
    ] {
        // rustfmt may wrap a signature: compare without whitespace or a trailing comma.
        let squash = |text: &str| {
            text.split_whitespace()
                .collect::<String>()
                .replace(",)", ")")
        };
        assert!(
            squash(handle).contains(&squash(method)),
            "`{method}` missing"
        );
    }
    // No update operation in the spec: no update method, no update struct.
    assert!(!source.contains("WidgetUpdate"));
    assert!(source.contains("impl<'a> crate::contract::Paginate<'a> for WidgetList<'a>"));
    assert!(source.contains("pub fn filter_site_id<V>(self, value: V) -> Self"));
    // The required relationship is a constructor argument; the read-only attribute is no setter.
    let params = &source[source.find("impl NewWidget {").expect("NewWidget")..];
    let params = &params[..params.find("fn to_document").expect("to_document")];
    assert!(
        params.contains("pub fn new(site: SiteId) -> Self"),
        "{params}"
    );
    assert!(params.contains("pub fn nickname(mut self"), "{params}");
    assert!(!params.contains("pub fn created_at("), "{params}");
    // The repair: the resource's id and the show response's data are no longer optional.
    let show = item(&source, "pub struct WidgetsShowResponse {");
    assert!(
        show.contains("pub data: WidgetsShowResponseData,"),
        "{show}"
    );
    let data = item(&source, "pub struct WidgetsShowResponseData {");
    assert!(data.contains("pub id: ::std::string::String,"), "{data}");
}

#[test]
fn a_new_webhook_event_gets_a_typed_variant_with_no_hand_edit() {
    let (source, _) = regenerate(&["/v1/hooks/course_completed_sample"], |doc| {
        doc["components"]["schemas"]["hooks_attributes"]["properties"]["event"]["enum"]
            .as_array_mut()
            .expect("the spec enumerates hook events")
            .push(json!("course_completed"));
        doc["paths"]["/v1/hooks/course_completed_sample"] =
            doc["paths"]["/v1/hooks/tag_added_sample"].clone();
    });
    let events = item(&source, "pub const EVENTS");
    assert!(events.contains("\"course_completed\""), "{events}");
    let variant: String = item(&source, "CourseCompleted {")
        .split_whitespace()
        .collect();
    assert!(
        variant.contains(
            "payload:crate::contract::webhooks::Payload<::std::vec::Vec<types::GetHookCourseCompletedSampleResponseItem>"
        ),
        "the new event's payload is not typed from its sample: {variant}"
    );
    let squashed: String = source.split_whitespace().collect();
    assert!(
        squashed.contains("\"course_completed\"=>{Event::CourseCompleted{"),
        "Event::parse does not read the new event"
    );
}
