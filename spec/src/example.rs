//! Example values built from the spec's schemas: what the sandbox answers with, and what
//! tests and tools send.
//!
//! [`example_body`] turns a response's media type object into a deterministic body that is
//! valid against its schema:
//!
//! - an `example` (media type or schema level) or the first of `examples` wins, if it is itself
//!   valid against the schema (upstream examples are sometimes stale);
//! - otherwise the body is synthesized: `const`, then the first non-null `enum` value, the
//!   first alternative of `anyOf`/`oneOf`, the merge of `allOf`; objects get every property;
//!   arrays get [`ARRAY_ITEMS`] items with ids `"1"`, `"2"`, ...; strings follow their `format`
//!   (`date-time` → `2024-01-01T00:00:00Z`, `email` → `user@example.com`, `uri` →
//!   `https://example.com`) or, failing that, their property name (`*_at`, `*_url`, `id`,
//!   JSON:API `type`); integers and numbers are `1`, booleans `true`. Nullable values are
//!   given a value, not `null`: examples read better that way and both are valid.
//!
//! Declared examples are vetted with [`crate::conforms`].

use serde_json::{json, Map, Value};

use crate::resolve;

use crate::validate::{conforms, nullable};

/// How many items a synthesized array has.
pub const ARRAY_ITEMS: usize = 2;

/// Beyond this nesting depth, synthesis stops descending (guards against recursive schemas).
const MAX_DEPTH: usize = 24;

/// The date-time every synthesized timestamp carries.
pub const SAMPLE_DATE_TIME: &str = "2024-01-01T00:00:00Z";

/// A body for the media type object `media_object` (the value under `content.<media>`) of
/// the OpenAPI `document`.
///
/// `resource` is the JSON:API resource type the operation is about (`contacts`), used for a
/// `data.type` whose schema does not pin it.
pub fn example_body(document: &Value, media_object: &Value, resource: &str) -> Value {
    let schema = media_object
        .get("schema")
        .map(|s| resolve(document, s))
        .unwrap_or(&Value::Bool(true));
    let declared = media_object.get("example").into_iter().chain(
        media_object
            .get("examples")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|examples| examples.values())
            .filter_map(|example| resolve(document, example).get("value")),
    );
    for candidate in declared {
        if conforms(document, candidate, schema) {
            return candidate.clone();
        }
    }
    let synth = Synth { document, resource };
    synth.value(schema, &mut Vec::new(), 0)
}

/// Builds values from schemas; see the module docs for the rules.
struct Synth<'a> {
    /// Where references resolve.
    document: &'a Value,
    /// The JSON:API resource type of the operation.
    resource: &'a str,
}

impl Synth<'_> {
    /// A value valid against `schema`; `path` holds the property names leading to it.
    fn value(&self, schema: &Value, path: &mut Vec<String>, depth: usize) -> Value {
        let schema = resolve(self.document, schema);
        let Some(map) = schema.as_object() else {
            // `true` accepts anything; `false` accepts nothing, so no choice is right.
            return if schema == &Value::Bool(false) {
                Value::Null
            } else {
                json!("sample")
            };
        };
        if let Some(example) = map
            .get("example")
            .filter(|e| conforms(self.document, e, schema))
        {
            return example.clone();
        }
        if let Some(example) = map
            .get("examples")
            .and_then(Value::as_array)
            .and_then(|list| list.iter().find(|e| conforms(self.document, e, schema)))
        {
            return example.clone();
        }
        if let Some(value) = map.get("const") {
            return value.clone();
        }
        if let Some(values) = map.get("enum").and_then(Value::as_array) {
            if let Some(value) = values.iter().find(|v| !v.is_null()).or(values.first()) {
                return value.clone();
            }
        }
        if depth > MAX_DEPTH {
            return shallow(map);
        }
        if let Some(parts) = map.get("allOf").and_then(Value::as_array) {
            let mut merged = match primary_type(map) {
                Some("object") | None if map.contains_key("properties") => {
                    self.object(map, path, depth)
                }
                _ => Value::Object(Map::new()),
            };
            for part in parts {
                match (&mut merged, self.value(part, path, depth + 1)) {
                    (Value::Object(into), Value::Object(from)) => into.extend(from),
                    (_, other) => return other,
                }
            }
            return merged;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(first) = map
                .get(key)
                .and_then(Value::as_array)
                .and_then(|a| a.first())
            {
                return self.value(first, path, depth + 1);
            }
        }
        match primary_type(map) {
            Some("object") => self.object(map, path, depth),
            Some("array") => self.array(map, path, depth),
            Some("string") => self.string(map, path),
            Some("integer") => json!(integer(map)),
            Some("number") => json!(integer(map)),
            Some("boolean") => json!(true),
            Some("null") => Value::Null,
            _ if map.contains_key("properties") => self.object(map, path, depth),
            _ if map.contains_key("items") => self.array(map, path, depth),
            _ => json!("sample"),
        }
    }

    fn object(&self, map: &Map<String, Value>, path: &mut Vec<String>, depth: usize) -> Value {
        let mut out = Map::new();
        if let Some(properties) = map.get("properties").and_then(Value::as_object) {
            for (name, schema) in properties {
                path.push(name.clone());
                let value = self.value(schema, path, depth + 1);
                path.pop();
                out.insert(name.clone(), value);
            }
        }
        Value::Object(out)
    }

    fn array(&self, map: &Map<String, Value>, path: &mut Vec<String>, depth: usize) -> Value {
        let Some(items) = map.get("items") else {
            return json!([]);
        };
        let min = map.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
        let max = map
            .get("maxItems")
            .and_then(Value::as_u64)
            .map_or(usize::MAX, |m| m as usize);
        let count = ARRAY_ITEMS.max(min).min(max);
        let item = self.value(items, path, depth + 1);
        Value::Array((0..count).map(|i| with_id(item.clone(), i + 1)).collect())
    }

    fn string(&self, map: &Map<String, Value>, path: &[String]) -> Value {
        let key = path.last().map(String::as_str).unwrap_or("");
        let by_format = match map.get("format").and_then(Value::as_str) {
            Some("date-time") => Some(SAMPLE_DATE_TIME),
            Some("date") => Some("2024-01-01"),
            Some("time") => Some("00:00:00Z"),
            Some("email" | "idn-email") => Some("user@example.com"),
            Some("uri" | "url" | "iri" | "uri-reference" | "iri-reference") => {
                Some("https://example.com")
            }
            Some("uuid") => Some("00000000-0000-4000-8000-000000000001"),
            Some("ipv4") => Some("127.0.0.1"),
            Some("ipv6") => Some("::1"),
            Some("hostname" | "idn-hostname") => Some("example.com"),
            _ => None,
        };
        let text = match by_format {
            Some(text) => text.to_string(),
            None if key == "type" => self.resource_type(path),
            // JSON:API `links` members are URLs.
            None if path.len() > 1 && path[path.len() - 2] == "links" => {
                "https://example.com".to_string()
            }
            None => by_name(key),
        };
        Value::String(fit_length(text, map))
    }

    /// The JSON:API `type` for the object at `path`: the operation's resource at the top,
    /// the (plural) relationship name inside `relationships.<name>.data`.
    fn resource_type(&self, path: &[String]) -> String {
        let parents = &path[..path.len().saturating_sub(1)];
        match parents {
            [.., relationship, data]
                if data == "data"
                    && !["data", "relationships", "attributes"]
                        .contains(&relationship.as_str()) =>
            {
                crate::names::plural(relationship)
            }
            _ => self.resource.to_string(),
        }
    }
}

/// A string for a property called `key` whose schema says nothing more.
fn by_name(key: &str) -> String {
    let text = match key {
        "" => "sample",
        "id" => "1",
        "email" => "user@example.com",
        "url" | "href" | "self" | "related" | "first" | "last" | "next" | "prev" | "current" => {
            "https://example.com"
        }
        "currency" => "USD",
        "status" | "state" => "active",
        _ if key.ends_with("_id") => "1",
        _ if key.ends_with("_email") => "user@example.com",
        _ if key.ends_with("_url") => "https://example.com",
        _ if key.ends_with("_at") => SAMPLE_DATE_TIME,
        _ => return format!("Sample {}", key.replace('_', " ")),
    };
    text.to_string()
}

/// Pads or cuts `text` to the schema's `minLength`/`maxLength`.
fn fit_length(mut text: String, map: &Map<String, Value>) -> String {
    let min = map.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = map
        .get("maxLength")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |m| m as usize);
    let len = text.chars().count();
    if len < min {
        text.extend(std::iter::repeat_n('x', min - len));
    }
    if text.chars().count() > max {
        text = text.chars().take(max).collect();
    }
    text
}

/// `1`, moved into `[minimum, maximum]` when the schema bounds it.
fn integer(map: &Map<String, Value>) -> i64 {
    let mut value = 1_i64;
    if let Some(min) = map.get("minimum").and_then(Value::as_f64) {
        value = value.max(min.ceil() as i64);
    }
    if let Some(min) = map.get("exclusiveMinimum").and_then(Value::as_f64) {
        value = value.max(min.floor() as i64 + 1);
    }
    if let Some(max) = map.get("maximum").and_then(Value::as_f64) {
        value = value.min(max.floor() as i64);
    }
    if let Some(max) = map.get("exclusiveMaximum").and_then(Value::as_f64) {
        value = value.min(max.ceil() as i64 - 1);
    }
    value
}

/// The non-null type a schema object names (`type: X` or `type: [X, "null"]`).
pub fn primary_type(map: &Map<String, Value>) -> Option<&str> {
    match map.get("type")? {
        Value::String(t) => Some(t),
        Value::Array(types) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null"),
        _ => None,
    }
}

/// What a too-deep schema gets: null where allowed, else an empty value of its type.
fn shallow(map: &Map<String, Value>) -> Value {
    if nullable(map) {
        return Value::Null;
    }
    match primary_type(map) {
        Some("array") => json!([]),
        Some("string") => json!(""),
        Some("integer" | "number") => json!(integer(map)),
        Some("boolean") => json!(true),
        _ => json!({}),
    }
}

/// Sets `id` of an array item to its position (1-based), keeping the id's JSON type.
pub fn with_id(mut item: Value, position: usize) -> Value {
    if let Some(id) = item.get_mut("id") {
        match id {
            Value::String(_) => *id = Value::String(position.to_string()),
            Value::Number(_) => *id = json!(position),
            _ => {}
        }
    }
    item
}

/// A deterministic value valid against `schema`, built by the same rules the sandbox uses for
/// its answers (see the crate docs: a valid `example` wins, else `const`, the first non-null
/// `enum` value, the first `oneOf`/`anyOf` alternative, the merge of `allOf`, every property
/// of an object, two items per array with ids `"1"`, `"2"`, strings after their `format` or
/// property name, numbers `1` moved into their bounds, `true`; nullable values get a value).
///
/// `document` is the original OpenAPI document (3.1, as JSON, e.g. from
/// [`crate::load`]); `schema` may be or contain `$ref`s into it. A JSON:API `type`
/// the schema does not pin is named after the referenced component (`contacts` for
/// `#/components/schemas/contacts_create_request`), else `resources`.
///
/// ```
/// let document = serde_json::json!({"openapi": "3.1.0", "components": {"schemas": {
///     "thing": {"type": "object", "required": ["id"], "properties": {
///         "id": {"type": "string"}, "count": {"type": "integer", "minimum": 3}}}}}});
/// let value = kajabi_spec::example_value(
///     &document,
///     &serde_json::json!({"$ref": "#/components/schemas/thing"}),
/// );
/// assert_eq!(value, serde_json::json!({"id": "1", "count": 3}));
/// ```
pub fn example_value(document: &Value, schema: &Value) -> Value {
    let resource = resource_of(schema);
    let synth = Synth {
        document,
        resource: &resource,
    };
    synth.value(schema, &mut Vec::new(), 0)
}

/// The resource a referenced component is about: its name up to the first `_` followed by a
/// role word (`contact_notes_create_request` → `contact_notes`).
fn resource_of(schema: &Value) -> String {
    const ROLES: &[&str] = &[
        "_create",
        "_update",
        "_request",
        "_response",
        "_attributes",
        "_resource",
        "_list",
    ];
    let Some(name) = schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.rsplit('/').next())
    else {
        return "resources".to_string();
    };
    let end = ROLES
        .iter()
        .filter_map(|role| name.find(role))
        .min()
        .unwrap_or(name.len());
    match &name[..end] {
        "" => "resources".to_string(),
        stem => stem.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synthesized_bodies_follow_the_rules_and_conform() {
        let doc = crate::fixture::document();
        let schema = json!({"$ref": "#/components/schemas/thing"});
        let body = example_body(&doc, &json!({"schema": schema}), "things");
        assert_eq!(body["data"]["type"], "things");
        assert_eq!(body["data"]["id"], "1");
        assert_eq!(body["data"]["attributes"]["created_at"], SAMPLE_DATE_TIME);
        assert_eq!(body["data"]["attributes"]["kind"], "a");
        assert_eq!(body["data"]["attributes"]["count"], 5);
        assert_eq!(
            body["data"]["relationships"]["site"]["data"]["type"],
            "sites"
        );
        assert!(conforms(&doc, &body, &schema));
    }

    #[test]
    fn declared_examples_win_only_when_valid() {
        let doc = crate::fixture::document();
        let media = json!({"schema": {"type": "object", "properties": {"n": {"type": "integer"}}}, "example": {"n": 7}});
        assert_eq!(example_body(&doc, &media, "x"), json!({"n": 7}));
        let stale = json!({"schema": {"type": "object", "properties": {"n": {"type": "integer"}}}, "example": {"n": "seven"}});
        assert_eq!(example_body(&doc, &stale, "x"), json!({"n": 1}));
    }

    #[test]
    fn resource_names_follow_the_component() {
        let of = |r: &str| resource_of(&json!({"$ref": r}));
        assert_eq!(
            of("#/components/schemas/contact_notes_create_request"),
            "contact_notes"
        );
        assert_eq!(of("#/components/schemas/contacts"), "contacts");
        assert_eq!(resource_of(&json!({"type": "object"})), "resources");
    }

    #[test]
    fn values_from_the_embedded_spec_are_valid() {
        let doc = crate::load(include_str!("../../openapi.yaml")).expect("spec");
        let schema = json!({"$ref": "#/components/schemas/contact_notes_create_request"});
        let value = example_value(&doc, &schema);
        assert!(conforms(&doc, &value, &schema), "{value}");
        assert_eq!(value["data"]["type"], "contact_notes");
    }
}
