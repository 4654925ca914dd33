//! The setters of an operation's `When`: its path and query parameters, typed as the
//! builder's setters, and `body` for writes.

use proc_macro2::TokenStream;
use quote::quote;

use super::Parts;

/// The `When` methods of one operation.
pub(super) fn methods(parts: &Parts) -> TokenStream {
    let path = parts.path.iter().map(|(wire, setter, ty)| {
        let doc = format!("Only requests whose path parameter `{wire}` is `value`.");
        quote! {
            #[doc = #doc]
            pub fn #setter(self, value: impl Into<#ty>) -> Self {
                self.0.borrow_mut().path(#wire, &value.into());
                self
            }
        }
    });
    let query = parts.query.iter().map(|(wire, setter, ty)| {
        let doc = format!("Only requests whose query parameter `{wire}` is `value`.");
        quote! {
            #[doc = #doc]
            pub fn #setter(self, value: impl Into<#ty>) -> Self {
                self.0.borrow_mut().query(#wire, &value.into());
                self
            }
        }
    });
    let body = parts.body.as_ref().map(|ty| {
        quote! {
            /// Only requests whose body is `value` (compared as data, not bytes).
            pub fn body(self, value: #ty) -> Self {
                self.0.borrow_mut().body(&SPEC, &value);
                self
            }
        }
    });
    quote! {
        #(#path)*
        #(#query)*
        #body
    }
}
