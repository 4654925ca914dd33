//! Request validation, on the operations that declare 400 or 422.
//!
//! - **Bodies.** Where an operation takes a JSON body and declares 400 or 422, a body that is
//!   missing, not JSON or of another media type answers 400 (422 if only that is declared); a
//!   JSON body that breaks the request schema answers 422 (400 if only that is declared) with
//!   the first violation's JSON pointer in `source.pointer` ([`kajabi_spec::violation`]).
//!   Operations that declare neither (form submit) take any body, and a body that is not JSON
//!   counts as none: the sandbox never answers a status the spec does not declare.
//! - **Query parameters** with a declared `integer`, `number` or `boolean` type or an `enum`
//!   are checked on the operations that declare 400 or 422: a bad value answers that status
//!   with `source.parameter`.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use serde_json::{json, Value};

use crate::catalog::Route;
use crate::spec::Spec;

/// Why a request is refused: status, detail and JSON:API `source`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Problem {
    pub(crate) status: StatusCode,
    pub(crate) detail: String,
    pub(crate) source: Option<Value>,
}

impl Route {
    /// Whether the operation declares 400 or 422, i.e. validates what it is sent.
    pub(crate) fn validates(&self) -> bool {
        self.declares(StatusCode::BAD_REQUEST) || self.declares(StatusCode::UNPROCESSABLE_ENTITY)
    }

    /// The declared status for a malformed request (400 first) or for one that breaks the
    /// schema (422 first).
    fn refusal(&self, malformed: bool) -> StatusCode {
        let order = if malformed {
            [StatusCode::BAD_REQUEST, StatusCode::UNPROCESSABLE_ENTITY]
        } else {
            [StatusCode::UNPROCESSABLE_ENTITY, StatusCode::BAD_REQUEST]
        };
        order
            .into_iter()
            .find(|s| self.declares(*s))
            .unwrap_or(StatusCode::BAD_REQUEST)
    }
}

/// The request's JSON body (`None` when it has none or it is ignored), or why it is refused.
pub(crate) fn body(
    spec: &Spec,
    route: &Route,
    headers: &HeaderMap,
    body: Option<&[u8]>,
) -> Result<Option<Value>, Problem> {
    if !route.json_request {
        return Ok(None);
    }
    let validates = route.validates();
    let malformed = |detail: String| {
        if validates {
            Err(Problem {
                status: route.refusal(true),
                detail,
                source: None,
            })
        } else {
            Ok(None)
        }
    };
    let Some(body) = body else {
        return malformed("the request body could not be read (at most 1 MiB)".into());
    };
    if body.iter().all(u8::is_ascii_whitespace) {
        return malformed(
            "the request body is missing; this operation needs a JSON:API document".into(),
        );
    }
    if let Err(media) = json_media(headers) {
        return malformed(format!(
            "the body must be application/vnd.api+json or application/json, not {media:?}"
        ));
    }
    let value: Value = match serde_json::from_slice(body) {
        Ok(value) => value,
        Err(e) => return malformed(format!("the request body is not valid JSON: {e}")),
    };
    if let (true, Some(schema)) = (validates, &route.request_schema) {
        if let Some(violation) = kajabi_spec::violation(&spec.document, &value, schema) {
            return Err(Problem {
                status: route.refusal(false),
                detail: format!("{} {}", shown(&violation.pointer), violation.reason),
                source: Some(json!({ "pointer": violation.pointer })),
            });
        }
    }
    Ok(Some(value))
}

/// The query parameters with a declared type or enum, checked where the route validates.
pub(crate) fn query(route: &Route, query: &str) -> Result<(), Problem> {
    if !route.validates() {
        return Ok(());
    }
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let Some(parameter) = route
            .op
            .parameters
            .iter()
            .find(|p| p.location == "query" && p.name == name)
        else {
            continue;
        };
        if let Some(reason) = bad_value(&parameter.schema, &value) {
            return Err(Problem {
                status: route.refusal(true),
                detail: format!("query parameter {name}: {value:?} {reason}"),
                source: Some(json!({ "parameter": name })),
            });
        }
    }
    Ok(())
}

/// Why `text` is not a value of `schema` (a parameter schema), if it is not.
fn bad_value(schema: &Value, text: &str) -> Option<String> {
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        if !values
            .iter()
            .any(|v| v.as_str() == Some(text) || text.parse::<Value>().is_ok_and(|t| t == *v))
        {
            return Some(format!("must be one of {}", Value::Array(values.clone())));
        }
    }
    let ok = match schema.get("type").and_then(Value::as_str) {
        Some("integer") => text.trim().parse::<i64>().is_ok(),
        Some("number") => text.trim().parse::<f64>().is_ok_and(f64::is_finite),
        Some("boolean") => text == "true" || text == "false",
        _ => true,
    };
    (!ok).then(|| {
        format!(
            "is not a valid {}",
            schema["type"].as_str().unwrap_or("value")
        )
    })
}

/// A pointer as it reads in a sentence: `/data/type`, or `the body` for the root.
fn shown(pointer: &str) -> String {
    if pointer.is_empty() {
        "the body".into()
    } else {
        pointer.to_string()
    }
}

/// `Ok` if `Content-Type` is absent or a JSON type; else the offending media type.
fn json_media(headers: &HeaderMap) -> Result<(), String> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Ok(());
    };
    let essence = value
        .to_str()
        .unwrap_or("")
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Ok(())
    } else {
        Err(essence)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;

    /// A one-operation spec: `GET /v1/things` with typed query parameters, declaring `status`.
    fn route(status: &str) -> Route {
        let text = format!(
            r#"{{"openapi": "3.1.0", "info": {{"title": "t", "version": "1"}},
            "paths": {{"/v1/things": {{"get": {{
              "parameters": [
                {{"name": "page[size]", "in": "query", "schema": {{"type": "integer"}}}},
                {{"name": "filter[active]", "in": "query", "schema": {{"type": "boolean"}}}},
                {{"name": "filter[kind]", "in": "query", "schema": {{"type": "string", "enum": ["a", "b"]}}}},
                {{"name": "filter[name]", "in": "query", "schema": {{"type": "string"}}}}
              ],
              "responses": {{"200": {{"description": "ok"}}, "{status}": {{"description": "no"}}}}
            }}}}}}}}"#
        );
        let spec = crate::spec::Spec::parse(&text).expect("spec");
        Catalog::build(spec).routes.remove(0)
    }

    #[test]
    fn typed_query_parameters_are_checked_where_400_is_declared() {
        let route = route("400");
        assert_eq!(
            query(
                &route,
                "page[size]=10&filter[active]=true&filter[kind]=b&filter[name]=x"
            ),
            Ok(())
        );
        let problem = query(&route, "page%5Bsize%5D=ten").expect_err("not an integer");
        assert_eq!(problem.status, StatusCode::BAD_REQUEST);
        assert_eq!(problem.source, Some(json!({"parameter": "page[size]"})));
        assert!(query(&route, "filter[active]=yes").is_err());
        let problem = query(&route, "filter[kind]=c").expect_err("not in the enum");
        assert!(problem.detail.contains("one of"), "{}", problem.detail);
        // Text that parses as JSON (a number, a boolean) is no more one of the strings.
        for value in ["1", "true", "null"] {
            let problem = query(&route, &format!("filter[kind]={value}")).expect_err(value);
            assert!(problem.detail.contains("one of"), "{}", problem.detail);
        }
        // Undeclared parameters are not this check's business.
        assert_eq!(query(&route, "other=1"), Ok(()));
    }

    #[test]
    fn without_a_declared_400_or_422_query_parameters_pass() {
        assert_eq!(
            query(&route("401"), "page[size]=ten&filter[kind]=c"),
            Ok(())
        );
    }

    #[test]
    fn parameter_values() {
        assert!(bad_value(&json!({"type": "integer"}), "12").is_none());
        assert!(bad_value(&json!({"type": "integer"}), "1.5").is_some());
        assert!(bad_value(&json!({"type": "boolean"}), "yes").is_some());
        assert!(bad_value(&json!({"type": "number"}), "NaN").is_some());
        assert!(bad_value(&json!({"type": "string", "enum": ["a", "b"]}), "b").is_none());
        assert!(bad_value(&json!({"type": "string", "enum": ["a", "b"]}), "c").is_some());
        assert!(bad_value(&json!({"type": "string"}), "anything").is_none());
    }
}
