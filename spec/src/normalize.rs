//! Turns Kajabi's OpenAPI 3.1 document into the OpenAPI 3.0 document progenitor takes.
//!
//! [`normalize`] is a pure function of the document: no I/O, no clock, so `build.rs`, `xtask`
//! and the tests all see the same result. What it changes, and why:
//!
//! - **3.1 → 3.0.3.** `type: [X, "null"]` becomes `type: X` + `nullable: true`; `const`
//!   becomes a one-value `enum`; a schema's `examples` array becomes `example`; numeric
//!   `exclusiveMinimum`/`exclusiveMaximum` become the 3.0 boolean form; keywords 3.0 has no
//!   counterpart for (`$schema`, `$id`, `$comment`, `contentMediaType`, ...) are dropped, as
//!   they only annotate. 3.0-style `nullable: true` is kept as it is.
//! - **Operation names.** Every operation gets a synthesized `operationId` ([`crate::names`]).
//! - **Media types.** JSON:API (`application/vnd.api+json`) and other `+json` bodies are
//!   typed as `application/json`, the one JSON type progenitor generates code for. The
//!   spec's own media type is kept in [`Operation`] so the client puts it on the wire.
//! - **Error responses** (4xx, 5xx, `default`) are removed: the generator allows one error
//!   type per operation and drops bodies it has no schema for (revoke's 401 has none, yet
//!   carries a JSON body). The hand-written layer decodes every error body itself.
//! - **Parameters.** Path-level parameters are copied into each operation; a parameter
//!   repeated with the same definition (descriptions aside) is kept once, first wins; one
//!   repeated with a different definition is an error.
//! - **Page parameters** typed `number` become `integer`, so that `page[size]=10` goes on
//!   the wire instead of `10.0`.
//! - **Descriptions** become rustdoc: a code fence without a language is marked `text`, or
//!   rustdoc would compile the spec's JSON samples as Rust doctests.
//! - **Secrets.** String properties that hold credentials get `format: kajabi-secret`, which
//!   the generator maps to a type with a redacted `Debug`.
//! - **List pagination members.** The "Pagination" sections of the list operations document
//!   `links.{first,prev,next,last}` and `meta.{total_pages,total_count,current_page}`, which the
//!   `*_index_response` schemas lack (they declare `links.self`/`links.current` only). Every
//!   paginated operation whose response has a `data` array gets them, optional (`prev`/`next`
//!   nullable), so that the generated types keep what Kajabi sends ([`PAGE_LINKS`],
//!   [`PAGE_META`]).
//! - **JSON:API guarantees** ([`require_jsonapi_members`]). In a success response, a resource
//!   object (a `data` object, or an item of a `data` array, that declares `id` and `type`)
//!   always has `id` and `type`, and a show response (`data` is such an object) always has
//!   `data`, as JSON:API requires; the spec rarely says so, so these members are marked
//!   `required` (in success responses and in component schemas no request body alone uses)
//!   and the generated types stop wrapping them in `Option`.
//! - **Tagged unions** ([`discriminate_unions`]). An `anyOf` (or `oneOf`) of object schemas
//!   that each declare the same property (JSON:API: `type`) as a one-value string `enum`, a
//!   different value per branch, becomes a `oneOf` of inline branches with that property
//!   required: the generator then emits an enum tagged by it. As an `anyOf`, it emitted a
//!   struct whose first branch took the shared members, leaving the others always empty (the
//!   items of the webhook samples, `GET /v1/hooks/<event>_sample`).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::names;
use crate::operation::Operation;

mod discriminate;
mod downgrade;
mod fences;
mod jsonapi;
mod media;
mod operations;
mod pagination;
mod secrets;

pub use discriminate::discriminate_unions;
pub use jsonapi::require_jsonapi_members;
pub use pagination::{PAGE_LINKS, PAGE_META};
pub use secrets::SECRET_FORMAT;

use downgrade::downgrade_schema;
use fences::label_code_fences;
use operations::normalize_operation;
use pagination::document_list_pagination;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The document as the generator takes it, with what the client needs to know per operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    /// The OpenAPI 3.0.3 document.
    pub document: Value,
    /// Every operation, sorted by path, then method.
    pub operations: Vec<Operation>,
}

/// Why the document cannot be generated from; names where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{location}: {construct}")]
pub struct NormalizeError {
    /// `METHOD /path`, or a JSON pointer for parts outside operations.
    pub location: String,
    /// What is wrong there.
    pub construct: String,
}

fn err(location: impl Into<String>, construct: impl Into<String>) -> NormalizeError {
    NormalizeError {
        location: location.into(),
        construct: construct.into(),
    }
}

/// Normalizes an OpenAPI 3.0 or 3.1 document (already parsed into JSON values).
///
/// # Errors
/// A [`NormalizeError`] naming the method, path and construct the generator cannot take.
pub fn normalize(source: &Value) -> Result<Normalized, NormalizeError> {
    let mut doc = source.clone();
    label_code_fences(&mut doc);
    require_jsonapi_members(&mut doc);
    discriminate_unions(&mut doc);
    let root = doc
        .as_object_mut()
        .ok_or_else(|| err("/", "the document is not a YAML or JSON object"))?;
    let version = root.get("openapi").and_then(Value::as_str).ok_or_else(|| {
        err(
            "/openapi",
            "missing `openapi` version field (is this an OpenAPI document?)",
        )
    })?;
    if !(version.starts_with("3.0.") || version.starts_with("3.1.")) {
        return Err(err(
            "/openapi",
            format!("unsupported OpenAPI version {version:?}; 3.0.x and 3.1.x are supported"),
        ));
    }
    root.insert("openapi".into(), json!("3.0.3"));
    // 3.1-only top-level parts the client has no use for.
    root.remove("webhooks");
    root.remove("jsonSchemaDialect");
    if let Some(info) = root.get_mut("info").and_then(Value::as_object_mut) {
        info.remove("summary");
        if let Some(license) = info.get_mut("license").and_then(Value::as_object_mut) {
            license.remove("identifier");
        }
    } else {
        return Err(err("/info", "missing `info` object"));
    }
    let global_security = root.get("security").cloned();

    if let Some(schemas) = root
        .get_mut("components")
        .and_then(|c| c.get_mut("schemas"))
        .and_then(Value::as_object_mut)
    {
        for (name, schema) in schemas.iter_mut() {
            downgrade_schema(schema, &format!("/components/schemas/{name}"))?;
        }
    }
    for kind in ["parameters", "headers"] {
        if let Some(items) = root
            .get_mut("components")
            .and_then(|c| c.get_mut(kind))
            .and_then(Value::as_object_mut)
        {
            for (name, item) in items.iter_mut() {
                if let Some(schema) = item.get_mut("schema") {
                    downgrade_schema(schema, &format!("/components/{kind}/{name}/schema"))?;
                }
            }
        }
    }
    // What `$ref`s point into, as a document of its own for `crate::resolve`.
    let components = json!({"components": root.get("components").cloned().unwrap_or(Value::Null)});

    let paths = root
        .get_mut("paths")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| err("/paths", "missing `paths` object"))?;
    let context = Context {
        shared_prefix: names::shared_prefix(paths.keys().map(String::as_str)),
        global_security: global_security.as_ref(),
        components: &components,
    };
    let mut operations = Vec::new();
    for (path, item) in paths.iter_mut() {
        let item = item
            .as_object_mut()
            .ok_or_else(|| err(format!("/paths/{path}"), "path item is not an object"))?;
        let shared_params = item.remove("parameters").unwrap_or_else(|| json!([]));
        for method in METHODS {
            if let Some(op) = item.get_mut(*method) {
                let location = format!("{} {path}", method.to_ascii_uppercase());
                let op = op
                    .as_object_mut()
                    .ok_or_else(|| err(&location, "operation is not an object"))?;
                operations.push(normalize_operation(
                    op,
                    method,
                    path,
                    &shared_params,
                    &context,
                    &location,
                )?);
            }
        }
    }

    document_list_pagination(root, &mut operations);

    let mut seen: BTreeMap<&str, &Operation> = BTreeMap::new();
    for op in &operations {
        if let Some(first) = seen.insert(&op.name, op) {
            return Err(err(
                format!("{} {}", op.method, op.path),
                format!(
                    "synthesized method name `{}` is also the name of {} {}; extend the rules in names.rs",
                    op.name, first.method, first.path
                ),
            ));
        }
    }
    Ok(Normalized {
        document: doc,
        operations,
    })
}

/// What every operation's normalization reads from the whole document.
struct Context<'a> {
    /// Leading segments every path shares ([`names::shared_prefix`]), left out of names.
    shared_prefix: usize,
    global_security: Option<&'a Value>,
    /// `{"components": ...}` of the document, where `$ref`s resolve.
    components: &'a Value,
}

#[cfg(test)]
mod tests;
