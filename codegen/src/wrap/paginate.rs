//! `impl Paginate` for the builders of list operations.

use syn::{Item, Type};

use crate::progenitor_output::generic_arg;

/// `impl Paginate` for a list operation's builder: its page setters and its page's items.
pub(super) fn paginate_impl(builder: &Type, item: &Type) -> Item {
    syn::parse_quote! {
        impl<'a> crate::contract::Paginate<'a> for #builder {
            type Item = #item;
            fn requested_page_size(&self) -> Option<i64> {
                crate::contract::pagination::page_param(&self.page_size)
            }
            fn requested_page_number(&self) -> Option<i64> {
                crate::contract::pagination::page_param(&self.page_number)
            }
            fn with_page(mut self, number: i64, size: i64) -> Self {
                crate::contract::pagination::set_page_param(&mut self.page_number, number);
                crate::contract::pagination::set_page_param(&mut self.page_size, size);
                self
            }
            fn base_url(&self) -> &str {
                &self.client.baseurl
            }
            fn fetch(self) -> crate::contract::pagination::PageFuture<'a, Self::Item> {
                Box::pin(async move {
                    // The normalizer gives every paginated list response `links` and `meta`.
                    let page = self.send().await?.into_inner();
                    let links = page.links.map(|l| crate::contract::pagination::Links {
                        first: l.first,
                        prev: l.prev,
                        next: l.next,
                        last: l.last,
                    });
                    let meta = page.meta.map(|m| crate::contract::pagination::Meta {
                        total_pages: m.total_pages,
                        total_count: m.total_count,
                        current_page: m.current_page,
                    });
                    Ok(crate::contract::pagination::Page::new(
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
pub(super) fn list_item_types(file: &syn::File) -> Vec<(String, Type)> {
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
pub(super) fn page_item(success: &Type, item_types: &[(String, Type)]) -> Option<Type> {
    let page = generic_arg(success, "ResponseValue")?;
    let Type::Path(path) = page else { return None };
    let name = path.path.segments.last()?.ident.to_string();
    item_types
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, t)| t.clone())
}
