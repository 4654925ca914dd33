//! Unions of object schemas told apart by a one-value property, made `oneOf` with that
//! property required, so that the generator emits a tagged enum.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Value};

use super::jsonapi::escape;
use crate::resolve;

/// Keys whose values are data (or extensions), never schemas: not searched for unions.
const DATA_KEYS: &[&str] = &["example", "examples", "default", "enum", "const"];

/// Keys whose values map names (a property, a component) to schemas: a name there is never a
/// keyword, even `example` or `enum`.
const NAME_MAPS: &[&str] = &["properties", "schemas", "patternProperties", "$defs"];

/// Turns every `anyOf`/`oneOf` of the document whose branches are all object schemas (inline
/// or `$ref`) that each declare the same property (JSON:API: `type`) as a string `enum` of one
/// value (or a `const`), the value differing from branch to branch, into a `oneOf` in which
/// that property is required.
///
/// Why: typify generates an `anyOf` as a struct with one flattened optional member per branch,
/// and the first branch takes the members they share (`id`, `type`, `attributes`), so every
/// later branch deserializes empty. A `oneOf` of inline object schemas that share a required
/// one-value string property is what typify recognizes as an internally tagged enum
/// (`#[serde(tag = "type")]`), one variant per branch. A `$ref` branch is therefore replaced
/// by a copy of the schema it points to, and the tag property is written in the form typify
/// reads (`type: string`, one-value `enum`). The union is unchanged in meaning: a value with a
/// distinct tag per branch matches at most one branch, and each branch already declared the
/// tag's only value.
///
/// Unions left alone: a branch that is not an object schema, a branch without the property, or
/// two branches with the same value.
pub fn discriminate_unions(doc: &mut Value) {
    let mut unions = Vec::new();
    find_unions(doc, doc, String::new(), false, &mut unions);
    // Innermost first: a repair renames `anyOf`, which moves the pointers under it.
    for (pointer, keyword, tag) in unions.into_iter().rev() {
        repair(doc, &pointer, keyword, &tag);
    }
}

/// Collects `(pointer, keyword, tag)` of every union under `value`, outer before inner.
fn find_unions(
    doc: &Value,
    value: &Value,
    pointer: String,
    names: bool,
    out: &mut Vec<(String, &'static str, String)>,
) {
    match value {
        Value::Object(map) => {
            if !names {
                if let Some((keyword, tag)) = union_tag(doc, value) {
                    out.push((pointer.clone(), keyword, tag));
                }
            }
            for (key, inner) in map {
                if !names && (DATA_KEYS.contains(&key.as_str()) || key.starts_with("x-")) {
                    continue;
                }
                let child = format!("{pointer}/{}", escape(key));
                let child_names = !names && NAME_MAPS.contains(&key.as_str());
                find_unions(doc, inner, child, child_names, out);
            }
        }
        Value::Array(items) => {
            for (i, inner) in items.iter().enumerate() {
                find_unions(doc, inner, format!("{pointer}/{i}"), false, out);
            }
        }
        _ => {}
    }
}

/// The union keyword of `schema` and the property that tells its branches apart, if any.
fn union_tag(doc: &Value, schema: &Value) -> Option<(&'static str, String)> {
    let keyword = match (schema.get("anyOf"), schema.get("oneOf")) {
        (Some(_), None) => "anyOf",
        (None, Some(_)) => "oneOf",
        _ => return None,
    };
    let branches = schema.get(keyword)?.as_array()?;
    if branches.len() < 2 {
        return None;
    }
    let mut common: Option<BTreeMap<String, BTreeSet<String>>> = None;
    for branch in branches {
        let constants = constant_properties(doc, resolve(doc, branch))?;
        common = Some(match common {
            None => constants
                .into_iter()
                .map(|(name, value)| (name, BTreeSet::from([value])))
                .collect(),
            Some(seen) => seen
                .into_iter()
                .filter_map(|(name, mut values)| {
                    let value = constants.get(&name)?;
                    values.insert(value.clone()).then_some((name, values))
                })
                .collect(),
        });
    }
    // The first name, as typify picks among several candidates.
    let tag = common?.into_keys().next()?;
    Some((keyword, tag))
}

/// The properties of an object schema that hold one string value, with that value; `None`
/// when the schema is not a plain object schema.
fn constant_properties(doc: &Value, schema: &Value) -> Option<BTreeMap<String, String>> {
    let map = schema.as_object()?;
    if !matches!(map.get("type"), None | Some(Value::String(_)))
        || map.get("type").is_some_and(|t| t != "object")
        || ["allOf", "anyOf", "oneOf", "not", "$ref"]
            .iter()
            .any(|k| map.contains_key(*k))
    {
        return None;
    }
    let properties = map.get("properties")?.as_object()?;
    Some(
        properties
            .iter()
            .filter_map(|(name, property)| {
                let value = constant_string(resolve(doc, property))?;
                Some((name.clone(), value.to_string()))
            })
            .collect(),
    )
}

/// The one value of a string schema that allows one (`enum: [v]` or `const: v`).
fn constant_string(schema: &Value) -> Option<&str> {
    let map = schema.as_object()?;
    if map.get("type").is_some_and(|t| t != "string")
        || map.get("nullable").is_some_and(|n| n == true)
    {
        return None;
    }
    match (map.get("enum"), map.get("const")) {
        (Some(Value::Array(values)), None) if values.len() == 1 => values[0].as_str(),
        (None, Some(value)) => value.as_str(),
        _ => None,
    }
}

/// Makes the union at `pointer` a `oneOf` of inline branches with `tag` required.
fn repair(doc: &mut Value, pointer: &str, keyword: &str, tag: &str) {
    let Some(branches) = doc
        .pointer(pointer)
        .and_then(|union| union.get(keyword))
        .and_then(Value::as_array)
    else {
        return;
    };
    let branches: Vec<Value> = branches
        .iter()
        .map(|branch| {
            let mut branch = resolve(doc, branch).clone();
            let property = &branch["properties"][tag];
            let value = constant_string(resolve(doc, property)).map(str::to_string);
            let mut plain = json!({"type": "string", "enum": [value]});
            for annotation in ["title", "description"] {
                if let Some(text) = property.get(annotation) {
                    plain[annotation] = text.clone();
                }
            }
            branch["properties"][tag] = plain;
            let required = branch
                .as_object_mut()
                .map(|b| b.entry("required").or_insert_with(|| json!([])));
            if let Some(list) = required.and_then(Value::as_array_mut) {
                if !list.iter().any(|m| m == tag) {
                    list.push(json!(tag));
                }
            }
            branch
        })
        .collect();
    if let Some(union) = doc.pointer_mut(pointer).and_then(Value::as_object_mut) {
        union.remove(keyword);
        union.insert("oneOf".into(), Value::Array(branches));
    }
}

#[cfg(test)]
mod tests;
