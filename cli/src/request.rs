//! An operation command's arguments as `Client::call_operation` takes them: parameters keyed
//! by wire name, and the body (from `--body FILE|-` and the attribute flags), checked against
//! the operation's request schema before anything is sent.

use std::io::Read;

use clap::ArgMatches;
use serde_json::{json, Map, Value};

use crate::{
    failure::Failure,
    table::{Arg, Body, Command, Kind, Location, Relationship},
};

/// The query parameter of a list's page size, as the SDK's paginator sets it.
pub(crate) const PAGE_SIZE: &str = "page[size]";

/// The parameters given, by wire name (`filter[site_id]`); a list's page size clamped to
/// Kajabi's 1–100, with a notice on stderr when it was outside.
pub(crate) fn params(command: &Command, matches: &ArgMatches) -> Map<String, Value> {
    let mut params: Map<String, Value> = command
        .args
        .iter()
        .filter(|a| a.location != Location::Attribute)
        .filter_map(|a| value(a, matches).map(|v| (a.wire.to_string(), v)))
        .collect();
    let size = params.get(PAGE_SIZE).and_then(Value::as_i64);
    if let Some(size) = size.filter(|_| command.paginated) {
        let clamped = size.clamp(1, kajabi_api::MAX_PAGE_SIZE);
        if clamped != size {
            eprintln!(
                "kajabi: a page holds 1 to {} items; --page-size {size} is taken as {clamped}",
                kajabi_api::MAX_PAGE_SIZE
            );
            params.insert(PAGE_SIZE.into(), json!(clamped));
        }
    }
    params
}

/// The URL of `command` on `base_url` with the path parameters given, for messages: path
/// parameters are ids, never credentials.
pub(crate) fn url(command: &Command, base_url: &str, params: &Map<String, Value>) -> String {
    let mut path = command.path.to_string();
    for arg in command.args.iter().filter(|a| a.location == Location::Path) {
        if let Some(value) = params.get(arg.wire) {
            path = path.replace(&format!("{{{}}}", arg.wire), &text(value));
        }
    }
    format!("{}{path}", base_url.trim_end_matches('/'))
}

/// A parameter's value as it reads in a path: a string without its quotes.
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

/// The JSON value of `arg`, if given.
fn value(arg: &Arg, matches: &ArgMatches) -> Option<Value> {
    let values: Vec<Value> = if !arg.values.is_empty() {
        strings(matches, arg.flag)?
    } else {
        match arg.kind {
            Kind::String => strings(matches, arg.flag)?,
            Kind::Integer => matches
                .get_many::<i64>(arg.flag)?
                .map(|v| json!(v))
                .collect(),
            Kind::Number => matches
                .get_many::<f64>(arg.flag)?
                .map(|v| json!(v))
                .collect(),
            Kind::Boolean => matches
                .get_many::<bool>(arg.flag)?
                .map(|v| json!(v))
                .collect(),
            Kind::Json => matches.get_many::<Value>(arg.flag)?.cloned().collect(),
        }
    };
    if arg.multiple {
        Some(Value::Array(values))
    } else {
        values.into_iter().next()
    }
}

fn strings(matches: &ArgMatches, id: &str) -> Option<Vec<Value>> {
    Some(
        matches
            .get_many::<String>(id)?
            .map(|s| Value::String(s.clone()))
            .collect(),
    )
}

/// The request body: `--body` merged with the flags (flags win). For JSON:API bodies
/// `data.type` and, for id-addressed updates, `data.id` come from the operation and the path;
/// attributes and relationships from their flags; the body is built even from no flag at all,
/// so that the schema check names the flag a required member needs. Checked against the
/// schema. `None` when the operation takes no body, or a non-JSON:API one and none was given.
pub(crate) fn body(command: &Command, matches: &ArgMatches) -> Result<Option<Value>, Failure> {
    let Some(spec) = &command.body else {
        return Ok(None);
    };
    let mut body = match matches.get_one::<String>("body") {
        Some(source) => Some(read_body(source)?),
        None => None,
    };
    if let Some(linkage) = &spec.linkage {
        let body = object(body.get_or_insert_with(|| json!({})), "the body")?;
        linkage_body(linkage, matches, body);
    } else if spec.data_type.is_some() {
        let body = object(body.get_or_insert_with(|| json!({})), "the body")?;
        let data = object(body.entry("data").or_insert_with(|| json!({})), "data")?;
        resource_body(command, spec, matches, data)?;
    }
    if let Some(body) = &body {
        check(command, spec.schema, body)?;
    }
    Ok(body)
}

/// `value` as a JSON object, or a usage error naming `what`.
fn object<'v>(value: &'v mut Value, what: &str) -> Result<&'v mut Map<String, Value>, Failure> {
    value.as_object_mut().ok_or_else(|| {
        Failure::usage(format!(
            "--body: {what} must be a JSON object; nothing was sent"
        ))
    })
}

/// A relationship operation's body: `data` is the ids of `--tag` (when given), each element
/// with its `type` filled in.
fn linkage_body(linkage: &Relationship, matches: &ArgMatches, body: &mut Map<String, Value>) {
    if let Some(ids) = matches.get_many::<String>(linkage.flag) {
        let data = ids.map(|id| identifier(linkage, id)).collect();
        body.insert("data".into(), Value::Array(data));
    }
    for item in body
        .get_mut("data")
        .and_then(Value::as_array_mut)
        .into_iter()
        .flatten()
        .filter_map(Value::as_object_mut)
    {
        item.entry("type")
            .or_insert_with(|| json!(linkage.resource_type));
    }
}

fn identifier(relationship: &Relationship, id: &str) -> Value {
    json!({ "type": relationship.resource_type, "id": id })
}

/// A resource's `data`: `type`, the path's id, the attribute and relationship flags.
fn resource_body(
    command: &Command,
    spec: &Body,
    matches: &ArgMatches,
    data: &mut Map<String, Value>,
) -> Result<(), Failure> {
    if let Some(data_type) = spec.data_type {
        data.entry("type").or_insert_with(|| json!(data_type));
    }
    let path_id = spec.id_param.and_then(|wire| {
        let arg = command.args.iter().find(|a| a.wire == wire)?;
        Some((arg, text(&value(arg, matches)?)))
    });
    if let Some((arg, id)) = path_id {
        match data.get("id") {
            None | Some(Value::Null) => {
                data.insert("id".into(), json!(id));
            }
            Some(Value::String(given)) if *given == id => {}
            Some(given) => {
                return Err(Failure::usage(format!(
                "the body's data.id {given} is not the <{}> {id:?} of the path; nothing was sent",
                arg.flag
            )))
            }
        }
    }
    for arg in spec.attributes {
        let Some(value) = value(arg, matches) else {
            continue;
        };
        let attributes = data
            .entry("attributes")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or_else(|| {
                Failure::usage(format!(
                    "--{}: the --body's data.attributes is not an object; nothing was sent",
                    arg.flag
                ))
            })?;
        attributes.insert(arg.wire.to_string(), value);
    }
    for relationship in spec.relationships {
        let Some(mut ids) = matches.get_many::<String>(relationship.flag) else {
            continue;
        };
        let linkage = if relationship.many {
            Value::Array(ids.map(|id| identifier(relationship, id)).collect())
        } else {
            ids.next_back()
                .map_or(Value::Null, |id| identifier(relationship, id))
        };
        let relationships = data
            .entry("relationships")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or_else(|| {
                Failure::usage(format!(
                    "--{}: the --body's data.relationships is not an object; nothing was sent",
                    relationship.flag
                ))
            })?;
        relationships.insert(relationship.name.to_string(), json!({ "data": linkage }));
    }
    Ok(())
}

/// The flags (or positional) that set the member at JSON `pointer` of `command`'s body,
/// `--email` for `/data/attributes/email`; empty when no flag does.
pub(crate) fn flags_at(command: &Command, pointer: &str) -> Vec<String> {
    let Some(spec) = &command.body else {
        return Vec::new();
    };
    let segments: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let flag = |name: &str| format!("--{name}");
    match segments.as_slice() {
        ["data", ..] if spec.linkage.is_some() => {
            spec.linkage.iter().map(|l| flag(l.flag)).collect()
        }
        ["data", "attributes", name, ..] => spec
            .attributes
            .iter()
            .filter(|a| a.wire == *name)
            .map(|a| flag(a.flag))
            .collect(),
        ["data", "relationships", name, ..] => spec
            .relationships
            .iter()
            .filter(|r| r.name == *name)
            .map(|r| flag(r.flag))
            .collect(),
        ["data", "relationships"] => spec.relationships.iter().map(|r| flag(r.flag)).collect(),
        ["data", "id"] => spec
            .id_param
            .and_then(|wire| command.args.iter().find(|a| a.wire == wire))
            .map(|a| vec![typed_as(a)])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// `arg` as the user types it: `<id>` for a path parameter (a positional), `--email` else.
pub(crate) fn typed_as(arg: &Arg) -> String {
    if arg.location == Location::Path {
        format!("<{}>", arg.flag)
    } else {
        format!("--{}", arg.flag)
    }
}

pub(crate) fn read_body(source: &str) -> Result<Value, Failure> {
    let text = if source == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Failure::usage(format!("--body: cannot read stdin: {e}")))?;
        text
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| Failure::usage(format!("--body: cannot read {source}: {e}")))?
    };
    // serde's message says where, never what: the body may hold a credential.
    serde_json::from_str(&text).map_err(|e| {
        Failure::usage(format!(
            "--body is not JSON ({:?} problem at line {}, column {}); nothing was sent",
            e.classify(),
            e.line(),
            e.column()
        ))
    })
}

/// The first way `body` does not fit the schema, naming the member; no value is quoted.
fn check(command: &Command, schema: &str, body: &Value) -> Result<(), Failure> {
    let schema: Value = serde_json::from_str(schema)
        .map_err(|e| Failure::other(format!("the generated schema does not parse: {e}")))?;
    let validator = jsonschema::validator_for(&schema)
        .map_err(|e| Failure::other(format!("the generated schema does not compile: {e}")))?;
    let Some(error) = validator.iter_errors(body).next() else {
        return Ok(());
    };
    let at = error.instance_path.to_string();
    let detail = match &error.kind {
        jsonschema::error::ValidationErrorKind::Required { property } => {
            let member = format!("{at}/{}", property.as_str().unwrap_or("?"));
            match flags_at(command, &member).as_slice() {
                [] => format!("member `{member}` is required"),
                flags => format!("{} is required (member `{member}`)", flags.join(" or ")),
            }
        }
        jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
            format!("`{at}` does not take {}", unexpected.join(", "))
        }
        _ => {
            let keyword = error.schema_path.to_string();
            let keyword = keyword.rsplit('/').next().unwrap_or("");
            let member = if at.is_empty() { "the body" } else { &at };
            let flags = flags_at(command, &at);
            let flags = if flags.is_empty() {
                String::new()
            } else {
                format!(", given by {}", flags.join(", "))
            };
            format!("member `{member}` does not fit the schema (`{keyword}`){flags}")
        }
    };
    Err(Failure::usage(format!(
        "the body does not fit {} {}: {detail}; nothing was sent",
        command.method, command.path
    )))
}
