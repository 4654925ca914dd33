//! The report's data: what changed, per operation, parameter, body and component schema.

use serde_json::Value;

use crate::Operation;

/// What changed for callers between two documents; `Display` renders the report.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ApiDiff {
    /// `info.version` of the old document.
    pub old_version: Option<String>,
    /// `info.version` of the new document.
    pub new_version: Option<String>,
    /// Operations only in the new document, in its order.
    pub added: Vec<Endpoint>,
    /// Operations only in the old document, in its order.
    pub removed: Vec<Endpoint>,
    /// Operations in both that differ, in the new document's order.
    pub changed: Vec<OperationChange>,
    /// Component schemas added, removed or changed, by name.
    pub schemas: Vec<SchemaChange>,
}

/// One operation: where it is and what the SDK calls it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template, e.g. `/v1/contacts/{id}`.
    pub path: String,
    /// The synthesized SDK method name, e.g. `get_contact`.
    pub name: String,
}

/// A value before and after a change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed<T> {
    /// Before.
    pub old: T,
    /// After.
    pub new: T,
}

/// How one operation present in both documents differs.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationChange {
    /// The operation, under its new name.
    pub endpoint: Endpoint,
    /// The path before and after, if the operation moved (same method and SDK name).
    pub moved: Option<Changed<String>>,
    /// The SDK method name, if it changed for the same method and path.
    pub renamed: Option<Changed<String>>,
    /// Parameters added, removed or changed.
    pub parameters: Vec<ParameterChange>,
    /// The request body and success responses whose schema changed.
    pub payloads: Vec<PayloadChange>,
    /// The request body's declared media type, if it changed.
    pub request_media: Option<Changed<Option<String>>>,
    /// The success response's declared media type, if it changed.
    pub response_media: Option<Changed<Option<String>>>,
    /// Whether a bearer token is required, if that changed.
    pub secured: Option<Changed<bool>>,
}

/// A parameter as callers see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// The name on the wire, e.g. `page[number]`.
    pub name: String,
    /// Where it goes: `path`, `query`, `header` or `cookie`.
    pub location: String,
    /// Whether callers must give it.
    pub required: bool,
    /// Its schema, `$ref`s resolved and documentation removed.
    pub schema: Value,
}

/// A parameter added, removed or changed; parameters are identified by name and location.
#[derive(Debug, Clone, PartialEq)]
pub enum ParameterChange {
    /// Only in the new document.
    Added(Parameter),
    /// Only in the old document.
    Removed(Parameter),
    /// In both, with a different `required` or schema.
    Changed(Changed<Parameter>),
}

/// What an operation sends or returns under one heading.
#[derive(Debug, Clone, PartialEq)]
pub enum Payload {
    /// Not declared: no request body, or the status is not listed.
    Absent,
    /// Declared without a body, e.g. a `204`.
    Empty,
    /// A body with this schema, `$ref`s resolved and documentation removed.
    Schema(Value),
}

/// The request body or one success response of an operation, before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct PayloadChange {
    /// `request body` or `response <status>`.
    pub subject: String,
    /// Before.
    pub old: Payload,
    /// After.
    pub new: Payload,
}

/// A component schema (`#/components/schemas/<name>`), before and after.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaChange {
    /// The component's name.
    pub name: String,
    /// Its definition before, documentation removed; `None` if it was added.
    pub old: Option<Value>,
    /// Its definition after, documentation removed; `None` if it was removed.
    pub new: Option<Value>,
}

impl Endpoint {
    pub(super) fn of(op: &Operation) -> Self {
        Endpoint {
            method: op.method.clone(),
            path: op.path.clone(),
            name: op.name.clone(),
        }
    }
}

impl OperationChange {
    pub(super) fn is_empty(&self) -> bool {
        self.moved.is_none()
            && self.renamed.is_none()
            && self.parameters.is_empty()
            && self.payloads.is_empty()
            && self.request_media.is_none()
            && self.response_media.is_none()
            && self.secured.is_none()
    }
}
