use std::sync::OnceLock;

use serde_json::json;

use super::report::MAX_DIFFERENCES;
use super::*;
use crate::{load, normalize};

/// The vendored document, parsed once.
fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
        let text = std::fs::read_to_string(path).expect("the workspace's openapi.yaml is readable");
        load(&text).expect("the vendored document parses")
    })
}

fn norm(doc: &Value) -> Normalized {
    normalize(doc).expect("the variant normalizes")
}

/// The vendored document after `edit`.
fn variant(edit: impl FnOnce(&mut Value)) -> Value {
    let mut doc = spec().clone();
    edit(&mut doc);
    doc
}

fn names(endpoints: &[Endpoint]) -> Vec<String> {
    endpoints.iter().map(ToString::to_string).collect()
}

fn changed_names(d: &ApiDiff) -> Vec<&str> {
    d.changed.iter().map(|c| c.endpoint.name.as_str()).collect()
}

fn add_widgets(doc: &mut Value) {
    let list_sites = doc["paths"]["/v1/sites"].clone();
    doc["paths"]["/v1/widgets"] = list_sites;
}

fn remove_get_blog_post(doc: &mut Value) {
    let item = doc["paths"]["/v1/blog_posts/{id}"]
        .as_object_mut()
        .expect("the spec has /v1/blog_posts/{id}");
    item.remove("get")
        .expect("the spec has GET /v1/blog_posts/{id}");
    if item.is_empty() {
        doc["paths"]
            .as_object_mut()
            .expect("paths is a map")
            .remove("/v1/blog_posts/{id}");
    }
}

fn rename_title_filter(doc: &mut Value) {
    let params = doc["paths"]["/v1/sites"]["get"]["parameters"]
        .as_array_mut()
        .expect("GET /v1/sites has parameters");
    let param = params
        .iter_mut()
        .find(|p| p["name"] == "filter[title_cont]")
        .expect("GET /v1/sites has filter[title_cont]");
    param["name"] = json!("filter[name_cont]");
}

fn bump_version(doc: &mut Value) {
    doc["info"]["version"] = json!("1.2.0");
}

fn change_sites_attributes(doc: &mut Value) {
    doc["components"]["schemas"]["sites_attributes"]["properties"]["subdomain"]["type"] =
        json!("integer");
}

#[test]
fn the_same_document_has_no_changes() {
    let d = diff(&norm(spec()), &norm(spec()));
    assert!(d.is_empty(), "{d}");
    assert_eq!(d.to_string(), "summary: no API changes\n");
}

#[test]
fn documentation_only_changes_are_no_api_change() {
    let new = variant(|doc| {
        doc["info"]["description"] = json!("reworded");
        let op = &mut doc["paths"]["/v1/sites"]["get"];
        op["summary"] = json!("List every site");
        op["description"] = json!("New words");
        op["parameters"][0]["description"] = json!("Sort order");
        let attributes = &mut doc["components"]["schemas"]["sites_attributes"];
        attributes["properties"]["title"]["description"] = json!("The site's name");
        attributes["properties"]["title"]["example"] = json!("My site");
    });
    let d = diff(&norm(spec()), &norm(&new));
    assert!(d.is_empty(), "{d}");
}

#[test]
fn an_added_operation_is_named_with_its_sdk_method() {
    let d = diff(&norm(spec()), &norm(&variant(add_widgets)));
    assert_eq!(names(&d.added), ["GET /v1/widgets (list_widgets)"]);
    assert!(
        d.removed.is_empty() && d.changed.is_empty() && d.schemas.is_empty(),
        "{d}"
    );
    assert_eq!(
        d.summary(),
        "summary: 1 operation added, 0 removed, 0 changed"
    );
    assert!(
        d.to_string()
            .contains("operations added (1):\n  + GET /v1/widgets (list_widgets)\n"),
        "{d}"
    );
}

#[test]
fn a_removed_operation_is_listed() {
    let d = diff(&norm(spec()), &norm(&variant(remove_get_blog_post)));
    assert_eq!(
        names(&d.removed),
        ["GET /v1/blog_posts/{id} (get_blog_post)"]
    );
    assert!(
        d.added.is_empty() && d.changed.is_empty() && d.schemas.is_empty(),
        "{d}"
    );
}

#[test]
fn a_renamed_parameter_is_one_removed_and_one_added() {
    let d = diff(&norm(spec()), &norm(&variant(rename_title_filter)));
    assert_eq!(changed_names(&d), ["list_sites"], "{d}");
    let change = &d.changed[0];
    assert!(
        change.payloads.is_empty() && change.renamed.is_none(),
        "{d}"
    );
    let described: Vec<String> = change.parameters.iter().map(ToString::to_string).collect();
    assert_eq!(
        described,
        [
            r#"parameter removed: `filter[title_cont]` (query, optional, schema {"type":"string"})"#,
            r#"parameter added: `filter[name_cont]` (query, optional, schema {"type":"string"})"#,
        ]
    );
    assert!(
        d.added.is_empty() && d.removed.is_empty() && d.schemas.is_empty(),
        "{d}"
    );
}

#[test]
fn a_changed_parameter_shows_required_and_schema() {
    let new = variant(|doc| {
        let param = doc["paths"]["/v1/sites"]["get"]["parameters"]
            .as_array_mut()
            .and_then(|ps| ps.iter_mut().find(|p| p["name"] == "page[size]"))
            .expect("GET /v1/sites has page[size]");
        param["required"] = json!(true);
        param["schema"] = json!({"type": "string"});
    });
    let d = diff(&norm(spec()), &norm(&new));
    assert_eq!(changed_names(&d), ["list_sites"], "{d}");
    let [ParameterChange::Changed(Changed { old, new })] = d.changed[0].parameters.as_slice()
    else {
        panic!("one changed parameter expected: {d}");
    };
    assert_eq!((old.required, new.required), (false, true));
    assert_eq!(new.schema, json!({"type": "string"}));
    let line = d.changed[0].parameters[0].to_string();
    assert!(
        line.starts_with(
            "parameter changed: `page[size]` (query); required false -> true; schema "
        ),
        "{line}"
    );
}

#[test]
fn a_version_bump_alone_is_reported() {
    let d = diff(&norm(spec()), &norm(&variant(bump_version)));
    assert!(!d.is_empty());
    assert!(
        d.added.is_empty() && d.removed.is_empty() && d.changed.is_empty() && d.schemas.is_empty()
    );
    assert_eq!(
        (d.old_version.as_deref(), d.new_version.as_deref()),
        (Some("1.1.0"), Some("1.2.0"))
    );
    assert_eq!(
        d.summary(),
        "summary: no operation changes; version 1.1.0 -> 1.2.0"
    );
    assert!(d.to_string().contains("version: 1.1.0 -> 1.2.0\n"), "{d}");
}

#[test]
fn a_changed_component_shows_by_name_and_on_every_operation_using_it() {
    let d = diff(&norm(spec()), &norm(&variant(change_sites_attributes)));
    let schemas: Vec<&str> = d.schemas.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(schemas, ["sites_attributes"], "{d}");
    // sites_attributes is used (through the index and show responses) by these two only.
    assert_eq!(changed_names(&d), ["list_sites", "get_site"], "{d}");
    for change in &d.changed {
        let subjects: Vec<&str> = change.payloads.iter().map(|p| p.subject.as_str()).collect();
        assert_eq!(subjects, ["response 200"], "{d}");
        assert!(change.parameters.is_empty());
    }
    let report = d.to_string();
    assert!(
        report.contains(
            "  ~ sites_attributes\n      /properties/subdomain/type: \"string\" -> \"integer\"\n"
        ),
        "{report}"
    );
    assert!(
        report.contains("      response 200 schema changed:\n"),
        "{report}"
    );
    assert!(
        report.contains("/properties/subdomain/type: \"string\" -> \"integer\""),
        "{report}"
    );
}

#[test]
fn all_changes_together_give_one_summary_line() {
    let new = variant(|doc| {
        add_widgets(doc);
        remove_get_blog_post(doc);
        rename_title_filter(doc);
        bump_version(doc);
        change_sites_attributes(doc);
    });
    let d = diff(&norm(spec()), &norm(&new));
    assert_eq!(names(&d.added), ["GET /v1/widgets (list_widgets)"]);
    assert_eq!(
        names(&d.removed),
        ["GET /v1/blog_posts/{id} (get_blog_post)"]
    );
    assert_eq!(changed_names(&d), ["list_sites", "get_site"]);
    let report = d.to_string();
    let last = report.lines().last().expect("the report has lines");
    assert_eq!(
        last,
        "summary: 1 operation added, 1 removed, 2 changed; component schemas: 0 added, 0 removed, 1 changed; \
         version 1.1.0 -> 1.2.0"
    );
    assert_eq!(
        report.lines().filter(|l| l.starts_with("summary:")).count(),
        1
    );
}

#[test]
fn added_and_removed_components_are_listed() {
    let new = variant(|doc| {
        let schemas = doc["components"]["schemas"]
            .as_object_mut()
            .expect("schemas is a map");
        let me = schemas
            .remove("me_attributes")
            .expect("the spec has me_attributes");
        schemas.insert("profile_attributes".into(), me);
        doc["components"]["schemas"]["me_response"]["properties"]["data"]["properties"]
            ["attributes"] = json!({"$ref": "#/components/schemas/profile_attributes"});
    });
    let d = diff(&norm(spec()), &norm(&new));
    let report = d.to_string();
    assert!(report.contains("  - me_attributes (removed)\n"), "{report}");
    assert!(
        report.contains("  + profile_attributes (added)\n"),
        "{report}"
    );
    assert!(report.contains("  ~ me_response\n"), "{report}");
    // The resolved response is the same: no operation changed.
    assert!(d.changed.is_empty(), "{report}");
    assert!(
        d.summary()
            .ends_with("component schemas: 1 added, 1 removed, 1 changed"),
        "{report}"
    );
}

#[test]
fn a_renamed_sdk_method_is_reported() {
    // Names are a function of method and path today; the report still covers a rule change.
    let old = norm(spec());
    let mut new = old.clone();
    new.operations[0].name = "issue_token".into();
    let d = diff(&old, &new);
    assert_eq!(d.changed.len(), 1, "{d}");
    let change = &d.changed[0];
    assert_eq!(
        change.renamed,
        Some(Changed {
            old: old.operations[0].name.clone(),
            new: "issue_token".into()
        })
    );
    assert!(
        d.to_string().contains(&format!(
            "SDK method renamed: {} -> issue_token",
            old.operations[0].name
        )),
        "{d}"
    );
}

fn small(schema: Value, version: &str) -> Normalized {
    norm(&json!({
        "openapi": "3.1.1",
        "info": {"title": "t", "version": version},
        "paths": {"/v1/things/{id}": {"get": {
            "parameters": [{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/thing"}}}}}
        }}},
        "components": {"schemas": {"thing": schema}}
    }))
}

#[test]
fn the_3_1_and_3_0_spellings_of_nullable_are_the_same_api() {
    let old = small(
        json!({"type": "object", "properties": {"a": {"type": "string", "nullable": true}}}),
        "1",
    );
    let new = small(
        json!({"type": "object", "properties": {"a": {"type": ["string", "null"]}}}),
        "1",
    );
    assert!(diff(&old, &new).is_empty());
}

#[test]
fn a_property_named_like_a_documentation_keyword_is_compared() {
    let old = small(
        json!({"type": "object", "properties": {"description": {"type": "string"}}}),
        "1",
    );
    let new = small(
        json!({"type": "object", "properties": {"description": {"type": "integer"}}}),
        "1",
    );
    let d = diff(&old, &new);
    assert_eq!(changed_names(&d), ["get_thing"], "{d}");
    assert!(
        d.to_string()
            .contains("/properties/description/type: \"string\" -> \"integer\""),
        "{d}"
    );
}

#[test]
fn a_recursive_schema_is_compared_without_looping() {
    let tree = |leaf: &str| {
        json!({"type": "object", "properties": {
            "name": {"type": leaf},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/thing"}}
        }})
    };
    let d = diff(&small(tree("string"), "1"), &small(tree("integer"), "1"));
    assert_eq!(changed_names(&d), ["get_thing"], "{d}");
    assert_eq!(d.schemas.len(), 1);
}

#[test]
fn long_differences_are_capped() {
    let wide = |ty: &str| {
        let props: Map<String, Value> = (0..20)
            .map(|i| (format!("p{i:02}"), json!({"type": ty})))
            .collect();
        json!({"type": "object", "properties": props})
    };
    let d = diff(&small(wide("string"), "1"), &small(wide("integer"), "2"));
    let report = d.to_string();
    assert!(
        report.contains(&format!("... and {} more", 20 - MAX_DIFFERENCES)),
        "{report}"
    );
    assert!(report.ends_with("version 1 -> 2\n"), "{report}");
}

#[test]
fn a_response_that_loses_its_body_is_reported() {
    let old = small(json!({"type": "object"}), "1");
    let mut new = old.clone();
    new.document["paths"]["/v1/things/{id}"]["get"]["responses"] =
        json!({"204": {"description": "gone"}});
    let d = diff(&old, &new);
    let payloads: Vec<String> = d.changed[0]
        .payloads
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(
        payloads,
        [
            r#"      response 200: schema {"type":"object"} -> not declared
"#,
            "      response 204: not declared -> no body\n"
        ]
    );
}

#[test]
fn comparing_against_an_empty_document_lists_every_operation_as_added() {
    let empty = Normalized {
        document: json!({}),
        operations: Vec::new(),
    };
    let full = norm(spec());
    let d = diff(&empty, &full);
    assert_eq!(d.added.len(), full.operations.len());
    assert!(
        d.summary().ends_with("; version (none) -> 1.1.0"),
        "{}",
        d.summary()
    );
}

/// The vendored document with `prefix` in front of every path for which `moves` says so.
fn prefixed(prefix: &str, moves: impl Fn(&str) -> bool) -> Value {
    variant(|doc| {
        let paths = doc["paths"].as_object_mut().unwrap();
        let moved: Map<String, Value> = std::mem::take(paths)
            .into_iter()
            .map(|(path, item)| match moves(&path) {
                true => (format!("{prefix}{path}"), item),
                false => (path, item),
            })
            .collect();
        *paths = moved;
    })
}

#[test]
fn a_prefix_moved_for_every_path_is_a_move_not_removed_and_added() {
    let old = norm(spec());
    let new = norm(&prefixed("/api", |_| true));
    let names = |n: &Normalized| {
        n.operations
            .iter()
            .map(|o| o.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        names(&old),
        names(&new),
        "the same method names under /api/v1"
    );
    let d = diff(&old, &new);
    assert!(d.added.is_empty() && d.removed.is_empty(), "{d}");
    assert_eq!(d.changed.len(), old.operations.len(), "{d}");
    let text = d.to_string();
    assert!(
        text.contains("moved: /v1/contacts -> /api/v1/contacts"),
        "{text}"
    );
    assert!(!text.contains("renamed"), "{text}");
}

#[test]
fn a_prefix_moved_for_some_paths_moves_only_those() {
    let old = norm(spec());
    let new = norm(&prefixed("/api", |path| path.starts_with("/v1/hooks")));
    let d = diff(&old, &new);
    assert!(d.added.is_empty() && d.removed.is_empty(), "{d}");
    let moved: Vec<&str> = d
        .changed
        .iter()
        .filter(|c| c.moved.is_some())
        .map(|c| c.endpoint.path.as_str())
        .collect();
    assert!(!moved.is_empty());
    assert!(
        moved.iter().all(|p| p.starts_with("/api/v1/hooks")),
        "{moved:?}"
    );
    assert_eq!(moved.len(), d.changed.len(), "{d}");
}
