//! The fields of a flat struct: the attributes and relationships a resource or request
//! schema declares, named as Rust fields.

use std::collections::BTreeSet;

use kajabi_spec::{names, resolve};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;

use super::relationships::{target_type, Relationship};
use super::schema::{describe, properties, property, rust_type};
use crate::rust_names::pascal_case;

pub(super) struct Field {
    pub(super) wire: String,
    pub(super) ident: Ident,
    pub(super) ty: TokenStream,
    pub(super) doc: String,
}

/// A field name for a member, or `None` if it cannot be one (it then stays in `extra`).
pub(super) fn field_ident(name: &str, taken: &mut BTreeSet<String>) -> Option<Ident> {
    let snake: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if snake.is_empty() || snake.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    if !taken.insert(snake.clone()) {
        return None;
    }
    match syn::parse_str::<Ident>(&snake) {
        Ok(ident) => Some(ident),
        Err(_) if !["self", "Self", "super", "crate", "_"].contains(&snake.as_str()) => {
            Some(Ident::new_raw(&snake, Span::call_site()))
        }
        Err(_) => None,
    }
}

/// The attributes and relationships declared in `schemas` (resource or request `data`
/// objects), first declaration wins.
pub(super) fn members(
    doc: &Value,
    schemas: &[&Value],
    known: &BTreeSet<String>,
    taken: &mut BTreeSet<String>,
    writable_only: bool,
) -> (Vec<Field>, Vec<Relationship>) {
    let mut fields = Vec::new();
    let mut seen = BTreeSet::new();
    for schema in schemas {
        for (name, member) in properties(doc, property(doc, schema, "attributes"))
            .into_iter()
            .flatten()
        {
            let readonly = resolve(doc, member).get("readOnly") == Some(&Value::Bool(true));
            if (writable_only && readonly) || !seen.insert(name.clone()) {
                continue;
            }
            let Some(ident) = field_ident(name, taken) else {
                continue;
            };
            fields.push(Field {
                wire: name.clone(),
                ident,
                ty: rust_type(doc, member),
                doc: format!("`{name}`{}", describe(member, doc)),
            });
        }
    }
    let mut relationships = Vec::new();
    let mut seen = BTreeSet::new();
    for schema in schemas {
        let declared = properties(doc, property(doc, schema, "relationships"));
        for (name, member) in declared.into_iter().flatten() {
            let Some(data) = property(doc, member, "data") else {
                continue;
            };
            let data = resolve(doc, data);
            let many = data.get("type") == Some(&Value::from("array"));
            if !many && data.get("properties").is_none() {
                continue;
            }
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some(ident) = field_ident(name, taken) else {
                continue;
            };
            let (type_, typed) = target_type(name, known);
            let id = if typed {
                let id = id_ident(&type_);
                quote!(#id)
            } else {
                quote!(AnyId)
            };
            relationships.push(Relationship {
                wire: name.clone(),
                ident,
                id,
                type_,
                many,
            });
        }
    }
    (fields, relationships)
}

pub(super) fn id_ident(type_: &str) -> Ident {
    format_ident!("{}Id", pascal_case(&names::singular(type_)))
}
