//! What the flat layer reads from the spec's schemas: whether a response carries resource
//! objects, their members, and the Rust type of a member.

use kajabi_spec::{resolve, Operation};
use proc_macro2::TokenStream;
use quote::quote;
use serde_json::{Map, Value};

/// Whether the success response of `op` carries resource objects: `Some(true)` for an array
/// of them, `Some(false)` for one, `None` otherwise.
pub(super) fn resource_data(doc: &Value, op: &Operation) -> Option<bool> {
    let data = property(doc, op.response_schema.as_ref()?, "data")?;
    if is_resource(doc, data) {
        return Some(false);
    }
    let items = resolve(doc, data).get("items")?;
    is_resource(doc, items).then_some(true)
}

pub(super) fn resource_schema<'a>(doc: &'a Value, op: &'a Operation) -> Option<&'a Value> {
    let data = resolve(doc, property(doc, op.response_schema.as_ref()?, "data")?);
    Some(if is_resource(doc, data) {
        data
    } else {
        resolve(doc, data.get("items")?)
    })
}

pub(super) fn is_resource(doc: &Value, schema: &Value) -> bool {
    let properties = resolve(doc, schema).get("properties");
    properties.is_some_and(|p| p.get("id").is_some() && p.get("type").is_some())
}

pub(super) fn property<'a>(doc: &'a Value, schema: &'a Value, name: &str) -> Option<&'a Value> {
    resolve(doc, schema).get("properties")?.get(name)
}

pub(super) fn properties<'a>(
    doc: &'a Value,
    schema: Option<&'a Value>,
) -> Option<&'a Map<String, Value>> {
    resolve(doc, schema?).get("properties")?.as_object()
}

pub(super) fn required(doc: &Value, schema: Option<&Value>, name: &str) -> bool {
    schema
        .and_then(|s| resolve(doc, s).get("required"))
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|m| m == name))
}

/// The Rust type a member's value is read as; anything but a scalar stays JSON.
pub(super) fn rust_type(doc: &Value, schema: &Value) -> TokenStream {
    let schema = resolve(doc, schema);
    match schema.get("type").and_then(Value::as_str) {
        Some("string") if schema.get("format") == Some(&Value::from(SECRET)) => {
            quote!(crate::contract::SecretString)
        }
        Some("string") => quote!(String),
        Some("integer") => quote!(i64),
        Some("number") => quote!(serde_json::Number),
        Some("boolean") => quote!(bool),
        Some("array")
            if schema
                .get("items")
                .map(|i| resolve(doc, i).get("type") == Some(&Value::from("string")))
                == Some(true) =>
        {
            quote!(Vec<String>)
        }
        _ => quote!(serde_json::Value),
    }
}

pub(super) const SECRET: &str = kajabi_spec::normalize::SECRET_FORMAT;

pub(super) fn describe(schema: &Value, doc: &Value) -> String {
    resolve(doc, schema)
        .get("description")
        .and_then(Value::as_str)
        .map(|d| format!(": {}", d.trim()))
        .unwrap_or_default()
}
