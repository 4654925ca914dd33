//! The command table generated from the spec at build time (`build.rs`, rules in
//! `kajabi_codegen::cli`): one [`Command`] per operation. Nothing here is per operation.

/// One operation's command: `kajabi <group> <action>`.
#[derive(Debug)]
pub(crate) struct Command {
    pub(crate) group: &'static str,
    pub(crate) action: &'static str,
    /// The SDK method `Client::call_operation` runs.
    pub(crate) operation: &'static str,
    pub(crate) method: &'static str,
    pub(crate) path: &'static str,
    /// The spec's summary, shown by `--help`.
    pub(crate) summary: &'static str,
    /// Path parameters (positional), then query and header parameters (flags).
    pub(crate) args: &'static [Arg],
    pub(crate) body: Option<Body>,
    /// Whether `--all` follows `page[number]`.
    pub(crate) paginated: bool,
    /// Members of the success body holding credentials: redacted before printing.
    pub(crate) secret_members: &'static [&'static str],
    /// For writes: an example invocation, shown by `--help`.
    pub(crate) example: Option<&'static str>,
}

/// One parameter or body attribute.
#[derive(Debug)]
pub(crate) struct Arg {
    /// The name on the wire (`filter[site_id]`) or in `data.attributes`.
    pub(crate) wire: &'static str,
    /// The long flag without `--`, or the positional's name.
    pub(crate) flag: &'static str,
    pub(crate) location: Location,
    pub(crate) required: bool,
    pub(crate) kind: Kind,
    /// An array, given by repeating the flag.
    pub(crate) multiple: bool,
    /// The allowed values, if the schema lists them.
    pub(crate) values: &'static [&'static str],
    pub(crate) help: &'static str,
}

/// Where an [`Arg`] goes.
// Every variant is in the generator's vocabulary; a given spec may not use all of them.
#[allow(dead_code)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Location {
    Path,
    Query,
    Header,
    Attribute,
}

/// How an [`Arg`]'s text becomes JSON.
#[allow(dead_code)] // as `Location`: the spec of the day may not use every kind
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    String,
    Integer,
    Number,
    Boolean,
    Json,
}

/// An operation's request body.
#[derive(Debug)]
pub(crate) struct Body {
    /// The declared media type (`application/vnd.api+json`, a form for OAuth).
    pub(crate) media: &'static str,
    /// JSON Schema 2020-12 text the body must fit before anything is sent.
    pub(crate) schema: &'static str,
    /// `data.type` of a JSON:API body built from attribute flags.
    pub(crate) data_type: Option<&'static str>,
    /// The members of `data.attributes` offered as flags.
    pub(crate) attributes: &'static [Arg],
    /// The path parameter whose value is `data.id` (id-addressed updates).
    pub(crate) id_param: Option<&'static str>,
    /// The members of `data.relationships` offered as flags.
    pub(crate) relationships: &'static [Relationship],
    /// For relationship operations: the flag whose ids are the body's `data` itself.
    pub(crate) linkage: Option<Relationship>,
}

/// A relationship given by its ids: `--site ID`, `--tag ID` (repeatable).
#[derive(Debug)]
pub(crate) struct Relationship {
    /// The member of `data.relationships` (`site`), or the linkage's name (`tags`).
    pub(crate) name: &'static str,
    /// The long flag without `--`.
    pub(crate) flag: &'static str,
    /// The `type` of each resource identifier.
    pub(crate) resource_type: &'static str,
    /// To-many: the flag repeats and `data` is an array.
    pub(crate) many: bool,
    pub(crate) required: bool,
}

include!(concat!(env!("OUT_DIR"), "/commands.rs"));

/// The command of `group` and `action`.
pub(crate) fn find(group: &str, action: &str) -> Option<&'static Command> {
    COMMANDS
        .iter()
        .find(|c| c.group == group && c.action == action)
}
