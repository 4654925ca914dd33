//! A small schema validator for the keywords Kajabi's spec uses.
//!
//! [`conforms`] decides whether a declared example, or a value a client sent (echoed into a
//! response), may be sent as is. It understands `$ref`, `type` (also `[X, "null"]`),
//! `nullable`, `enum`, `const`, `allOf`/`anyOf`/`oneOf`/`not`, `properties`, `required`,
//! `additionalProperties`, `items`, `minItems`/`maxItems`, `minLength`/`maxLength`, numeric
//! bounds and the `date-time`, `email` and `uri` formats; [`violation`] names the first member
//! that breaks the schema (a JSON pointer). It errs on the strict side: a
//! `pattern` (which it cannot check) makes a string fail.

use serde_json::{json, Map, Value};

use crate::resolve;

/// Beyond this nesting depth a value is rejected (guards against recursive schemas).
const MAX_DEPTH: usize = 32;

/// Whether a schema lets `null` through (`nullable: true`, `type: [.., "null"]`, `enum: [.., null]`).
pub(crate) fn nullable(map: &Map<String, Value>) -> bool {
    map.get("nullable") == Some(&Value::Bool(true))
        || map
            .get("type")
            .and_then(Value::as_array)
            .is_some_and(|types| types.iter().any(|t| t == "null"))
        || map.get("type") == Some(&json!("null"))
}

/// Whether `value` is valid against `schema`, for the keywords the spec uses.
///
/// Conservative: a keyword it cannot check (`pattern`, a `format` it does not know how to
/// recognise is fine) makes it answer `false`, so that nothing doubtful is ever sent.
pub fn conforms(document: &Value, value: &Value, schema: &Value) -> bool {
    violation(document, value, schema).is_none()
}

/// Where and why a value breaks a schema: the first violation [`violation`] finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer (RFC 6901) to the offending member, `""` for the value itself; for a
    /// missing required member, the pointer to where it should be (`/data/attributes/email`).
    pub pointer: String,
    /// What is wrong there, in words (`is required`, `must be a string`, ...).
    pub reason: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {}", self.reason)
    }
}

/// The first violation of `schema` by `value`, in document order, or `None` when the value
/// [`conforms`]. The same rules as [`conforms`]; the pointer lets an API name the member in a
/// JSON:API error's `source.pointer`.
pub fn violation(document: &Value, value: &Value, schema: &Value) -> Option<Violation> {
    let mut at = Vec::new();
    check(document, value, schema, 0, &mut at).err()
}

/// A JSON pointer from reference tokens, escaped per RFC 6901.
fn pointer(at: &[String]) -> String {
    at.iter()
        .map(|token| format!("/{}", token.replace('~', "~0").replace('/', "~1")))
        .collect()
}

fn fail(at: &[String], reason: impl Into<String>) -> Result<(), Violation> {
    Err(Violation {
        pointer: pointer(at),
        reason: reason.into(),
    })
}

fn check(
    document: &Value,
    value: &Value,
    schema: &Value,
    depth: usize,
    at: &mut Vec<String>,
) -> Result<(), Violation> {
    if depth > MAX_DEPTH {
        return fail(at, "is nested too deeply");
    }
    let schema = resolve(document, schema);
    let Some(map) = schema.as_object() else {
        return if schema == &Value::Bool(false) {
            fail(at, "is not allowed")
        } else {
            Ok(())
        };
    };
    if value.is_null() && nullable(map) {
        return Ok(());
    }
    if let Some(expected) = map.get("const") {
        if expected != value {
            return fail(at, format!("must be {expected}"));
        }
    }
    if let Some(values) = map.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            return fail(
                at,
                format!("must be one of {}", Value::Array(values.clone())),
            );
        }
    }
    if let Some(parts) = map.get("allOf").and_then(Value::as_array) {
        for part in parts {
            check(document, value, part, depth + 1, at)?;
        }
    }
    let fits = |part: &Value| check(document, value, part, depth + 1, &mut at.clone()).is_ok();
    if let Some(parts) = map.get("anyOf").and_then(Value::as_array) {
        if !parts.iter().any(fits) {
            return fail(at, "matches none of the allowed shapes (anyOf)");
        }
    }
    if let Some(parts) = map.get("oneOf").and_then(Value::as_array) {
        if parts.iter().filter(|p| fits(p)).count() != 1 {
            return fail(at, "must match exactly one of the allowed shapes (oneOf)");
        }
    }
    if let Some(not) = map.get("not") {
        if fits(not) {
            return fail(at, "matches a shape that is not allowed (not)");
        }
    }
    let type_ok = match map.get("type") {
        None => true,
        Some(Value::String(t)) => has_type(value, t),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .any(|t| has_type(value, t)),
        Some(_) => false,
    };
    if !type_ok {
        let expected = match map.get("type") {
            Some(Value::String(t)) => t.clone(),
            Some(other) => other.to_string(),
            None => String::new(),
        };
        return fail(at, format!("must be of type {expected}"));
    }
    match value {
        Value::Object(object) => check_object(document, object, map, depth, at),
        Value::Array(items) => check_array(document, items, map, depth, at),
        Value::String(text) => check_string(text, map).or_else(|reason| fail(at, reason)),
        Value::Number(n) => {
            check_number(n.as_f64().unwrap_or(f64::NAN), map).or_else(|reason| fail(at, reason))
        }
        _ => Ok(()),
    }
}

fn has_type(value: &Value, name: &str) -> bool {
    match name {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|f| f.fract() == 0.0)
        }
        _ => false,
    }
}

fn check_object(
    document: &Value,
    object: &Map<String, Value>,
    map: &Map<String, Value>,
    depth: usize,
    at: &mut Vec<String>,
) -> Result<(), Violation> {
    let properties = map.get("properties").and_then(Value::as_object);
    let required = map.get("required").and_then(Value::as_array);
    for name in required.into_iter().flatten().filter_map(Value::as_str) {
        if !object.contains_key(name) {
            at.push(name.to_string());
            let result = fail(at, "is required");
            at.pop();
            return result;
        }
    }
    for (name, inner) in object {
        let schema = match properties.and_then(|p| p.get(name)) {
            Some(schema) => schema,
            None => match map.get("additionalProperties") {
                Some(extra) => extra,
                None => continue,
            },
        };
        at.push(name.clone());
        let result = check(document, inner, schema, depth + 1, at);
        at.pop();
        result?;
    }
    Ok(())
}

fn check_array(
    document: &Value,
    items: &[Value],
    map: &Map<String, Value>,
    depth: usize,
    at: &mut Vec<String>,
) -> Result<(), Violation> {
    let min = map.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = map
        .get("maxItems")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |m| m as usize);
    if !(min..=max).contains(&items.len()) {
        return fail(at, format!("must have {min} to {max} items"));
    }
    if let Some(schema) = map.get("items") {
        for (index, item) in items.iter().enumerate() {
            at.push(index.to_string());
            let result = check(document, item, schema, depth + 1, at);
            at.pop();
            result?;
        }
    }
    Ok(())
}

fn check_string(text: &str, map: &Map<String, Value>) -> Result<(), String> {
    let len = text.chars().count();
    let min = map.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = map
        .get("maxLength")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |m| m as usize);
    if !(min..=max).contains(&len) {
        return Err(format!("must be {min} to {max} characters long"));
    }
    if map.contains_key("pattern") {
        return Err("has a pattern this validator does not check".into());
    }
    let format = map.get("format").and_then(Value::as_str);
    let ok = match format {
        Some("date-time") => is_date_time(text),
        Some("email") => text
            .split_once('@')
            .is_some_and(|(user, host)| !user.is_empty() && host.contains('.')),
        Some("uri" | "url") => text.split_once(':').is_some_and(|(scheme, rest)| {
            !rest.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }),
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("must be a {} string", format.unwrap_or("valid")))
    }
}

fn check_number(n: f64, map: &Map<String, Value>) -> Result<(), String> {
    let bound = |key: &str| map.get(key).and_then(Value::as_f64);
    let ok = bound("minimum").is_none_or(|m| n >= m)
        && bound("maximum").is_none_or(|m| n <= m)
        && bound("exclusiveMinimum").is_none_or(|m| n > m)
        && bound("exclusiveMaximum").is_none_or(|m| n < m);
    if ok {
        Ok(())
    } else {
        Err("is out of the allowed range".into())
    }
}

/// RFC 3339 date-time, e.g. `2024-01-01T00:00:00Z` or `2024-01-01T00:00:00.5+02:00`.
fn is_date_time(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let Some((date, time)) = text.split_once(['T', 't']) else {
        return false;
    };
    let date_ok = matches!(date.split('-').collect::<Vec<_>>().as_slice(),
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 && digits(y) && digits(m) && digits(d));
    let (clock, zone) = match time.find(['Z', 'z', '+', '-']) {
        Some(at) => time.split_at(at),
        None => return false,
    };
    let clock = clock.split('.').next().unwrap_or("");
    let clock_ok = matches!(clock.split(':').collect::<Vec<_>>().as_slice(),
        [h, m, s] if [h, m, s].iter().all(|p| p.len() == 2 && digits(p)));
    let zone_ok = zone.eq_ignore_ascii_case("z")
        || matches!(zone[1..].split(':').collect::<Vec<_>>().as_slice(),
            [h, m] if h.len() == 2 && m.len() == 2 && digits(h) && digits(m));
    date_ok && clock_ok && zone_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conforms_checks_types_nulls_enums_and_formats() {
        let doc = crate::fixture::document();
        let attrs = json!({"$ref": "#/components/schemas/thing"});
        let with = |attributes: Value| json!({"data": {"attributes": attributes}});
        assert!(conforms(
            &doc,
            &with(json!({"name": null, "note": null})),
            &attrs
        ));
        assert!(!conforms(&doc, &with(json!({"name": 3})), &attrs));
        assert!(!conforms(&doc, &with(json!({"kind": "c"})), &attrs));
        assert!(!conforms(&doc, &with(json!({"count": 4})), &attrs));
        assert!(!conforms(
            &doc,
            &with(json!({"created_at": "yesterday"})),
            &attrs
        ));
        assert!(conforms(
            &doc,
            &with(json!({"created_at": "2024-02-03T04:05:06.7+01:00"})),
            &attrs
        ));
        let rid = json!({"$ref": "#/components/schemas/rid"});
        assert!(!conforms(&doc, &json!({"id": "1"}), &rid));
    }

    #[test]
    fn violations_point_at_the_member() {
        let doc = crate::fixture::document();
        let thing = json!({"$ref": "#/components/schemas/thing"});
        let with = |attributes: Value| json!({"data": {"attributes": attributes}});
        let found = violation(&doc, &with(json!({"name": null, "count": "x"})), &thing)
            .expect("a violation");
        assert_eq!(found.pointer, "/data/attributes/count");
        assert!(found.reason.contains("integer"), "{found}");
        let rid = json!({"$ref": "#/components/schemas/rid"});
        let missing = violation(&doc, &json!({"id": "1"}), &rid).expect("a violation");
        assert_eq!(missing.pointer, "/type");
        assert_eq!(missing.reason, "is required");
        let list = json!({"type": "array", "items": rid});
        let deep = violation(
            &doc,
            &json!([{"id": "1", "type": "t"}, {"id": 2, "type": "t"}]),
            &list,
        )
        .expect("a violation");
        assert_eq!(deep.pointer, "/1/id");
        assert_eq!(
            violation(&doc, &json!({"id": "1", "type": "t"}), &rid),
            None
        );
        let odd = json!({"type": "object", "properties": {"a/b~c": {"type": "string"}}});
        assert_eq!(
            violation(&doc, &json!({"a/b~c": 1}), &odd).map(|v| v.pointer),
            Some("/a~1b~0c".to_string())
        );
    }

    #[test]
    fn date_times() {
        assert!(is_date_time("2024-01-01T00:00:00Z"));
        assert!(is_date_time("2024-01-01t00:00:00.123-05:30"));
        assert!(!is_date_time("2024-01-01"));
        assert!(!is_date_time("2024-01-01T00:00:00"));
        assert!(!is_date_time("2024-01-01T00:00:00+0"));
    }
}
