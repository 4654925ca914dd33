//! Relationships: the resource type each one points to, and the code that lifts its ids
//! out of a JSON:API object and writes them back.

use std::collections::BTreeSet;

use kajabi_spec::names;
use proc_macro2::{Ident, TokenStream};
use quote::quote;

/// Relationship names whose target is not the resource type named by their plural.
pub const TARGET_EXCEPTIONS: &[(&str, &str)] = &[
    ("tags", "contact_tags"),
    ("modules", "course_modules"),
    ("lessons", "course_lessons"),
];

/// The JSON:API type a relationship called `name` points to, and whether it is one of the
/// spec's resource types (`known`); see the module docs.
pub fn target_type(name: &str, known: &BTreeSet<String>) -> (String, bool) {
    let plural = names::plural(name);
    if known.contains(&plural) {
        return (plural, true);
    }
    match TARGET_EXCEPTIONS.iter().find(|(n, _)| *n == name) {
        Some((_, target)) => (target.to_string(), known.contains(*target)),
        None => (plural, false),
    }
}

pub(super) struct Relationship {
    pub(super) wire: String,
    pub(super) ident: Ident,
    pub(super) id: TokenStream,
    pub(super) type_: String,
    pub(super) many: bool,
}

pub(super) fn rel_type(r: &Relationship) -> TokenStream {
    let id = &r.id;
    if r.many {
        quote!(Vec<#id>)
    } else {
        quote!(#id)
    }
}

/// Field definitions, lift expressions and build statements of relationships at `base`.
pub(super) fn relationship_code(
    relationships: &[Relationship],
    base: &[&str],
    required: bool,
) -> (Vec<TokenStream>, Vec<TokenStream>, Vec<TokenStream>) {
    let mut defs = Vec::new();
    let mut lifts = Vec::new();
    let mut builds = Vec::new();
    for r in relationships {
        let (ident, wire, type_) = (&r.ident, &r.wire, &r.type_);
        let ty = rel_type(r);
        let doc = format!("The `{wire}` relationship (`{type_}`).");
        if required {
            defs.push(quote!(#[doc = #doc] pub #ident: #ty,));
        } else {
            defs.push(quote!(#[doc = #doc] pub #ident: Option<#ty>,));
        }
        let take = if r.many { quote!(many) } else { quote!(one) };
        let missing = format!("the `{wire}` relationship is missing");
        lifts.push(if required {
            quote!(lift.#take(&[#(#base),*], #wire).ok_or_else(|| D::Error::custom(#missing))?)
        } else {
            quote!(lift.#take(&[#(#base),*], #wire))
        });
        let value = match (r.many, required) {
            (true, true) => quote!(Some(self.#ident.as_slice())),
            (true, false) => quote!(self.#ident.as_deref()),
            (false, true) => quote!(Some(self.#ident.as_str())),
            (false, false) => quote!(self.#ident.as_ref().map(|id| id.as_str())),
        };
        builds.push(if r.many {
            quote!(build.many(&[#(#base),*], #wire, #type_, #value);)
        } else {
            quote!(build.one(&[#(#base),*], #wire, #type_, #value);)
        });
    }
    (defs, lifts, builds)
}
