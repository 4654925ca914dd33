//! `filter[...]` and `sort` on list operations, read from the parameter names the spec
//! declares.
//!
//! A filter `filter[NAME]=VALUE` keeps the items it matches; what NAME means:
//!
//! | NAME | keeps items whose |
//! | --- | --- |
//! | `X_id` where the item has a to-one relationship `X` (`site_id`, `customer_id`, `contact_id`) | `relationships.X.data.id` is VALUE |
//! | `X_cont`, `X_contains` | attribute `X` contains VALUE (case-insensitive) |
//! | `X_eq`, or an attribute name `X` | attribute `X` is VALUE (`true`/`false`, numbers compared as text) |
//! | `X_null` | attribute `X` is null (VALUE `true`) or not (`false`) |
//! | `search`, `name_or_email` | some string attribute contains VALUE |
//! | `has_tag_id`, `has_offer_id` | the `tags`/`offers` relationship holds VALUE |
//!
//! Any other filter is accepted and ignored (the contract table in the crate docs says so), as
//! is a filter on an attribute the items do not have. `sort` is a comma-separated list of
//! attribute names (or `id`), each optionally prefixed by `-` for descending; unknown names are
//! ignored; without `sort`, items come in creation order.

use std::cmp::Ordering;

use serde_json::Value;

/// `items` filtered and sorted as the raw `query` asks; borrowed, as a list answers one page
/// of them (cloning thousands of items per request made the store's lock the bottleneck).
pub(crate) fn apply<'a>(items: &'a [Value], query: &str) -> Vec<&'a Value> {
    let mut filters = Vec::new();
    let mut sort = None;
    for (key, value) in form_urlencoded::parse(query.as_bytes()) {
        if let Some(name) = key
            .strip_prefix("filter[")
            .and_then(|k| k.strip_suffix(']'))
        {
            filters.push((name.to_string(), value.into_owned()));
        } else if key == "sort" {
            sort = Some(value.into_owned());
        }
    }
    let mut kept: Vec<&Value> = items
        .iter()
        .filter(|item| {
            filters
                .iter()
                .all(|(name, value)| matches(item, name, value).unwrap_or(true))
        })
        .collect();
    if let Some(sort) = sort {
        let keys: Vec<(String, bool)> = sort
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(|k| match k.strip_prefix('-') {
                Some(name) => (name.to_string(), true),
                None => (k.to_string(), false),
            })
            .collect();
        kept.sort_by(|a, b| {
            keys.iter()
                .map(|(name, descending)| {
                    let order = compare(field(a, name), field(b, name));
                    if *descending {
                        order.reverse()
                    } else {
                        order
                    }
                })
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        });
    }
    kept
}

/// Whether `item` passes `filter[name]=wanted`; `None` when the filter does not apply.
fn matches(item: &Value, name: &str, wanted: &str) -> Option<bool> {
    let relationships = item.get("relationships");
    if let Some(relation) = name.strip_suffix("_id") {
        if let Some(data) = relationships
            .and_then(|r| r.get(relation))
            .and_then(|r| r.get("data"))
            .filter(|d| d.is_object() || d.is_null())
        {
            return Some(data.get("id").and_then(Value::as_str) == Some(wanted));
        }
    }
    if let Some(relation) = name
        .strip_prefix("has_")
        .and_then(|n| n.strip_suffix("_id"))
    {
        let plural = format!("{relation}s");
        if let Some(list) = relationships
            .and_then(|r| r.get(&plural))
            .and_then(|r| r.get("data"))
            .and_then(Value::as_array)
        {
            return Some(
                list.iter()
                    .any(|i| i.get("id").and_then(Value::as_str) == Some(wanted)),
            );
        }
    }
    let attributes = item.get("attributes")?.as_object()?;
    if name == "search" || name == "name_or_email" {
        let wanted = wanted.to_lowercase();
        return Some(attributes.values().any(|v| {
            v.as_str()
                .is_some_and(|text| text.to_lowercase().contains(&wanted))
        }));
    }
    for suffix in ["_cont", "_contains"] {
        if let Some(attribute) = name.strip_suffix(suffix) {
            let value = attributes.get(attribute)?;
            return Some(text(value).to_lowercase().contains(&wanted.to_lowercase()));
        }
    }
    if let Some(attribute) = name.strip_suffix("_null") {
        let value = attributes.get(attribute)?;
        return Some(value.is_null() == (wanted == "true"));
    }
    let attribute = name.strip_suffix("_eq").unwrap_or(name);
    attributes.get(attribute).map(|value| text(value) == wanted)
}

/// A value as it would be written in a query string.
fn text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn field<'a>(item: &'a Value, name: &str) -> Option<&'a Value> {
    if name == "id" {
        return item.get("id");
    }
    item.get("attributes")?.get(name)
}

/// Numbers by value (ids too), strings case-insensitively, missing and null first.
fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    let number = |v: Option<&Value>| {
        v.and_then(|v| {
            v.as_f64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        })
    };
    match (number(a), number(b)) {
        (Some(x), Some(y)) => x.partial_cmp(&y).unwrap_or(Ordering::Equal),
        _ => {
            let key =
                |v: Option<&Value>| v.filter(|v| !v.is_null()).map(|v| text(v).to_lowercase());
            key(a).cmp(&key(b))
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn items() -> Vec<Value> {
        vec![
            json!({"id": "1", "attributes": {"name": "Ada", "email": "ada@x.io", "subscribed": true, "fulfilled_at": null},
                   "relationships": {"site": {"data": {"id": "1", "type": "sites"}}, "tags": {"data": [{"id": "2", "type": "contact_tags"}]}}}),
            json!({"id": "2", "attributes": {"name": "bob", "email": "bob@y.io", "subscribed": false, "fulfilled_at": "2024-01-01T00:00:00Z"},
                   "relationships": {"site": {"data": {"id": "2", "type": "sites"}}, "tags": {"data": []}}}),
            json!({"id": "10", "attributes": {"name": "Cy", "email": "cy@x.io", "subscribed": true, "fulfilled_at": null},
                   "relationships": {"site": {"data": {"id": "1", "type": "sites"}}, "tags": {"data": []}}}),
        ]
    }

    fn ids<'a>(items: &[&'a Value]) -> Vec<&'a str> {
        items
            .iter()
            .map(|i| i["id"].as_str().unwrap_or(""))
            .collect()
    }

    #[test]
    fn filters() {
        let all = items();
        assert_eq!(ids(&apply(&all, "filter[site_id]=1")), ["1", "10"]);
        assert_eq!(
            ids(&apply(&all, "filter%5Bemail_contains%5D=X.IO")),
            ["1", "10"]
        );
        assert_eq!(ids(&apply(&all, "filter[name_cont]=o")), ["2"]);
        assert_eq!(ids(&apply(&all, "filter[subscribed]=false")), ["2"]);
        assert_eq!(ids(&apply(&all, "filter[name_eq]=Cy")), ["10"]);
        assert_eq!(
            ids(&apply(&all, "filter[fulfilled_at_null]=true")),
            ["1", "10"]
        );
        assert_eq!(ids(&apply(&all, "filter[search]=bob")), ["2"]);
        assert_eq!(ids(&apply(&all, "filter[has_tag_id]=2")), ["1"]);
        assert_eq!(
            ids(&apply(&all, "filter[site_id]=1&filter[name_cont]=c")),
            ["10"]
        );
        // Filters that do not apply are ignored.
        assert_eq!(
            ids(&apply(&all, "filter[joined_in_last]=7d&filter[colour]=red")),
            ["1", "2", "10"]
        );
    }

    #[test]
    fn sorting() {
        let all = items();
        assert_eq!(ids(&apply(&all, "sort=-id")), ["10", "2", "1"]);
        assert_eq!(ids(&apply(&all, "sort=name")), ["1", "2", "10"]);
        assert_eq!(ids(&apply(&all, "sort=-subscribed,name")), ["1", "10", "2"]);
        assert_eq!(ids(&apply(&all, "sort=nothing")), ["1", "2", "10"]);
    }
}
