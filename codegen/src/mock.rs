//! `kajabi_api::mock`: typed httpmock mocks, one per operation, generated from the same spec
//! model and the same progenitor output as the client (emitted only when `kajabi-api`'s
//! `httpmock` feature is on).
//!
//! Derived from the spec model and the wrapped builders, nothing is written per operation:
//! - per operation, a module named for it with a `When` and a `Then`: `When` has one setter
//!   per path and query parameter, typed as the builder's setter, and `body` for writes (the
//!   builder's body type); `Then` has `ok` (the builder's success type), `ok_example` (the
//!   spec's example, built by [`kajabi_spec::example_body`] at build time), the flat answers
//!   where the flat layer reads the operation (`resource`, `page`), and one method per error
//!   status (see `then`);
//! - `MockServerExt`, implemented for `httpmock::MockServer`: one method per operation, named
//!   as the client's, and `grant_token`, which answers the token grant (found by its role);
//! - `ok_example_by_name`, for tests that walk every operation.
//!
//! The runtime half (matching, answers, sequences) is hand-written in `kajabi-api/mock.rs`.

mod then;
mod when;

use kajabi_spec::{Normalized, Operation, Role};
use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};
use serde_json::Value;
use syn::{visit_mut::VisitMut, Type};

use crate::error::GenerateError;
use crate::progenitor_output::{builder_fns, generic_arg, success_type};
use crate::resources::FlatAnswer;

/// The source of the `mock` module's generated part, from the wrapped progenitor output.
///
/// # Errors
/// [`GenerateError::Shape`] if an operation has no builder or the emitted code does not parse.
pub(crate) fn source(file: &syn::File, normalized: &Normalized) -> Result<String, GenerateError> {
    let flat = crate::resources::flat_answers(normalized);
    let mut modules = Vec::new();
    let mut signatures = Vec::new();
    let mut methods = Vec::new();
    let mut arms = Vec::new();
    for op in &normalized.operations {
        let parts = Parts::new(file, normalized, op, flat.get(&op.name))?;
        let name = syn::Ident::new(&op.name, Span::call_site());
        let doc = format!(
            "Mocks `{} {}`, the operation of [`Client::{}`](crate::Client::{}): `when` \
             narrows the requests it answers, `then` sets the answers (the spec's example \
             when it sets none).",
            op.method, op.path, op.name, op.name
        );
        signatures.push(quote! {
            #[doc = #doc]
            fn #name(&self, answer: impl FnOnce(#name::When, #name::Then)) -> ::httpmock::Mock<'_>;
        });
        methods.push(quote! {
            fn #name(&self, answer: impl FnOnce(#name::When, #name::Then)) -> ::httpmock::Mock<'_> {
                crate::mock::install(self, &#name::SPEC, |matcher, answers| {
                    answer(#name::When(matcher), #name::Then(answers))
                })
            }
        });
        let op_name = &op.name;
        arms.push(quote! {
            #op_name => Some(server.#name(|_, then| { then.ok_example(); })),
        });
        modules.push(parts.module(&name));
    }
    let token = normalized
        .operations
        .iter()
        .find(|op| op.role == Role::TokenGrant)
        .map(|op| {
            let name = syn::Ident::new(&op.name, Span::call_site());
            let doc = format!(
                "Answers the token grant (`{} {}`) with the spec's example credentials, \
                 whatever the grant: the one line a test needs for auth.",
                op.method, op.path
            );
            (
                quote! {
                    #[doc = #doc]
                    fn grant_token(&self) -> ::httpmock::Mock<'_>;
                },
                quote! {
                    fn grant_token(&self) -> ::httpmock::Mock<'_> {
                        self.#name(|_, then| { then.ok_example(); })
                    }
                },
            )
        });
    let (token_signature, token_method) = token.unzip();
    let tokens = quote! {
        /// Typed mocks on an [`httpmock::MockServer`]: one method per operation of the spec,
        /// named as the [`Client`](crate::Client)'s method.
        pub trait MockServerExt {
            #(#signatures)*
            #token_signature
        }

        impl MockServerExt for ::httpmock::MockServer {
            #(#methods)*
            #token_method
        }

        /// Mocks `operation` answering its `ok_example()`; `None` for a name the spec does
        /// not have. For tests that walk every operation.
        #[doc(hidden)]
        pub fn ok_example_by_name<'a>(
            server: &'a ::httpmock::MockServer,
            operation: &str,
        ) -> Option<::httpmock::Mock<'a>> {
            match operation {
                #(#arms)*
                _ => None,
            }
        }

        #(#modules)*
    };
    let parsed: syn::File = syn::parse2(tokens)
        .map_err(|e| GenerateError::Shape(format!("mocks do not parse: {e}")))?;
    Ok(prettyplease::unparse(&parsed))
}

/// What the module of one operation is made of.
struct Parts<'a> {
    op: &'a Operation,
    /// `(wire name, setter, type)` of each path parameter.
    path: Vec<(String, syn::Ident, Type)>,
    /// `(wire name, setter, type)` of each query parameter.
    query: Vec<(String, syn::Ident, Type)>,
    /// The builder's body type, for writes.
    body: Option<Type>,
    /// The builder's success type (`()` when the response has no body).
    success: Type,
    /// The success response's example body, as JSON text.
    example: Option<String>,
    flat: Option<&'a FlatAnswer>,
}

impl<'a> Parts<'a> {
    fn new(
        file: &syn::File,
        normalized: &Normalized,
        op: &'a Operation,
        flat: Option<&'a FlatAnswer>,
    ) -> Result<Self, GenerateError> {
        let fns = builder_fns(file, op)
            .ok_or_else(|| GenerateError::Shape(format!("no builder for `{}`", op.name)))?;
        let success = fns
            .iter()
            .find(|f| f.sig.ident == "send")
            .and_then(|f| success_type(&f.sig.output))
            .and_then(|t| generic_arg(&t, "ResponseValue"))
            .ok_or_else(|| GenerateError::Shape(format!("`{}`: no typed `send`", op.name)))?;
        let mut path = Vec::new();
        let mut query = Vec::new();
        let mut body = None;
        for f in crate::progenitor_output::setters(file, op)? {
            let Some(ty) = crate::progenitor_output::setter_type(f) else {
                continue;
            };
            let setter = f.sig.ident.clone();
            if setter == "body" {
                body = Some(absolute(ty));
                continue;
            }
            let key = crate::progenitor_output::squash(&setter.to_string());
            let parameter = op
                .parameters
                .iter()
                .find(|p| crate::progenitor_output::squash(&p.name) == key)
                .ok_or_else(|| {
                    GenerateError::Shape(format!(
                        "{}: setter `{setter}` matches no parameter",
                        op.name
                    ))
                })?;
            let entry = (parameter.name.clone(), setter, absolute(ty));
            match parameter.location.as_str() {
                "path" => path.push(entry),
                "query" => query.push(entry),
                _ => {}
            }
        }
        Ok(Parts {
            op,
            path,
            query,
            body,
            success: absolute(success),
            example: example(normalized, op).map(|v| v.to_string()),
            flat,
        })
    }

    fn module(&self, name: &syn::Ident) -> TokenStream {
        let op = self.op;
        let (op_name, method, path) = (&op.name, &op.method, &op.path);
        let status: u16 = op
            .success_statuses
            .first()
            .and_then(|s| s.parse().ok())
            .unwrap_or(200);
        let media = option(op.response_media.as_deref());
        let request_media = option(op.request_media.as_deref());
        let example = option(self.example.as_deref());
        let token_grant = op.role == Role::TokenGrant;
        let when = when::methods(self);
        let then = then::methods(self);
        let doc = format!("The typed mock of `{method} {path}` (`{op_name}`).");
        let when_doc = format!(
            "Which `{method} {path}` requests the mock answers: every one, unless narrowed by \
             these setters (each as the builder's setter of [`Client::{op_name}`](crate::Client::{op_name}))."
        );
        let then_doc = format!(
            "How the mock of `{method} {path}` answers: the last answer set, after the ones \
             [`Then::first`] queued; the spec's example when none is set."
        );
        let then_name = format_ident!("Then");
        quote! {
            #[doc = #doc]
            pub mod #name {
                #[allow(unused_imports)]
                use std::time::Duration;

                pub(crate) static SPEC: crate::mock::Spec = crate::mock::Spec {
                    method: #method,
                    path: #path,
                    status: #status,
                    media: #media,
                    request_media: #request_media,
                    example: #example,
                    token_grant: #token_grant,
                };

                #[doc = #when_doc]
                #[derive(Debug)]
                pub struct When(pub(crate) crate::mock::Shared<crate::mock::Matcher>);

                impl When {
                    #when

                    /// Any further condition, on httpmock's own `When`.
                    pub fn raw(
                        self,
                        condition: impl FnOnce(::httpmock::When) -> ::httpmock::When + 'static,
                    ) -> Self {
                        self.0.borrow_mut().raw(Box::new(condition));
                        self
                    }
                }

                #[doc = #then_doc]
                #[derive(Debug)]
                pub struct #then_name(pub(crate) crate::mock::Shared<crate::mock::Answers>);

                impl Then {
                    #then

                    /// The first `n` answers are the one `answer` sets; later answers are the
                    /// ones set after this call (or by a further `first`).
                    pub fn first(self, n: usize, answer: impl FnOnce(Self) -> Self) -> Self {
                        let queued = answer(Then(Default::default()));
                        let queued = queued.0.borrow_mut().take_last(&SPEC);
                        self.0.borrow_mut().queue(n, queued);
                        self
                    }

                    /// Any response, status, headers and body as given.
                    pub fn raw(self, response: ::httpmock::HttpMockResponse) -> Self {
                        self.answer(crate::mock::Answer::raw(response))
                    }

                    fn answer(self, answer: crate::mock::Answer) -> Self {
                        self.0.borrow_mut().set(answer);
                        self
                    }
                }
            }
        }
    }
}

/// The example body of `op`'s success response, as the sandbox builds it.
fn example(normalized: &Normalized, op: &Operation) -> Option<Value> {
    let status = op.success_statuses.first()?;
    let media = op.response_media.as_deref()?;
    let method = op.method.to_ascii_lowercase();
    let doc = &normalized.document;
    let responses = doc
        .get("paths")?
        .get(&op.path)?
        .get(&method)?
        .get("responses")?;
    let response = kajabi_spec::resolve(doc, responses.get(status)?);
    let content = response.get("content")?;
    // The normalizer retypes vnd.api+json as JSON; the table keeps the declared type.
    let media_object = content
        .get(media)
        .or_else(|| content.get("application/json"))
        .or_else(|| content.as_object()?.values().next())?;
    Some(kajabi_spec::example_body(
        doc,
        media_object,
        &resource_name(&op.path),
    ))
}

/// The JSON:API type an operation is about: the related resource of a relationship path,
/// else the first segment after the version.
fn resource_name(path: &str) -> String {
    let segments = kajabi_spec::names::resource_segments(path);
    let literals: Vec<&str> = segments
        .iter()
        .copied()
        .filter(|s| !s.starts_with('{'))
        .collect();
    match literals.iter().position(|s| *s == "relationships") {
        Some(at) if at + 1 < literals.len() => literals[at + 1].to_string(),
        _ => literals.first().map(|s| s.to_string()).unwrap_or_default(),
    }
}

fn option(value: Option<&str>) -> TokenStream {
    match value {
        Some(v) => quote!(Some(#v)),
        None => quote!(None),
    }
}

/// `ty` with progenitor's module-relative paths (`types::X`, `super::X` in the builder
/// module) made absolute, since the mocks live in another module.
fn absolute(mut ty: Type) -> Type {
    struct Absolute;
    impl VisitMut for Absolute {
        fn visit_path_mut(&mut self, path: &mut syn::Path) {
            if path.leading_colon.is_none() {
                if let Some(first) = path.segments.first() {
                    if first.ident == "types" {
                        *path = syn::parse_quote!(crate::#path);
                    } else if first.ident == "super" {
                        let rest: Vec<_> = path.segments.iter().skip(1).cloned().collect();
                        *path = syn::parse_quote!(crate::types::#(#rest)::*);
                    }
                }
            }
            syn::visit_mut::visit_path_mut(self, path);
        }
    }
    Absolute.visit_type_mut(&mut ty);
    ty
}
