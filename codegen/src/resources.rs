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

use crate::rust_names::pascal_case;
use std::collections::{BTreeMap, BTreeSet};

use kajabi_spec::{names, resolve, Normalized, Operation};
use proc_macro2::{Ident, Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::{Map, Value};
use syn::{FnArg, ImplItem, Item, Type};

use crate::generate::GenerateError;
use crate::wrap::Entry;

/// Relationship names whose target is not the resource type named by their plural.
pub const TARGET_EXCEPTIONS: &[(&str, &str)] = &[
    ("tags", "contact_tags"),
    ("modules", "course_modules"),
    ("lessons", "course_lessons"),
];

/// Relationship operations named after what they do to the resource rather than the verb:
/// `(relationship, HTTP method, method name)`.
pub const VERB_EXCEPTIONS: &[(&str, &str, &str)] = &[
    ("offers", "POST", "grant_offers"),
    ("offers", "DELETE", "revoke_offers"),
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

/// The operations of one resource type.
#[derive(Default)]
struct Ops<'a> {
    list: Option<&'a Operation>,
    get: Option<&'a Operation>,
    create: Option<&'a Operation>,
    update: Option<&'a Operation>,
    delete: Option<&'a Operation>,
    relationships: Vec<(String, &'a Operation)>,
}

struct Field {
    wire: String,
    ident: Ident,
    ty: TokenStream,
    doc: String,
}

struct Relationship {
    wire: String,
    ident: Ident,
    id: TokenStream,
    type_: String,
    many: bool,
}

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
    let mut by_resource: BTreeMap<String, Ops> = BTreeMap::new();
    for op in &normalized.operations {
        let segments = names::resource_segments(&op.path);
        let is_param = |s: &str| s.starts_with('{');
        match (segments.as_slice(), op.method.as_str()) {
            ([noun], "GET") if !is_param(noun) => {
                let ops = by_resource.entry(noun.to_string()).or_default();
                match resource_data(doc, op) {
                    Some(true) => ops.list = Some(op),
                    // A singleton (`/v1/me`): read without an id.
                    Some(false) => ops.get = Some(op),
                    None => {}
                }
            }
            ([noun], "POST") if !is_param(noun) => {
                by_resource.entry(noun.to_string()).or_default().create = Some(op)
            }
            ([noun, id], method) if !is_param(noun) && is_param(id) => {
                let ops = by_resource.entry(noun.to_string()).or_default();
                match method {
                    "GET" if resource_data(doc, op) == Some(false) => ops.get = Some(op),
                    "PATCH" | "PUT" => ops.update = Some(op),
                    "DELETE" => ops.delete = Some(op),
                    _ => {}
                }
            }
            ([noun, id, rel, name], _) if is_param(id) && *rel == "relationships" => {
                by_resource
                    .entry(noun.to_string())
                    .or_default()
                    .relationships
                    .push((name.to_string(), op));
            }
            _ => {}
        }
    }
    by_resource.retain(|_, ops| ops.list.is_some() || ops.get.is_some());
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
            round_trips.push(quote!(#(#names)|* => Some(crate::flat::round_trip::<#flat>(body)),));
        }
    }
    let module: TokenStream = quote! {
        /// Flat, typed resources over the JSON:API documents of the raw operations, generated
        /// from the spec: see the crate docs' "Resources" section.
        pub mod resources {
            use super::{builder, types, Client};
            pub use crate::flat::{AnyId, Extra};
            #[allow(unused_imports)]
            use crate::Paginate as _;

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

/// Whether the success response of `op` carries resource objects: `Some(true)` for an array
/// of them, `Some(false)` for one, `None` otherwise.
fn resource_data(doc: &Value, op: &Operation) -> Option<bool> {
    let data = property(doc, op.response_schema.as_ref()?, "data")?;
    if is_resource(doc, data) {
        return Some(false);
    }
    let items = resolve(doc, data).get("items")?;
    is_resource(doc, items).then_some(true)
}

fn resource_schema<'a>(doc: &'a Value, op: &'a Operation) -> Option<&'a Value> {
    let data = resolve(doc, property(doc, op.response_schema.as_ref()?, "data")?);
    Some(if is_resource(doc, data) {
        data
    } else {
        resolve(doc, data.get("items")?)
    })
}

fn is_resource(doc: &Value, schema: &Value) -> bool {
    let properties = resolve(doc, schema).get("properties");
    properties.is_some_and(|p| p.get("id").is_some() && p.get("type").is_some())
}

fn property<'a>(doc: &'a Value, schema: &'a Value, name: &str) -> Option<&'a Value> {
    resolve(doc, schema).get("properties")?.get(name)
}

fn properties<'a>(doc: &'a Value, schema: Option<&'a Value>) -> Option<&'a Map<String, Value>> {
    resolve(doc, schema?).get("properties")?.as_object()
}

fn required(doc: &Value, schema: Option<&Value>, name: &str) -> bool {
    schema
        .and_then(|s| resolve(doc, s).get("required"))
        .and_then(Value::as_array)
        .is_some_and(|r| r.iter().any(|m| m == name))
}

/// A field name for a member, or `None` if it cannot be one (it then stays in `extra`).
fn field_ident(name: &str, taken: &mut BTreeSet<String>) -> Option<Ident> {
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

/// The Rust type a member's value is read as; anything but a scalar stays JSON.
fn rust_type(doc: &Value, schema: &Value) -> TokenStream {
    let schema = resolve(doc, schema);
    match schema.get("type").and_then(Value::as_str) {
        Some("string") if schema.get("format") == Some(&Value::from(SECRET)) => {
            quote!(crate::SecretString)
        }
        Some("string") => quote!(String),
        Some("integer") => quote!(i64),
        Some("number") => quote!(serde_json::Number),
        Some("boolean") => quote!(bool),
        Some("array")
            if schema
                .get("items")
                .map(|i| resolve(doc, i).get("type") == Some(&Value::from("string")))
                == Some(true) =>
        {
            quote!(Vec<String>)
        }
        _ => quote!(serde_json::Value),
    }
}

const SECRET: &str = kajabi_spec::normalize::SECRET_FORMAT;

fn describe(schema: &Value, doc: &Value) -> String {
    resolve(doc, schema)
        .get("description")
        .and_then(Value::as_str)
        .map(|d| format!(": {}", d.trim()))
        .unwrap_or_default()
}

/// The attributes and relationships declared in `schemas` (resource or request `data`
/// objects), first declaration wins.
fn members(
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

fn id_ident(type_: &str) -> Ident {
    format_ident!("{}Id", pascal_case(&names::singular(type_)))
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

    fn id_type(&self) -> TokenStream {
        let (id, noun) = (&self.id, self.noun);
        let doc = format!("The id of a resource of type `{noun}`.");
        quote!(crate::flat::resource_id!(#[doc = #doc] #id, #noun);)
    }

    /// The flat struct, its serde impls (the JSON:API resource object) and its conversions
    /// from and to the generated types of the responses that carry it.
    fn flat_type(&self, file: &syn::File) -> Result<TokenStream, GenerateError> {
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
                    type Error = crate::Error;
                    fn try_from(value: types::#generated) -> Result<Self, crate::Error> {
                        crate::flat::flat(&value)
                    }
                }
                impl TryFrom<#flat> for types::#generated {
                    type Error = crate::Error;
                    fn try_from(value: #flat) -> Result<Self, crate::Error> {
                        crate::flat::flat(&value)
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
                    let mut lift = crate::flat::Lift::new(value).map_err(D::Error::custom)?;
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
                    let mut build = crate::flat::Build::new(&self.extra);
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

    /// The handle struct and its accessor on `Client`.
    fn handle(
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
                pub async fn get(&self) -> Result<#flat, crate::Error> {
                    #read.await
                }
            });
        } else if let Some(op) = self.ops.get {
            let read = self.read(self.call(file, op, quote!(id))?, op, quote!(read))?;
            methods.push(quote! {
                /// Reads one resource by id.
                pub async fn get(&self, id: &#id) -> Result<#flat, crate::Error> {
                    #read.await
                }
            });
        }
        if let Some(op) = self.ops.delete {
            let call = self.call(file, op, quote!(id))?;
            methods.push(quote! {
                /// Deletes one resource by id.
                pub async fn delete(&self, id: &#id) -> Result<(), crate::Error> {
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
                }

                impl<'a> #handle<'a> {
                    #(#methods)*
                }

                #(#extra_items)*
            },
            quote! {
                #[doc = #accessor_doc]
                pub fn #accessor(&self) -> resources::#handle<'_> {
                    resources::#handle { client: self }
                }
            },
        ))
    }

    /// The future of `crate::flat::<reader>(..)` sending the request `builder` builds down the operation's
    /// call path (as its `send` does) and reading the flat value straight from the response
    /// body, so that members the generated types do not declare reach `extra`.
    fn read(
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
            crate::flat::#reader(
                &super::OPERATIONS[#index],
                move || builder.clone().build_request(),
                #decoder,
            )
        }})
    }

    /// `self.client.<op>().<path setter>(<id>.as_str())`.
    fn call(
        &self,
        file: &syn::File,
        op: &Operation,
        id: TokenStream,
    ) -> Result<TokenStream, GenerateError> {
        let method = format_ident!("{}", op.name);
        let Some(wire) = op.path_params().next() else {
            return Ok(quote!(self.client.#method()));
        };
        let setter = setters(file, op)?
            .into_iter()
            .find(|f| squash(&f.sig.ident.to_string()) == squash(wire))
            .ok_or_else(|| GenerateError::Shape(format!("{}: no setter for `{wire}`", op.name)))?;
        let setter = &setter.sig.ident;
        Ok(quote!(self.client.#method().#setter(#id.as_str())))
    }

    fn list(
        &self,
        file: &syn::File,
        op: &Operation,
    ) -> Result<(TokenStream, TokenStream), GenerateError> {
        let (flat, noun) = (&self.flat, self.noun);
        let list = format_ident!("{}List", flat);
        let builder = format_ident!("{}", pascal_case(&op.name));
        let method = format_ident!("{}", op.name);
        let forwarded: Vec<TokenStream> = setters(file, op)?
            .into_iter()
            .map(|f| {
                let mut sig = f.sig.clone();
                for input in sig.inputs.iter_mut() {
                    if let FnArg::Receiver(receiver) = input {
                        receiver.mutability = None;
                    }
                }
                let name = &sig.ident;
                let wire = op
                    .parameters
                    .iter()
                    .find(|p| squash(&p.name) == squash(&name.to_string()))
                    .map_or_else(|| name.to_string(), |p| p.name.clone());
                let doc = format!("Sets `{wire}`.");
                quote! {
                    #[doc = #doc]
                    pub #sig {
                        Self(self.0.#name(value))
                    }
                }
            })
            .collect();
        let doc = format!(
            "A list of `{noun}` resources ({}): filters as setters, then `send` for one page or \
             [`Paginate::items`](crate::Paginate::items) for every item of every page.",
            op.name
        );
        let read = self.read(quote!(self.0), op, quote!(read))?;
        let page = self.read(quote!(self.0), op, quote!(page))?;
        let paginate = op.paginated.then(|| {
            quote! {
                impl<'a> crate::Paginate<'a> for #list<'a> {
                    type Item = #flat;
                    fn requested_page_size(&self) -> Option<i64> {
                        self.0.requested_page_size()
                    }
                    fn requested_page_number(&self) -> Option<i64> {
                        self.0.requested_page_number()
                    }
                    fn with_page(self, number: i64, size: i64) -> Self {
                        Self(self.0.with_page(number, size))
                    }
                    fn base_url(&self) -> &str {
                        self.0.base_url()
                    }
                    fn fetch(self) -> crate::PageFuture<'a, #flat> {
                        Box::pin(#page)
                    }
                }
            }
        });
        Ok((
            quote! {
                /// Lists the resources; see the returned builder.
                pub fn list(&self) -> #list<'a> {
                    #list(self.client.#method())
                }
            },
            quote! {
                #[doc = #doc]
                #[derive(Debug, Clone)]
                pub struct #list<'a>(builder::#builder<'a>);

                impl<'a> #list<'a> {
                    #(#forwarded)*

                    /// Sends the request and returns one page's resources.
                    pub async fn send(self) -> Result<Vec<#flat>, crate::Error> {
                        #read.await
                    }
                }

                #paginate
            },
        ))
    }

    /// The parameter struct of a create or update operation, the handle method sending it,
    /// and its arm of `round_trip_request`.
    fn params(
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
        let Some(body) = setters(file, op)?
            .into_iter()
            .find(|f| f.sig.ident == "body")
            .and_then(setter_type)
        else {
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
                    let mut lift = crate::flat::Lift::new(value).map_err(D::Error::custom)?;
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
                    let mut build = crate::flat::Build::new(&self.extra);
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
                type Error = crate::Error;
                fn try_from(value: #name) -> Result<Self, crate::Error> {
                    crate::flat::document(value.to_document(), stringify!(#name))
                }
            }

            impl TryFrom<#body> for #name {
                type Error = crate::Error;
                fn try_from(value: #body) -> Result<Self, crate::Error> {
                    crate::flat::flat(&value)
                }
            }
        };
        let method = if update {
            let call = self.call(file, op, quote!(id))?;
            let read = self.read(quote!(#call.body(body)), op, quote!(read))?;
            quote! {
                /// Changes one resource: the members `changes` sets.
                pub async fn update(&self, id: &#id, changes: #name) -> Result<#flat, crate::Error> {
                    let document = crate::flat::with_id(changes.to_document(), id.as_str());
                    let body: #body = crate::flat::document(document, stringify!(#name))?;
                    #read.await
                }
            }
        } else {
            let call = self.call(file, op, quote!(id))?;
            let read = self.read(quote!(#call.body(body)), op, quote!(read))?;
            quote! {
                /// Creates a resource.
                pub async fn create(&self, new: #name) -> Result<#flat, crate::Error> {
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

    /// A method for `/{id}/relationships/<name>`, if its target type is known.
    fn relationship_op(
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
                pub async fn #method(&self, id: &#id) -> Result<Vec<#target>, crate::Error> {
                    let response = #call.send().await?;
                    crate::flat::ids(&response.into_inner().data)
                }
            }));
        }
        let Some(body) = setters(file, op)?
            .into_iter()
            .find(|f| f.sig.ident == "body")
            .and_then(setter_type)
        else {
            return Ok(None);
        };
        let doc = format!("`{}` on the `{name}` relationship ({op_name}).", op.method);
        Ok(Some(quote! {
            #[doc = #doc]
            pub async fn #method(&self, id: &#id, targets: &[#target]) -> Result<(), crate::Error> {
                let body: #body = crate::flat::document(
                    crate::flat::identifiers(#target::TYPE, targets),
                    #op_name,
                )?;
                #call.body(body).send().await?;
                Ok(())
            }
        }))
    }
}

fn rel_type(r: &Relationship) -> TokenStream {
    let id = &r.id;
    if r.many {
        quote!(Vec<#id>)
    } else {
        quote!(#id)
    }
}

/// Field definitions, lift expressions and build statements of relationships at `base`.
fn relationship_code(
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

/// The generated type of the `data` of `op`'s success response (`types::<X>`), read from
/// progenitor's output: the `send` of the operation's builder, then the response struct.
fn data_type(file: &syn::File, op: &Operation) -> Option<Ident> {
    let send = builder_fns(file, op)?
        .into_iter()
        .find(|f| f.sig.ident == "send")?;
    let syn::ReturnType::Type(_, ty) = &send.sig.output else {
        return None;
    };
    let response = innermost(ty, &["Result", "ResponseValue"])?;
    let types = module(file, "types")?;
    let data = types.iter().find_map(|item| match item {
        Item::Struct(s) if s.ident == response => s
            .fields
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == "data"))
            .map(|f| f.ty.clone()),
        _ => None,
    })?;
    innermost(&data, &["Option", "Vec"])
}

/// The last identifier of `ty` after unwrapping the first generic argument of any of `wrappers`.
fn innermost(ty: &Type, wrappers: &[&str]) -> Option<Ident> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if wrappers.iter().any(|w| last.ident == w) {
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        let syn::GenericArgument::Type(inner) = args.args.first()? else {
            return None;
        };
        return innermost(inner, wrappers);
    }
    Some(last.ident.clone())
}

fn module<'f>(file: &'f syn::File, name: &str) -> Option<&'f [Item]> {
    file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items.as_slice()),
        _ => None,
    })
}

/// The functions of the builder progenitor generated for `op`.
fn builder_fns<'f>(file: &'f syn::File, op: &Operation) -> Option<Vec<&'f syn::ImplItemFn>> {
    let name = pascal_case(&op.name);
    let block = module(file, "builder")?.iter().find_map(|item| match item {
        Item::Impl(block)
            if matches!(&*block.self_ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
                && block.trait_.is_none() =>
        {
            Some(block)
        }
        _ => None,
    })?;
    Some(
        block
            .items
            .iter()
            .filter_map(|i| match i {
                ImplItem::Fn(f) => Some(f),
                _ => None,
            })
            .collect(),
    )
}

/// The builder's parameter setters (not `body_map`, `send`, ...).
fn setters<'f>(
    file: &'f syn::File,
    op: &Operation,
) -> Result<Vec<&'f syn::ImplItemFn>, GenerateError> {
    let fns = builder_fns(file, op)
        .ok_or_else(|| GenerateError::Shape(format!("no builder for `{}`", op.name)))?;
    Ok(fns
        .into_iter()
        .filter(|f| matches!(f.vis, syn::Visibility::Public(_)) && setter_type(f).is_some())
        .collect())
}

/// `T` of a setter's `V: TryInto<T>` bound.
fn setter_type(f: &syn::ImplItemFn) -> Option<Type> {
    let predicate = f.sig.generics.where_clause.as_ref()?.predicates.first()?;
    let syn::WherePredicate::Type(bound) = predicate else {
        return None;
    };
    bound.bounds.iter().find_map(|b| match b {
        syn::TypeParamBound::Trait(t) => {
            let last = t.path.segments.last().filter(|l| l.ident == "TryInto")?;
            let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
                return None;
            };
            match args.args.first()? {
                syn::GenericArgument::Type(t) => Some(t.clone()),
                _ => None,
            }
        }
        _ => None,
    })
}

fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> BTreeSet<String> {
        [
            "sites",
            "contacts",
            "contact_tags",
            "offers",
            "customers",
            "order_items",
        ]
        .into_iter()
        .map(String::from)
        .collect()
    }

    #[test]
    fn relationship_targets_follow_the_rule_then_the_exceptions() {
        let known = known();
        assert_eq!(target_type("site", &known), ("sites".into(), true));
        assert_eq!(target_type("customer", &known), ("customers".into(), true));
        assert_eq!(target_type("offers", &known), ("offers".into(), true));
        assert_eq!(
            target_type("order_items", &known),
            ("order_items".into(), true)
        );
        // Exception: a contact's `tags` are `contact_tags`.
        assert_eq!(target_type("tags", &known), ("contact_tags".into(), true));
        // Neither says: an untyped id (the guess is only the `type` of new identifiers).
        assert_eq!(target_type("blog", &known), ("blogs".into(), false));
        assert_eq!(
            target_type("modules", &known),
            ("course_modules".into(), false)
        );
    }

    #[test]
    fn names_are_rust_names() {
        assert_eq!(
            pascal_case("kajabi_payments_payouts"),
            "KajabiPaymentsPayouts"
        );
        assert_eq!(id_ident("contact_tags").to_string(), "ContactTagId");
        let mut taken = BTreeSet::from(["id".to_string()]);
        assert_eq!(
            field_ident("type", &mut taken).unwrap().to_string(),
            "r#type"
        );
        assert!(field_ident("id", &mut taken).is_none());
        assert!(field_ident("1st", &mut taken).is_none());
        assert_eq!(
            field_ident("custom-1", &mut taken).unwrap().to_string(),
            "custom_1"
        );
    }
}
