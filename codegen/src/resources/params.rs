//! Parameter structs (`NewContact`, `ContactUpdate`): a create or update operation's
//! request document with its required members as constructor arguments.

use std::collections::BTreeSet;

use kajabi_spec::{resolve, Operation};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::members::{members, Field};
use super::relationships::{rel_type, relationship_code, Relationship};
use super::schema::{property, required, resource_data};
use super::Resource;
use crate::error::GenerateError;
use crate::progenitor_output::body_type;

impl Resource<'_> {
    /// and its arm of `round_trip_request`.
    pub(super) fn params(
        &self,
        file: &syn::File,
        op: &Operation,
        update: bool,
        known: &BTreeSet<String>,
    ) -> Result<Option<(TokenStream, TokenStream, TokenStream)>, GenerateError> {
        let doc = self.doc;
        let (flat, id, noun) = (&self.flat, &self.id, self.noun);
        if resource_data(doc, op) != Some(false) {
            return Ok(None);
        }
        let Some(request) = op.request_schema.as_ref() else {
            return Ok(None);
        };
        let Some(data) = property(doc, request, "data") else {
            return Ok(None);
        };
        let Some(body) = body_type(file, op)? else {
            return Ok(None);
        };
        let mut taken = BTreeSet::from([
            "extra".to_string(),
            "new".to_string(),
            "to_document".to_string(),
        ]);
        let (fields, relationships) = members(doc, &[data], known, &mut taken, true);
        let attributes = property(doc, data, "attributes");
        let relationships_schema = property(doc, data, "relationships");
        let rel_object_required = required(doc, Some(data), "relationships");
        let (req_fields, opt_fields): (Vec<&Field>, Vec<&Field>) = fields
            .iter()
            .partition(|f| required(doc, attributes, &f.wire));
        let (req_rels, opt_rels): (Vec<Relationship>, Vec<Relationship>) = relationships
            .into_iter()
            .partition(|r| rel_object_required || required(doc, relationships_schema, &r.wire));
        let type_ = property(doc, data, "type")
            .and_then(|t| resolve(doc, t).get("enum"))
            .and_then(|e| e.get(0))
            .and_then(Value::as_str)
            .unwrap_or(noun)
            .to_string();
        let name = if update {
            format_ident!("{}Update", flat)
        } else {
            format_ident!("New{}", flat)
        };
        let base = quote!(&["data"]);
        let attrs = quote!(&["data", "attributes"]);
        let ensure_attributes = required(doc, Some(data), "attributes")
            .then(|| quote!(build.object_at(&["data", "attributes"]);));
        let ensure_relationships =
            rel_object_required.then(|| quote!(build.object_at(&["data", "relationships"]);));

        let rf_names: Vec<&Ident> = req_fields.iter().map(|f| &f.ident).collect();
        let rf_wires: Vec<&str> = req_fields.iter().map(|f| f.wire.as_str()).collect();
        let rf_types: Vec<&TokenStream> = req_fields.iter().map(|f| &f.ty).collect();
        let rf_docs: Vec<&str> = req_fields.iter().map(|f| f.doc.as_str()).collect();
        let of_names: Vec<&Ident> = opt_fields.iter().map(|f| &f.ident).collect();
        let of_wires: Vec<&str> = opt_fields.iter().map(|f| f.wire.as_str()).collect();
        let of_types: Vec<&TokenStream> = opt_fields.iter().map(|f| &f.ty).collect();
        let of_docs: Vec<&str> = opt_fields.iter().map(|f| f.doc.as_str()).collect();
        let (rr_defs, rr_lifts, rr_builds) = relationship_code(&req_rels, &["data"], true);
        let rr_names: Vec<&Ident> = req_rels.iter().map(|r| &r.ident).collect();
        let rr_types: Vec<TokenStream> = req_rels.iter().map(rel_type).collect();
        let (or_defs, or_lifts, or_builds) = relationship_code(&opt_rels, &["data"], false);
        let or_names: Vec<&Ident> = opt_rels.iter().map(|r| &r.ident).collect();
        let or_types: Vec<TokenStream> = opt_rels.iter().map(rel_type).collect();
        let or_docs: Vec<String> = opt_rels
            .iter()
            .map(|r| format!("Sets the `{}` relationship.", r.wire))
            .collect();

        let struct_doc = format!(
            "The document `{}` sends: required members as [`{name}::new`]'s arguments, the \
             others as setters. (De)serializes as that JSON:API document.",
            op.name
        );
        let new_doc = format!("A `{noun}` document with its required members.");
        let item = quote! {
            #[doc = #struct_doc]
            #[derive(Debug, Clone, PartialEq)]
            pub struct #name {
                #(#[doc = #rf_docs] pub #rf_names: #rf_types,)*
                #(#[doc = #of_docs] pub #of_names: Option<#of_types>,)*
                #(#rr_defs)*
                #(#or_defs)*
                /// Members of the document the fields above do not hold.
                pub extra: Extra,
            }

            impl #name {
                #[doc = #new_doc]
                #[allow(clippy::too_many_arguments)]
                pub fn new(#(#rf_names: impl Into<#rf_types>,)* #(#rr_names: #rr_types,)*) -> Self {
                    #name {
                        #(#rf_names: #rf_names.into(),)*
                        #(#of_names: None,)*
                        #(#rr_names,)*
                        #(#or_names: None,)*
                        extra: Extra::new(),
                    }
                }

                #(
                    #[doc = #of_docs]
                    pub fn #of_names(mut self, value: impl Into<#of_types>) -> Self {
                        self.#of_names = Some(value.into());
                        self
                    }
                )*

                #(
                    #[doc = #or_docs]
                    pub fn #or_names(mut self, value: #or_types) -> Self {
                        self.#or_names = Some(value);
                        self
                    }
                )*

                /// The JSON:API document.
                pub fn to_document(&self) -> serde_json::Value {
                    serde_json::to_value(self).unwrap_or_default()
                }
            }

            impl<'de> serde::Deserialize<'de> for #name {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    use serde::de::Error as _;
                    let value = serde_json::Value::deserialize(deserializer)?;
                    let mut lift = crate::contract::flat::Lift::new(value).map_err(D::Error::custom)?;
                    Ok(#name {
                        #(#rf_names: lift.require(#attrs, #rf_wires).map_err(D::Error::custom)?,)*
                        #(#of_names: lift.take(#attrs, #of_wires),)*
                        #(#rr_names: #rr_lifts,)*
                        #(#or_names: #or_lifts,)*
                        extra: lift.finish(),
                    })
                }
            }

            impl serde::Serialize for #name {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    let mut build = crate::contract::flat::Build::new(&self.extra);
                    build.default(#base, "type", #type_);
                    #ensure_attributes
                    #ensure_relationships
                    #(build.put(#attrs, #rf_wires, Some(&self.#rf_names));)*
                    #(build.put(#attrs, #of_wires, self.#of_names.as_ref());)*
                    #(#rr_builds)*
                    #(#or_builds)*
                    build.finish().serialize(serializer)
                }
            }

            impl TryFrom<#name> for #body {
                type Error = crate::contract::Error;
                fn try_from(value: #name) -> Result<Self, crate::contract::Error> {
                    crate::contract::flat::document(value.to_document(), stringify!(#name))
                }
            }

            impl TryFrom<#body> for #name {
                type Error = crate::contract::Error;
                fn try_from(value: #body) -> Result<Self, crate::contract::Error> {
                    crate::contract::flat::flat(&value)
                }
            }
        };
        let method = if update {
            let call = self.call(file, op, quote!(id))?;
            let read = self.read(quote!(#call.body(body)), op, quote!(read))?;
            quote! {
                /// Changes one resource: the members `changes` sets.
                pub async fn update(&self, id: &#id, changes: #name) -> Result<#flat, crate::contract::Error> {
                    let document = crate::contract::flat::with_id(changes.to_document(), id.as_str());
                    let body: #body = crate::contract::flat::document(document, stringify!(#name))?;
                    #read.await
                }
            }
        } else {
            let call = self.call(file, op, quote!(id))?;
            let read = self.read(quote!(#call.body(body)), op, quote!(read))?;
            quote! {
                /// Creates a resource.
                pub async fn create(&self, new: #name) -> Result<#flat, crate::contract::Error> {
                    let body = #body::try_from(new)?;
                    #read.await
                }
            }
        };
        let op_name = &op.name;
        let trip = quote! {
            #op_name => Some(serde_json::from_value::<#name>(body).and_then(serde_json::to_value)),
        };
        Ok(Some((item, method, trip)))
    }
}
