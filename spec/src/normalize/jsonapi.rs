//! The members JSON:API guarantees in a success response, marked `required`.

use std::collections::BTreeSet;

use serde_json::{json, Value};

use super::METHODS;

/// Marks what JSON:API guarantees in every success response as `required`: `id` and `type` of
/// each resource object, and `data` of a response whose `data` is one resource object.
///
/// The documents repaired are the success responses' schemas and every component schema that
/// no request body uses without a success response using it too: so that whether a component
/// is repaired does not depend on which operations use it (removing the one operation that
/// uses a component does not change the component, and `sync-spec` reports no change to it).
/// Schemas are changed where they are defined, following `$ref`s.
pub fn require_jsonapi_members(doc: &mut Value) {
    let mut responses = Vec::new();
    let mut requests = Vec::new();
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let at = format!("/paths/{}/{method}", escape(path));
            let bodies = op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(status, _)| status.starts_with('2'))
                .map(|(status, response)| (format!("{at}/responses/{}", escape(status)), response))
                .chain(
                    op.get("requestBody")
                        .map(|b| (format!("{at}/requestBody"), b)),
                );
            for (at, body) in bodies {
                let content = body.get("content").and_then(Value::as_object);
                for media in content.into_iter().flatten().map(|(media, _)| media) {
                    let pointer = format!("{at}/content/{}/schema", escape(media));
                    let Some(target) = target(doc, &pointer) else {
                        continue;
                    };
                    if at.ends_with("/requestBody") {
                        requests.push(target);
                    } else {
                        responses.push(target);
                    }
                }
            }
        }
    }
    let components = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, _)| format!("/components/schemas/{}", escape(name)))
        .filter(|pointer| !requests.contains(pointer) || responses.contains(pointer));
    let documents: BTreeSet<String> = components.chain(responses.iter().cloned()).collect();

    let mut repairs: Vec<(String, &[&str])> = Vec::new();
    for top in documents {
        let Some(data) = target(doc, &format!("{top}/properties/data")) else {
            continue;
        };
        if is_resource_object(doc, &data) {
            repairs.push((data, &["id", "type"]));
            repairs.push((top, &["data"]));
        } else if let Some(item) = target(doc, &format!("{data}/items")) {
            if is_resource_object(doc, &item) {
                repairs.push((item, &["id", "type"]));
            }
        }
    }
    for (pointer, members) in repairs {
        let Some(schema) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        let required = schema.entry("required").or_insert_with(|| json!([]));
        if let Some(list) = required.as_array_mut() {
            for member in members {
                if !list.iter().any(|m| m == *member) {
                    list.push(json!(member));
                }
            }
        }
    }
}

/// The JSON pointer of the schema at `pointer`, after following its local `$ref`s.
pub(super) fn target(doc: &Value, pointer: &str) -> Option<String> {
    let mut pointer = pointer.to_string();
    for _ in 0..16 {
        let schema = doc.pointer(&pointer)?;
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(next) => pointer = next.to_string(),
            None => return Some(pointer),
        }
    }
    None
}

/// Whether the schema at `pointer` declares both `id` and `type`: a JSON:API resource object.
pub(super) fn is_resource_object(doc: &Value, pointer: &str) -> bool {
    let properties = doc
        .pointer(pointer)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    properties.is_some_and(|p| p.contains_key("id") && p.contains_key("type"))
}

/// A JSON pointer token (RFC 6901).
pub(super) fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}
