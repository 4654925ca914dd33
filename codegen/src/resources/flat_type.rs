//! The flat struct of a resource type and its id type.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::relationships::relationship_code;
use super::Resource;
use crate::error::GenerateError;
use crate::progenitor_output::data_type;

impl Resource<'_> {
    pub(super) fn id_type(&self) -> TokenStream {
        let (id, noun) = (&self.id, self.noun);
        let doc = format!("The id of a resource of type `{noun}`.");
        quote!(crate::contract::flat::resource_id!(#[doc = #doc] #id, #noun);)
    }

    /// The flat struct, its serde impls (the JSON:API resource object) and its conversions
    /// from and to the generated types of the responses that carry it.
    pub(super) fn flat_type(&self, file: &syn::File) -> Result<TokenStream, GenerateError> {
        let (flat, id, noun) = (&self.flat, &self.id, self.noun);
        let doc = format!(
            "A resource of type `{noun}`, flat: its attributes and relationship ids as fields. \
             (De)serializes as the JSON:API resource object."
        );
        let field_names: Vec<&Ident> = self.fields.iter().map(|f| &f.ident).collect();
        let field_wires: Vec<&str> = self.fields.iter().map(|f| f.wire.as_str()).collect();
        let field_types: Vec<&TokenStream> = self.fields.iter().map(|f| &f.ty).collect();
        let field_docs: Vec<&str> = self.fields.iter().map(|f| f.doc.as_str()).collect();
        let (rel_defs, rel_lifts, rel_builds) = relationship_code(&self.relationships, &[], false);
        let rel_names: Vec<&Ident> = self.relationships.iter().map(|r| &r.ident).collect();
        let mut conversions = Vec::new();
        let mut seen = BTreeSet::new();
        for op in [
            self.ops.get,
            self.ops.list,
            self.ops.create,
            self.ops.update,
        ]
        .into_iter()
        .flatten()
        {
            let Some(generated) = data_type(file, op) else {
                continue;
            };
            if !seen.insert(generated.to_string()) {
                continue;
            }
            conversions.push(quote! {
                impl TryFrom<types::#generated> for #flat {
                    type Error = crate::contract::Error;
                    fn try_from(value: types::#generated) -> Result<Self, crate::contract::Error> {
                        crate::contract::flat::flat(&value)
                    }
                }
                impl TryFrom<#flat> for types::#generated {
                    type Error = crate::contract::Error;
                    fn try_from(value: #flat) -> Result<Self, crate::contract::Error> {
                        crate::contract::flat::flat(&value)
                    }
                }
            });
        }
        Ok(quote! {
            #[doc = #doc]
            #[derive(Debug, Clone, PartialEq)]
            pub struct #flat {
                /// The resource's id.
                pub id: #id,
                #(#[doc = #field_docs] pub #field_names: Option<#field_types>,)*
                #(#rel_defs)*
                /// Everything of the resource object the fields above do not hold (its
                /// `type`, `links`, `meta`, members the spec does not declare, `null`s), so
                /// that it serializes back to what was received.
                pub extra: Extra,
            }

            impl #flat {
                /// The JSON:API `type` of this resource.
                pub const TYPE: &'static str = #noun;
            }

            impl<'de> serde::Deserialize<'de> for #flat {
                fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    use serde::de::Error as _;
                    let value = serde_json::Value::deserialize(deserializer)?;
                    let mut lift = crate::contract::flat::Lift::new(value).map_err(D::Error::custom)?;
                    Ok(#flat {
                        id: lift.require(&[], "id").map_err(D::Error::custom)?,
                        #(#field_names: lift.take(&["attributes"], #field_wires),)*
                        #(#rel_names: #rel_lifts,)*
                        extra: lift.finish(),
                    })
                }
            }

            impl serde::Serialize for #flat {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    let mut build = crate::contract::flat::Build::new(&self.extra);
                    build.put(&[], "id", Some(&self.id));
                    #(build.put(&["attributes"], #field_wires, self.#field_names.as_ref());)*
                    #(#rel_builds)*
                    build.finish().serialize(serializer)
                }
            }

            impl TryFrom<serde_json::Value> for #flat {
                type Error = serde_json::Error;
                fn try_from(value: serde_json::Value) -> Result<Self, serde_json::Error> {
                    serde_json::from_value(value)
                }
            }

            impl From<#flat> for serde_json::Value {
                fn from(value: #flat) -> serde_json::Value {
                    serde_json::to_value(value).unwrap_or_default()
                }
            }

            #(#conversions)*
        })
    }
}
