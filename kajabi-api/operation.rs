//! The runtime operation table: what the hand-written layer needs to know of each operation.
//!
//! # One source of truth, two shapes
//!
//! The spec model is `kajabi_spec::Operation` (crate `kajabi-spec`): built at build time from
//! `openapi.yaml`, it carries everything known of an operation, schemas included. The SDK
//! must not link the spec model into users' binaries, so the build (codegen's
//! `generate::operation_table`) projects each `kajabi_spec::Operation` onto this
//! [`Operation`]: a `'static` record of plain strings and flags, one per operation, in
//! [`operations`]. Every field here is a field of the spec model, copied; nothing is derived
//! at run time and nothing is listed by hand, so the two shapes cannot disagree.
//!
//! Each generated call passes its own entry to [`crate::call`]; the token lifecycle finds the
//! token operation by its [`Role`], never by its path or name.

/// What the spec says about one operation that the generated code does not carry itself:
/// the projection of `kajabi_spec::Operation` the SDK keeps at run time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Operation {
    /// The SDK method name, e.g. `list_contacts` (`kajabi_spec::Operation::name`).
    pub name: &'static str,
    /// The HTTP method, upper case (`method`).
    pub method: &'static str,
    /// The path template, e.g. `/v1/contacts/{id}` (`path`).
    pub path: &'static str,
    /// Whether the call carries `Authorization: Bearer …` (`secured`).
    pub secured: bool,
    /// What it is to the token lifecycle (`role`).
    pub role: Role,
    /// Whether a success response carries credentials (`returns_credentials`): an error
    /// about such a response keeps none of its body.
    pub returns_credentials: bool,
    /// The request body's declared media type, if it takes a body (`request_media`).
    pub request_media: Option<&'static str>,
    /// The success response's declared media type, if it has a body (`response_media`).
    pub response_media: Option<&'static str>,
}

/// What an operation is to the token lifecycle (`kajabi_spec::Role`), derived by
/// `kajabi-spec` from the operation's shape, never from its path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// Exchanges a grant for tokens (Kajabi's `POST /v1/oauth/token`).
    TokenGrant,
    /// Revokes a token (Kajabi's `POST /v1/oauth/revoke`).
    Revoke,
    /// Any other operation.
    Ordinary,
}

/// Every operation the client was generated with, sorted by path, then method.
pub fn operations() -> &'static [Operation] {
    crate::contract::OPERATIONS
}

/// The first operation with `role`, if the API has one.
pub(crate) fn with_role(role: Role) -> Option<&'static Operation> {
    operations().iter().find(|op| op.role == role)
}

impl Operation {
    /// Whether sending the request twice has the effect of sending it once (RFC 9110 §9.2.2).
    pub(crate) fn is_idempotent(&self) -> bool {
        crate::retry::is_idempotent(self.method)
    }
}
