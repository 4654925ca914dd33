//! Build-time half of `kajabi-api`: loads Kajabi's OpenAPI document, normalizes it into what
//! progenitor takes, and generates the client source.
//!
//! `build.rs` calls [`generate_from_yaml`]; `cargo xtask sync-spec` calls [`load`] and
//! [`normalize::normalize`] to vet a new document and [`diff`] to report what changed. There is
//! one normalizer and one parser, here.

pub mod diff;
pub mod generate;
pub mod names;
pub mod normalize;
mod wrap;

pub use generate::{generate, GenerateError};
pub use normalize::{normalize, NormalizeError, Normalized, Operation};

/// Why a document could not be turned into client code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not YAML (or JSON).
    #[error("the document is not valid YAML: {0}")]
    Yaml(String),
    /// The normalizer rejected the document.
    #[error("the document cannot be normalized: {0}")]
    Normalize(#[from] NormalizeError),
    /// The generator rejected the normalized document.
    #[error(transparent)]
    Generate(#[from] GenerateError),
}

/// Parses YAML (or JSON, a subset) into a JSON value.
///
/// # Errors
/// [`Error::Yaml`] with the parser's message and position.
pub fn load(text: &str) -> Result<serde_json::Value, Error> {
    yaml_serde::from_str(text).map_err(|e| Error::Yaml(e.to_string()))
}

/// Loads, normalizes and generates in one step: what `build.rs` runs.
///
/// # Errors
/// See [`Error`].
pub fn generate_from_yaml(text: &str) -> Result<String, Error> {
    let normalized = normalize(&load(text)?)?;
    Ok(generate(&normalized)?)
}
