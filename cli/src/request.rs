//! An operation command's arguments as `Client::call_operation` takes them: parameters keyed
//! by wire name, and the body (from `--body FILE|-` and the attribute flags), checked against
//! the operation's request schema before anything is sent.

use std::io::Read;

use clap::ArgMatches;
use serde_json::{json, Map, Value};

use crate::{
    failure::Failure,
    table::{Arg, Command, Kind, Location},
};

/// The parameters given, by wire name (`filter[site_id]`).
pub(crate) fn params(command: &Command, matches: &ArgMatches) -> Map<String, Value> {
    command
        .args
        .iter()
        .filter(|a| a.location != Location::Attribute)
        .filter_map(|a| value(a, matches).map(|v| (a.wire.to_string(), v)))
        .collect()
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

/// The request body: `--body`, with the attribute flags set in `data.attributes`; checked
/// against the schema. `None` when the operation takes none or none was given.
pub(crate) fn body(command: &Command, matches: &ArgMatches) -> Result<Option<Value>, Failure> {
    let Some(spec) = &command.body else {
        return Ok(None);
    };
    let mut body = match matches.get_one::<String>("body") {
        Some(source) => Some(read_body(source)?),
        None => None,
    };
    for arg in spec.attributes {
        let Some(value) = value(arg, matches) else {
            continue;
        };
        let body = body.get_or_insert_with(|| {
            let mut data = json!({ "attributes": {} });
            if let Some(data_type) = spec.data_type {
                data["type"] = json!(data_type);
            }
            json!({ "data": data })
        });
        let attributes = body
            .get_mut("data")
            .and_then(Value::as_object_mut)
            .map(|data| data.entry("attributes").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| {
                Failure::usage(format!(
                    "--{}: the --body has no `data.attributes` object to put it in",
                    arg.flag
                ))
            })?;
        attributes.insert(arg.wire.to_string(), value);
    }
    if let Some(body) = &body {
        check(command, spec.schema, body)?;
    }
    Ok(body)
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
        jsonschema::error::ValidationErrorKind::Required { property } => format!(
            "member `{at}/{}` is required",
            property.as_str().unwrap_or("?")
        ),
        jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
            format!("`{at}` does not take {}", unexpected.join(", "))
        }
        _ => {
            let keyword = error.schema_path.to_string();
            let keyword = keyword.rsplit('/').next().unwrap_or("");
            let member = if at.is_empty() { "the body" } else { &at };
            format!("member `{member}` does not fit the schema (`{keyword}`)")
        }
    };
    Err(Failure::usage(format!(
        "the body does not fit {} {}: {detail}; nothing was sent",
        command.method, command.path
    )))
}
