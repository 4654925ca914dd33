//! The pass over progenitor's output that gives every operation one call path and one error
//! type.
//!
//! progenitor's `send` builds the request, hands it to its hooks
//! (`ClientHooks::pre`/`exec`/`post`) and matches the response status, all returning
//! `progenitor_client::Error<()>`. For each operation builder this pass cuts that method
//! where the hooks start: what builds the request becomes `build_request` (crate-private),
//! and the statuses of the final `match` (JSON body or none) become a `crate::body::Json` or
//! `crate::body::Empty`. The new `send`, with the same success type, hands the built request,
//! the operation's entry in `OPERATIONS` and that decoder to `crate::call::send`, the one
//! entry to the hand-written layer, and returns `kajabi_api::Error`. progenitor's hooks are
//! never called.
//!
//! List operations (those with `page[number]` and `page[size]`) whose page has a `data` array
//! also get an `impl kajabi_api::Paginate`, and `Client::call_operation` dispatches on the
//! operation name with JSON arguments. Nothing else in progenitor's output changes.

use crate::rust_names::pascal_case;
use proc_macro2::Span;
use std::collections::BTreeMap;
use syn::{
    visit_mut::{self, VisitMut},
    Expr, ExprMethodCall, GenericArgument, ImplItem, Item, Lit, Pat, PathArguments, ReturnType,
    Stmt, Type,
};

use kajabi_spec::Operation;

use crate::generate::GenerateError;

/// How one operation's wrapped `send` enters the call path: its entry in `OPERATIONS` and
/// the decoder of its success body. The flat layer's handles enter the same way, with their
/// own body type (see `resources`).
pub(crate) struct Entry {
    /// The index of the operation in `OPERATIONS`.
    pub(crate) index: usize,
    /// `crate::body::Json(&[..])` or `crate::body::Empty(&[..])`.
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
        *raw = syn::parse_quote! {
            /// The request progenitor's code builds, before `send` hands it to `crate::call`.
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
            pub async fn send(self) -> Result<#success, crate::Error> {
                // A retry builds the request again from a copy of the builder.
                crate::call::send(
                    &super::OPERATIONS[#index],
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
    file.items.push(syn::parse_quote! {
        impl Client {
            /// Calls the operation named `operation` (see [`crate::operations`]) with its
            /// parameters by their names on the wire (`{"id": "1", "page[size]": 10}`) and a
            /// JSON body, and returns the response body as JSON (`null` when it has none).
            /// For tools and tests that walk the API generically; typed code should call the
            /// operation's own method.
            ///
            /// # Errors
            /// [`crate::Error::is_request`] for an unknown operation or a value that does not
            /// fit its parameter's type; otherwise as the operation's `send`.
            pub async fn call_operation(
                &self,
                operation: &str,
                params: &serde_json::Map<String, serde_json::Value>,
                body: Option<serde_json::Value>,
            ) -> Result<serde_json::Value, crate::Error> {
                // One boxed future per operation: inline, the 77 arms' states made one future
                // whose poll overflowed a 2 MiB thread stack in debug builds.
                let call: crate::by_name::Call<'_> = match operation {
                    #(#arms)*
                    _ => return Err(crate::Error::invalid_request(format!("no operation is named {operation:?}"))),
                };
                call.await
            }
        }
    });
    if entries.len() != operations.len() {
        return Err(GenerateError::Shape(format!(
            "wrapped {} builders for {} operations",
            entries.len(),
            operations.len()
        )));
    }
    Ok(entries)
}

/// `Accept` gets the spec's success media type instead of `application/json`, fixed in
/// progenitor's request code where it costs nothing per call.
struct SetAccept<'a> {
    accept: Option<&'a str>,
}

impl VisitMut for SetAccept<'_> {
    fn visit_expr_method_call_mut(&mut self, call: &mut ExprMethodCall) {
        let sets_accept = call.method == "header"
            && matches!(call.args.first(), Some(Expr::Path(p)) if p.path.segments.last().is_some_and(|s| s.ident == "ACCEPT"));
        if let (true, Some(accept), Some(Expr::Call(value))) =
            (sets_accept, self.accept, call.args.iter_mut().nth(1))
        {
            if let Some(Expr::Lit(lit)) = value.args.first_mut() {
                if let Lit::Str(_) = lit.lit {
                    lit.lit = Lit::Str(syn::LitStr::new(accept, Span::call_site()));
                }
            }
        }
        visit_mut::visit_expr_method_call_mut(self, call);
    }
}

/// progenitor collects header parameters (and `api-version`) in a separate `HeaderMap`
/// (`let mut header_map = ..; header_map.append(name, value); .. .headers(header_map)`), which
/// costs an allocation and a merge per call. Where every `append` is an unconditional
/// statement, they become `.header(name, value)` calls on the request builder instead; any
/// other use of `header_map` (e.g. an optional header parameter) leaves the code as it is.
fn inline_header_map(build: &mut Vec<Stmt>) {
    let is_map = |expr: &Expr| matches!(expr, Expr::Path(p) if p.path.is_ident("header_map"));
    let mut declared = None;
    let mut appends = Vec::new();
    for (i, stmt) in build.iter().enumerate() {
        match stmt {
            Stmt::Local(local) if matches!(&local.pat, Pat::Ident(p) if p.ident == "header_map") => {
                declared = Some(i);
            }
            Stmt::Expr(Expr::MethodCall(call), Some(_))
                if call.method == "append" && is_map(&call.receiver) && call.args.len() == 2 =>
            {
                appends.push((i, call.args[0].clone(), call.args[1].clone()));
            }
            _ => {}
        }
    }
    let Some(declared) = declared else { return };
    let mentions = build
        .iter()
        .map(|stmt| {
            quote::quote!(#stmt)
                .into_iter()
                .flat_map(flatten)
                .filter(|t| matches!(t, proc_macro2::TokenTree::Ident(i) if i == "header_map"))
                .count()
        })
        .sum::<usize>();
    // The `let`, each `append`, and the one `.headers(header_map)`.
    if mentions != appends.len() + 2 {
        return;
    }
    let mut merge = MergeHeaders {
        headers: appends
            .iter()
            .map(|(_, n, v)| (n.clone(), v.clone()))
            .collect(),
        merged: false,
    };
    let mut rewritten = build.clone();
    for stmt in &mut rewritten {
        merge.visit_stmt_mut(stmt);
    }
    if !merge.merged {
        return;
    }
    let removed: Vec<usize> = std::iter::once(declared)
        .chain(appends.iter().map(|(i, ..)| *i))
        .collect();
    *build = rewritten
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !removed.contains(i))
        .map(|(_, stmt)| stmt)
        .collect();
}

/// Every token of `tree`, groups opened.
fn flatten(tree: proc_macro2::TokenTree) -> Vec<proc_macro2::TokenTree> {
    match tree {
        proc_macro2::TokenTree::Group(g) => g.stream().into_iter().flat_map(flatten).collect(),
        other => vec![other],
    }
}

/// Replaces `.headers(header_map)` with one `.header(name, value)` per collected header.
struct MergeHeaders {
    headers: Vec<(Expr, Expr)>,
    merged: bool,
}

impl VisitMut for MergeHeaders {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Expr::MethodCall(call) = expr {
            let takes_map = call.method == "headers"
                && call.args.len() == 1
                && matches!(&call.args[0], Expr::Path(p) if p.path.is_ident("header_map"));
            if takes_map {
                let mut chained = (*call.receiver).clone();
                self.visit_expr_mut(&mut chained);
                for (name, value) in &self.headers {
                    chained = syn::parse_quote!(#chained.header(#name, #value));
                }
                *expr = chained;
                self.merged = true;
                return;
            }
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}

/// progenitor's `send` body cut in two: the statements before `let info = OperationInfo`
/// (they build `request` from `client` and the arguments), and the decoder of its final
/// `match response.status().as_u16()`: `crate::body::Json(&[statuses])` for arms that call
/// `ResponseValue::from_response`, `crate::body::Empty(&[statuses])` for
/// `ResponseValue::empty`. Anything else is a shape this pass does not know.
/// The flag says which of the two it is (`true` for `Json`).
fn split_send(
    raw: &syn::ImplItemFn,
) -> Result<(Vec<Stmt>, proc_macro2::TokenStream, bool), String> {
    let stmts = &raw.block.stmts;
    let hooks = stmts
        .iter()
        .position(|stmt| {
            matches!(stmt, Stmt::Local(local)
                if matches!(&local.pat, Pat::Ident(p) if p.ident == "info"))
        })
        .ok_or("no `let info = OperationInfo` before the hooks")?;
    let Some(Stmt::Expr(Expr::Match(status_match), None)) = stmts.last() else {
        return Err("it does not end with a `match` on the status".into());
    };
    let (mut json, mut empty) = (Vec::new(), Vec::new());
    for arm in &status_match.arms {
        let status = match &arm.pat {
            Pat::Wild(_) => continue,
            Pat::Lit(syn::PatLit {
                lit: Lit::Int(int), ..
            }) => int.base10_parse::<u16>().map_err(|e| e.to_string())?,
            _ => return Err("a status pattern other than a single code".into()),
        };
        let body = quote::quote!(#arm).to_string().replace(' ', "");
        if body.contains("ResponseValue::from_response") {
            json.push(status);
        } else if body.contains("ResponseValue::empty") {
            empty.push(status);
        } else {
            return Err(format!("status {status} is neither a JSON body nor empty"));
        }
    }
    let decoder = match (json.is_empty(), empty.is_empty()) {
        (false, true) => quote::quote!(crate::body::Json(&[#(#json),*])),
        (true, false) => quote::quote!(crate::body::Empty(&[#(#empty),*])),
        (true, true) => return Err("no success status".into()),
        (false, false) => return Err("success statuses with and without a body".into()),
    };
    Ok((stmts[..hooks].to_vec(), decoder, empty.is_empty()))
}

/// The `call_operation` arm of one operation: each builder setter fed from the parameter of
/// the same wire name (`page[number]` → `page_number`), and the body.
fn dispatch_arm(
    operation: &Operation,
    items: &[ImplItem],
) -> Result<proc_macro2::TokenStream, GenerateError> {
    let name = &operation.name;
    let method = syn::Ident::new(name, Span::call_site());
    let wire_names: Vec<&str> = operation
        .parameters
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    let mut setters = Vec::new();
    for item in items {
        let ImplItem::Fn(f) = item else { continue };
        let Some(ty) = setter_type(f) else { continue };
        let setter = &f.sig.ident;
        let key = setter.to_string();
        if key == "body" {
            setters.push(quote::quote! {
                if let Some(value) = &body {
                    call = call.body(crate::by_name::arg::<#ty>("body", value)?);
                }
            });
            continue;
        }
        let wire = wire_names
            .iter()
            .find(|w| squash(w) == squash(&key))
            .ok_or_else(|| {
                GenerateError::Shape(format!("{name}: setter `{key}` matches no parameter"))
            })?;
        setters.push(quote::quote! {
            if let Some(value) = params.get(#wire) {
                call = call.#setter(crate::by_name::arg::<#ty>(#wire, value)?);
            }
        });
    }
    Ok(quote::quote! {
        #name => Box::pin(async move {
            #[allow(unused_mut)]
            let mut call = self.#method();
            #(#setters)*
            crate::by_name::json(call.send().await?)
        }),
    })
}

/// `T` of a builder setter `fn x<V>(self, value: V) -> Self where V: TryInto<T>`.
fn setter_type(f: &syn::ImplItemFn) -> Option<Type> {
    let predicate = f.sig.generics.where_clause.as_ref()?.predicates.first()?;
    let syn::WherePredicate::Type(bound) = predicate else {
        return None;
    };
    bound.bounds.iter().find_map(|b| match b {
        syn::TypeParamBound::Trait(t) => t
            .path
            .segments
            .last()
            .filter(|last| last.ident == "TryInto")
            .and_then(first_type_arg),
        _ => None,
    })
}

/// A name with only its letters and digits, lower case: how wire names and setters meet.
fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// `impl Paginate` for a list operation's builder: its page setters and its page's items.
fn paginate_impl(builder: &Type, item: &Type) -> Item {
    syn::parse_quote! {
        impl<'a> crate::Paginate<'a> for #builder {
            type Item = #item;
            fn requested_page_size(&self) -> Option<i64> {
                crate::pagination::page_param(&self.page_size)
            }
            fn requested_page_number(&self) -> Option<i64> {
                crate::pagination::page_param(&self.page_number)
            }
            fn with_page(mut self, number: i64, size: i64) -> Self {
                crate::pagination::set_page_param(&mut self.page_number, number);
                crate::pagination::set_page_param(&mut self.page_size, size);
                self
            }
            fn base_url(&self) -> &str {
                &self.client.baseurl
            }
            fn fetch(self) -> crate::pagination::PageFuture<'a, Self::Item> {
                Box::pin(async move {
                    // The normalizer gives every paginated list response `links` and `meta`.
                    let page = self.send().await?.into_inner();
                    let links = page.links.map(|l| crate::pagination::Links {
                        first: l.first,
                        prev: l.prev,
                        next: l.next,
                        last: l.last,
                    });
                    let meta = page.meta.map(|m| crate::pagination::Meta {
                        total_pages: m.total_pages,
                        total_count: m.total_count,
                        current_page: m.current_page,
                    });
                    Ok(crate::pagination::Page::new(
                        page.data,
                        links.unwrap_or_default(),
                        meta.unwrap_or_default(),
                    ))
                })
            }
        }
    }
}

/// For each generated struct with a `data: Vec<T>` field, its name and `T`.
fn list_item_types(file: &syn::File) -> Vec<(String, Type)> {
    let types = file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == "types" => m.content.as_ref(),
        _ => None,
    });
    let mut found = Vec::new();
    for item in types.map(|(_, items)| items.as_slice()).unwrap_or_default() {
        let Item::Struct(s) = item else { continue };
        let data = s
            .fields
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == "data"));
        if let Some(inner) = data.and_then(|f| generic_arg(&f.ty, "Vec")) {
            let Type::Path(path) = &inner else { continue };
            let Some(last) = path.path.segments.last() else {
                continue;
            };
            let ident = &last.ident;
            found.push((s.ident.to_string(), syn::parse_quote!(types::#ident)));
        }
    }
    found
}

/// The item type of a page type `ResponseValue<types::X>` whose `X` has `data: Vec<T>`.
fn page_item(success: &Type, item_types: &[(String, Type)]) -> Option<Type> {
    let page = generic_arg(success, "ResponseValue")?;
    let Type::Path(path) = page else { return None };
    let name = path.path.segments.last()?.ident.to_string();
    item_types
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.clone())
}

/// `T` from `Name<T>` (any path prefix).
pub(crate) fn generic_arg(ty: &Type, name: &str) -> Option<Type> {
    let Type::Path(path) = ty else { return None };
    path.path
        .segments
        .last()
        .filter(|last| last.ident == name)
        .and_then(first_type_arg)
}

/// The first type argument of a path segment: `T` of `Vec<T>`.
fn first_type_arg(segment: &syn::PathSegment) -> Option<Type> {
    let PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.first()? {
        GenericArgument::Type(t) => Some(t.clone()),
        _ => None,
    }
}

/// `T` from `-> Result<T, E>`.
pub(crate) fn success_type(output: &ReturnType) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    generic_arg(ty, "Result")
}

#[cfg(test)]
mod tests {
    use super::split_send;

    /// Every operation's `send` enters the hand-written layer once, through
    /// `crate::call::send`, and nothing calls progenitor's hooks or its decoder.
    #[test]
    fn every_send_enters_through_call_send_and_no_hook_is_called() {
        let text = include_str!("../../openapi.yaml");
        let operations = kajabi_spec::normalize(&kajabi_spec::load(text).unwrap())
            .unwrap()
            .operations
            .len();
        let source = crate::generate_from_yaml(text).unwrap();
        assert_eq!(source.matches("crate::call::send(").count(), operations);
        for hook in [
            ".pre(&mut request",
            ".exec(request",
            ".post(&result",
            "from_response(",
        ] {
            assert!(!source.contains(hook), "the output still calls {hook}");
        }
    }

    #[test]
    fn statuses_become_a_decoder_and_unknown_shapes_are_refused() {
        let send = |arms: proc_macro2::TokenStream| -> syn::ImplItemFn {
            syn::parse_quote! {
                async fn send(self) -> Result<ResponseValue<T>, Error<()>> {
                    let Self { client } = self;
                    let request = client.client.get(url).build()?;
                    let info = OperationInfo { operation_id: "x" };
                    let response = client.exec(request, &info).await?;
                    match response.status().as_u16() { #arms }
                }
            }
        };
        let (build, decoder, json) = split_send(&send(quote::quote! {
            200u16 => ResponseValue::from_response(response).await,
            201u16 => ResponseValue::from_response(response).await,
            _ => Err(Error::UnexpectedResponse(response)),
        }))
        .unwrap();
        assert_eq!(build.len(), 2, "the statements before `let info`");
        assert!(json);
        assert_eq!(
            decoder.to_string(),
            quote::quote!(crate::body::Json(&[200u16, 201u16])).to_string()
        );
        let (_, decoder, json) = split_send(&send(quote::quote! {
            204u16 => Ok(ResponseValue::empty(response)),
            _ => Err(Error::UnexpectedResponse(response)),
        }))
        .unwrap();
        assert_eq!(
            decoder.to_string(),
            quote::quote!(crate::body::Empty(&[204u16])).to_string()
        );
        assert!(!json);
        for arms in [
            quote::quote!(200..=299 => ResponseValue::stream(response)),
            quote::quote!(200u16 => ResponseValue::upgrade(response).await),
            quote::quote!(200u16 => ResponseValue::from_response(response).await, 204u16 => Ok(ResponseValue::empty(response))),
            quote::quote!(_ => Err(Error::UnexpectedResponse(response))),
        ] {
            assert!(split_send(&send(arms.clone())).is_err(), "{arms}");
        }
    }
}
