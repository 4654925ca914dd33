//! Per-call options on every operation builder: a field progenitor's builders do not have.
//!
//! Each builder struct (`pub struct GetMe<'a> { client: &'a super::Client, .. }`) gets
//! `options: Option<&'a crate::CallOptions>`, `None` in its `new`; its request code ignores it
//! (`let Self { client, .. } = self`), and the wrapped `send` hands it to `crate::call::send`.
//! Each builder gets `with(&options)`; the resource handles set the field to their own.

use syn::{visit_mut::VisitMut, Fields, ImplItem, Item, Pat, Type};

use crate::error::GenerateError;

/// Adds the field, its initialisation and the two setters to every builder in `items` (the
/// `builder` module); see the module docs.
pub(super) fn add_options(items: &mut [Item]) -> Result<(), GenerateError> {
    for item in items.iter_mut() {
        match item {
            Item::Struct(s) if is_builder(&s.fields) => {
                let Fields::Named(fields) = &mut s.fields else {
                    unreachable!("is_builder checked")
                };
                fields.named.push(syn::parse_quote! {
                    pub(crate) options: Option<&'a crate::contract::CallOptions>
                });
            }
            Item::Impl(block) if block.trait_.is_none() => {
                let Type::Path(self_ty) = &*block.self_ty else {
                    continue;
                };
                let has_new = block
                    .items
                    .iter()
                    .any(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == "new"));
                if !has_new {
                    continue;
                }
                let name = self_ty.path.segments.last().map(|s| s.ident.to_string());
                for taken in ["with"] {
                    if block
                        .items
                        .iter()
                        .any(|i| matches!(i, ImplItem::Fn(f) if f.sig.ident == taken))
                    {
                        return Err(GenerateError::Shape(format!(
                            "`{}` already has a `{taken}` (a parameter of that name?)",
                            name.unwrap_or_default()
                        )));
                    }
                }
                let mut fill = FillOptions;
                for item in &mut block.items {
                    fill.visit_impl_item_mut(item);
                }
                block.items.push(syn::parse_quote! {
                    /// Overrides the client's timeout, retry policy or headers for this call;
                    /// see [`crate::CallOptions`].
                    pub fn with(mut self, options: &'a crate::contract::CallOptions) -> Self {
                        self.options = Some(options);
                        self
                    }
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// A struct whose first field is `client: &'a super::Client`: one of progenitor's builders.
fn is_builder(fields: &Fields) -> bool {
    let Fields::Named(fields) = fields else {
        return false;
    };
    fields.named.first().is_some_and(|f| {
        f.ident.as_ref().is_some_and(|i| i == "client")
            && quote::quote!(#f)
                .to_string()
                .replace(' ', "")
                .ends_with("&'asuper::Client")
    })
}

/// `Self { client, .. }` literals get `options: None`; `let Self { .. } = self` patterns a
/// rest, so that the request code does not name the field.
struct FillOptions;

impl VisitMut for FillOptions {
    fn visit_expr_struct_mut(&mut self, expr: &mut syn::ExprStruct) {
        if expr.path.is_ident("Self") && expr.rest.is_none() {
            expr.fields.push(syn::parse_quote!(options: None));
        }
        syn::visit_mut::visit_expr_struct_mut(self, expr);
    }

    fn visit_pat_mut(&mut self, pat: &mut Pat) {
        if let Pat::Struct(s) = pat {
            if s.path.is_ident("Self") && s.rest.is_none() {
                s.rest = Some(syn::PatRest {
                    attrs: Vec::new(),
                    dot2_token: Default::default(),
                });
            }
        }
        syn::visit_mut::visit_pat_mut(self, pat);
    }
}
