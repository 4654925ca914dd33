//! Cutting progenitor's `send` where its hooks start.

use syn::{Expr, Lit, Pat, Stmt};

/// progenitor's `send` body cut in two: the statements before `let info = OperationInfo`
/// (they build `request` from `client` and the arguments), and the decoder of its final
/// `match response.status().as_u16()`: `crate::contract::body::Json(&[statuses])` for arms that call
/// `ResponseValue::from_response`, `crate::contract::body::Empty(&[statuses])` for
/// `ResponseValue::empty`. Anything else is a shape this pass does not know.
/// The flag says which of the two it is (`true` for `Json`).
pub(super) fn split_send(
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
        (false, true) => quote::quote!(crate::contract::body::Json(&[#(#json),*])),
        (true, false) => quote::quote!(crate::contract::body::Empty(&[#(#empty),*])),
        (true, true) => return Err("no success status".into()),
        (false, false) => return Err("success statuses with and without a body".into()),
    };
    Ok((stmts[..hooks].to_vec(), decoder, empty.is_empty()))
}
