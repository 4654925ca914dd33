//! Why generation failed: the one error every pass of the generator returns.

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The normalized document does not deserialize as OpenAPI 3.0.
    #[error("the normalized document is not valid OpenAPI 3.0 at {path}: {message}")]
    Document {
        /// Where in the document.
        path: String,
        /// What serde said.
        message: String,
    },
    /// progenitor refused the document.
    #[error("progenitor could not generate the client: {0}")]
    Progenitor(String),
    /// No operation of the document has a role the SDK's hand-written layer needs
    /// (`TokenGrant`, `Revoke`): it could not get or revoke tokens.
    #[error(
        "no operation of the document has the role {0}, which the SDK's token lifecycle needs"
    )]
    MissingRole(String),
    /// progenitor's output did not have the shape the wrapper pass expects.
    #[error("unexpected generator output: {0}")]
    Shape(String),
}
