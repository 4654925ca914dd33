//! The spec model's operation: what every consumer of the spec reads of one operation.

use serde_json::Value;

/// One operation as every consumer of the spec sees it: the generator, the SDK's runtime table
/// (a projection of this, generated into `kajabi-api`), the sandbox, xtask and the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Synthesized method name, also the generated `operationId`.
    pub name: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template as in the spec, e.g. `/v1/contacts/{id}`.
    pub path: String,
    /// The operation's first tag, e.g. `Contacts`.
    pub tag: Option<String>,
    /// Whether the spec's `security` asks for a bearer token.
    pub secured: bool,
    /// What the operation is for the token lifecycle; see [`Role`].
    pub role: Role,
    /// Whether a success response carries credentials (`access_token`, `refresh_token`).
    pub returns_credentials: bool,
    /// Every parameter, path-level ones merged in, each once: the one parameter merge.
    pub parameters: Vec<Parameter>,
    /// The request body's media type as declared, if the operation takes a body.
    pub request_media: Option<String>,
    /// The request body's schema in the normalized document (`$ref`s left as they are).
    pub request_schema: Option<Value>,
    /// The success response's media type as declared, if it has a body.
    pub response_media: Option<String>,
    /// The first success response's schema in the normalized document, if it has a body.
    pub response_schema: Option<Value>,
    /// Whether the operation lists pages through `page[number]` and `page[size]`.
    pub paginated: bool,
    /// Declared success statuses, e.g. `["200"]`.
    pub success_statuses: Vec<String>,
    /// Declared error statuses (removed from the generated document).
    pub error_statuses: Vec<String>,
}

impl Operation {
    /// Path parameter names, in declaration order.
    pub fn path_params(&self) -> impl Iterator<Item = &str> {
        self.parameters
            .iter()
            .filter(|p| p.location == "path")
            .map(|p| p.name.as_str())
    }
}

/// One parameter of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// The name on the wire, e.g. `filter[site_id]`.
    pub name: String,
    /// Where it goes: `path`, `query` or `header`.
    pub location: String,
    /// Whether the operation requires it (path parameters always are).
    pub required: bool,
    /// Its schema in the normalized document.
    pub schema: Value,
}

/// What an operation is to the token lifecycle, derived from its shape, never from its path:
/// the hand-written layer finds the token and revoke operations through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Exchanges a form with a `grant_type` for credentials (`POST /v1/oauth/token`).
    TokenGrant,
    /// Revokes the `token` of a form and returns no credentials, RFC 7009's shape
    /// (`POST /v1/oauth/revoke`).
    Revoke,
    /// Any other operation.
    Ordinary,
}
