//! `by_role`: the typed entry points through which the hand-written layer reaches the
//! operations it calls itself (the token grant, the revocation), found by their
//! [`Role`] in the spec model, never by a name written by hand.
//!
//! The hand layer names `by_role::TokenForm`, `by_role::revoke`, …; which operation and which
//! generated types stand behind them is decided here, from the operation the spec model gives
//! the role. A spec that renames `create_token` or its body type changes this module, not
//! `kajabi-api`'s hand-written code.

use kajabi_spec::{Operation, Role};
use proc_macro2::Span;
use quote::{format_ident, quote};
use syn::Item;

use crate::error::GenerateError;
use crate::progenitor_output::{body_type, response_type};
use crate::rust_names::pascal_case;

/// `mod by_role` for `file`, progenitor's output, generated from `operations`.
///
/// # Errors
/// [`GenerateError::MissingRole`] when no operation has a role the hand layer needs;
/// [`GenerateError::Shape`] when progenitor's output lacks the types it must name.
pub(crate) fn items(file: &syn::File, operations: &[Operation]) -> Result<Item, GenerateError> {
    let grant = with_role(operations, Role::TokenGrant, "TokenGrant")?;
    let revoke = with_role(operations, Role::Revoke, "Revoke")?;
    let token_form = body(file, grant)?;
    let token_response = response_type(file, grant).ok_or_else(|| {
        GenerateError::Shape(format!("`{}` has no typed success body", grant.name))
    })?;
    let revoke_form = body(file, revoke)?;
    let revoke_method = syn::Ident::new(&revoke.name, Span::call_site());
    let revoke_builder = format_ident!("{}", pascal_case(&revoke.name));
    let (grant_name, revoke_name) = (&grant.name, &revoke.name);
    let grant_doc = format!("The form of the token grant (`Role::TokenGrant`: `{grant_name}`).");
    let response_doc = format!("The success body of the token grant (`{grant_name}`).");
    let revoke_form_doc = format!("The form of the revocation (`Role::Revoke`: `{revoke_name}`).");
    syn::parse2(quote! {
        /// The operations the hand-written layer calls itself, by their role in the spec
        /// model (see `kajabi-api/contract.rs`).
        pub(crate) mod by_role {
            use super::{builder, types, Client};

            #[doc = #grant_doc]
            pub(crate) type TokenForm = #token_form;
            #[doc = #response_doc]
            pub(crate) type TokenResponse = types::#token_response;
            #[doc = #revoke_form_doc]
            pub(crate) type RevokeForm = #revoke_form;

            /// The revocation's builder: its `body` takes a [`RevokeForm`].
            pub(crate) fn revoke(client: &Client) -> builder::#revoke_builder<'_> {
                client.#revoke_method()
            }
        }
    })
    .map_err(|e| GenerateError::Shape(format!("mod by_role: {e}")))
}

/// The operation with `role`; the first one, as the token lifecycle takes it.
fn with_role<'o>(
    operations: &'o [Operation],
    role: Role,
    name: &str,
) -> Result<&'o Operation, GenerateError> {
    operations
        .iter()
        .find(|op| op.role == role)
        .ok_or_else(|| GenerateError::MissingRole(name.to_string()))
}

/// The type `op`'s builder takes as its body.
fn body(file: &syn::File, op: &Operation) -> Result<syn::Type, GenerateError> {
    body_type(file, op)?.ok_or_else(|| GenerateError::Shape(format!("`{}` takes no body", op.name)))
}
