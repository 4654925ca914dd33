//! One operation: its name, merged parameters, bodies, statuses, security and role.

use serde_json::{json, Map, Value};

use super::downgrade::downgrade_schema;
use super::media::retype_content;
use super::{err, Context, NormalizeError};
use crate::names;
use crate::operation::{Operation, Parameter, Role};

/// Properties of a success response that make it carry credentials.
pub(super) const CREDENTIAL_RESPONSE_PROPERTIES: &[&str] = &["access_token", "refresh_token"];

/// The JSON:API pagination parameters.
pub(super) const PAGE_PARAMS: &[&str] = &["page[number]", "page[size]"];

pub(super) fn normalize_operation(
    op: &mut Map<String, Value>,
    method: &str,
    path: &str,
    shared_params: &Value,
    context: &Context<'_>,
    location: &str,
) -> Result<Operation, NormalizeError> {
    let Context {
        shared_prefix,
        global_security,
        components,
    } = *context;
    let name = names::operation_name(method, path, shared_prefix);
    op.insert("operationId".into(), json!(name));

    // Parameters: path-level first, then the operation's; first definition wins.
    let mut params: Vec<Value> = Vec::new();
    let op_params = op.remove("parameters").unwrap_or_else(|| json!([]));
    let all = shared_params
        .as_array()
        .into_iter()
        .flatten()
        .chain(op_params.as_array().into_iter().flatten());
    for param in all {
        let mut param = resolve_ref(param, components, location)?.clone();
        let key = param_key(&param, location)?;
        if let Some(schema) = param.get_mut("schema") {
            downgrade_schema(schema, &format!("{location} parameter {}", key.0))?;
            // Some list operations type their page parameters as `number`, which goes on the
            // wire as `page[size]=10.0`; pages are counted in whole numbers.
            if PAGE_PARAMS.contains(&key.0.as_str())
                && key.1 == "query"
                && schema["type"] == "number"
            {
                schema["type"] = json!("integer");
            }
        }
        match params
            .iter()
            .find(|p| param_key(p, location).ok().as_ref() == Some(&key))
        {
            Some(first) if definition(first) != definition(&param) => {
                return Err(err(
                    location,
                    format!(
                        "parameter `{}` ({}) is declared more than once with different definitions",
                        key.0, key.1
                    ),
                ));
            }
            Some(_) => {}
            None => params.push(param),
        }
    }
    let parameters: Vec<Parameter> = params
        .iter()
        .map(|p| {
            let location = p["in"].as_str().unwrap_or_default().to_string();
            Parameter {
                name: p["name"].as_str().unwrap_or_default().to_string(),
                required: p["required"].as_bool().unwrap_or(location == "path"),
                schema: p.get("schema").cloned().unwrap_or_else(|| json!({})),
                location,
            }
        })
        .collect();
    if let Some(p) = params.iter().find(|p| p["in"] == "cookie") {
        return Err(err(
            location,
            format!(
                "cookie parameter `{}` is not supported by the generator",
                p["name"]
            ),
        ));
    }
    if !params.is_empty() {
        op.insert("parameters".into(), Value::Array(params));
    }
    let paginated = PAGE_PARAMS.iter().all(|p| {
        parameters
            .iter()
            .any(|q| q.location == "query" && q.name == *p)
    });

    // Request body.
    let mut request_media = None;
    let mut request_schema = None;
    if let Some(body) = op.get_mut("requestBody") {
        if body.get("$ref").is_some() {
            return Err(err(
                location,
                "requestBody `$ref` is not supported; inline the body",
            ));
        }
        let content = body
            .get_mut("content")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| err(location, "requestBody has no `content`"))?;
        request_media = Some(retype_content(content, location, "request body")?);
        request_schema = content
            .values()
            .next()
            .and_then(|m| m.get("schema"))
            .cloned();
    }

    // Responses: success bodies typed as JSON; error responses left to the hand-written layer.
    let responses = op
        .get_mut("responses")
        .and_then(Value::as_object_mut)
        .ok_or_else(|| err(location, "operation has no `responses`"))?;
    let mut response_media = None;
    let mut response_schema = None;
    let mut success_statuses = Vec::new();
    let mut error_statuses = Vec::new();
    let statuses: Vec<String> = responses.keys().cloned().collect();
    for status in statuses {
        if !status.starts_with('2') {
            responses.remove(&status);
            error_statuses.push(status);
            continue;
        }
        let response = responses.get_mut(&status).expect("key listed above");
        if response.get("$ref").is_some() {
            return Err(err(
                location,
                format!("response {status} `$ref` is not supported; inline the response"),
            ));
        }
        success_statuses.push(status.clone());
        if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
            if content.is_empty() {
                continue;
            }
            let media = retype_content(content, location, &format!("response {status}"))?;
            if response_media.is_none() {
                response_media = Some(media);
                response_schema = content
                    .values()
                    .next()
                    .and_then(|m| m.get("schema"))
                    .cloned();
            }
        }
    }
    if success_statuses.is_empty() {
        return Err(err(location, "operation declares no 2xx response"));
    }

    let security = op.get("security").or(global_security);
    let secured = security.and_then(Value::as_array).is_some_and(|reqs| {
        !reqs.is_empty()
            && reqs
                .iter()
                .all(|r| r.as_object().is_some_and(|m| !m.is_empty()))
    });

    let property_names = |schema: &Option<Value>| -> Vec<String> {
        schema
            .as_ref()
            .map(|s| crate::resolve(components, s))
            .and_then(|s| s.get("properties"))
            .and_then(Value::as_object)
            .map(|props| props.keys().cloned().collect())
            .unwrap_or_default()
    };
    let returns_credentials = property_names(&response_schema)
        .iter()
        .any(|p| CREDENTIAL_RESPONSE_PROPERTIES.contains(&p.as_str()));
    let is_form = request_media.as_deref() == Some("application/x-www-form-urlencoded");
    let form_fields = property_names(&request_schema);
    let role = if is_form && returns_credentials && form_fields.iter().any(|f| f == "grant_type") {
        Role::TokenGrant
    } else if is_form && !returns_credentials && form_fields.iter().any(|f| f == "token") {
        Role::Revoke
    } else {
        Role::Ordinary
    };

    Ok(Operation {
        name,
        method: method.to_ascii_uppercase(),
        path: path.to_string(),
        tag: op
            .get("tags")
            .and_then(|t| t.get(0))
            .and_then(Value::as_str)
            .map(str::to_string),
        secured,
        role,
        returns_credentials,
        parameters,
        request_media,
        request_schema,
        response_media,
        response_schema,
        paginated,
        success_statuses,
        error_statuses,
    })
}

/// `value`, or what its `$ref` points at; `refs` is `{"components": ...}` of the document.
pub(super) fn resolve_ref<'a>(
    value: &'a Value,
    refs: &'a Value,
    location: &str,
) -> Result<&'a Value, NormalizeError> {
    let resolved = crate::resolve(refs, value);
    match resolved.get("$ref").and_then(Value::as_str) {
        None => Ok(resolved),
        Some(reference) => Err(err(
            location,
            format!("unresolvable parameter reference {reference}"),
        )),
    }
}

pub(super) fn param_key(param: &Value, location: &str) -> Result<(String, String), NormalizeError> {
    match (param["name"].as_str(), param["in"].as_str()) {
        (Some(name), Some(place)) => Ok((name.to_string(), place.to_string())),
        _ => Err(err(location, "parameter without `name` and `in`")),
    }
}

/// A parameter with its documentation-only fields removed, for comparing repeats.
pub(super) fn definition(param: &Value) -> Value {
    let mut param = param.clone();
    if let Some(map) = param.as_object_mut() {
        for key in ["description", "example", "examples"] {
            map.remove(key);
        }
        if let Some(schema) = map.get_mut("schema").and_then(Value::as_object_mut) {
            for key in ["description", "example", "title"] {
                schema.remove(key);
            }
        }
    }
    param
}
