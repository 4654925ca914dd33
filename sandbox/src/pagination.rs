//! Paging through a collection's (filtered, sorted) items.
//!
//! `page[size]` defaults to [`DEFAULT_PAGE_SIZE`] and is clamped to `1..=`[`MAX_PAGE_SIZE`];
//! `page[number]` defaults to 1 (anything below 1 or unparsable counts as 1). A page past the
//! end has `data: []`.
//!
//! Every page carries the members the spec's "Pagination" sections document (and the
//! normalizer adds to the SDK's types): `links.self` and `links.current` (the page served),
//! `links.first`, `links.last`, and `links.prev`/`links.next` only when such a page exists, all
//! absolute URLs that keep the request's other parameters; `meta.total_count` (items after
//! filtering), `meta.total_pages` (at least 1) and `meta.current_page`.

use std::num::IntErrorKind;

use serde_json::{json, Value};

/// `page[size]` when the request gives none.
pub const DEFAULT_PAGE_SIZE: usize = 25;
/// The largest `page[size]` honoured; larger values are clamped.
pub const MAX_PAGE_SIZE: usize = 100;

/// The requested page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Page {
    /// 1-based page number.
    pub(crate) number: usize,
    /// Items per page.
    pub(crate) size: usize,
}

impl Page {
    /// Reads `page[number]` and `page[size]` from a raw query string (brackets may be
    /// percent-encoded).
    pub(crate) fn from_query(query: &str) -> Page {
        let mut page = Page {
            number: 1,
            size: DEFAULT_PAGE_SIZE,
        };
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            // A number too large for `usize` is still a number: a page far past the end.
            let parsed = match value.trim().parse::<usize>() {
                Ok(n) => Some(n),
                Err(e) if *e.kind() == IntErrorKind::PosOverflow => Some(usize::MAX),
                Err(_) => None,
            };
            match key.as_ref() {
                "page[number]" => page.number = parsed.unwrap_or(1).max(1),
                "page[size]" => {
                    page.size = parsed.unwrap_or(DEFAULT_PAGE_SIZE).clamp(1, MAX_PAGE_SIZE)
                }
                _ => {}
            }
        }
        page
    }
}

/// `example` (the list operation's example body) with `data` replaced by the requested page
/// of `items`, and links and meta filled in. `base` is the page URL without query
/// (`http://host/v1/contacts`); `query` the raw request query, whose other parameters the links
/// keep.
pub(crate) fn page(items: &[&Value], example: &Value, base: &str, query: &str) -> Value {
    let page = Page::from_query(query);
    let start = page.number.saturating_sub(1).saturating_mul(page.size);
    let data: Vec<Value> = items
        .iter()
        .skip(start)
        .take(page.size)
        .map(|item| (*item).clone())
        .collect();
    let total_pages = items.len().div_ceil(page.size).max(1);
    let mut body = example.clone();
    if !body.is_object() {
        body = json!({});
    }
    body["data"] = Value::Array(data);
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .filter(|pair| {
            let key = pair.split('=').next().unwrap_or("");
            let key = percent_encoding::percent_decode_str(key).decode_utf8_lossy();
            key != "page[number]" && key != "page[size]"
        })
        .collect();
    let url = |number: usize| {
        let mut url = format!("{base}?page[number]={number}&page[size]={}", page.size);
        for pair in &kept {
            url.push('&');
            url.push_str(pair);
        }
        url
    };
    if !body.get("links").is_some_and(Value::is_object) {
        body["links"] = json!({});
    }
    if let Some(links) = body.get_mut("links").and_then(Value::as_object_mut) {
        let targets = [
            ("self", Some(page.number)),
            ("current", Some(page.number)),
            ("first", Some(1)),
            ("last", Some(total_pages)),
            ("prev", (page.number > 1).then(|| page.number - 1)),
            ("next", (page.number < total_pages).then(|| page.number + 1)),
        ];
        for (key, target) in targets {
            match target {
                Some(number) => links.insert(key.to_string(), Value::String(url(number))),
                None => links.remove(key),
            };
        }
    }
    body["meta"] = json!({
        "total_count": items.len(),
        "total_pages": total_pages,
        "current_page": page.number,
    });
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_parameters_default_and_clamp() {
        assert_eq!(
            Page::from_query(""),
            Page {
                number: 1,
                size: 25
            }
        );
        assert_eq!(
            Page::from_query("page%5Bnumber%5D=3&page%5Bsize%5D=2"),
            Page { number: 3, size: 2 }
        );
        assert_eq!(
            Page::from_query("page[number]=0&page[size]=1000"),
            Page {
                number: 1,
                size: 100
            }
        );
        assert_eq!(
            Page::from_query("page[number]=x&page[size]=0"),
            Page { number: 1, size: 1 }
        );
    }

    #[test]
    fn pages_slice_the_items_and_fill_links_and_meta() {
        let example = json!({
            "data": [{"id": "1", "type": "contacts"}],
            "links": {"self": "s", "current": "c"},
        });
        let items: Vec<Value> = (1..=7)
            .map(|id| json!({"id": id.to_string(), "type": "contacts"}))
            .collect();
        let items: Vec<&Value> = items.iter().collect();
        let page = page(
            &items,
            &example,
            "http://h/v1/contacts",
            "sort=name&page[size]=3&page[number]=3",
        );
        assert_eq!(page["data"], json!([{"id": "7", "type": "contacts"}]));
        assert_eq!(
            page["links"]["self"],
            "http://h/v1/contacts?page[number]=3&page[size]=3&sort=name"
        );
        assert_eq!(
            page["links"]["prev"],
            "http://h/v1/contacts?page[number]=2&page[size]=3&sort=name"
        );
        assert_eq!(
            page["links"]["first"],
            "http://h/v1/contacts?page[number]=1&page[size]=3&sort=name"
        );
        assert_eq!(page["links"]["last"], page["links"]["self"]);
        assert!(page["links"].get("next").is_none());
        assert_eq!(
            page["meta"],
            json!({"total_count": 7, "total_pages": 3, "current_page": 3})
        );
        let first = super::page(&items, &json!({}), "http://h/x", "");
        assert!(first["links"].get("prev").is_none());
        assert!(first["links"].get("next").is_none());
        assert_eq!(
            first["links"]["last"],
            "http://h/x?page[number]=1&page[size]=25"
        );
        let past = super::page(&items, &example, "", "page[number]=99999999999999999999");
        assert_eq!(past["data"], json!([]));
        let empty = super::page(&[], &example, "", "");
        assert_eq!(empty["meta"]["total_pages"], 1);
    }

    /// The example supplies what the sandbox does not compute (members besides `data`,
    /// `links` and `meta`); an example that is not an object (another spec's) is replaced
    /// rather than indexed into.
    #[test]
    fn a_page_keeps_the_examples_other_members_and_survives_a_non_object_example() {
        let item = json!({"id": "1", "type": "contacts"});
        let example = json!({"data": [], "included": [{"id": "9", "type": "sites"}]});
        let kept = page(&[&item], &example, "http://h/v1/contacts", "");
        assert_eq!(kept["included"], example["included"]);
        assert_eq!(kept["data"], json!([item]));
        for example in [json!([]), json!("text"), Value::Null] {
            let built = page(&[&item], &example, "http://h/v1/contacts", "");
            assert_eq!(built["data"], json!([item]), "{example}");
            assert_eq!(built["meta"]["total_count"], 1, "{example}");
        }
    }
}
