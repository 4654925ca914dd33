//! Runs progenitor on the normalized document and finishes its output for `kajabi-api`.
//!
//! What is emitted, in one Rust source string, includes:
//! 1. progenitor's client (builder interface, one `Client` for all tags), with each builder's
//!    `send` cut before progenitor's hooks: it builds the request and hands it to
//!    `kajabi_api`'s call path, returning `kajabi_api::Error` (see `wrap.rs`);
//! 2. `OPERATIONS`, the runtime operation table: each [`kajabi_spec::Operation`] projected
//!    onto `kajabi_api::Operation` (no schemas), which the hand-written layer reads to put
//!    the spec's media types and `Authorization` on the wire and to find the token operation
//!    by its role. Entry `i` is `operations[i]`: each generated `send` passes its own;
//! 3. `by_role`, the entry points the hand-written layer calls the token grant and the
//!    revocation through (see `roles.rs`).
//!
//! Every path the generated code writes into the hand-written layer goes through
//! `crate::contract` (`kajabi-api/contract.rs`), the one module that lists them.

use openapiv3::OpenAPI;
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};
use quote::quote;
use schemars::schema::{InstanceType, SchemaObject};

use kajabi_spec::{normalize::SECRET_FORMAT, Normalized, Operation, Role};

use crate::error::GenerateError;

/// The typed OpenAPI 3.0 document, with serde's path to any error.
///
/// # Errors
/// [`GenerateError::Document`] naming the failing location.
pub fn to_openapi(normalized: &Normalized) -> Result<OpenAPI, GenerateError> {
    serde_path_to_error::deserialize(&normalized.document).map_err(|e| GenerateError::Document {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

/// Generates the client source for `kajabi-api` from a normalized document.
///
/// progenitor panics on some constructs instead of returning an error; the panic is caught
/// and reported as [`GenerateError::Progenitor`] so that the build prints one message.
///
/// # Errors
/// See [`GenerateError`].
pub fn generate(normalized: &Normalized) -> Result<String, GenerateError> {
    Ok(prettyplease::unparse(&client(normalized)?))
}

/// [`generate()`], and the source of `kajabi_api::mock` (the typed httpmock mocks), read from
/// the same progenitor output: what `build.rs` runs when the `httpmock` feature is on.
///
/// # Errors
/// See [`GenerateError`].
pub fn generate_with_mocks(normalized: &Normalized) -> Result<(String, String), GenerateError> {
    let file = client(normalized)?;
    let mocks = crate::mock::source(&file, normalized)?;
    Ok((prettyplease::unparse(&file), mocks))
}

/// The client as a syntax tree: progenitor's output, wrapped, with the resources, the
/// webhooks and the operation table.
fn client(normalized: &Normalized) -> Result<syn::File, GenerateError> {
    let spec = to_openapi(normalized)?;
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote!(crate::contract::Session))
        .with_conversion(
            SchemaObject {
                instance_type: Some(InstanceType::String.into()),
                format: Some(SECRET_FORMAT.to_string()),
                ..Default::default()
            },
            "crate::contract::SecretString",
            std::iter::empty::<TypeImpl>(),
        );
    let tokens = std::panic::catch_unwind(move || {
        let mut generator = Generator::new(&settings);
        generator.generate_tokens(&spec).map_err(|e| e.to_string())
    })
    .map_err(|panic| {
        let text = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "panic".into());
        GenerateError::Progenitor(format!("generator panicked: {text}"))
    })?
    .map_err(GenerateError::Progenitor)?;

    let mut file: syn::File = syn::parse2(tokens)
        .map_err(|e| GenerateError::Shape(format!("progenitor output does not parse: {e}")))?;
    let entries = crate::wrap::wrap_builders(&mut file, &normalized.operations)?;
    let resources = crate::resources::items(&file, normalized, &entries)?;
    file.items.extend(resources);
    file.items.push(crate::webhooks::items(&file, normalized)?);
    file.items
        .push(crate::roles::items(&file, &normalized.operations)?);
    let table = operation_table(&normalized.operations);
    file.items.extend(
        syn::parse2::<syn::File>(table)
            .map_err(|e| GenerateError::Shape(e.to_string()))?
            .items,
    );
    Ok(file)
}

fn operation_table(operations: &[Operation]) -> proc_macro2::TokenStream {
    let entries = operations.iter().map(|op| {
        let Operation {
            name,
            method,
            path,
            secured,
            returns_credentials,
            ..
        } = op;
        let request_media = option(op.request_media.as_deref());
        let response_media = option(op.response_media.as_deref());
        let role = match op.role {
            Role::TokenGrant => quote!(TokenGrant),
            Role::Revoke => quote!(Revoke),
            Role::Ordinary => quote!(Ordinary),
        };
        quote! {
            crate::contract::operation::Operation {
                name: #name,
                method: #method,
                path: #path,
                secured: #secured,
                role: crate::contract::operation::Role::#role,
                returns_credentials: #returns_credentials,
                request_media: #request_media,
                response_media: #response_media,
            }
        }
    });
    quote! {
        /// Every operation of the document, sorted by path, then method.
        pub static OPERATIONS: &[crate::contract::operation::Operation] = &[#(#entries),*];
    }
}

fn option(value: Option<&str>) -> proc_macro2::TokenStream {
    match value {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}
