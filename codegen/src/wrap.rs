//! The pass over progenitor's output that gives every operation one call path and one error
//! type.
//!
//! progenitor's `send` builds the request, hands it to its hooks
//! (`ClientHooks::pre`/`exec`/`post`) and matches the response status, all returning
//! `progenitor_client::Error<()>`. For each operation builder this pass cuts that method
//! where the hooks start: what builds the request becomes `build_request` (crate-private),
//! and the statuses of the final `match` (JSON body or none) become a `crate::contract::body::Json` or
//! `crate::contract::body::Empty`. The new `send`, with the same success type, hands the built request,
//! the operation's entry in `OPERATIONS` and that decoder to `crate::contract::call::send`, the one
//! entry to the hand-written layer, and returns `kajabi_api::Error`. progenitor's hooks are
//! never called.
//!
//! List operations (those with `page[number]` and `page[size]`) whose page has a `data` array
//! also get an `impl kajabi_api::Paginate`, and `Client::call_operation` dispatches on the
//! operation name with JSON arguments. Nothing else in progenitor's output changes.

mod dispatch;
mod options;
mod paginate;
mod request;
mod send;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use kajabi_spec::Operation;
use syn::{visit_mut::VisitMut, ImplItem, Item, Type};

use crate::error::GenerateError;
// webhooks.rs reads progenitor's output with these too.
use crate::progenitor_output::api_version;
pub(crate) use crate::progenitor_output::{generic_arg, success_type};
use crate::rust_names::pascal_case;
use dispatch::dispatch_arm;
use paginate::{list_item_types, page_item, paginate_impl};
use request::{inline_header_map, ConstHeaders, SetAccept};
use send::split_send;

/// How one operation's wrapped `send` enters the call path: its entry in `OPERATIONS` and
/// the decoder of its success body. The flat layer's handles enter the same way, with their
/// own body type (see `resources`).
pub(crate) struct Entry {
    /// The index of the operation in `OPERATIONS`.
    pub(crate) index: usize,
    /// `crate::contract::body::Json(&[..])` or `crate::contract::body::Empty(&[..])`.
    pub(crate) decoder: proc_macro2::TokenStream,
    /// Whether the decoder is `Json`: the success response has a body.
    pub(crate) json: bool,
}

/// Wraps every builder's `send` (see the module docs); returns each operation's [`Entry`]
/// by operation name.
pub(crate) fn wrap_builders(
    file: &mut syn::File,
    operations: &[Operation],
) -> Result<BTreeMap<String, Entry>, GenerateError> {
    let item_types = list_item_types(file);
    let version = api_version(file);
    let builder = file
        .items
        .iter_mut()
        .find_map(|item| match item {
            Item::Mod(m) if m.ident == "builder" => m.content.as_mut(),
            _ => None,
        })
        .ok_or_else(|| {
            GenerateError::Shape("no `builder` module (is the interface style Builder?)".into())
        })?;
    let mut entries = BTreeMap::new();
    let mut paginate = Vec::new();
    let mut arms = Vec::new();
    for item in builder.1.iter_mut() {
        let Item::Impl(block) = item else { continue };
        let Type::Path(self_ty) = &*block.self_ty else {
            continue;
        };
        let Some(type_name) = self_ty.path.segments.last().map(|s| s.ident.to_string()) else {
            continue;
        };
        let Some(position) = block
            .items
            .iter()
            .position(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "send"))
        else {
            continue;
        };
        // `OPERATIONS` is emitted from the same slice, in the same order (see generate.rs).
        let (index, operation) = operations
            .iter()
            .enumerate()
            .find(|(_, op)| pascal_case(&op.name) == type_name)
            .ok_or_else(|| {
                GenerateError::Shape(format!("builder `{type_name}` matches no operation"))
            })?;
        if block
            .items
            .iter()
            .any(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "build_request"))
        {
            return Err(GenerateError::Shape(format!(
                "`{type_name}` already has a `build_request` (a parameter of that name?)"
            )));
        }
        arms.push(dispatch_arm(operation, &block.items)?);
        let ImplItem::Fn(raw) = &mut block.items[position] else {
            unreachable!("position found a fn")
        };
        let success = success_type(&raw.sig.output).ok_or_else(|| {
            GenerateError::Shape(format!("`{type_name}::send` does not return Result<T, E>"))
        })?;
        let docs: Vec<_> = raw
            .attrs
            .iter()
            .filter(|a| a.path().is_ident("doc"))
            .cloned()
            .collect();
        SetAccept {
            accept: operation.response_media.as_deref(),
        }
        .visit_impl_item_fn_mut(raw);
        let (mut build, decoder, json) = split_send(raw)
            .map_err(|e| GenerateError::Shape(format!("`{type_name}::send`: {e}")))?;
        inline_header_map(&mut build);
        let mut const_headers = ConstHeaders {
            version: version.as_deref(),
        };
        for stmt in &mut build {
            const_headers.visit_stmt_mut(stmt);
        }
        *raw = syn::parse_quote! {
            /// The request progenitor's code builds, before `send` hands it to `crate::contract::call`.
            pub(crate) fn build_request(
                self,
            ) -> Result<(&'a super::Client, ::reqwest::Request), progenitor_client::Error<()>> {
                #(#build)*
                Ok((client, request))
            }
        };
        let send: ImplItem = syn::parse_quote! {
            #(#docs)*
            ///
            /// # Errors
            /// A [`crate::Error`] for a failed transport, an error status (with the decoded
            /// error body), or a response body that does not match the schema.
            pub async fn send(self) -> Result<#success, crate::contract::Error> {
                // A retry builds the request again from a copy of the builder.
                crate::contract::call::send(
                    &super::OPERATIONS[#index],
                    self.options,
                    move || self.clone().build_request(),
                    #decoder,
                )
                .await
            }
        };
        block.items.push(send);
        entries.insert(
            operation.name.clone(),
            Entry {
                index,
                decoder,
                json,
            },
        );
        if operation.paginated {
            if let Some(item) = page_item(&success, &item_types) {
                paginate.push(paginate_impl(&block.self_ty, &item));
            }
        }
    }
    builder.1.extend(paginate);
    options::add_options(&mut builder.1)?;
    file.items.push(dispatch::call_operation(&arms));
    if entries.len() != operations.len() {
        return Err(GenerateError::Shape(format!(
            "wrapped {} builders for {} operations",
            entries.len(),
            operations.len()
        )));
    }
    Ok(entries)
}
