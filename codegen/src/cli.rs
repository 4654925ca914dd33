//! The `kajabi` command line's command table, derived from the spec model by rule, so that a
//! new operation in `openapi.yaml` is a new command with no hand edit.
//!
//! - **group**: the first path segment after the version prefix, in kebab-case
//!   (`/v1/contact_notes/{id}` → `contact-notes`);
//! - **action**: the SDK method name with the group's words removed (the last one singular or
//!   plural), in kebab-case (`add_contact_tags` → `add-tags`, `get_me` → `get`);
//! - path parameters are positional arguments; query parameters are flags with readable names
//!   (`filter[site_id]` → `--filter-site-id`); for JSON:API bodies the members of
//!   `data.attributes` are flags too (`attribute-NAME` when NAME is taken, as a note's
//!   `body` is by `--body`), except credentials, which never come from argv.
//!
//! Two operations with the same group and action, or two arguments of one command with the
//! same flag, fail the build with an error naming both.
//!
//! `cli/build.rs` writes [`render_rust`] (the static table the binary interprets) and
//! [`render_text`] (the human-readable table its snapshot test pins) into `OUT_DIR`.

use std::collections::BTreeMap;

use kajabi_spec::{normalize::SECRET_FORMAT, resolve, Normalized, Operation};
use proc_macro2::TokenStream;
use quote::{format_ident, quote};
use serde_json::Value;

/// Flags every operation command has besides its own; an argument may not take them.
pub const RESERVED_FLAGS: &[&str] = &["body", "all", "help", "verbose", "version"];

/// Top-level commands of the CLI itself; no group may take their names.
pub const RESERVED_GROUPS: &[&str] = &[
    "api",
    "auth",
    "completion",
    "help",
    "login",
    "logout",
    "sandbox",
];

/// One command: `kajabi <group> <action>`.
#[derive(Debug, Clone, PartialEq)]
pub struct CliCommand {
    /// The first path segment after the version prefix, kebab-case.
    pub group: String,
    /// The method name without the group's words, kebab-case.
    pub action: String,
    /// The SDK method name the command calls.
    pub operation: String,
    /// Upper-case HTTP method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// The spec's `summary`, for `--help`.
    pub summary: String,
    /// Path parameters (positional, in path order), then query and header parameters (flags).
    pub args: Vec<CliArg>,
    /// The request body, if the operation takes one.
    pub body: Option<CliBody>,
    /// Whether `--all` follows the pages.
    pub paginated: bool,
    /// Names of the success body's members that hold credentials, redacted in the output.
    pub secret_members: Vec<String>,
}

/// Where an argument goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgLocation {
    /// A path parameter (positional).
    Path,
    /// A query parameter.
    Query,
    /// A header parameter.
    Header,
    /// A member of the JSON:API body's `data.attributes`.
    Attribute,
}

/// How a flag's text becomes a JSON value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueKind {
    /// As is.
    String,
    /// An integer.
    Integer,
    /// A number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// JSON text (objects, arrays of objects, anything else).
    Json,
}

/// One argument of a command.
#[derive(Debug, Clone, PartialEq)]
pub struct CliArg {
    /// The name on the wire (`filter[site_id]`), or the attribute's name.
    pub wire: String,
    /// The flag's long name without `--` (`filter-site-id`), or the positional's name.
    pub flag: String,
    /// Where it goes.
    pub location: ArgLocation,
    /// Whether it must be given.
    pub required: bool,
    /// How its text is read.
    pub kind: ValueKind,
    /// Whether it is an array, given by repeating the flag.
    pub multiple: bool,
    /// The allowed values, when the schema lists them.
    pub values: Vec<String>,
    /// The schema's description, if any.
    pub help: String,
}

/// The request body of a command.
#[derive(Debug, Clone, PartialEq)]
pub struct CliBody {
    /// The declared media type.
    pub media: String,
    /// The request schema as JSON Schema 2020-12 text, to check `--body` before sending.
    pub schema: String,
    /// For JSON:API bodies: `data.type` when the schema fixes it, else the path's resource.
    pub data_type: Option<String>,
    /// The members of `data.attributes` offered as flags (credentials left out).
    pub attributes: Vec<CliArg>,
}

/// Why the command table cannot be derived.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CliError {
    /// Two operations map to one command.
    #[error("operations `{first}` and `{second}` both map to `kajabi {command}`")]
    CommandCollision {
        /// The command.
        command: String,
        /// The first operation.
        first: String,
        /// The second operation.
        second: String,
    },
    /// Two arguments of one command map to one flag.
    #[error("operation `{operation}`: `{first}` and `{second}` both map to `--{flag}`")]
    FlagCollision {
        /// The operation.
        operation: String,
        /// The flag.
        flag: String,
        /// The first argument.
        first: String,
        /// The second argument.
        second: String,
    },
    /// The operation's shape gives no command name or no usable argument.
    #[error("operation `{operation}` ({method} {path}): {problem}")]
    Shape {
        /// The operation.
        operation: String,
        /// Its method.
        method: String,
        /// Its path.
        path: String,
        /// What is wrong.
        problem: String,
    },
}

/// The command of every operation, sorted by group, then action.
///
/// # Errors
/// [`CliError`] for a collision or an operation without a group or action.
pub fn command_table(normalized: &Normalized) -> Result<Vec<CliCommand>, CliError> {
    let mut seen: BTreeMap<(String, String), CliCommand> = BTreeMap::new();
    for op in &normalized.operations {
        let command = command(&normalized.document, op)?;
        let key = (command.group.clone(), command.action.clone());
        if let Some(other) = seen.get(&key) {
            return Err(CliError::CommandCollision {
                command: format!("{} {}", key.0, key.1),
                first: other.operation.clone(),
                second: command.operation,
            });
        }
        seen.insert(key, command);
    }
    Ok(seen.into_values().collect())
}

fn shape(op: &Operation, problem: impl Into<String>) -> CliError {
    CliError::Shape {
        operation: op.name.clone(),
        method: op.method.clone(),
        path: op.path.clone(),
        problem: problem.into(),
    }
}

fn command(document: &Value, op: &Operation) -> Result<CliCommand, CliError> {
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

/// The names of the properties marked as credentials anywhere in `schema`.
fn secret_properties(document: &Value, schema: &Value, names: &mut Vec<String>, depth: usize) {
    if depth > 16 {
        return;
    }
    let schema = resolve(document, schema);
    if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
        for (name, property) in properties {
            if is_secret(document, property) {
                names.push(name.clone());
            }
            secret_properties(document, property, names, depth + 1);
        }
    }
    for key in ["items", "additionalProperties"] {
        if let Some(inner) = schema.get(key).filter(|v| v.is_object()) {
            secret_properties(document, inner, names, depth + 1);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        for inner in schema
            .get(key)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            secret_properties(document, inner, names, depth + 1);
        }
    }
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

/// The first segment of the path's resource part ([`kajabi_spec::names::resource_segments`]:
/// whatever version prefix precedes it), kebab-case.
pub fn group_of(path: &str) -> Option<String> {
    let segments = kajabi_spec::names::resource_segments(path);
    let first = segments.first()?;
    (!first.starts_with('{')).then(|| kebab(first))
}

fn resource_of(path: &str) -> Option<String> {
    group_of(path).map(|g| g.replace('-', "_"))
}

/// The method name without the group's words (the last one plural or singular), kebab-case.
pub fn action_of(name: &str, group: &str) -> String {
    let words: Vec<&str> = name.split('_').filter(|w| !w.is_empty()).collect();
    let plural: Vec<String> = group.split('-').map(str::to_string).collect();
    let mut singular = plural.clone();
    if let Some(last) = singular.last_mut() {
        *last = singularize(last);
    }
    for candidate in [&plural, &singular] {
        let n = candidate.len();
        if let Some(at) = (0..=words.len().saturating_sub(n)).find(|&i| {
            words.len() >= n && words[i..i + n].iter().zip(candidate).all(|(w, c)| w == c)
        }) {
            let rest: Vec<&str> = words[..at]
                .iter()
                .chain(&words[at + n..])
                .copied()
                .collect();
            return rest.join("-");
        }
    }
    words.join("-")
}

fn singularize(word: &str) -> String {
    if let Some(stem) = word.strip_suffix("ies") {
        format!("{stem}y")
    } else if word.ends_with("ss") {
        word.to_string()
    } else if let Some(stem) = word.strip_suffix('s') {
        stem.to_string()
    } else {
        word.to_string()
    }
}

fn kebab(text: &str) -> String {
    text.replace('_', "-").to_ascii_lowercase()
}

/// A readable flag name: every run of other characters than letters and digits becomes one
/// `-` (`filter[site_id]` → `filter-site-id`, `filter[exclude_product_types][]` →
/// `filter-exclude-product-types`).
pub fn flag_name(wire: &str) -> String {
    let mut flag = String::new();
    for c in wire.chars() {
        if c.is_ascii_alphanumeric() {
            flag.push(c.to_ascii_lowercase());
        } else if !flag.is_empty() && !flag.ends_with('-') {
            flag.push('-');
        }
    }
    flag.trim_end_matches('-').to_string()
}

fn is_secret(document: &Value, schema: &Value) -> bool {
    let schema = resolve(document, schema);
    schema.get("format").and_then(Value::as_str) == Some(SECRET_FORMAT)
}

fn description(schema: &Value) -> String {
    schema
        .get("description")
        .and_then(Value::as_str)
        .unwrap_or("")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn value_kind(document: &Value, schema: &Value) -> (ValueKind, bool, Vec<String>) {
    let schema = resolve(document, schema);
    let ty = schema.as_object().and_then(kajabi_spec::primary_type);
    let values = schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|v| {
            v.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    match ty {
        Some("string") => (ValueKind::String, false, values),
        Some("integer") => (ValueKind::Integer, false, Vec::new()),
        Some("number") => (ValueKind::Number, false, Vec::new()),
        Some("boolean") => (ValueKind::Boolean, false, Vec::new()),
        Some("array") => match schema.get("items").map(|i| value_kind(document, i)) {
            Some((kind, false, values)) if kind != ValueKind::Json => (kind, true, values),
            _ => (ValueKind::Json, false, Vec::new()),
        },
        _ => (ValueKind::Json, false, Vec::new()),
    }
}

/// The table as Rust: `static COMMANDS: &[Command]`, of the types `cli/src/table.rs`
/// declares (`Command`, `Arg`, `Body`, `Location`, `Kind`).
pub fn render_rust(commands: &[CliCommand]) -> String {
    let items = commands.iter().map(|c| {
        let (group, action, operation, method, path, summary, paginated) = (
            &c.group,
            &c.action,
            &c.operation,
            &c.method,
            &c.path,
            &c.summary,
            c.paginated,
        );
        let secret_members = &c.secret_members;
        let args = c.args.iter().map(arg_tokens);
        let body = match &c.body {
            Some(b) => {
                let (media, schema) = (&b.media, &b.schema);
                let data_type = match &b.data_type {
                    Some(t) => quote!(Some(#t)),
                    None => quote!(None),
                };
                let attributes = b.attributes.iter().map(arg_tokens);
                quote!(Some(Body {
                    media: #media,
                    schema: #schema,
                    data_type: #data_type,
                    attributes: &[#(#attributes),*],
                }))
            }
            None => quote!(None),
        };
        quote! {
            Command {
                group: #group,
                action: #action,
                operation: #operation,
                method: #method,
                path: #path,
                summary: #summary,
                args: &[#(#args),*],
                body: #body,
                paginated: #paginated,
                secret_members: &[#(#secret_members),*],
            }
        }
    });
    let tokens = quote! {
        /// Every operation's command, generated from the spec by `kajabi_codegen::cli`.
        pub(crate) static COMMANDS: &[Command] = &[#(#items),*];
    };
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    }
}

fn arg_tokens(arg: &CliArg) -> TokenStream {
    let (wire, flag, required, multiple, help) =
        (&arg.wire, &arg.flag, arg.required, arg.multiple, &arg.help);
    let location = format_ident!("{}", format!("{:?}", arg.location));
    let kind = format_ident!("{}", format!("{:?}", arg.kind));
    let values = &arg.values;
    quote! {
        Arg {
            wire: #wire,
            flag: #flag,
            location: Location::#location,
            required: #required,
            kind: Kind::#kind,
            multiple: #multiple,
            values: &[#(#values),*],
            help: #help,
        }
    }
}

/// The table for people: one line per command, `kajabi GROUP ACTION <POSITIONAL>…` with the
/// required flags, the method, the path and the SDK method (`(--all)` when it pages); pinned
/// by the CLI's snapshot test.
pub fn render_text(commands: &[CliCommand]) -> String {
    let lines: Vec<(String, &CliCommand)> = commands
        .iter()
        .map(|c| {
            let mut usage = format!("kajabi {} {}", c.group, c.action);
            for arg in c.args.iter().filter(|a| a.location == ArgLocation::Path) {
                usage.push_str(&format!(" <{}>", arg.flag));
            }
            for arg in c
                .args
                .iter()
                .filter(|a| a.location != ArgLocation::Path && a.required)
            {
                usage.push_str(&format!(" --{} <{}>", arg.flag, arg.wire));
            }
            (usage, c)
        })
        .collect();
    let width = lines.iter().map(|(u, _)| u.len()).max().unwrap_or(0);
    let path_width = commands.iter().map(|c| c.path.len()).max().unwrap_or(0);
    let mut text = String::new();
    for (usage, c) in lines {
        let line = format!(
            "{usage:<width$}  {:<6} {:<path_width$}  {}{}",
            c.method,
            c.path,
            c.operation,
            if c.paginated { " (--all)" } else { "" }
        );
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_and_actions_follow_the_rule() {
        assert_eq!(
            group_of("/v1/contact_notes/{id}").as_deref(),
            Some("contact-notes")
        );
        assert_eq!(group_of("/v1/me").as_deref(), Some("me"));
        assert_eq!(group_of("/contacts").as_deref(), Some("contacts"));
        assert_eq!(group_of("/v1/{id}"), None);
        assert_eq!(group_of("/api/v2/hooks/{id}").as_deref(), Some("hooks"));
        for (name, group, action) in [
            ("list_contacts", "contacts", "list"),
            ("get_contact", "contacts", "get"),
            ("add_contact_tags", "contacts", "add-tags"),
            ("get_hook_purchase_sample", "hooks", "get-purchase-sample"),
            ("list_contact_notes", "contact-notes", "list"),
            (
                "get_kajabi_payments_payout",
                "kajabi-payments-payouts",
                "get",
            ),
            ("get_me", "me", "get"),
            ("revoke_token", "oauth", "revoke-token"),
            ("list_categories", "categories", "list"),
            ("get_category", "categories", "get"),
        ] {
            assert_eq!(action_of(name, group), action, "{name}");
        }
        assert_eq!(flag_name("filter[site_id]"), "filter-site-id");
        assert_eq!(
            flag_name("filter[exclude_product_types][]"),
            "filter-exclude-product-types"
        );
        assert_eq!(flag_name("page[number]"), "page-number");
    }

    fn spec(paths: Value) -> Normalized {
        let doc = serde_json::json!({
            "openapi": "3.1.0",
            "info": {"title": "t", "version": "1"},
            "paths": paths,
        });
        kajabi_spec::normalize(&doc).expect("normalizes")
    }

    #[test]
    fn a_collision_names_both_operations() {
        let ok = serde_json::json!({"200": {"description": "ok"}});
        // `get_thing_things` and `get_thing_thing` both reduce to `things get-thing`.
        let id = serde_json::json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "string"}}]);
        let normalized = spec(serde_json::json!({
            "/v1/things/{id}/things": {"get": {"responses": ok, "parameters": id}},
            "/v1/things/thing": {"get": {"responses": ok}},
        }));
        let names: Vec<&str> = normalized
            .operations
            .iter()
            .map(|o| o.name.as_str())
            .collect();
        let error = command_table(&normalized).unwrap_err();
        let text = error.to_string();
        assert!(matches!(error, CliError::CommandCollision { .. }), "{text}");
        assert!(names.iter().all(|n| text.contains(n)), "{text} / {names:?}");
    }

    #[test]
    fn a_flag_collision_is_refused() {
        let ok = serde_json::json!({"200": {"description": "ok"}});
        let param = |name: &str| serde_json::json!({"name": name, "in": "query", "schema": {"type": "string"}});
        let normalized = spec(serde_json::json!({
            "/v1/things": {"get": {"responses": ok, "parameters": [param("a_b"), param("a[b]")]}},
        }));
        let error = command_table(&normalized).unwrap_err();
        assert!(matches!(error, CliError::FlagCollision { .. }), "{error}");
        assert!(error.to_string().contains("a_b") && error.to_string().contains("a[b]"));
    }

    #[test]
    fn the_vendored_spec_gives_a_table() {
        let text = include_str!("../../openapi.yaml");
        let normalized = kajabi_spec::normalize(&kajabi_spec::load(text).unwrap()).unwrap();
        let table = command_table(&normalized).expect("no collision");
        assert_eq!(table.len(), normalized.operations.len());
        let create = table
            .iter()
            .find(|c| c.operation == "create_contact")
            .unwrap();
        assert_eq!(
            (create.group.as_str(), create.action.as_str()),
            ("contacts", "create")
        );
        let body = create.body.as_ref().unwrap();
        assert!(body.attributes.iter().any(|a| a.flag == "email"));
        let note = table
            .iter()
            .find(|c| c.operation == "create_contact_note")
            .unwrap();
        let attributes = &note.body.as_ref().unwrap().attributes;
        assert!(attributes
            .iter()
            .any(|a| a.flag == "attribute-body" && a.wire == "body"));
        let token = table
            .iter()
            .find(|c| c.operation == "create_token")
            .unwrap();
        assert!(token.body.as_ref().unwrap().attributes.is_empty());
        let token = table
            .iter()
            .find(|c| c.operation == "create_token")
            .unwrap();
        assert_eq!(token.secret_members, ["access_token", "refresh_token"]);
        let rendered = render_rust(&table);
        assert!(syn::parse_file(&rendered).is_ok());
    }
}
