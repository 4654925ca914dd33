//! Decides whether a fetched document may be vendored: it must be what the build can use.
//!
//! The checks run from the cheapest to the most telling, so the refusal names the first thing
//! wrong: not text, an HTML page, not YAML, YAML but not OpenAPI, then the build's own
//! normalizer ([`kajabi_spec::normalize()`]) and generator ([`kajabi_codegen::generate()`]).

use kajabi_codegen::GenerateError;
use kajabi_spec::{NormalizeError, Normalized};
use serde_json::Value;

/// Why a document was refused.
#[derive(Debug, thiserror::Error)]
pub enum Refusal {
    /// The bytes are not UTF-8.
    #[error("it is not UTF-8 text")]
    NotText,
    /// An HTML page: an error or login page, or GitHub's page around the file, not the raw file.
    #[error("it is an HTML page, not an OpenAPI document (an error or login page, or a web page around the file instead of the raw file?)")]
    Html,
    /// Not parseable as YAML (or JSON).
    #[error("it is not valid YAML: {0}")]
    NotYaml(String),
    /// YAML, but not an OpenAPI document.
    #[error("it is YAML but not an OpenAPI document: {0}")]
    NotOpenApi(String),
    /// The build's normalizer rejects it.
    #[error("the normalizer the build uses rejects it: {0}")]
    Normalize(#[from] NormalizeError),
    /// progenitor cannot generate a client from it.
    #[error("the client cannot be generated from it: {0}")]
    Generate(#[from] GenerateError),
}

/// Parses `bytes` the way the build does and returns the normalized document, or why not.
///
/// `content_type` is the server's `Content-Type`, if any; `text/html` is refused outright.
///
/// # Errors
/// The first [`Refusal`] that applies.
pub fn vet(bytes: &[u8], content_type: Option<&str>) -> Result<Normalized, Refusal> {
    let text = std::str::from_utf8(bytes).map_err(|_| Refusal::NotText)?;
    if is_html(text, content_type) {
        return Err(Refusal::Html);
    }
    let value = parse(text)?;
    let normalized = kajabi_spec::normalize(&value)?;
    // `generate` turns progenitor's panics into errors, but the default hook would still
    // print a panic message and backtrace ahead of the one-paragraph refusal.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let generated = kajabi_codegen::generate(&normalized);
    std::panic::set_hook(hook);
    generated?;
    Ok(normalized)
}

/// Parses text with the build's loader, checking it is an OpenAPI document at all.
///
/// # Errors
/// [`Refusal::NotYaml`] or [`Refusal::NotOpenApi`].
pub fn parse(text: &str) -> Result<Value, Refusal> {
    let value = kajabi_spec::load(text)
        .map_err(|kajabi_spec::LoadError(message)| Refusal::NotYaml(message))?;
    let Some(root) = value.as_object() else {
        let what = match value {
            Value::Null => "the document is empty",
            Value::Array(_) => "the document is a list, not a mapping",
            _ => "the document is a single value, not a mapping",
        };
        return Err(Refusal::NotOpenApi(what.to_string()));
    };
    match root.get("openapi") {
        Some(Value::String(_)) => Ok(value),
        // `openapi: 2.0` parses as a number; the normalizer would call the field missing.
        Some(other) => Err(Refusal::NotOpenApi(format!(
            "`openapi: {other}` is not a version string; OpenAPI 3.0.x and 3.1.x are supported"
        ))),
        None if root.contains_key("swagger") => Err(Refusal::NotOpenApi(
            "this is Swagger 2.0; OpenAPI 3.0.x and 3.1.x are supported".to_string(),
        )),
        None => {
            let keys: Vec<&str> = root.keys().take(5).map(String::as_str).collect();
            Err(Refusal::NotOpenApi(format!(
                "there is no `openapi` field (top-level keys: {})",
                keys.join(", ")
            )))
        }
    }
}

fn is_html(text: &str, content_type: Option<&str>) -> bool {
    let essence = content_type
        .and_then(|c| c.split(';').next())
        .map(str::trim);
    if essence.is_some_and(|e| {
        e.eq_ignore_ascii_case("text/html") || e.eq_ignore_ascii_case("application/xhtml+xml")
    }) {
        return true;
    }
    let start: String = text
        .trim_start()
        .chars()
        .take(15)
        .collect::<String>()
        .to_ascii_lowercase();
    start.starts_with("<!doctype html") || start.starts_with("<html")
}
