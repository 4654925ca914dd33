//! `pub mod webhooks`: the typed events Kajabi delivers to a hook's `target_url`.
//!
//! Derived from the spec model, nothing is written per event:
//! - the **events** are the `enum` of `data.attributes.event` in the request schema of the
//!   operation that creates hooks (`POST /v1/hooks`);
//! - an event's **payload type** is the success type progenitor generated for
//!   `GET <hooks path>/<event>_sample` (the spec says deliveries are "similar to" it); an event
//!   without a sample operation keeps its payload as JSON.
//!
//! The runtime half (envelope, payload with its raw JSON, receiver) is hand-written in
//! `kajabi-api/webhooks.rs`.

use kajabi_spec::{resolve, Normalized, Operation};
use quote::{format_ident, quote};
use serde_json::Value;
use syn::{ImplItem, Item, Type};

use crate::error::GenerateError;
use crate::rust_names::pascal_case;
use crate::wrap::{generic_arg, success_type};

/// The events a hook can subscribe to and the path the hooks are created on.
fn events(normalized: &Normalized) -> Option<(&Operation, Vec<String>)> {
    let doc = &normalized.document;
    normalized
        .operations
        .iter()
        .filter(|op| op.method == "POST")
        .find_map(|op| {
            let mut schema = resolve(doc, op.request_schema.as_ref()?);
            for member in ["data", "attributes", "event"] {
                schema = resolve(doc, schema.get("properties")?.get(member)?);
            }
            let names: Vec<String> = schema
                .get("enum")?
                .as_array()?
                .iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect();
            (!names.is_empty()).then_some((op, names))
        })
}

/// The variant for a wire name: its words in Pascal case (`tag_added` -> `TagAdded`); any
/// character that cannot be in an identifier separates words, a leading digit gets `E`.
fn variant_name(name: &str) -> syn::Ident {
    let words: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let mut pascal = pascal_case(&words);
    if !pascal.starts_with(|c: char| c.is_ascii_alphabetic()) || pascal == "Unknown" {
        pascal.insert(0, 'E');
    }
    format_ident!("{pascal}")
}

/// The success type of the builder of `op` in progenitor's (wrapped) output, without its
/// `ResponseValue`.
fn payload_type(file: &syn::File, op: &Operation) -> Option<Type> {
    let builder = file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == "builder" => m.content.as_ref(),
        _ => None,
    })?;
    let wanted = pascal_case(&op.name);
    builder.1.iter().find_map(|item| {
        let Item::Impl(block) = item else { return None };
        let Type::Path(self_ty) = &*block.self_ty else {
            return None;
        };
        if self_ty.path.segments.last()?.ident != wanted {
            return None;
        }
        block.items.iter().find_map(|i| match i {
            ImplItem::Fn(f) if f.sig.ident == "send" => {
                generic_arg(&success_type(&f.sig.output)?, "ResponseValue")
            }
            _ => None,
        })
    })
}

/// The `webhooks` module; empty of variants (only `Unknown`) when the spec has no hooks.
///
/// # Errors
/// [`GenerateError::Shape`] if the emitted module does not parse (a name that is no Rust
/// identifier).
pub(crate) fn items(file: &syn::File, normalized: &Normalized) -> Result<Item, GenerateError> {
    let (hooks, names) = match events(normalized) {
        Some((op, names)) => (Some(op), names),
        None => (None, Vec::new()),
    };
    let mut variants = Vec::new();
    let mut arms = Vec::new();
    let mut wire_names = Vec::new();
    let mut accessors = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    let names: Vec<&String> = names.iter().filter(|n| seen.insert(n.as_str())).collect();
    for name in names {
        let variant = variant_name(name);
        let sample = hooks.and_then(|hooks| {
            let path = format!("{}/{name}_sample", hooks.path);
            normalized
                .operations
                .iter()
                .find(|op| op.method == "GET" && op.path == path)
        });
        let payload = sample.and_then(|op| payload_type(file, op));
        let (ty, doc) = match (&payload, sample) {
            (Some(ty), Some(op)) => (
                quote!(crate::contract::webhooks::Payload<#ty>),
                format!(
                    "`{name}`: the payload typed as the response of `{} {}`, with the JSON \
                     Kajabi sent.",
                    op.method, op.path
                ),
            ),
            _ => (
                quote!(crate::contract::webhooks::Payload<::serde_json::Value>),
                format!("`{name}`: the spec has no sample of its payload; kept as JSON."),
            ),
        };
        variants.push(quote! {
            #[doc = #doc]
            #variant {
                /// The id of the resource that triggered the event.
                id: String,
                /// What Kajabi sent, typed.
                payload: #ty,
            },
        });
        arms.push(quote! {
            #name => Event::#variant { id, payload: crate::contract::webhooks::Payload::decode(payload)? },
        });
        accessors.push(quote! {
            Event::#variant { id, payload } => (#name, id.as_str(), payload.raw()),
        });
        wire_names.push(name.clone());
    }
    let module = quote! {
        /// The events Kajabi delivers to a hook's `target_url`, generated from the spec.
        pub mod webhooks {
            use super::types;

            /// Every event name the spec knows, as sent in the delivery's `event` member.
            pub const EVENTS: &[&str] = &[#(#wire_names),*];

            /// One delivery: the event, the id of the resource that triggered it, and its
            /// payload. Read it with [`Event::parse`].
            #[derive(Debug, Clone)]
            #[non_exhaustive]
            pub enum Event {
                #(#variants)*
                /// An event this version of the spec does not know (a new one Kajabi added).
                Unknown {
                    /// The wire name of the event.
                    name: String,
                    /// The id of the resource that triggered the event.
                    id: String,
                    /// The payload as Kajabi sent it.
                    payload: ::serde_json::Value,
                },
            }

            impl Event {
                /// Reads a delivery body: `{"id": …, "event": "<event>", "payload": …}`.
                ///
                /// # Errors
                /// A [`crate::Error`] ([`crate::Error::is_decode`]) with a one-line reason
                /// when the body is not JSON, is truncated, is not an envelope, or the
                /// payload of a known event does not have the shape of its sample. An event
                /// name the spec does not know is [`Event::Unknown`], not an error.
                pub fn parse(body: &[u8]) -> Result<Self, crate::contract::Error> {
                    let crate::contract::webhooks::Envelope { id, event, payload } =
                        crate::contract::webhooks::Envelope::parse(body)?;
                    Ok(match event.as_str() {
                        #(#arms)*
                        _ => Event::Unknown { name: event, id, payload },
                    })
                }

                /// The event's wire name (`tag_added`).
                pub fn name(&self) -> &str {
                    self.parts().0
                }

                /// The id of the resource that triggered the event.
                pub fn id(&self) -> &str {
                    self.parts().1
                }

                /// The payload exactly as Kajabi sent it, members the spec does not declare
                /// included.
                pub fn raw_payload(&self) -> &::serde_json::Value {
                    self.parts().2
                }

                fn parts(&self) -> (&str, &str, &::serde_json::Value) {
                    match self {
                        #(#accessors)*
                        Event::Unknown { name, id, payload } => (name.as_str(), id.as_str(), payload),
                    }
                }
            }
        }
    };
    syn::parse2::<Item>(module).map_err(|e| GenerateError::Shape(format!("webhooks: {e}")))
}
