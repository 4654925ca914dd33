//! The generator: turns the normalized document ([`kajabi_spec::Normalized`]) into the
//! `kajabi-api` client source with progenitor, then finishes progenitor's output (see `wrap`).
//!
//! `build.rs` calls [`generate_from_yaml`]; `cargo xtask sync-spec` calls [`generate()`] to vet
//! a new document. Loading, normalizing and naming live in `kajabi-spec`, the one spec model.

pub mod cli;
mod error;
pub mod generate;
mod mock;
mod progenitor_output;
pub mod resources;
mod rust_names;
mod webhooks;
mod wrap;

pub use error::GenerateError;
pub use generate::{generate, generate_with_mocks};

/// Why a document could not be turned into client code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The text is not YAML (or JSON).
    #[error(transparent)]
    Load(#[from] kajabi_spec::LoadError),
    /// The normalizer rejected the document.
    #[error("the document cannot be normalized: {0}")]
    Normalize(#[from] kajabi_spec::NormalizeError),
    /// The generator rejected the normalized document.
    #[error(transparent)]
    Generate(#[from] GenerateError),
}

/// Loads, normalizes and generates in one step: what `build.rs` runs.
///
/// # Errors
/// See [`Error`].
pub fn generate_from_yaml(text: &str) -> Result<String, Error> {
    let normalized = kajabi_spec::normalize(&kajabi_spec::load(text)?)?;
    Ok(generate(&normalized)?)
}

/// [`generate_from_yaml`], and the source of `kajabi_api::mock`: what `build.rs` runs when
/// `kajabi-api`'s `httpmock` feature is on.
///
/// # Errors
/// See [`Error`].
pub fn generate_with_mocks_from_yaml(text: &str) -> Result<(String, String), Error> {
    let normalized = kajabi_spec::normalize(&kajabi_spec::load(text)?)?;
    Ok(generate_with_mocks(&normalized)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_vendored_spec_generates() {
        let text = include_str!("../../openapi.yaml");
        super::generate_from_yaml(text).expect("the vendored document generates");
    }

    #[test]
    fn the_vendored_spec_generates_its_mocks() {
        let text = include_str!("../../openapi.yaml");
        let (_, mocks) =
            super::generate_with_mocks_from_yaml(text).expect("the vendored document generates");
        assert!(mocks.contains("pub trait MockServerExt"), "{mocks}");
    }
}
