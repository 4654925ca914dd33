//! One operation's command: its name, its arguments, its body, checked for collisions.

use std::collections::BTreeMap;

use kajabi_spec::{resolve, Operation};
use serde_json::Value;

use super::{
    names::{action_of, flag_name, group_of, pluralize, resource_of, singularize},
    schema::{description, is_secret, secret_properties, value_kind},
    ArgLocation, CliArg, CliBody, CliCommand, CliError, CliRelationship, ValueKind, RESERVED_FLAGS,
    RESERVED_GROUPS,
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
    // Positionals in the order the path has them, whatever the order of declaration; the
    // others (not in the path) keep theirs, as the sort is stable.
    let position = |name: &str| op.path.find(&format!("{{{name}}}")).unwrap_or(usize::MAX);
    let mut parameters: Vec<_> = op.parameters.iter().collect();
    parameters.sort_by_key(|p| position(&p.name));
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
    // A relationship named like a flag already there keeps its name behind `relationship-`.
    if let Some(body) = &mut body {
        let attributes = &body.attributes;
        for relationship in body.relationships.iter_mut().chain(&mut body.linkage) {
            let taken = RESERVED_FLAGS.contains(&relationship.flag.as_str())
                || args
                    .iter()
                    .chain(attributes)
                    .any(|a| a.flag == relationship.flag);
            if taken {
                relationship.flag = format!("relationship-{}", relationship.flag);
            }
        }
    }
    let mut flags: BTreeMap<&str, &str> = RESERVED_FLAGS.iter().map(|f| (*f, "")).collect();
    let attributes = body
        .iter()
        .flat_map(|b| &b.attributes)
        .map(|a| (&a.flag, &a.wire));
    let relationships = body
        .iter()
        .flat_map(|b| b.relationships.iter().chain(&b.linkage))
        .map(|r| (&r.flag, &r.name));
    let all = args.iter().map(|a| (&a.flag, &a.wire)).chain(attributes);
    for (flag, wire) in all.chain(relationships) {
        if let Some(first) = flags.insert(flag, wire) {
            return Err(CliError::FlagCollision {
                operation: op.name.clone(),
                flag: flag.clone(),
                first: if first.is_empty() {
                    "the command's own flag".into()
                } else {
                    first.into()
                },
                second: wire.clone(),
            });
        }
    }
    let example = (op.method != "GET").then(|| example(&group, &action, &args, body.as_ref()));
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
            .map(|schema| secret_properties(document, schema))
            .unwrap_or_default(),
        example,
    })
}

/// `kajabi GROUP ACTION` with sample positionals, the required flags (or, when none is, one
/// attribute) and the relationship flags, with sample values from the spec.
fn example(group: &str, action: &str, args: &[CliArg], body: Option<&CliBody>) -> String {
    let mut words = vec!["kajabi".to_string(), group.to_string(), action.to_string()];
    for arg in args.iter().filter(|a| a.location == ArgLocation::Path) {
        words.push(sample(arg));
    }
    for arg in args
        .iter()
        .filter(|a| a.location != ArgLocation::Path && a.required)
    {
        words.push(format!("--{}", arg.flag));
        words.push(sample(arg));
    }
    if let Some(body) = body {
        let required: Vec<&CliArg> = body.attributes.iter().filter(|a| a.required).collect();
        // None required: the attribute people name a resource by, else the first one.
        let shown = if required.is_empty() {
            let named = ["name", "title", "email"]
                .iter()
                .find_map(|wire| body.attributes.iter().find(|a| a.wire == *wire));
            named.or(body.attributes.first()).into_iter().collect()
        } else {
            required
        };
        for arg in shown {
            words.push(format!("--{}", arg.flag));
            words.push(sample(arg));
        }
        for relationship in body.relationships.iter().chain(&body.linkage) {
            let ids: &[&str] = if relationship.many {
                &["1", "2"]
            } else {
                &["1"]
            };
            for id in ids {
                words.push(format!("--{}", relationship.flag));
                words.push((*id).to_string());
            }
        }
    }
    words.join(" ")
}

/// A sample value for `arg`: the first of its values, a number, or its name as a placeholder.
fn sample(arg: &CliArg) -> String {
    match (arg.values.first(), arg.kind) {
        (Some(value), _) => value.clone(),
        (None, ValueKind::Integer | ValueKind::Number) => "1".into(),
        (None, ValueKind::Boolean) => "true".into(),
        (None, ValueKind::Json) => "'{}'".into(),
        (None, ValueKind::String) if arg.location == ArgLocation::Path => "1".into(),
        (None, ValueKind::String) => arg.flag.replace('-', "_").to_ascii_uppercase(),
    }
}

fn body(
    document: &Value,
    op: &Operation,
    media: &str,
    schema: &Value,
) -> Result<CliBody, CliError> {
    let mut attributes = Vec::new();
    let mut relationships = Vec::new();
    let (mut data_type, mut id_param, mut linkage) = (None, None, None);
    if media.contains("json") {
        let root = resolve(document, schema);
        let data = root
            .pointer("/properties/data")
            .map(|d| resolve(document, d));
        let data_required = required_names(root).contains(&"data");
        match data {
            Some(data) if data.get("type") == Some(&Value::from("object")) => {
                data_type = fixed_type(document, data).or_else(|| resource_of(&op.path));
                id_param = data
                    .pointer("/properties/id")
                    .and_then(|_| last_path_param(&op.path));
                attributes = attribute_args(document, data);
                relationships = relationship_flags(document, &op.path, data);
            }
            Some(data) if is_identifier_array(document, data) => {
                // `/v1/contacts/{contact_id}/relationships/tags`: the body is the linkage.
                let name = kajabi_spec::names::resource_segments(&op.path)
                    .last()
                    .filter(|s| !s.starts_with('{'))
                    .map(|s| s.to_string())
                    .ok_or_else(|| shape(op, "a linkage body on a path ending in a parameter"))?;
                let items = data.get("items").map(|i| resolve(document, i));
                linkage = Some(CliRelationship {
                    flag: flag_name(&singularize(&name)),
                    resource_type: items
                        .and_then(|i| fixed_type(document, i))
                        .unwrap_or_else(|| related_type(document, &op.path, &name)),
                    name,
                    many: true,
                    required: data_required,
                });
            }
            _ => {}
        }
    }
    let schema = serde_json::to_string(&kajabi_spec::json_schema(document, schema))
        .map_err(|e| shape(op, format!("the request schema does not serialize: {e}")))?;
    Ok(CliBody {
        media: media.to_string(),
        schema,
        data_type,
        attributes,
        id_param,
        relationships,
        linkage,
    })
}

fn required_names(schema: &Value) -> Vec<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

/// The resource type of relationship `name` of the resource at `path`, when the schema does
/// not fix it: the API's own collection of the resource's `name` when the spec has one
/// (a contact's `tags` are `contact_tags`, served at `/v1/contact_tags`), else `name` in the
/// plural (`site` → `sites`).
fn related_type(document: &Value, path: &str, name: &str) -> String {
    let plural = pluralize(name);
    let Some(resource) = resource_of(path) else {
        return plural;
    };
    let own = format!("{}_{plural}", singularize(&resource));
    let collections = document
        .get("paths")
        .and_then(Value::as_object)
        .into_iter()
        .flat_map(|paths| paths.keys())
        .filter_map(|p| kajabi_spec::names::resource_segments(p).first().copied());
    let has_own = collections.into_iter().any(|c| c == own);
    if has_own {
        own
    } else {
        plural
    }
}

/// `properties.type` when it is a one-value enum.
fn fixed_type(document: &Value, object: &Value) -> Option<String> {
    let ty = object
        .pointer("/properties/type")
        .map(|t| resolve(document, t))?;
    ty.get("enum")
        .and_then(Value::as_array)
        .filter(|values| values.len() == 1)
        .and_then(|values| values[0].as_str())
        .map(str::to_string)
}

/// The name of the parameter the path ends with (`/v1/contacts/{id}` → `id`).
fn last_path_param(path: &str) -> Option<String> {
    let last = path.trim_end_matches('/').rsplit('/').next()?;
    last.strip_prefix('{')?
        .strip_suffix('}')
        .map(str::to_string)
}

/// An array of objects with `id` and `type`: resource identifiers.
fn is_identifier_array(document: &Value, schema: &Value) -> bool {
    schema.get("type") == Some(&Value::from("array"))
        && schema
            .get("items")
            .map(|i| resolve(document, i))
            .is_some_and(|item| {
                item.pointer("/properties/id").is_some()
                    && item.pointer("/properties/type").is_some()
            })
}

/// The members of `data.attributes` a user may set: no credential, nothing read-only.
fn attribute_args(document: &Value, data: &Value) -> Vec<CliArg> {
    let attrs = data
        .pointer("/properties/attributes")
        .map(|a| resolve(document, a));
    let required = attrs.map(required_names).unwrap_or_default();
    let properties = attrs
        .and_then(|a| a.get("properties"))
        .and_then(Value::as_object);
    let mut attributes = Vec::new();
    for (name, property) in properties.into_iter().flatten() {
        let property = resolve(document, property);
        let read_only = property.get("readOnly") == Some(&Value::Bool(true));
        if read_only || is_secret(document, property) {
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
    attributes
}

/// The members of `data.relationships` whose `data` is one resource identifier or an array
/// of them.
fn relationship_flags(document: &Value, path: &str, data: &Value) -> Vec<CliRelationship> {
    let relationships = data
        .pointer("/properties/relationships")
        .map(|r| resolve(document, r));
    let required = relationships.map(required_names).unwrap_or_default();
    let properties = relationships
        .and_then(|r| r.get("properties"))
        .and_then(Value::as_object);
    let mut flags = Vec::new();
    for (name, member) in properties.into_iter().flatten() {
        let Some(linkage) = resolve(document, member)
            .pointer("/properties/data")
            .map(|d| resolve(document, d))
        else {
            continue;
        };
        let (many, identifier) = if is_identifier_array(document, linkage) {
            (true, linkage.get("items").map(|i| resolve(document, i)))
        } else if linkage.pointer("/properties/id").is_some() {
            (false, Some(linkage))
        } else {
            continue;
        };
        flags.push(CliRelationship {
            name: name.clone(),
            flag: flag_name(&if many {
                singularize(name)
            } else {
                name.clone()
            }),
            resource_type: identifier
                .and_then(|i| fixed_type(document, i))
                .unwrap_or_else(|| related_type(document, path, name)),
            many,
            required: required.contains(&name.as_str()),
        });
    }
    flags
}
