//! The one model of Kajabi's OpenAPI document that every crate of the workspace reads.
//!
//! - [`load`] parses the YAML (or JSON) text into a JSON value;
//! - [`normalize()`] turns it into the OpenAPI 3.0 document the generator takes, together with
//!   the operation table ([`Operation`]): names, roles, parameters, media types, statuses;
//! - [`names`] synthesizes the method names, [`diff`] compares two documents for
//!   `cargo xtask sync-spec`;
//! - [`resolve`] follows `$ref`s (the one resolver), [`json_schema`] converts a schema to
//!   plain JSON Schema for validators, [`conforms`] checks a value against a schema ([`violation`] says where it fails), and
//!   [`example_value`] builds a valid value from one.
//!
//! It depends on serde, serde_json and the YAML parser only: the sandbox and the tests read the
//! spec through it without compiling the generator. `kajabi-codegen` feeds its output to
//! progenitor.

pub mod diff;
pub mod example;
mod json_schema;
pub mod names;
pub mod normalize;
mod operation;
mod resolve;
mod validate;

pub use example::{example_body, example_value, primary_type};
pub use json_schema::json_schema;
pub use normalize::{normalize, NormalizeError, Normalized};
pub use operation::{Operation, Parameter, Role};
pub use resolve::resolve;
pub use validate::{conforms, violation, Violation};

/// The text is not YAML (or JSON).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the document is not valid YAML: {0}")]
pub struct LoadError(pub String);

/// Parses YAML (or JSON, a subset) into a JSON value.
///
/// # Errors
/// [`LoadError`] with the parser's message and position.
pub fn load(text: &str) -> Result<serde_json::Value, LoadError> {
    yaml_serde::from_str(text).map_err(|e| LoadError(e.to_string()))
}

/// A small document for the unit tests of the schema walkers.
#[cfg(test)]
mod fixture {
    pub(crate) fn document() -> serde_json::Value {
        crate::load(
            r##"{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{},
                "components":{"schemas":{
                  "rid":{"type":"object","required":["id","type"],
                         "properties":{"id":{"type":"string"},"type":{"type":"string"}}},
                  "thing":{"type":"object","properties":{
                     "data":{"type":"object","properties":{
                        "id":{"type":"string"},"type":{"type":"string"},
                        "attributes":{"type":"object","properties":{
                           "name":{"type":["string","null"]},"created_at":{"type":"string","format":"date-time"},
                           "kind":{"type":"string","enum":["a","b"]},"count":{"type":"integer","minimum":5},
                           "note":{"type":"string","nullable":true}}},
                        "relationships":{"type":"object","properties":{
                           "site":{"type":"object","properties":{"data":{"$ref":"#/components/schemas/rid"}}}}}}}}}}}}"##,
        )
        .expect("parses")
    }
}
