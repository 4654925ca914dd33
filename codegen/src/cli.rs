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

mod command;
mod names;
mod render;
mod schema;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use kajabi_spec::Normalized;

pub use names::{action_of, flag_name, group_of};
pub use render::{render_rust, render_text};

/// Flags every operation command has besides its own; an argument may not take them.
pub const RESERVED_FLAGS: &[&str] = &[
    "body", "all", "limit", "parallel", "help", "verbose", "version", "timeout",
];

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
    /// For writes (every method but `GET`): an example invocation for `--help`, from the
    /// spec (positionals, the required flags, sample values).
    pub example: Option<String>,
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
    /// The members of `data.attributes` offered as flags (credentials and read-only
    /// members left out).
    pub attributes: Vec<CliArg>,
    /// For id-addressed updates (`data.id` declared, the path ending in a parameter): that
    /// parameter's wire name, whose value is `data.id`.
    pub id_param: Option<String>,
    /// The members of `data.relationships` offered as flags: to-one `--site ID`, to-many
    /// `--tag ID` (repeatable).
    pub relationships: Vec<CliRelationship>,
    /// For relationship operations, whose body's `data` is the linkage itself (an array of
    /// resource identifiers): the flag that gives its ids.
    pub linkage: Option<CliRelationship>,
}

/// A relationship given by its ids as a flag.
#[derive(Debug, Clone, PartialEq)]
pub struct CliRelationship {
    /// The member's name (`site`, `tags`), or the path's last segment for a linkage body.
    pub name: String,
    /// The flag without `--`: the name, singular for to-many (`tag`).
    pub flag: String,
    /// The `type` of each resource identifier: the schema's one-value enum, else the name
    /// in the plural.
    pub resource_type: String,
    /// To-many: the flag repeats and `data` is an array.
    pub many: bool,
    /// Whether the schema requires it.
    pub required: bool,
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
        let command = command::command(&normalized.document, op)?;
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
