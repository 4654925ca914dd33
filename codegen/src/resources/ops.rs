//! Which operations of the spec belong to which resource type, by their paths.

use std::collections::BTreeMap;

use kajabi_spec::{names, Normalized, Operation};

use super::schema::resource_data;

/// The operations of one resource type.
#[derive(Default)]
pub(super) struct Ops<'a> {
    pub(super) list: Option<&'a Operation>,
    pub(super) get: Option<&'a Operation>,
    pub(super) create: Option<&'a Operation>,
    pub(super) update: Option<&'a Operation>,
    pub(super) delete: Option<&'a Operation>,
    pub(super) relationships: Vec<(String, &'a Operation)>,
}

/// The resource types of the spec (a list or show operation on a noun's path) and their
/// operations; see the module docs of `resources`.
pub(super) fn by_resource(normalized: &Normalized) -> BTreeMap<String, Ops<'_>> {
    let doc = &normalized.document;
    let mut by_resource: BTreeMap<String, Ops> = BTreeMap::new();
    for op in &normalized.operations {
        let segments = names::resource_segments(&op.path);
        let is_param = |s: &str| s.starts_with('{');
        match (segments.as_slice(), op.method.as_str()) {
            ([noun], "GET") if !is_param(noun) => {
                let ops = by_resource.entry(noun.to_string()).or_default();
                match resource_data(doc, op) {
                    Some(true) => ops.list = Some(op),
                    // A singleton (`/v1/me`): read without an id.
                    Some(false) => ops.get = Some(op),
                    None => {}
                }
            }
            ([noun], "POST") if !is_param(noun) => {
                by_resource.entry(noun.to_string()).or_default().create = Some(op)
            }
            ([noun, id], method) if !is_param(noun) && is_param(id) => {
                let ops = by_resource.entry(noun.to_string()).or_default();
                match method {
                    "GET" if resource_data(doc, op) == Some(false) => ops.get = Some(op),
                    "PATCH" | "PUT" => ops.update = Some(op),
                    "DELETE" => ops.delete = Some(op),
                    _ => {}
                }
            }
            ([noun, id, rel, name], _) if is_param(id) && *rel == "relationships" => {
                by_resource
                    .entry(noun.to_string())
                    .or_default()
                    .relationships
                    .push((name.to_string(), op));
            }
            _ => {}
        }
    }
    by_resource.retain(|_, ops| ops.list.is_some() || ops.get.is_some());
    by_resource
}
