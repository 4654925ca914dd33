//! A delivery's `payload`, in the shape of the event's `GET /v1/hooks/<event>_sample` response.
//!
//! The sample schema is an array whose items are `anyOf` resource objects, one branch per
//! JSON:API `type` (`contacts`, `contact_tags`, …). The payload has one item per branch, in the
//! schema's order: the stored resource of that type from the event's context when it is valid
//! for the branch, else the spec's example for the branch carrying the stored id. Nothing is
//! written per event: a new event in the spec gets a payload from its own sample schema.

use serde_json::Value;

use crate::catalog::Catalog;

/// Every event the spec has a sample for (`/v1/hooks/<event>_sample`), in document order.
pub(crate) fn events(catalog: &Catalog) -> Vec<String> {
    catalog
        .routes
        .iter()
        .filter(|route| route.op.method == "GET")
        .filter_map(|route| sample_event(&route.op.path))
        .map(str::to_string)
        .collect()
}

fn sample_event(path: &str) -> Option<&str> {
    path.strip_prefix("/v1/hooks/")?.strip_suffix("_sample")
}

/// The resolved response schema of `GET /v1/hooks/<event>_sample`.
pub(crate) fn sample_schema<'a>(catalog: &'a Catalog, event: &str) -> Option<&'a Value> {
    let route = catalog
        .routes
        .iter()
        .find(|r| r.op.method == "GET" && sample_event(&r.op.path) == Some(event))?;
    let status = route.op.success_statuses.first()?;
    catalog.spec.response_schema(&route.op, status)
}

/// The sample schema's item branches (resolved), one per resource type.
fn branches<'a>(catalog: &'a Catalog, schema: &'a Value) -> Vec<&'a Value> {
    let spec = &catalog.spec;
    let Some(items) = schema.get("items").map(|i| spec.resolve(i)) else {
        return Vec::new();
    };
    match items
        .get("anyOf")
        .or_else(|| items.get("oneOf"))
        .and_then(Value::as_array)
    {
        Some(branches) => branches.iter().map(|b| spec.resolve(b)).collect(),
        None => vec![items],
    }
}

/// The JSON:API `type` a branch declares (the first value of its `type` enum).
fn kind_of<'a>(catalog: &'a Catalog, branch: &'a Value) -> Option<&'a str> {
    let kind = catalog.spec.resolve(branch.pointer("/properties/type")?);
    kind.get("enum")?.get(0)?.as_str()
}

/// The resource types of `event`'s payload, in the sample's order.
pub(crate) fn kinds(catalog: &Catalog, event: &str) -> Vec<String> {
    let Some(schema) = sample_schema(catalog, event) else {
        return Vec::new();
    };
    branches(catalog, schema)
        .into_iter()
        .filter_map(|b| kind_of(catalog, b).map(str::to_string))
        .collect()
}

/// The payload of `event` from `context` (stored resource objects); `None` for an event the
/// spec has no sample for.
pub(crate) fn build(catalog: &Catalog, event: &str, context: &[Value]) -> Option<Value> {
    let schema = sample_schema(catalog, event)?;
    let document = &catalog.spec.document;
    let items = branches(catalog, schema)
        .into_iter()
        .map(|branch| {
            let kind = kind_of(catalog, branch);
            let stored = context
                .iter()
                .find(|item| kind.is_some() && item.get("type").and_then(Value::as_str) == kind);
            match stored {
                Some(item) if kajabi_spec::conforms(document, item, branch) => item.clone(),
                _ => {
                    let mut example = kajabi_spec::example_value(document, branch);
                    if let (Some(id), Some(object)) =
                        (stored.and_then(|s| s.get("id")), example.as_object_mut())
                    {
                        object.insert("id".into(), id.clone());
                    }
                    example
                }
            }
        })
        .collect();
    Some(Value::Array(items))
}
