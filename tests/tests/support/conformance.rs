//! The spec side of `tests/conformance.rs`: every operation of the original (3.1) document
//! with its parameters, bodies, security and responses; schema validation with the
//! `jsonschema` crate; a lossless-comparison of JSON values; and a request recorder for
//! httpmock (which has no request-history API of its own).
//!
//! This is the test's own, independent oracle: it reads the original document itself (its
//! parameter merge and `$ref` walking included) instead of `kajabi-spec`'s model, so that a
//! bug in the normalizer cannot hide behind the same bug in the check.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use httpmock::{HttpMockRequest, MockServer};
use serde_json::{json, Map, Value};

/// The HTTP methods an OpenAPI path item can hold, as its keys spell them.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// The value every string path parameter gets: a `/` and a non-ASCII letter, which must be
/// percent-encoded to stay one path segment.
pub const PATH_VALUE: &str = "id-1/ä";

/// The value every string query parameter gets: a space, `&`, `/` and a non-ASCII letter,
/// which must be encoded to arrive intact.
pub const QUERY_VALUE: &str = "q 1&/ü";

/// The original document and its operations, in document order.
pub struct Spec {
    pub document: Value,
    pub operations: Vec<SpecOperation>,
    pub schemas: Schemas,
}

/// One operation as the original document declares it.
pub struct SpecOperation {
    /// The SDK's name for it (the normalizer's synthesized `operationId`).
    pub name: String,
    /// Upper case.
    pub method: String,
    pub path: String,
    /// Whether the operation's `security` (or else the root's) asks for a credential.
    pub secured: bool,
    /// Path-level and operation-level parameters, references resolved, each `(in, name)`
    /// once (the first declaration wins).
    pub parameters: Vec<Parameter>,
    /// How often each query parameter name is declared (more than once: a repeated parameter).
    pub declared_query: BTreeMap<String, usize>,
    /// The request body's (first) media type and schema.
    pub request: Option<Content>,
    /// Every declared response, in document order.
    pub responses: Vec<Response>,
}

pub struct Parameter {
    pub name: String,
    /// `path`, `query`, `header` or `cookie`.
    pub location: String,
    pub required: bool,
    pub schema: Value,
}

pub struct Content {
    pub media: String,
    pub schema: Value,
}

pub struct Response {
    /// `200`, `404`, ...
    pub status: String,
    /// `None` when the response is declared without content.
    pub content: Option<Content>,
}

impl Response {
    pub fn code(&self) -> u16 {
        self.status.parse().unwrap_or(0)
    }
}

impl Spec {
    /// Reads the document at `path` and lists its operations. Names come from
    /// `kajabi_spec::normalize`, everything else from the original document.
    pub fn load(path: &str) -> Spec {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let document = kajabi_spec::load(&text).expect("the spec loads");
        let normalized = kajabi_spec::normalize(&document).expect("the spec normalizes");
        let root_security = document.get("security");
        let mut operations = Vec::new();
        let paths = document
            .get("paths")
            .and_then(Value::as_object)
            .expect("paths");
        for (path, item) in paths {
            let item = resolve(&document, item);
            for method in METHODS {
                let Some(op) = item.get(*method) else {
                    continue;
                };
                let method = method.to_ascii_uppercase();
                let name = normalized
                    .operations
                    .iter()
                    .find(|o| o.method == method && &o.path == path)
                    .map(|o| o.name.clone())
                    .unwrap_or_else(|| panic!("the normalizer has no {method} {path}"));
                let security = op.get("security").or(root_security);
                let secured = security.and_then(Value::as_array).is_some_and(|options| {
                    !options.is_empty()
                        && options
                            .iter()
                            .all(|o| o.as_object().is_some_and(|o| !o.is_empty()))
                });
                let mut parameters: Vec<Parameter> = Vec::new();
                let mut declared_query = BTreeMap::new();
                let declared = item
                    .get("parameters")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .chain(
                        op.get("parameters")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten(),
                    );
                for parameter in declared {
                    let parameter = resolve(&document, parameter);
                    let name = parameter["name"].as_str().expect("name").to_string();
                    let location = parameter["in"].as_str().expect("in").to_string();
                    if location == "query" {
                        *declared_query.entry(name.clone()).or_insert(0) += 1;
                    }
                    if parameters
                        .iter()
                        .any(|p| p.name == name && p.location == location)
                    {
                        continue;
                    }
                    parameters.push(Parameter {
                        required: parameter.get("required") == Some(&json!(true))
                            || location == "path",
                        schema: parameter.get("schema").cloned().unwrap_or(json!({})),
                        name,
                        location,
                    });
                }
                let request = op
                    .get("requestBody")
                    .map(|b| resolve(&document, b))
                    .and_then(|b| first_content(&document, b));
                let responses = op
                    .get("responses")
                    .and_then(Value::as_object)
                    .into_iter()
                    .flatten()
                    .map(|(status, response)| Response {
                        status: status.clone(),
                        content: first_content(&document, resolve(&document, response)),
                    })
                    .collect();
                operations.push(SpecOperation {
                    name,
                    method,
                    path: path.clone(),
                    secured,
                    parameters,
                    declared_query,
                    request,
                    responses,
                });
            }
        }
        let schemas = Schemas::new(&document);
        Spec {
            document,
            operations,
            schemas,
        }
    }
}

/// The first media type of an object with `content` (a request body or a response).
fn first_content(document: &Value, object: &Value) -> Option<Content> {
    let (media, media_object) = object.get("content")?.as_object()?.iter().next()?;
    Some(Content {
        media: media.clone(),
        schema: resolve(document, media_object)
            .get("schema")
            .cloned()
            .unwrap_or(json!({})),
    })
}

pub use kajabi_spec::resolve;

/// A schema-valid argument for a parameter: `PATH_VALUE` / `QUERY_VALUE` for strings, the
/// first enum value, `2` for numbers, `true`, and two items for arrays.
pub fn parameter_value(document: &Value, parameter: &Parameter) -> Value {
    let schema = resolve(document, &parameter.schema);
    let text = if parameter.location == "path" {
        PATH_VALUE
    } else {
        QUERY_VALUE
    };
    scalar_value(document, schema, text)
}

fn scalar_value(document: &Value, schema: &Value, text: &str) -> Value {
    let schema = resolve(document, schema);
    if let Some(value) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|values| values.iter().find(|v| !v.is_null()))
    {
        return value.clone();
    }
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    let types: Vec<&str> = match schema.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    match types.iter().find(|t| **t != "null").copied() {
        Some("integer" | "number") => json!(2),
        Some("boolean") => json!(true),
        Some("array") => {
            let items = schema.get("items").cloned().unwrap_or(json!({}));
            json!([
                scalar_value(document, &items, &format!("{text}-a")),
                scalar_value(document, &items, &format!("{text}-b"))
            ])
        }
        _ => json!(text),
    }
}

/// What a parameter value must decode to on the wire: one string per value (arrays repeat
/// the name, `style: form, explode: true`, the OpenAPI default for query parameters).
pub fn wire_values(value: &Value) -> Vec<String> {
    match value {
        Value::Array(items) => items.iter().flat_map(wire_values).collect(),
        Value::String(s) => vec![s.clone()],
        other => vec![other.to_string()],
    }
}

/// `text` percent-encoded for a path segment, conservatively: everything but RFC 3986's
/// unreserved characters.
pub fn encode_segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `text` with `%XX` escapes decoded (and `+` kept: paths do not use it for spaces).
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A regex that matches exactly `text`.
pub fn exactly(text: &str) -> String {
    let mut out = String::from("^");
    for c in text.chars() {
        if "\\.+*?()|[]{}^$#&-~".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('$');
    out
}

/// A form body as a JSON object, each value typed after the schema's property (forms carry
/// only text); a repeated name becomes an array.
pub fn form_to_json(document: &Value, schema: &Value, body: &[u8]) -> Value {
    let schema = resolve(document, schema);
    let mut out = Map::new();
    for (name, text) in form_urlencoded::parse(body) {
        let property = schema
            .get("properties")
            .and_then(|p| p.get(name.as_ref()))
            .map(|p| resolve(document, p));
        let kind = property
            .and_then(|p| p.get("type"))
            .and_then(Value::as_str)
            .unwrap_or("string");
        let value = match kind {
            "integer" | "number" => text.parse::<f64>().map(|n| json!(n)).unwrap_or(json!(text)),
            "boolean" => text
                .parse::<bool>()
                .map(|b| json!(b))
                .unwrap_or(json!(text)),
            _ => json!(text),
        };
        match out.get_mut(name.as_ref()) {
            Some(Value::Array(items)) => items.push(value),
            Some(first) => *first = json!([first.clone(), value]),
            None => {
                out.insert(name.into_owned(), value);
            }
        }
    }
    Value::Object(out)
}

/// Where `actual` loses or changes what `expected` holds. Allowed: a member absent on one
/// side and `null` on the other, and a number written differently (`1` vs `1.0`). With
/// `empty_objects`, also an empty object `{}` that came back absent (counted in `tolerated`).
pub fn differences(
    expected: &Value,
    actual: &Value,
    empty_objects: bool,
    tolerated: &mut Vec<String>,
) -> Vec<String> {
    let mut out = Vec::new();
    diff(
        expected,
        actual,
        String::new(),
        empty_objects,
        tolerated,
        &mut out,
    );
    out
}

fn diff(
    expected: &Value,
    actual: &Value,
    at: String,
    empty_objects: bool,
    tolerated: &mut Vec<String>,
    out: &mut Vec<String>,
) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (key, value) in e {
                let here = format!("{at}/{key}");
                match a.get(key) {
                    Some(other) => diff(value, other, here, empty_objects, tolerated, out),
                    None if value.is_null() => {}
                    None if empty_objects && value == &json!({}) => tolerated.push(here),
                    None => out.push(format!("{here}: missing (sent {value})")),
                }
            }
            for (key, value) in a {
                if !e.contains_key(key) && !value.is_null() {
                    out.push(format!("{at}/{key}: unexpected {value}"));
                }
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (x, y)) in e.iter().zip(a).enumerate() {
                diff(x, y, format!("{at}/{i}"), empty_objects, tolerated, out);
            }
        }
        (Value::Number(e), Value::Number(a)) if e.as_f64() == a.as_f64() => {}
        (e, a) if e == a => {}
        (e, a) => out.push(format!("{at}: expected {e}, got {a}")),
    }
}

/// `value` with every empty object `{}` given one member, or `None` if it has none: the
/// synthesized examples leave free-form objects empty, which cannot show whether their
/// content survives decoding.
pub fn fill_empty_objects(value: &Value) -> Option<Value> {
    fn fill(value: &mut Value, changed: &mut bool) {
        match value {
            Value::Object(map) if map.is_empty() => {
                map.insert("conformance_key".into(), json!("conformance value"));
                *changed = true;
            }
            Value::Object(map) => map.values_mut().for_each(|v| fill(v, changed)),
            Value::Array(items) => items.iter_mut().for_each(|v| fill(v, changed)),
            _ => {}
        }
    }
    let mut filled = value.clone();
    let mut changed = false;
    fill(&mut filled, &mut changed);
    changed.then_some(filled)
}

/// Validates instances against the spec's schemas as JSON Schema 2020-12: component schemas
/// become `$defs`, `nullable: true` lets `null` through, formats are checked. (The approach
/// of `sandbox/tests/common`.) Compiled validators are cached per schema.
pub struct Schemas {
    document: Value,
    cache: Mutex<HashMap<String, Arc<jsonschema::Validator>>>,
}

impl Schemas {
    pub fn new(document: &Value) -> Schemas {
        Schemas {
            document: document.clone(),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The validation errors of `instance` against `schema` (a schema from the document).
    pub fn errors(&self, schema: &Value, instance: &Value) -> Vec<String> {
        let key = schema.to_string();
        let cached = self.cache.lock().unwrap().get(&key).cloned();
        let validator = match cached {
            Some(v) => v,
            None => {
                let v = Arc::new(self.compile(schema));
                self.cache.lock().unwrap().insert(key, v.clone());
                v
            }
        };
        validator
            .iter_errors(instance)
            .map(|e| format!("{e} at {}", e.instance_path))
            .collect()
    }

    fn compile(&self, schema: &Value) -> jsonschema::Validator {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&kajabi_spec::json_schema(&self.document, schema))
            .expect("schema compiles")
    }
}

/// Every request a mock server receives, in order. Installed as the server's first mock,
/// whose matcher records the request and declines it, so the real mocks still answer.
#[derive(Clone, Default)]
pub struct Recorder(Arc<Mutex<Vec<HttpMockRequest>>>);

impl Recorder {
    pub async fn install(server: &MockServer) -> Recorder {
        let recorder = Recorder::default();
        let sink = recorder.0.clone();
        server
            .mock_async(move |when, then| {
                when.is_true(move |request: &HttpMockRequest| {
                    sink.lock().unwrap().push(request.clone());
                    false
                });
                then.status(599);
            })
            .await;
        recorder
    }

    /// The requests recorded so far; clears the record.
    pub fn take(&self) -> Vec<HttpMockRequest> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

/// One header of a recorded request, if present (the first, when repeated).
pub fn header(request: &HttpMockRequest, name: &str) -> Option<String> {
    request
        .headers_vec()
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.clone())
}

/// A recorded request, for failure messages.
pub fn describe(request: &HttpMockRequest) -> String {
    let mut text = format!("{} {}", request.method_str(), request.uri_str());
    for (name, value) in request.headers_vec() {
        let value = if name.eq_ignore_ascii_case("authorization") {
            value.split(' ').next().unwrap_or("").to_string() + " …"
        } else {
            value.clone()
        };
        text.push_str(&format!("\n  {name}: {value}"));
    }
    let body = String::from_utf8_lossy(request.body_ref());
    if !body.is_empty() {
        let clipped: String = body.chars().take(600).collect();
        text.push_str(&format!("\n  body: {clipped}"));
    }
    text
}
