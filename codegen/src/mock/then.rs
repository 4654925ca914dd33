//! The answers of an operation's `Then`: its typed success body, the spec's example, the flat
//! resource types where the flat layer reads the operation, and its errors.
//!
//! The errors are the statuses the operation declares, plus those any operation can meet:
//! 429 (with `Retry-After`), 500, 502 and 503 on every one, and 404 on every one that
//! addresses a resource by id (a path parameter).

use std::collections::BTreeSet;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Parts;

/// The statuses every operation can answer, whatever it declares.
const EVERYWHERE: [u16; 4] = [429, 500, 502, 503];

/// The `Then` methods of one operation.
pub(super) fn methods(parts: &Parts) -> TokenStream {
    let success = &parts.success;
    let ok = if matches!(success, syn::Type::Tuple(t) if t.elems.is_empty()) {
        quote! {
            /// The success status, with no body.
            pub fn ok(self) -> Self {
                self.answer(crate::mock::Answer::empty(SPEC.status))
            }
        }
    } else {
        quote! {
            /// The success status with `body`, the operation's document, as JSON.
            pub fn ok(self, body: #success) -> Self {
                self.answer(crate::mock::Answer::json(&SPEC, &body))
            }
        }
    };
    let flat = parts.flat.map(|flat| {
        let ty = &flat.flat;
        let kind = &flat.kind;
        if flat.list {
            quote! {
                /// The success status with one page holding `items`, the only page, as
                /// Kajabi sends it (`links`, `meta`).
                pub fn page(self, items: Vec<crate::resources::#ty>) -> Self {
                    self.page_of(items, 1, 1)
                }

                /// The success status with page `number` of `total_pages` holding `items`,
                /// with the `links` (`next`, `prev`, ...) and `meta` Kajabi sends.
                pub fn page_of(
                    self,
                    items: Vec<crate::resources::#ty>,
                    number: u64,
                    total_pages: u64,
                ) -> Self {
                    self.answer(crate::mock::Answer::page(&SPEC, #kind, &items, number, total_pages))
                }
            }
        } else {
            quote! {
                /// The success status with `resource` as the document's `data`.
                pub fn resource(self, resource: crate::resources::#ty) -> Self {
                    self.answer(crate::mock::Answer::resource(&SPEC, #kind, &resource))
                }
            }
        }
    });
    let mut statuses: BTreeSet<u16> = parts
        .op
        .error_statuses
        .iter()
        .filter_map(|s| s.parse().ok())
        .collect();
    statuses.extend(EVERYWHERE);
    if parts.op.path_params().next().is_some() {
        statuses.insert(404);
    }
    let errors = statuses.into_iter().map(error_method);
    quote! {
        #ok

        /// The success status with the spec's example body.
        pub fn ok_example(self) -> Self {
            self.answer(crate::mock::Answer::example(&SPEC))
        }

        #flat
        #(#errors)*
    }
}

/// The method answering `status` with the error body Kajabi sends for it.
fn error_method(status: u16) -> TokenStream {
    if status == 429 {
        return quote! {
            /// 429 Too Many Requests, with `Retry-After` in whole seconds (rounded up).
            pub fn rate_limited(self, retry_after: Duration) -> Self {
                self.answer(crate::mock::Answer::rate_limited(&SPEC, retry_after))
            }
        };
    }
    let name = match status {
        400 => "bad_request".to_string(),
        401 => "unauthorized".to_string(),
        403 => "forbidden".to_string(),
        404 => "not_found".to_string(),
        409 => "conflict".to_string(),
        422 => "unprocessable_entity".to_string(),
        500 => "internal_server_error".to_string(),
        502 => "bad_gateway".to_string(),
        503 => "service_unavailable".to_string(),
        other => format!("status_{other}"),
    };
    let name = format_ident!("{name}");
    let doc = format!("{status}, with the error body Kajabi sends for it.");
    quote! {
        #[doc = #doc]
        pub fn #name(self) -> Self {
            self.answer(crate::mock::Answer::error(&SPEC, #status))
        }
    }
}
