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
mod roles;
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
    use syn::visit_mut::VisitMut;

    #[test]
    fn the_vendored_spec_generates() {
        let text = include_str!("../../openapi.yaml");
        super::generate_from_yaml(text).expect("the vendored document generates");
    }

    /// Every `crate::…` path of the generated code (types, calls, macros, `use`s; doc text is
    /// not code) that is not `crate::contract::…`.
    #[derive(Default)]
    struct OutsideContract(Vec<String>);

    impl VisitMut for OutsideContract {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            let mut segments = path.segments.iter().map(|s| s.ident.to_string());
            // `crate` alone is `pub(crate)`, not a path into the crate.
            if segments.next().as_deref() == Some("crate")
                && segments.next().is_some_and(|second| second != "contract")
            {
                self.0.push(quote::quote!(#path).to_string());
            }
            syn::visit_mut::visit_path_mut(self, path);
        }

        fn visit_item_use_mut(&mut self, item: &mut syn::ItemUse) {
            if let syn::UseTree::Path(first) = &item.tree {
                let next = match &*first.tree {
                    syn::UseTree::Path(p) => Some(p.ident.to_string()),
                    syn::UseTree::Name(n) => Some(n.ident.to_string()),
                    syn::UseTree::Rename(r) => Some(r.ident.to_string()),
                    _ => None,
                };
                if first.ident == "crate" && next.as_deref() != Some("contract") {
                    self.0.push(quote::quote!(#item).to_string());
                }
            }
        }
    }

    /// The generated code reaches `kajabi-api`'s hand-written layer only through its
    /// `contract` module (`kajabi-api/contract.rs`).
    #[test]
    fn generated_code_names_the_hand_layer_only_through_the_contract() {
        let text = include_str!("../../openapi.yaml");
        let source = super::generate_from_yaml(text).unwrap();
        let mut file = syn::parse_file(&source).unwrap();
        let mut outside = OutsideContract::default();
        outside.visit_file_mut(&mut file);
        assert!(
            outside.0.is_empty(),
            "generated paths outside crate::contract: {:?}",
            outside.0
        );
        // The check sees the paths it must: the generated calls enter through the contract.
        assert!(source.contains("crate::contract::call::send("));
    }

    #[test]
    fn the_vendored_spec_generates_its_mocks() {
        let text = include_str!("../../openapi.yaml");
        let (_, mocks) =
            super::generate_with_mocks_from_yaml(text).expect("the vendored document generates");
        assert!(mocks.contains("pub trait MockServerExt"), "{mocks}");
    }
}
