//! The embedded OpenAPI document and the lookups the server needs from it.
//!
//! Two views of one document are kept: the operation table from `kajabi_spec::normalize`
//! (routing, security, statuses, media types, query parameters) and the **original** 3.1
//! document, whose schemas the example bodies are built from. The normalized document drops
//! error responses, and the original keeps every `type: [X, "null"]` and `nullable: true` as
//! written, so answers are checked against what Prism checks them against.

use std::io;

use kajabi_spec::Operation;
use serde_json::Value;

/// Kajabi's OpenAPI document, exactly as the SDK is generated from it.
pub(crate) const SPEC_YAML: &str = include_str!("../openapi.yaml");

/// The parsed document and its operation table.
pub(crate) struct Spec {
    /// The original document (OpenAPI 3.1), as JSON.
    pub(crate) document: Value,
    /// Every operation, in document order.
    pub(crate) operations: Vec<Operation>,
    /// `info.version` of the document, e.g. `1.1.0`.
    pub(crate) version: String,
}

impl Spec {
    /// Parses and normalizes the embedded document.
    pub(crate) fn load() -> io::Result<Spec> {
        Self::parse(SPEC_YAML)
    }

    /// Parses and normalizes `text` (YAML or JSON).
    pub(crate) fn parse(text: &str) -> io::Result<Spec> {
        let invalid = |message: String| io::Error::new(io::ErrorKind::InvalidData, message);
        let document = kajabi_spec::load(text).map_err(|e| invalid(e.to_string()))?;
        let normalized = kajabi_spec::normalize(&document).map_err(|e| invalid(e.to_string()))?;
        let version = document
            .pointer("/info/version")
            .and_then(Value::as_str)
            .unwrap_or("unknown")
            .to_string();
        Ok(Spec {
            document,
            operations: normalized.operations,
            version,
        })
    }

    /// The operation object of `op` in the original document.
    pub(crate) fn operation_object(&self, op: &Operation) -> Option<&Value> {
        self.document
            .get("paths")?
            .get(&op.path)?
            .get(op.method.to_ascii_lowercase())
            .map(|v| self.resolve(v))
    }

    /// The response object `op` declares for `status`, references resolved.
    pub(crate) fn response(&self, op: &Operation, status: &str) -> Option<&Value> {
        let response = self.operation_object(op)?.get("responses")?.get(status)?;
        Some(self.resolve(response))
    }

    /// The first media type (and its media type object) of `op`'s `status` response, if that
    /// response has content.
    pub(crate) fn response_content(&self, op: &Operation, status: &str) -> Option<(&str, &Value)> {
        let content = self.response(op, status)?.get("content")?.as_object()?;
        content
            .iter()
            .next()
            .map(|(media, object)| (media.as_str(), self.resolve(object)))
    }

    /// The schema of `op`'s `status` response body, references resolved.
    pub(crate) fn response_schema(&self, op: &Operation, status: &str) -> Option<&Value> {
        let (_, media_object) = self.response_content(op, status)?;
        media_object.get("schema").map(|s| self.resolve(s))
    }

    /// `value`, or what its `$ref`s lead to in the original document ([`kajabi_spec::resolve`]).
    pub(crate) fn resolve<'a>(&'a self, value: &'a Value) -> &'a Value {
        kajabi_spec::resolve(&self.document, value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_document_loads() {
        let spec = Spec::load().expect("the embedded spec loads");
        assert!(!spec.operations.is_empty());
        assert!(!spec.version.is_empty());
    }
}
