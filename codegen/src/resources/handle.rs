//! A resource type's handle on the client (`client.contacts()`): its methods and how they
//! enter the operations' call path.

use std::collections::BTreeSet;

use kajabi_spec::Operation;
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::members::id_ident;
use super::relationships::target_type;
use super::Resource;
use crate::error::GenerateError;
use crate::progenitor_output::{body_type, setters, squash};
use crate::rust_names::pascal_case;

/// Relationship operations named after what they do to the resource rather than the verb:
/// `(relationship, HTTP method, method name)`.
pub const VERB_EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("offers", "POST", "grant_offers"),
    ("offers", "DELETE", "revoke_offers"),
];

/// `builder` (an operation's builder) with the handle's [`crate::CallOptions`].
pub(super) fn with_options(builder: TokenStream) -> TokenStream {
    quote!({
        let mut builder = #builder;
        builder.options = self.options;
        builder
    })
}

impl Resource<'_> {
    /// The handle struct and its accessor on `Client`.
    pub(super) fn handle(
        &self,
        file: &syn::File,
        known: &BTreeSet<String>,
        request_trips: &mut Vec<TokenStream>,
    ) -> Result<(TokenStream, TokenStream), GenerateError> {
        let (flat, id, noun) = (&self.flat, &self.id, self.noun);
        let mut handle_name = pascal_case(noun);
        if *flat == handle_name {
            handle_name.push_str("Handle");
        }
        let handle = format_ident!("{handle_name}");
        let mut methods = Vec::new();
        let mut extra_items = Vec::new();
        if let Some(op) = self.ops.list {
            let (method, list) = self.list(file, op)?;
            methods.push(method);
            extra_items.push(list);
        }
        if let Some(op) = self.ops.get.filter(|op| op.path_params().next().is_none()) {
            let read = self.read(self.call(file, op, quote!(id))?, op, quote!(read))?;
            methods.push(quote! {
                /// Reads the resource.
                pub async fn get(&self) -> Result<#flat, crate::contract::Error> {
                    #read.await
                }
            });
        } else if let Some(op) = self.ops.get {
            let read = self.read(self.call(file, op, quote!(id))?, op, quote!(read))?;
            methods.push(quote! {
                /// Reads one resource by id.
                pub async fn get(&self, id: &#id) -> Result<#flat, crate::contract::Error> {
                    #read.await
                }
            });
        }
        if let Some(op) = self.ops.delete {
            let call = self.call(file, op, quote!(id))?;
            methods.push(quote! {
                /// Deletes one resource by id.
                pub async fn delete(&self, id: &#id) -> Result<(), crate::contract::Error> {
                    #call.send().await?;
                    Ok(())
                }
            });
        }
        for (op, update) in [(self.ops.create, false), (self.ops.update, true)] {
            let Some(op) = op else { continue };
            let Some(params) = self.params(file, op, update, known)? else {
                continue;
            };
            let (item, method, trip) = params;
            extra_items.push(item);
            methods.push(method);
            request_trips.push(trip);
        }
        for (name, op) in &self.ops.relationships {
            if let Some(method) = self.relationship_op(file, name, op, known)? {
                methods.push(method);
            }
        }
        let accessor_doc = format!(
            "The `{noun}` resources: list, read and change them as [`resources::{flat}`] values."
        );
        let accessor = format_ident!("{}", noun);
        let handle_doc = format!(
            "The operations on `{noun}` resources, flat; returned by [`Client::{noun}`]. \
             The raw operations stay available on [`Client`]."
        );
        Ok((
            quote! {
                #[doc = #handle_doc]
                #[derive(Debug, Clone, Copy)]
                pub struct #handle<'a> {
                    pub(crate) client: &'a Client,
                    pub(crate) options: Option<&'a crate::contract::CallOptions>,
                }

                impl<'a> #handle<'a> {
                    /// Overrides the client's timeout, retry policy or headers for the calls
                    /// made through this handle; see [`crate::CallOptions`].
                    pub fn with(mut self, options: &'a crate::contract::CallOptions) -> Self {
                        self.options = Some(options);
                        self
                    }

                    #(#methods)*
                }

                #(#extra_items)*
            },
            quote! {
                #[doc = #accessor_doc]
                pub fn #accessor(&self) -> resources::#handle<'_> {
                    resources::#handle { client: self, options: None }
                }
            },
        ))
    }

    /// The future of `crate::contract::flat::<reader>(..)`: it sends the request `builder` builds down
    /// the operation's call path (as its `send` does) and reads the flat value straight from
    /// the response body, so that members the generated types do not declare reach `extra`.
    pub(super) fn read(
        &self,
        builder: TokenStream,
        op: &Operation,
        reader: TokenStream,
    ) -> Result<TokenStream, GenerateError> {
        let entry = self
            .entries
            .get(&op.name)
            .filter(|entry| entry.json)
            .ok_or_else(|| GenerateError::Shape(format!("{}: no JSON success body", op.name)))?;
        let (index, decoder) = (entry.index, &entry.decoder);
        Ok(quote! {{
            let builder = #builder;
            crate::contract::flat::#reader(
                &super::OPERATIONS[#index],
                builder.options,
                move || builder.clone().build_request(),
                #decoder,
            )
        }})
    }

    /// `self.client.<op>().<path setter>(<id>.as_str())`.
    pub(super) fn call(
        &self,
        file: &syn::File,
        op: &Operation,
        id: TokenStream,
    ) -> Result<TokenStream, GenerateError> {
        let method = format_ident!("{}", op.name);
        let Some(wire) = op.path_params().next() else {
            return Ok(with_options(quote!(self.client.#method())));
        };
        let setter = setters(file, op)?
            .into_iter()
            .find(|f| squash(&f.sig.ident.to_string()) == squash(wire))
            .ok_or_else(|| GenerateError::Shape(format!("{}: no setter for `{wire}`", op.name)))?;
        let setter = &setter.sig.ident;
        let builder = with_options(quote!(self.client.#method()));
        // In parentheses: a block that starts a statement would not be an expression.
        Ok(quote!((#builder).#setter(#id.as_str())))
    }

    /// A method for `/{id}/relationships/<name>`, if its target type is known.
    pub(super) fn relationship_op(
        &self,
        file: &syn::File,
        name: &str,
        op: &Operation,
        known: &BTreeSet<String>,
    ) -> Result<Option<TokenStream>, GenerateError> {
        let id = &self.id;
        let (type_, typed) = target_type(name, known);
        if !typed {
            return Ok(None);
        }
        let target = id_ident(&type_);
        let call = self.call(file, op, quote!(id))?;
        let verb = match op.method.as_str() {
            "GET" => None,
            "POST" => Some("add"),
            "PATCH" | "PUT" => Some("replace"),
            "DELETE" => Some("remove"),
            _ => return Ok(None),
        };
        let method_name = VERB_EXCEPTIONS
            .iter()
            .find(|(rel, method, _)| *rel == name && *method == op.method)
            .map(|(_, _, method)| method.to_string())
            .unwrap_or_else(|| match verb {
                Some(verb) => format!("{verb}_{name}"),
                None => name.to_string(),
            });
        let Some(method) = syn::parse_str::<Ident>(&method_name).ok() else {
            return Ok(None);
        };
        let op_name = &op.name;
        if verb.is_none() {
            let doc = format!("The ids of the `{name}` relationship ({op_name}).");
            return Ok(Some(quote! {
                #[doc = #doc]
                pub async fn #method(&self, id: &#id) -> Result<Vec<#target>, crate::contract::Error> {
                    let response = #call.send().await?;
                    crate::contract::flat::ids(&response.into_inner().data)
                }
            }));
        }
        let Some(body) = body_type(file, op)? else {
            return Ok(None);
        };
        let doc = format!("`{}` on the `{name}` relationship ({op_name}).", op.method);
        Ok(Some(quote! {
            #[doc = #doc]
            pub async fn #method(&self, id: &#id, targets: &[#target]) -> Result<(), crate::contract::Error> {
                let body: #body = crate::contract::flat::document(
                    crate::contract::flat::identifiers(#target::TYPE, targets),
                    #op_name,
                )?;
                #call.body(body).send().await?;
                Ok(())
            }
        }))
    }
}
