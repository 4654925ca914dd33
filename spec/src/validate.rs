//! A small schema validator for the keywords Kajabi's spec uses.
//!
//! [`conforms`] decides whether a declared example, or a value a client sent (echoed into a
//! response), may be sent as is. It understands `$ref`, `type` (also `[X, "null"]`),
//! `nullable`, `enum`, `const`, `allOf`/`anyOf`/`oneOf`/`not`, `properties`, `required`,
//! `additionalProperties`, `items`, `minItems`/`maxItems`, `minLength`/`maxLength`, numeric
//! bounds and the `date-time`, `email` and `uri` formats. It errs on the strict side: a
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
    check(document, value, schema, 0)
}

fn check(document: &Value, value: &Value, schema: &Value, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let schema = resolve(document, schema);
    let Some(map) = schema.as_object() else {
        return schema != &Value::Bool(false);
    };
    if value.is_null() && nullable(map) {
        return true;
    }
    if let Some(expected) = map.get("const") {
        if expected != value {
            return false;
        }
    }
    if let Some(values) = map.get("enum").and_then(Value::as_array) {
        if !values.contains(value) {
            return false;
        }
    }
    if let Some(parts) = map.get("allOf").and_then(Value::as_array) {
        if !parts.iter().all(|p| check(document, value, p, depth + 1)) {
            return false;
        }
    }
    if let Some(parts) = map.get("anyOf").and_then(Value::as_array) {
        if !parts.iter().any(|p| check(document, value, p, depth + 1)) {
            return false;
        }
    }
    if let Some(parts) = map.get("oneOf").and_then(Value::as_array) {
        if parts
            .iter()
            .filter(|p| check(document, value, p, depth + 1))
            .count()
            != 1
        {
            return false;
        }
    }
    if let Some(not) = map.get("not") {
        if check(document, value, not, depth + 1) {
            return false;
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
        return false;
    }
    match value {
        Value::Object(object) => check_object(document, object, map, depth),
        Value::Array(items) => check_array(document, items, map, depth),
        Value::String(text) => check_string(text, map),
        Value::Number(n) => check_number(n.as_f64().unwrap_or(f64::NAN), map),
        _ => true,
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
) -> bool {
    let properties = map.get("properties").and_then(Value::as_object);
    let required_ok = map
        .get("required")
        .and_then(Value::as_array)
        .is_none_or(|names| {
            names
                .iter()
                .filter_map(Value::as_str)
                .all(|n| object.contains_key(n))
        });
    required_ok
        && object
            .iter()
            .all(|(name, inner)| match properties.and_then(|p| p.get(name)) {
                Some(schema) => check(document, inner, schema, depth + 1),
                None => match map.get("additionalProperties") {
                    Some(extra) => check(document, inner, extra, depth + 1),
                    None => true,
                },
            })
}

fn check_array(document: &Value, items: &[Value], map: &Map<String, Value>, depth: usize) -> bool {
    let min = map.get("minItems").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = map
        .get("maxItems")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |m| m as usize);
    (min..=max).contains(&items.len())
        && map.get("items").is_none_or(|schema| {
            items
                .iter()
                .all(|item| check(document, item, schema, depth + 1))
        })
}

fn check_string(text: &str, map: &Map<String, Value>) -> bool {
    let len = text.chars().count();
    let min = map.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = map
        .get("maxLength")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |m| m as usize);
    if !(min..=max).contains(&len) || map.contains_key("pattern") {
        return false;
    }
    match map.get("format").and_then(Value::as_str) {
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
    }
}

fn check_number(n: f64, map: &Map<String, Value>) -> bool {
    let bound = |key: &str| map.get(key).and_then(Value::as_f64);
    bound("minimum").is_none_or(|m| n >= m)
        && bound("maximum").is_none_or(|m| n <= m)
        && bound("exclusiveMinimum").is_none_or(|m| n > m)
        && bound("exclusiveMaximum").is_none_or(|m| n < m)
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
    fn date_times() {
        assert!(is_date_time("2024-01-01T00:00:00Z"));
        assert!(is_date_time("2024-01-01t00:00:00.123-05:30"));
        assert!(!is_date_time("2024-01-01"));
        assert!(!is_date_time("2024-01-01T00:00:00"));
        assert!(!is_date_time("2024-01-01T00:00:00+0"));
    }
}
