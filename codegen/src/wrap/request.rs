//! Edits to progenitor's request code: the spec's `Accept`, header parameters set on the
//! request builder rather than collected in a `HeaderMap`, and constant headers built at
//! compile time.

use proc_macro2::Span;
use syn::{
    visit_mut::{self, VisitMut},
    Expr, ExprLit, ExprMethodCall, Lit, Pat, Stmt,
};

/// `Accept` gets the spec's success media type instead of `application/json`, fixed in
/// progenitor's request code where it costs nothing per call.
pub(super) struct SetAccept<'a> {
    pub(super) accept: Option<&'a str>,
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
pub(super) fn inline_header_map(build: &mut Vec<Stmt>) {
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
pub(super) fn flatten(tree: proc_macro2::TokenTree) -> Vec<proc_macro2::TokenTree> {
    match tree {
        proc_macro2::TokenTree::Group(g) => g.stream().into_iter().flat_map(flatten).collect(),
        other => vec![other],
    }
}

/// Replaces `.headers(header_map)` with one `.header(name, value)` per collected header.
pub(super) struct MergeHeaders {
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

/// Header names and values given as string constants are built at compile time, in a
/// `const` block: `HeaderName::from_static` and `HeaderValue::from_static` are `const fn`s,
/// and at run time they check every byte (and look the name up among the standard ones) on
/// every call. progenitor's `api-version` value is `super::Client::api_version()`, which is
/// not `const`; it becomes its literal, `version`.
pub(super) struct ConstHeaders<'a> {
    pub(super) version: Option<&'a str>,
}

impl VisitMut for ConstHeaders<'_> {
    fn visit_expr_mut(&mut self, expr: &mut Expr) {
        if let Expr::Call(call) = expr {
            if call.args.len() == 1 && is_header_from_static(&call.func) {
                if let (Some(version), true) = (self.version, is_api_version(&call.args[0])) {
                    call.args[0] = syn::parse_quote!(#version);
                }
                if matches!(
                    &call.args[0],
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(_),
                        ..
                    })
                ) {
                    let call = call.clone();
                    *expr = syn::parse_quote!(const { #call });
                    return;
                }
            }
        }
        visit_mut::visit_expr_mut(self, expr);
    }
}

/// `…::HeaderName::from_static` or `…::HeaderValue::from_static`.
fn is_header_from_static(func: &Expr) -> bool {
    let Expr::Path(path) = func else { return false };
    let names: Vec<String> = path
        .path
        .segments
        .iter()
        .rev()
        .take(2)
        .map(|s| s.ident.to_string())
        .collect();
    matches!(
        names
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .as_slice(),
        ["from_static", "HeaderName" | "HeaderValue"]
    )
}

/// `super::Client::api_version()`, or any call of an `api_version` without arguments.
fn is_api_version(expr: &Expr) -> bool {
    matches!(expr, Expr::Call(call) if call.args.is_empty()
        && matches!(&*call.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "api_version")))
}
