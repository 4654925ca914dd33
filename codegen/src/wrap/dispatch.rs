//! `Client::call_operation`: every operation by name, with its parameters by their wire
//! names and a JSON body.

use kajabi_spec::Operation;
use proc_macro2::{Span, TokenStream};
use syn::{ImplItem, Item};

use crate::error::GenerateError;
use crate::progenitor_output::{setter_type, squash};

/// `impl Client { pub async fn call_operation(..) }` over the operations' `arms`.
pub(super) fn call_operation(arms: &[TokenStream]) -> Item {
    syn::parse_quote! {
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
            ) -> Result<serde_json::Value, crate::contract::Error> {
                // One boxed future per operation: inline, the 77 arms' states made one future
                // whose poll overflowed a 2 MiB thread stack in debug builds.
                let call: crate::contract::by_name::Call<'_> = match operation {
                    #(#arms)*
                    _ => return Err(crate::contract::Error::invalid_request(format!("no operation is named {operation:?}"))),
                };
                call.await
            }
        }
    }
}

/// The `call_operation` arm of one operation: each builder setter fed from the parameter of
/// the same wire name (`page[number]` → `page_number`), and the body.
pub(super) fn dispatch_arm(
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
                    call = call.body(crate::contract::by_name::arg::<#ty>("body", value)?);
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
                call = call.#setter(crate::contract::by_name::arg::<#ty>(#wire, value)?);
            }
        });
    }
    let list = operation.paginated;
    Ok(quote::quote! {
        #name => Box::pin(async move {
            #[allow(unused_mut)]
            let mut call = self.#method();
            #(#setters)*
            crate::contract::by_name::json(call.send().await?, #list)
        }),
    })
}
