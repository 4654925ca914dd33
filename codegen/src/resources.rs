//! The flat layer over JSON:API: for every resource type of the spec, a flat struct
//! (`Contact`), a typed id (`ContactId`), a handle on the client (`client.contacts()`) and
//! parameter structs for its create and update operations (`NewContact`, `ContactUpdate`).
//!
//! Everything is derived from the spec model, nothing is written per resource:
//! - a **resource type** is the noun of a path (`/v1/contacts`, `/v1/contacts/{id}`) whose
//!   list or show response carries resource objects (`data` with `id` and `type`); a show
//!   response on the collection path (`/v1/me`) makes a singleton, read without an id;
//! - its **fields** are the attributes of the show (else list) response, then the list's, and
//!   the relationships that carry `data` (an identifier, or an array of them);
//! - a **relationship's target** is the plural of its name when that is a resource type
//!   (`site` -> `sites`), else the [`TARGET_EXCEPTIONS`] entry (`tags` -> `contact_tags`);
//!   one neither names gets the untyped `AnyId`;
//! - the **handle** has `list` (list op on the collection path), `get`, `update`, `delete`
//!   (GET, PATCH, DELETE on the member path), `create` (POST on the collection path), and per
//!   `/{id}/relationships/<name>` operation `<name>` (GET), `add_<name>` (POST),
//!   `replace_<name>` (PATCH), `remove_<name>` (DELETE), renamed by [`VERB_EXCEPTIONS`];
//! - a **parameter struct** takes the request's required attributes and relationships
//!   (those of a required `relationships` object, or listed as required) as constructor
//!   arguments and the other writable attributes as setters.
//!
//! The runtime half (id macro, lifting members in and out of the residue) is hand-written in
//! `kajabi-api/flat.rs`.

mod flat_type;
mod handle;
mod list;
mod members;
mod ops;
mod params;
mod relationships;
mod schema;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use kajabi_spec::{names, Normalized};
use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;
use syn::Item;

use crate::error::GenerateError;
use crate::rust_names::pascal_case;
use crate::wrap::Entry;
pub use handle::VERB_EXCEPTIONS;
use members::{id_ident, members, Field};
use ops::Ops;
use relationships::Relationship;
pub use relationships::{target_type, TARGET_EXCEPTIONS};
use schema::{resource_data, resource_schema};

/// The items to append to the generated client: `pub mod resources` and the handles'
/// accessors on `Client`.
///
/// # Errors
/// [`GenerateError::Shape`] if progenitor's output lacks a builder the spec names.
pub(crate) fn items(
    file: &syn::File,
    normalized: &Normalized,
    entries: &BTreeMap<String, Entry>,
) -> Result<Vec<Item>, GenerateError> {
    let doc = &normalized.document;
    let by_resource = ops::by_resource(normalized);
    let known: BTreeSet<String> = by_resource.keys().cloned().collect();

    let mut module = Vec::new();
    let mut accessors = Vec::new();
    let mut round_trips = Vec::new();
    let mut request_trips = Vec::new();
    for (noun, ops) in &by_resource {
        let r = Resource::new(noun, ops, doc, &known, entries);
        module.push(r.id_type());
        module.push(r.flat_type(file)?);
        let (handle, accessor) = r.handle(file, &known, &mut request_trips)?;
        module.push(handle);
        accessors.push(accessor);
        let flat = &r.flat;
        let names: Vec<&str> = [ops.list, ops.get, ops.create, ops.update]
            .into_iter()
            .flatten()
            .filter(|op| resource_data(doc, op).is_some())
            .map(|op| op.name.as_str())
            .collect();
        if !names.is_empty() {
            round_trips.push(
                quote!(#(#names)|* => Some(crate::contract::flat::round_trip::<#flat>(body)),),
            );
        }
    }
    let module: TokenStream = quote! {
        /// Flat, typed resources over the JSON:API documents of the raw operations, generated
        /// from the spec: see the crate docs' "Resources" section.
        pub mod resources {
            use super::{builder, types, Client};
            pub use crate::contract::flat::{AnyId, Extra};
            #[allow(unused_imports)]
            use crate::contract::Paginate as _;

            #(#module)*

            /// `body`, a success response of `operation`, with its `data` read into the flat
            /// type and written back; `None` if the operation returns no flat type. For tests.
            #[doc(hidden)]
            pub fn round_trip_response(
                operation: &str,
                body: serde_json::Value,
            ) -> Option<Result<serde_json::Value, serde_json::Error>> {
                match operation {
                    #(#round_trips)*
                    _ => None,
                }
            }

            /// `body`, a request document of `operation`, read into its parameter struct and
            /// written back; `None` if the operation has none. For tests.
            #[doc(hidden)]
            pub fn round_trip_request(
                operation: &str,
                body: serde_json::Value,
            ) -> Option<Result<serde_json::Value, serde_json::Error>> {
                match operation {
                    #(#request_trips)*
                    _ => None,
                }
            }
        }

        impl Client {
            #(#accessors)*
        }
    };
    let parsed: syn::File = syn::parse2(module)
        .map_err(|e| GenerateError::Shape(format!("resources do not parse: {e}")))?;
    Ok(parsed.items)
}

/// How the flat layer reads one operation's success body: for the mocks' flat answers.
pub(crate) struct FlatAnswer {
    /// The flat type (`Contact`).
    pub(crate) flat: Ident,
    /// The JSON:API type of its resources (`contacts`).
    pub(crate) kind: String,
    /// Whether the body is a list (`data` an array).
    pub(crate) list: bool,
}

/// The operations whose success body the flat layer reads, by name: the list, show, create
/// and update operations of each resource type (those `round_trip_response` covers).
pub(crate) fn flat_answers(normalized: &Normalized) -> BTreeMap<String, FlatAnswer> {
    let doc = &normalized.document;
    let mut answers = BTreeMap::new();
    for (noun, ops) in &ops::by_resource(normalized) {
        let flat = format_ident!("{}", pascal_case(&names::singular(noun)));
        for op in [ops.list, ops.get, ops.create, ops.update]
            .into_iter()
            .flatten()
        {
            if let Some(list) = resource_data(doc, op) {
                let (flat, kind) = (flat.clone(), noun.clone());
                answers.insert(op.name.clone(), FlatAnswer { flat, kind, list });
            }
        }
    }
    answers
}

struct Resource<'a> {
    noun: &'a str,
    ops: &'a Ops<'a>,
    doc: &'a Value,
    id: Ident,
    flat: Ident,
    fields: Vec<Field>,
    relationships: Vec<Relationship>,
    entries: &'a BTreeMap<String, Entry>,
}

impl<'a> Resource<'a> {
    fn new(
        noun: &'a str,
        ops: &'a Ops<'a>,
        doc: &'a Value,
        known: &BTreeSet<String>,
        entries: &'a BTreeMap<String, Entry>,
    ) -> Self {
        let schemas: Vec<&Value> = [ops.get, ops.list]
            .into_iter()
            .flatten()
            .filter_map(|op| resource_schema(doc, op))
            .collect();
        let mut taken = BTreeSet::from(["id".to_string(), "extra".to_string()]);
        let (fields, relationships) = members(doc, &schemas, known, &mut taken, false);
        Resource {
            noun,
            ops,
            doc,
            id: id_ident(noun),
            flat: format_ident!("{}", pascal_case(&names::singular(noun))),
            fields,
            relationships,
            entries,
        }
    }
}
