//! A resource type's list builder (`client.contacts().list()`): the list operation's
//! setters, one page, and the page stream of flat values.

use kajabi_spec::Operation;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use syn::FnArg;

use super::Resource;
use crate::error::GenerateError;
use crate::progenitor_output::{setters, squash};
use crate::rust_names::pascal_case;

impl Resource<'_> {
    pub(super) fn list(
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
                impl<'a> crate::contract::Paginate<'a> for #list<'a> {
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
                    fn fetch(self) -> crate::contract::PageFuture<'a, #flat> {
                        Box::pin(#page)
                    }
                }
            }
        });
        let first = super::handle::with_options(quote!(self.client.#method()));
        Ok((
            quote! {
                /// Lists the resources; see the returned builder.
                pub fn list(&self) -> #list<'a> {
                    #list(#first)
                }
            },
            quote! {
                #[doc = #doc]
                #[derive(Debug, Clone)]
                pub struct #list<'a>(builder::#builder<'a>);

                impl<'a> #list<'a> {
                    #(#forwarded)*

                    /// Sends the request and returns one page's resources.
                    pub async fn send(self) -> Result<Vec<#flat>, crate::contract::Error> {
                        #read.await
                    }
                }

                #paginate
            },
        ))
    }
}
