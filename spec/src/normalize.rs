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

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{json, Map, Value};

use crate::names;

/// The `format` given to string properties that carry credentials.
pub const SECRET_FORMAT: &str = "kajabi-secret";

/// Property names that hold a credential anywhere in the document.
const SECRET_PROPERTIES: &[&str] = &["access_token", "refresh_token", "client_secret", "password"];

/// In form bodies (the OAuth endpoints) `token` is a credential too; in JSON:API bodies it is
/// not (an offer's `token` is its public checkout id).
const SECRET_FORM_PROPERTIES: &[&str] = &["token"];

/// Properties of a success response that make it carry credentials.
const CREDENTIAL_RESPONSE_PROPERTIES: &[&str] = &["access_token", "refresh_token"];

/// The JSON:API pagination parameters.
const PAGE_PARAMS: &[&str] = &["page[number]", "page[size]"];

/// The `links` members a paginated list documents besides `self`/`current`: strings (URLs).
pub const PAGE_LINKS: &[&str] = &["first", "prev", "next", "last"];

/// The `meta` members a paginated list documents: integers.
pub const PAGE_META: &[&str] = &["total_pages", "total_count", "current_page"];

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Body media types progenitor generates code for, besides JSON.
const OTHER_BODY_TYPES: &[&str] = &[
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "text/plain",
];

/// Schema keywords of 3.1 (JSON Schema 2020-12) that only annotate and that 3.0 lacks.
const DROPPED_KEYWORDS: &[&str] = &[
    "$schema",
    "$id",
    "$anchor",
    "$comment",
    "$dynamicAnchor",
    "contentMediaType",
    "contentEncoding",
    "contentSchema",
];

/// The document as the generator takes it, with what the client needs to know per operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Normalized {
    /// The OpenAPI 3.0.3 document.
    pub document: Value,
    /// Every operation, sorted by path, then method.
    pub operations: Vec<Operation>,
}

/// One operation as every consumer of the spec sees it: the generator, the SDK's runtime table
/// (a projection of this, generated into `kajabi-api`), the sandbox, xtask and the tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operation {
    /// Synthesized method name, also the generated `operationId`.
    pub name: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template as in the spec, e.g. `/v1/contacts/{id}`.
    pub path: String,
    /// The operation's first tag, e.g. `Contacts`.
    pub tag: Option<String>,
    /// Whether the spec's `security` asks for a bearer token.
    pub secured: bool,
    /// What the operation is for the token lifecycle; see [`Role`].
    pub role: Role,
    /// Whether a success response carries credentials (`access_token`, `refresh_token`).
    pub returns_credentials: bool,
    /// Every parameter, path-level ones merged in, each once: the one parameter merge.
    pub parameters: Vec<Parameter>,
    /// The request body's media type as declared, if the operation takes a body.
    pub request_media: Option<String>,
    /// The request body's schema in the normalized document (`$ref`s left as they are).
    pub request_schema: Option<Value>,
    /// The success response's media type as declared, if it has a body.
    pub response_media: Option<String>,
    /// The first success response's schema in the normalized document, if it has a body.
    pub response_schema: Option<Value>,
    /// Whether the operation lists pages through `page[number]` and `page[size]`.
    pub paginated: bool,
    /// Declared success statuses, e.g. `["200"]`.
    pub success_statuses: Vec<String>,
    /// Declared error statuses (removed from the generated document).
    pub error_statuses: Vec<String>,
}

impl Operation {
    /// Path parameter names, in declaration order.
    pub fn path_params(&self) -> impl Iterator<Item = &str> {
        self.parameters
            .iter()
            .filter(|p| p.location == "path")
            .map(|p| p.name.as_str())
    }
}

/// One parameter of an operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// The name on the wire, e.g. `filter[site_id]`.
    pub name: String,
    /// Where it goes: `path`, `query` or `header`.
    pub location: String,
    /// Whether the operation requires it (path parameters always are).
    pub required: bool,
    /// Its schema in the normalized document.
    pub schema: Value,
}

/// What an operation is to the token lifecycle, derived from its shape, never from its path:
/// the hand-written layer finds the token and revoke operations through it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Exchanges a form with a `grant_type` for credentials (`POST /v1/oauth/token`).
    TokenGrant,
    /// Revokes the `token` of a form and returns no credentials, RFC 7009's shape
    /// (`POST /v1/oauth/revoke`).
    Revoke,
    /// Any other operation.
    Ordinary,
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

fn normalize_operation(
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

/// Adds the documented pagination members to the response schema of every paginated list
/// (the component it references, or the inline schema); see the module docs.
fn document_list_pagination(root: &mut Map<String, Value>, operations: &mut [Operation]) {
    for op in operations.iter_mut().filter(|op| op.paginated) {
        let Some(schema) = op.response_schema.clone() else {
            continue;
        };
        let component = schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix("#/components/schemas/"));
        if let Some(name) = component {
            if let Some(target) = root
                .get_mut("components")
                .and_then(|c| c.get_mut("schemas"))
                .and_then(|s| s.get_mut(name))
            {
                add_pagination_members(target);
            }
            continue;
        }
        let Some(item) = root
            .get_mut("paths")
            .and_then(|p| p.get_mut(&op.path))
            .and_then(|i| i.get_mut(op.method.to_ascii_lowercase()))
        else {
            continue;
        };
        for status in &op.success_statuses {
            let target = item
                .get_mut("responses")
                .and_then(|r| r.get_mut(status))
                .and_then(|r| r.get_mut("content"))
                .and_then(Value::as_object_mut)
                .and_then(|c| c.values_mut().next())
                .and_then(|m| m.get_mut("schema"))
                .filter(|s| **s == schema);
            if let Some(target) = target {
                if add_pagination_members(target) {
                    op.response_schema = Some(target.clone());
                }
                break;
            }
        }
    }
}

/// Adds [`PAGE_LINKS`] and [`PAGE_META`] to an object schema with a `data` array, keeping
/// what it declares already; false if the schema is not such a list.
fn add_pagination_members(schema: &mut Value) -> bool {
    let is_list = schema.pointer("/properties/data/type") == Some(&json!("array"));
    let Some(properties) = schema
        .get_mut("properties")
        .and_then(Value::as_object_mut)
        .filter(|_| is_list)
    else {
        return false;
    };
    let groups: [(&str, &[&str], Value); 2] = [
        (
            "links",
            PAGE_LINKS,
            json!({"type": "string", "nullable": true}),
        ),
        ("meta", PAGE_META, json!({"type": "integer"})),
    ];
    for (group, members, member_schema) in groups {
        let object = properties
            .entry(group)
            .or_insert_with(|| json!({"type": "object", "properties": {}}));
        let Some(object) = object.as_object_mut() else {
            continue;
        };
        let declared = object.entry("properties").or_insert_with(|| json!({}));
        if let Some(declared) = declared.as_object_mut() {
            for member in members {
                declared
                    .entry(member.to_string())
                    .or_insert_with(|| member_schema.clone());
            }
        }
    }
    true
}

/// Marks every bare code fence in every `description` as `text`.
fn label_code_fences(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                match inner {
                    Value::String(text) if key == "description" && text.contains("```") => {
                        *text = label_fences_in(text);
                    }
                    _ => label_code_fences(inner),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(label_code_fences),
        _ => {}
    }
}

fn label_fences_in(text: &str) -> String {
    let mut open = false;
    let mut out: Vec<String> = Vec::new();
    for line in text.split('\n') {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            if !open && info.trim().is_empty() {
                out.push(format!("{}```text", &line[..line.len() - trimmed.len()]));
                open = true;
                continue;
            }
            open = !open;
        }
        out.push(line.to_string());
    }
    out.join("\n")
}

/// `value`, or what its `$ref` points at; `refs` is `{"components": ...}` of the document.
fn resolve_ref<'a>(
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

fn param_key(param: &Value, location: &str) -> Result<(String, String), NormalizeError> {
    match (param["name"].as_str(), param["in"].as_str()) {
        (Some(name), Some(place)) => Ok((name.to_string(), place.to_string())),
        _ => Err(err(location, "parameter without `name` and `in`")),
    }
}

/// A parameter with its documentation-only fields removed, for comparing repeats.
fn definition(param: &Value) -> Value {
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

/// Keeps the one media type of `content` the generator handles, renamed `application/json`
/// when it is JSON of any flavour, with its schema downgraded and, in a form, its credential
/// fields marked. Returns the media type as declared.
fn retype_content(
    content: &mut Map<String, Value>,
    location: &str,
    what: &str,
) -> Result<String, NormalizeError> {
    let (media, mut media_object) = pick_media(content).ok_or_else(|| {
        err(
            location,
            format!(
                "{what} media types {:?} are not supported (JSON, form, octet-stream or text)",
                content.keys().collect::<Vec<_>>()
            ),
        )
    })?;
    if let Some(schema) = media_object.get_mut("schema") {
        downgrade_schema(schema, &format!("{location} {what}"))?;
        if media == "application/x-www-form-urlencoded" {
            mark_secrets(schema, SECRET_FORM_PROPERTIES);
        }
    }
    let generated = if is_json(&media) {
        "application/json".to_string()
    } else {
        media.clone()
    };
    content.clear();
    content.insert(generated, media_object);
    Ok(media)
}

fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// The one media type to generate for: JSON (of any flavour) first, then the others.
fn pick_media(content: &Map<String, Value>) -> Option<(String, Value)> {
    content
        .iter()
        .find(|(media, _)| is_json(media))
        .or_else(|| {
            content
                .iter()
                .find(|(media, _)| OTHER_BODY_TYPES.contains(&media.as_str()))
        })
        .map(|(media, object)| (media.clone(), object.clone()))
}

/// Rewrites one schema (and every schema inside it) from 3.1 to 3.0 form.
fn downgrade_schema(schema: &mut Value, location: &str) -> Result<(), NormalizeError> {
    let Some(map) = schema.as_object_mut() else {
        // `true`/`false` schemas of 3.1: 3.0 has only objects.
        if let Value::Bool(allow) = schema {
            *schema = if *allow {
                json!({})
            } else {
                json!({"not": {}})
            };
        }
        return Ok(());
    };
    if let Some(Value::Array(types)) = map.get("type").cloned() {
        let mut non_null: Vec<Value> = types.iter().filter(|t| *t != "null").cloned().collect();
        if non_null.len() < types.len() {
            map.insert("nullable".into(), json!(true));
        }
        match non_null.len() {
            0 => {
                map.remove("type");
            }
            1 => {
                map.insert("type".into(), non_null.remove(0));
            }
            _ => {
                return Err(err(
                    location,
                    format!(
                        "`type: {}` mixes several non-null types; OpenAPI 3.0 cannot express it",
                        Value::Array(types)
                    ),
                ));
            }
        }
    }
    if let Some(value) = map.remove("const") {
        map.insert("enum".into(), json!([value]));
    }
    if let Some(Value::Array(mut examples)) = map.remove("examples") {
        if !examples.is_empty() && !map.contains_key("example") {
            map.insert("example".into(), examples.swap_remove(0));
        }
    }
    for (exclusive, bound) in [
        ("exclusiveMinimum", "minimum"),
        ("exclusiveMaximum", "maximum"),
    ] {
        if let Some(value) = map.get(exclusive).filter(|v| v.is_number()).cloned() {
            map.insert(bound.into(), value);
            map.insert(exclusive.into(), json!(true));
        }
    }
    for keyword in DROPPED_KEYWORDS {
        map.remove(*keyword);
    }
    if map.contains_key("prefixItems") {
        return Err(err(
            location,
            "`prefixItems` (tuple schema) has no OpenAPI 3.0 form",
        ));
    }
    for key in ["items", "additionalProperties", "not"] {
        if let Some(inner) = map.get_mut(key) {
            if inner.is_object() {
                downgrade_schema(inner, &format!("{location}/{key}"))?;
            }
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(items)) = map.get_mut(key) {
            for (i, inner) in items.iter_mut().enumerate() {
                downgrade_schema(inner, &format!("{location}/{key}/{i}"))?;
            }
        }
    }
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        for (name, inner) in props.iter_mut() {
            downgrade_schema(inner, &format!("{location}/properties/{name}"))?;
            if SECRET_PROPERTIES.contains(&name.as_str()) {
                mark_secret(inner);
            }
        }
    }
    Ok(())
}

fn mark_secrets(schema: &mut Value, names: &[&str]) {
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        for (name, inner) in props.iter_mut() {
            if names.contains(&name.as_str()) {
                mark_secret(inner);
            }
        }
    }
}

/// Tags a plain string schema as a secret; nullable or constrained strings are left alone, so
/// that the generator's exact-match conversion only ever sees `{type: string, format: ...}`.
fn mark_secret(schema: &mut Value) {
    if let Some(map) = schema.as_object_mut() {
        let plain = map.get("type") == Some(&json!("string"))
            && map.keys().all(|k| {
                [
                    "type",
                    "description",
                    "title",
                    "example",
                    "readOnly",
                    "writeOnly",
                ]
                .contains(&k.as_str())
            });
        if plain {
            map.insert("format".into(), json!(SECRET_FORMAT));
        }
    }
}

/// Marks what JSON:API guarantees in every success response as `required`: `id` and `type` of
/// each resource object, and `data` of a response whose `data` is one resource object.
///
/// The documents repaired are the success responses' schemas and every component schema that
/// no request body uses without a success response using it too: so that whether a component
/// is repaired does not depend on which operations use it (removing the one operation that
/// uses a component does not change the component, and `sync-spec` reports no change to it).
/// Schemas are changed where they are defined, following `$ref`s.
pub fn require_jsonapi_members(doc: &mut Value) {
    let mut responses = Vec::new();
    let mut requests = Vec::new();
    let paths = doc.get("paths").and_then(Value::as_object);
    for (path, item) in paths.into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let at = format!("/paths/{}/{method}", escape(path));
            let bodies = op
                .get("responses")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .filter(|(status, _)| status.starts_with('2'))
                .map(|(status, response)| (format!("{at}/responses/{}", escape(status)), response))
                .chain(
                    op.get("requestBody")
                        .map(|b| (format!("{at}/requestBody"), b)),
                );
            for (at, body) in bodies {
                let content = body.get("content").and_then(Value::as_object);
                for media in content.into_iter().flatten().map(|(media, _)| media) {
                    let pointer = format!("{at}/content/{}/schema", escape(media));
                    let Some(target) = target(doc, &pointer) else {
                        continue;
                    };
                    if at.ends_with("/requestBody") {
                        requests.push(target);
                    } else {
                        responses.push(target);
                    }
                }
            }
        }
    }
    let components = doc
        .pointer("/components/schemas")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(name, _)| format!("/components/schemas/{}", escape(name)))
        .filter(|pointer| !requests.contains(pointer) || responses.contains(pointer));
    let documents: BTreeSet<String> = components.chain(responses.iter().cloned()).collect();

    let mut repairs: Vec<(String, &[&str])> = Vec::new();
    for top in documents {
        let Some(data) = target(doc, &format!("{top}/properties/data")) else {
            continue;
        };
        if is_resource_object(doc, &data) {
            repairs.push((data, &["id", "type"]));
            repairs.push((top, &["data"]));
        } else if let Some(item) = target(doc, &format!("{data}/items")) {
            if is_resource_object(doc, &item) {
                repairs.push((item, &["id", "type"]));
            }
        }
    }
    for (pointer, members) in repairs {
        let Some(schema) = doc.pointer_mut(&pointer).and_then(Value::as_object_mut) else {
            continue;
        };
        let required = schema.entry("required").or_insert_with(|| json!([]));
        if let Some(list) = required.as_array_mut() {
            for member in members {
                if !list.iter().any(|m| m == *member) {
                    list.push(json!(member));
                }
            }
        }
    }
}

/// The JSON pointer of the schema at `pointer`, after following its local `$ref`s.
fn target(doc: &Value, pointer: &str) -> Option<String> {
    let mut pointer = pointer.to_string();
    for _ in 0..16 {
        let schema = doc.pointer(&pointer)?;
        match schema
            .get("$ref")
            .and_then(Value::as_str)
            .and_then(|r| r.strip_prefix('#'))
        {
            Some(next) => pointer = next.to_string(),
            None => return Some(pointer),
        }
    }
    None
}

/// Whether the schema at `pointer` declares both `id` and `type`: a JSON:API resource object.
fn is_resource_object(doc: &Value, pointer: &str) -> bool {
    let properties = doc
        .pointer(pointer)
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    properties.is_some_and(|p| p.contains_key("id") && p.contains_key("type"))
}

/// A JSON pointer token (RFC 6901).
fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests;
