//! One operation's command: its name, its arguments, its body, checked for collisions.

use std::collections::BTreeMap;

use kajabi_spec::{resolve, Operation};
use serde_json::Value;

use super::{
    names::{action_of, flag_name, group_of, resource_of},
    schema::{description, is_secret, secret_properties, value_kind},
    ArgLocation, CliArg, CliBody, CliCommand, CliError, RESERVED_FLAGS, RESERVED_GROUPS,
};

fn shape(op: &Operation, problem: impl Into<String>) -> CliError {
    CliError::Shape {
        operation: op.name.clone(),
        method: op.method.clone(),
        path: op.path.clone(),
        problem: problem.into(),
    }
}

pub(super) fn command(document: &Value, op: &Operation) -> Result<CliCommand, CliError> {
    let group = group_of(&op.path).ok_or_else(|| shape(op, "the path has no resource segment"))?;
    if RESERVED_GROUPS.contains(&group.as_str()) {
        return Err(shape(
            op,
            format!("its group `{group}` is a command of the CLI itself"),
        ));
    }
    let action = action_of(&op.name, &group);
    if action.is_empty() {
        return Err(shape(
            op,
            format!("the name leaves no action once `{group}` is removed"),
        ));
    }
    let object = document
        .pointer(&format!(
            "/paths/{}/{}",
            op.path.replace('~', "~0").replace('/', "~1"),
            op.method.to_ascii_lowercase()
        ))
        .unwrap_or(&Value::Null);
    let summary = object
        .get("summary")
        .or_else(|| object.get("description"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .trim()
        .to_string();
    let mut args = Vec::new();
    // Positionals in the order the path has them, whatever the order of declaration.
    let position = |name: &str| op.path.find(&format!("{{{name}}}")).unwrap_or(usize::MAX);
    let mut parameters: Vec<_> = op.parameters.iter().collect();
    parameters.sort_by_key(|p| (p.location != "path", position(&p.name)));
    for location in ["path", "query", "header"] {
        for parameter in parameters.iter().filter(|p| p.location == location) {
            let schema = resolve(document, &parameter.schema);
            if is_secret(document, schema) {
                return Err(shape(
                    op,
                    format!(
                        "parameter `{}` is a credential and cannot come from argv",
                        parameter.name
                    ),
                ));
            }
            let (kind, multiple, values) = value_kind(document, schema);
            args.push(CliArg {
                wire: parameter.name.clone(),
                flag: flag_name(&parameter.name),
                location: match location {
                    "path" => ArgLocation::Path,
                    "query" => ArgLocation::Query,
                    _ => ArgLocation::Header,
                },
                required: parameter.required,
                kind,
                multiple,
                values,
                help: description(schema),
            });
        }
    }
    let mut body = match (&op.request_media, &op.request_schema) {
        (Some(media), Some(schema)) => Some(body(document, op, media, schema)?),
        _ => None,
    };
    // An attribute named like one of the command's own flags or a parameter (a note's
    // `body`) keeps its name behind `attribute-`.
    for attribute in body.iter_mut().flat_map(|b| &mut b.attributes) {
        let taken = RESERVED_FLAGS.contains(&attribute.flag.as_str())
            || args.iter().any(|a| a.flag == attribute.flag);
        if taken {
            attribute.flag = format!("attribute-{}", attribute.flag);
        }
    }
    let mut flags: BTreeMap<&str, &str> = RESERVED_FLAGS.iter().map(|f| (*f, "")).collect();
    let attributes = body.iter().flat_map(|b| &b.attributes);
    for arg in args.iter().chain(attributes) {
        if let Some(first) = flags.insert(&arg.flag, &arg.wire) {
            return Err(CliError::FlagCollision {
                operation: op.name.clone(),
                flag: arg.flag.clone(),
                first: if first.is_empty() {
                    "the command's own flag".into()
                } else {
                    first.into()
                },
                second: arg.wire.clone(),
            });
        }
    }
    Ok(CliCommand {
        group,
        action,
        operation: op.name.clone(),
        method: op.method.clone(),
        path: op.path.clone(),
        summary,
        args,
        body,
        paginated: op.paginated,
        secret_members: op
            .response_schema
            .as_ref()
            .map(|schema| {
                let mut names = Vec::new();
                secret_properties(document, schema, &mut names, 0);
                names.sort();
                names.dedup();
                names
            })
            .unwrap_or_default(),
    })
}

fn body(
    document: &Value,
    op: &Operation,
    media: &str,
    schema: &Value,
) -> Result<CliBody, CliError> {
    let mut attributes = Vec::new();
    let mut data_type = None;
    if media.contains("json") {
        let root = resolve(document, schema);
        let data = root
            .pointer("/properties/data")
            .map(|d| resolve(document, d));
        if let Some(data) = data.filter(|d| d.get("type") == Some(&Value::from("object"))) {
            data_type = data
                .pointer("/properties/type/enum")
                .and_then(Value::as_array)
                .filter(|values| values.len() == 1)
                .and_then(|values| values[0].as_str())
                .map(str::to_string)
                .or_else(|| resource_of(&op.path));
            let attrs = data
                .pointer("/properties/attributes")
                .map(|a| resolve(document, a));
            let required: Vec<&str> = attrs
                .and_then(|a| a.get("required"))
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .collect();
            let properties = attrs
                .and_then(|a| a.get("properties"))
                .and_then(Value::as_object);
            for (name, property) in properties.into_iter().flatten() {
                let property = resolve(document, property);
                if is_secret(document, property) {
                    continue;
                }
                let (kind, multiple, values) = value_kind(document, property);
                attributes.push(CliArg {
                    wire: name.clone(),
                    flag: flag_name(name),
                    location: ArgLocation::Attribute,
                    required: required.contains(&name.as_str()),
                    kind,
                    multiple,
                    values,
                    help: description(property),
                });
            }
        }
    }
    let schema = serde_json::to_string(&kajabi_spec::json_schema(document, schema))
        .map_err(|e| shape(op, format!("the request schema does not serialize: {e}")))?;
    Ok(CliBody {
        media: media.to_string(),
        schema,
        data_type,
        attributes,
    })
}
