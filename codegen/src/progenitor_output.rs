//! What the passes over progenitor's output read from it: an operation's builder and its
//! setters, the generated type of a response's `data`, and the parts of a type.

use kajabi_spec::Operation;
use proc_macro2::Ident;
use syn::{
    Expr, ExprLit, GenericArgument, ImplItem, Item, Lit, PathArguments, ReturnType, Stmt, Type,
};

use crate::error::GenerateError;
use crate::rust_names::pascal_case;

/// The generated type of the `data` of `op`'s success response (`types::<X>`), read from
/// progenitor's output: the `send` of the operation's builder, then the response struct.
pub(crate) fn data_type(file: &syn::File, op: &Operation) -> Option<Ident> {
    let response = response_type(file, op)?;
    let types = module(file, "types")?;
    let data = types.iter().find_map(|item| match item {
        Item::Struct(s) if s.ident == response => s
            .fields
            .iter()
            .find(|f| f.ident.as_ref().is_some_and(|i| i == "data"))
            .map(|f| f.ty.clone()),
        _ => None,
    })?;
    innermost(&data, &["Option", "Vec"])
}

/// The generated type of `op`'s success body (`types::<X>`, `()` for none), from the `send`
/// of its builder.
pub(crate) fn response_type(file: &syn::File, op: &Operation) -> Option<Ident> {
    let send = builder_fns(file, op)?
        .into_iter()
        .find(|f| f.sig.ident == "send")?;
    let syn::ReturnType::Type(_, ty) = &send.sig.output else {
        return None;
    };
    innermost(ty, &["Result", "ResponseValue"])
}

/// The string progenitor's `api_version()` returns (the spec's `info.version`).
pub(crate) fn api_version(file: &syn::File) -> Option<String> {
    file.items.iter().find_map(|item| match item {
        Item::Impl(block) => block.items.iter().find_map(|item| match item {
            ImplItem::Fn(f) if f.sig.ident == "api_version" => match f.block.stmts.as_slice() {
                [Stmt::Expr(
                    Expr::Lit(ExprLit {
                        lit: Lit::Str(version),
                        ..
                    }),
                    None,
                )] => Some(version.value()),
                _ => None,
            },
            _ => None,
        }),
        _ => None,
    })
}

/// The last identifier of `ty` after unwrapping the first generic argument of any of `wrappers`.
fn innermost(ty: &Type, wrappers: &[&str]) -> Option<Ident> {
    let Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if wrappers.iter().any(|w| last.ident == w) {
        let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
            return None;
        };
        let syn::GenericArgument::Type(inner) = args.args.first()? else {
            return None;
        };
        return innermost(inner, wrappers);
    }
    Some(last.ident.clone())
}

fn module<'f>(file: &'f syn::File, name: &str) -> Option<&'f [Item]> {
    file.items.iter().find_map(|item| match item {
        Item::Mod(m) if m.ident == name => m.content.as_ref().map(|(_, items)| items.as_slice()),
        _ => None,
    })
}

/// The functions of the builder progenitor generated for `op`.
pub(crate) fn builder_fns<'f>(
    file: &'f syn::File,
    op: &Operation,
) -> Option<Vec<&'f syn::ImplItemFn>> {
    let name = pascal_case(&op.name);
    let block = module(file, "builder")?.iter().find_map(|item| match item {
        Item::Impl(block)
            if matches!(&*block.self_ty, Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == name))
                && block.trait_.is_none() =>
        {
            Some(block)
        }
        _ => None,
    })?;
    Some(
        block
            .items
            .iter()
            .filter_map(|i| match i {
                ImplItem::Fn(f) => Some(f),
                _ => None,
            })
            .collect(),
    )
}

/// The builder's parameter setters (not `body_map`, `send`, ...).
pub(crate) fn setters<'f>(
    file: &'f syn::File,
    op: &Operation,
) -> Result<Vec<&'f syn::ImplItemFn>, GenerateError> {
    let fns = builder_fns(file, op)
        .ok_or_else(|| GenerateError::Shape(format!("no builder for `{}`", op.name)))?;
    Ok(fns
        .into_iter()
        .filter(|f| matches!(f.vis, syn::Visibility::Public(_)) && setter_type(f).is_some())
        .collect())
}

/// The type `op`'s builder takes in its `body` setter, if it has one.
pub(crate) fn body_type(file: &syn::File, op: &Operation) -> Result<Option<Type>, GenerateError> {
    Ok(setters(file, op)?
        .into_iter()
        .find(|f| f.sig.ident == "body")
        .and_then(setter_type))
}

/// `T` of a builder setter `fn x<V>(self, value: V) -> Self where V: TryInto<T>`.
pub(crate) fn setter_type(f: &syn::ImplItemFn) -> Option<Type> {
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
pub(crate) fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
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
