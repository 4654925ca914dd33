//! The pagination members the list operations document in prose but not in their schemas.

use serde_json::{json, Map, Value};

use crate::operation::Operation;

/// The `links` members a paginated list documents besides `self`/`current`: strings (URLs).
pub const PAGE_LINKS: &[&str] = &["first", "prev", "next", "last"];

/// The `meta` members a paginated list documents: integers.
pub const PAGE_META: &[&str] = &["total_pages", "total_count", "current_page"];

/// Adds the documented pagination members to the response schema of every paginated list
/// (the component it references, or the inline schema); see the module docs.
pub(super) fn document_list_pagination(
    root: &mut Map<String, Value>,
    operations: &mut [Operation],
) {
    for op in operations.iter_mut().filter(|op| op.paginated) {
        let Some(schema) = op.response_schema.clone() else {
            continue;
        };
        let component = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"));
        if let Some(name) = component {
            if let Some(target) = root
                .get_mut("components")
                .and_then(|c| c.get_mut("schemas"))
                .and_then(|s| s.get_mut(name))
            {
                add_pagination_members(target);
            }
            continue;
        }
        let Some(item) = root
            .get_mut("paths")
            .and_then(|p| p.get_mut(&op.path))
            .and_then(|i| i.get_mut(op.method.to_ascii_lowercase()))
        else {
            continue;
        };
        for status in &op.success_statuses {
            let target = item
                .get_mut("responses")
                .and_then(|r| r.get_mut(status))
                .and_then(|r| r.get_mut("content"))
                .and_then(Value::as_object_mut)
                .and_then(|c| c.values_mut().next())
                .and_then(|m| m.get_mut("schema"))
                .filter(|s| **s == schema);
            if let Some(target) = target {
                if add_pagination_members(target) {
                    op.response_schema = Some(target.clone());
                }
                break;
            }
        }
    }
}

/// Adds [`PAGE_LINKS`] and [`PAGE_META`] to an object schema with a `data` array, keeping
/// what it declares already; false if the schema is not such a list.
pub(super) fn add_pagination_members(schema: &mut Value) -> bool {
    let is_list = schema.pointer("/properties/data/type") == Some(&json!("array"));
    let Some(properties) = schema
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .filter(|_| is_list)
    else {
        return false;
    };
    let groups: [(&str, &[&str], Value); 2] = [
        (
            "links",
            PAGE_LINKS,
            json!({"type": "string", "nullable": true}),
        ),
        ("meta", PAGE_META, json!({"type": "integer"})),
    ];
    for (group, members, member_schema) in groups {
        let object = properties
            .entry(group)
            .or_insert_with(|| json!({"type": "object", "properties": {}}));
        let Some(object) = object.as_object_mut() else {
            continue;
        };
        let declared = object.entry("properties").or_insert_with(|| json!({}));
        if let Some(declared) = declared.as_object_mut() {
            for member in members {
                declared
                    .entry(member.to_string())
                    .or_insert_with(|| member_schema.clone());
            }
        }
    }
    true
}
