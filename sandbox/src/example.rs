//! The sandbox's example builder, for anyone who needs a value valid against a schema of the
//! spec: tests and tools that build request bodies or mock responses from the document.

use serde_json::Value;

use crate::responses::Synth;
use crate::spec::Spec;

/// A deterministic value valid against `schema`, built by the same rules the sandbox uses for
/// its answers (see the crate docs: a valid `example` wins, else `const`, the first non-null
/// `enum` value, the first `oneOf`/`anyOf` alternative, the merge of `allOf`, every property
/// of an object, two items per array with ids `"1"`, `"2"`, strings after their `format` or
/// property name, numbers `1` moved into their bounds, `true`; nullable values get a value).
///
/// `document` is the original OpenAPI document (3.1, as JSON, e.g. from
/// `kajabi_codegen::load`); `schema` may be or contain `$ref`s into it. A JSON:API `type`
/// the schema does not pin is named after the referenced component (`contacts` for
/// `#/components/schemas/contacts_create_request`), else `resources`.
///
/// ```
/// let document = serde_json::json!({"openapi": "3.1.0", "components": {"schemas": {
///     "thing": {"type": "object", "required": ["id"], "properties": {
///         "id": {"type": "string"}, "count": {"type": "integer", "minimum": 3}}}}}});
/// let value = kajabi_sandbox::example_value(
///     &document,
///     &serde_json::json!({"$ref": "#/components/schemas/thing"}),
/// );
/// assert_eq!(value, serde_json::json!({"id": "1", "count": 3}));
/// ```
pub fn example_value(document: &Value, schema: &Value) -> Value {
    let version = document
        .pointer("/info/version")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let spec = Spec {
        document: document.clone(),
        operations: Vec::new(),
        version,
    };
    let resource = resource_of(schema);
    let synth = Synth {
        spec: &spec,
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
    use serde_json::json;

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
        let spec = Spec::load().expect("spec");
        let schema = json!({"$ref": "#/components/schemas/contact_notes_create_request"});
        let value = example_value(&spec.document, &schema);
        assert!(crate::validate::conforms(&spec, &value, &schema), "{value}");
        assert_eq!(value["data"]["type"], "contact_notes");
    }
}
