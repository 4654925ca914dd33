//! The one `$ref` resolver.

use serde_json::Value;

/// How many `$ref` hops [`resolve`] follows before giving up: a reference cycle ends there.
const MAX_REF_HOPS: usize = 32;

/// Follows local `$ref`s (`#/...` JSON pointers into `document`) until a value without one.
/// A reference that does not resolve, or a cycle, yields the last value reached: callers that
/// must tell those apart check the result for a remaining `$ref`.
pub fn resolve<'a>(document: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..MAX_REF_HOPS {
        match value
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
            .and_then(|pointer| document.pointer(pointer))
        {
            Some(target) => value = target,
            None => break,
        }
    }
    value
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn follows_references_and_stops_on_cycles_and_dangling_ones() {
        let doc = json!({"components": {"schemas": {
            "a": {"$ref": "#/components/schemas/b"},
            "b": {"type": "string"},
            "c": {"$ref": "#/components/schemas/c"}}}});
        assert_eq!(
            resolve(&doc, &json!({"$ref": "#/components/schemas/a"})),
            &json!({"type": "string"})
        );
        assert!(resolve(&doc, &json!({"$ref": "#/components/schemas/c"}))
            .get("$ref")
            .is_some());
        let dangling = json!({"$ref": "#/components/schemas/none"});
        assert_eq!(resolve(&doc, &dangling), &dangling);
    }
}
