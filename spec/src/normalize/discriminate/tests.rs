use serde_json::{json, Value};

use super::discriminate_unions;
use crate::normalize;

fn resource(kind: &str) -> Value {
    json!({
        "type": "object",
        "properties": {
            "id": {"type": "string"},
            "type": {"type": "string", "enum": [kind]},
            "attributes": {"type": "object", "properties": {"name": {"type": "string"}}}
        }
    })
}

/// A document whose one operation answers an array of `items`.
fn with_items(items: Value, schemas: Value) -> Value {
    json!({
        "openapi": "3.1.1",
        "info": {"title": "t", "version": "1"},
        "paths": {"/v1/hooks/tag_added_sample": {"get": {"responses": {"200": {
            "description": "ok",
            "content": {"application/vnd.api+json": {"schema": {"type": "array", "items": items}}}
        }}}}},
        "components": {"schemas": schemas}
    })
}

fn items(doc: &Value) -> &Value {
    &doc["paths"]["/v1/hooks/tag_added_sample"]["get"]["responses"]["200"]["content"]
        ["application/json"]["schema"]["items"]
}

#[test]
fn an_any_of_of_resources_becomes_a_one_of_with_the_type_required() {
    let doc = with_items(
        json!({"anyOf": [resource("contacts"), resource("contact_tags")]}),
        json!({}),
    );
    let n = normalize(&doc).unwrap();
    let union = items(&n.document);
    assert!(union.get("anyOf").is_none(), "{union}");
    let branches = union["oneOf"].as_array().expect("a oneOf");
    assert_eq!(branches.len(), 2);
    for (branch, kind) in branches.iter().zip(["contacts", "contact_tags"]) {
        assert_eq!(branch["required"], json!(["type"]));
        assert_eq!(
            branch["properties"]["type"],
            json!({"type": "string", "enum": [kind]})
        );
        assert_eq!(
            branch["properties"]["attributes"],
            resource(kind)["properties"]["attributes"]
        );
    }
    // The operation model sees the same schema as the document.
    let op = &n.operations[0];
    let schema = crate::resolve(&n.document, op.response_schema.as_ref().unwrap());
    assert!(schema["items"].get("oneOf").is_some(), "{schema}");
}

#[test]
fn ref_branches_are_inlined_and_their_components_left_as_they_are() {
    let mut tag = resource("contact_tags");
    tag["properties"]["type"] = json!({"const": "contact_tags", "description": "the kind"});
    tag["required"] = json!(["id"]);
    let doc = with_items(
        json!({"oneOf": [{"$ref": "#/components/schemas/contact"}, {"$ref": "#/components/schemas/tag"}]}),
        json!({"contact": resource("contacts"), "tag": tag}),
    );
    let n = normalize(&doc).unwrap();
    let branches = items(&n.document)["oneOf"].as_array().unwrap().clone();
    assert!(
        branches.iter().all(|b| b.get("$ref").is_none()),
        "{branches:?}"
    );
    assert_eq!(branches[0]["required"], json!(["type"]));
    assert_eq!(branches[1]["required"], json!(["id", "type"]));
    assert_eq!(
        branches[1]["properties"]["type"],
        json!({"type": "string", "enum": ["contact_tags"], "description": "the kind"})
    );
    let component = &n.document["components"]["schemas"]["contact"];
    assert!(component.get("required").is_none(), "{component}");
}

#[test]
fn unions_without_a_distinct_one_value_property_are_left_alone() {
    let mut untagged = resource("contacts");
    untagged["properties"]
        .as_object_mut()
        .unwrap()
        .remove("type");
    let mut two_values = resource("contacts");
    two_values["properties"]["type"]["enum"] = json!(["contacts", "people"]);
    let mut nullable = resource("contacts");
    nullable["properties"]["type"]["nullable"] = json!(true);
    let cases = [
        (
            "same value twice",
            json!({"anyOf": [resource("contacts"), resource("contacts")]}),
        ),
        (
            "a branch without it",
            json!({"anyOf": [resource("contacts"), untagged]}),
        ),
        (
            "a branch with two values",
            json!({"anyOf": [resource("tags"), two_values]}),
        ),
        (
            "a nullable tag",
            json!({"anyOf": [resource("tags"), nullable]}),
        ),
        (
            "a non-object branch",
            json!({"anyOf": [resource("contacts"), {"type": "string"}]}),
        ),
        (
            "an object that is itself a union",
            json!({"anyOf": [resource("contacts"), {"allOf": [resource("tags")]}]}),
        ),
        ("one branch", json!({"anyOf": [resource("contacts")]})),
        (
            "both keywords",
            json!({"anyOf": [resource("a"), resource("b")], "oneOf": [resource("c"), resource("d")]}),
        ),
    ];
    for (case, union) in cases {
        let mut doc = json!({"components": {"schemas": {"u": union.clone()}}});
        discriminate_unions(&mut doc);
        assert_eq!(doc["components"]["schemas"]["u"], union, "{case}");
    }
}

#[test]
fn unions_are_found_anywhere_in_schemas_but_not_in_examples() {
    let union = json!({"anyOf": [resource("a"), resource("b")]});
    let mut doc = json!({"components": {
        "schemas": {"wrapper": {"type": "object", "properties": {
            // A property named like a keyword is still a schema.
            "example": {"type": "array", "items": union.clone()},
            "nested": {"anyOf": [
                {"type": "object", "properties": {"kind": {"enum": ["x"]}, "inner": union.clone()}},
                {"type": "object", "properties": {"kind": {"enum": ["y"]}}}
            ]}
        }}},
        "examples": {"sample": {"value": union.clone()}}
    }});
    discriminate_unions(&mut doc);
    let wrapper = &doc["components"]["schemas"]["wrapper"]["properties"];
    assert!(
        wrapper["example"]["items"].get("oneOf").is_some(),
        "{wrapper}"
    );
    let outer = &wrapper["nested"]["oneOf"];
    assert_eq!(outer[0]["required"], json!(["kind"]));
    assert!(
        outer[0]["properties"]["inner"].get("oneOf").is_some(),
        "{outer}"
    );
    assert_eq!(doc["components"]["examples"]["sample"]["value"], union);
}
