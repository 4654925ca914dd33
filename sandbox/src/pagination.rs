//! Paging through the fixed collections behind list operations.
//!
//! Every operation with `page[number]` and `page[size]` query parameters whose response has a
//! `data` array lists one fixed collection of [`COLLECTION_SIZE`] items, ids `"1"` to `"7"`.
//! `page[size]` defaults to [`DEFAULT_PAGE_SIZE`] and is clamped to `1..=`[`MAX_PAGE_SIZE`];
//! `page[number]` defaults to 1 (anything below 1 or unparsable counts as 1). A page past the
//! end has `data: []`. Other query parameters (filters, sorting, sparse fields) are accepted
//! and ignored.
//!
//! Pagination links and meta are filled in where the response schema has them: `links.self`
//! and `links.current` point at the page served, `first`/`last` at the ends, `prev`/`next`
//! are present only when such a page exists; `meta.total_count`, `meta.total_pages` and
//! `meta.current_page` are numbers.

use std::num::IntErrorKind;

use serde_json::{json, Value};

use kajabi_spec::example::with_id;

/// How many items every collection has.
pub const COLLECTION_SIZE: usize = 7;
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

/// One list operation's collection, prepared once.
#[derive(Debug, Clone)]
pub(crate) struct Collection {
    items: Vec<Value>,
}

impl Collection {
    /// The collection for a list response whose example is `example`: its first `data` item,
    /// repeated with ids 1 to 7. `None` if the example has no `data` array to page.
    pub(crate) fn from_example(example: &Value) -> Option<Collection> {
        let template = example.get("data")?.as_array()?.first()?;
        let items = (1..=COLLECTION_SIZE)
            .map(|id| with_id(template.clone(), id))
            .collect();
        Some(Collection { items })
    }

    /// `example` with `data` replaced by the requested page, and links and meta filled in.
    /// `base` is the page URL without query (`http://host/v1/contacts`); `query` the raw
    /// request query, whose other parameters the links keep.
    pub(crate) fn page(&self, example: &Value, base: &str, query: &str) -> Value {
        let page = Page::from_query(query);
        let start = page.number.saturating_sub(1).saturating_mul(page.size);
        let data: Vec<Value> = self
            .items
            .iter()
            .skip(start)
            .take(page.size)
            .cloned()
            .collect();
        let total_pages = self.items.len().div_ceil(page.size).max(1);
        let mut body = example.clone();
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
                if !links.get(key).is_some_and(Value::is_string) {
                    continue;
                }
                match target {
                    Some(number) => links.insert(key.to_string(), Value::String(url(number))),
                    None => links.remove(key),
                };
            }
        }
        if let Some(meta) = body.get_mut("meta").and_then(Value::as_object_mut) {
            let values = [
                ("total_count", self.items.len()),
                ("total_pages", total_pages),
                ("current_page", page.number),
            ];
            for (key, value) in values {
                if meta.get(key).is_some_and(Value::is_number) {
                    meta.insert(key.to_string(), json!(value));
                }
            }
        }
        body
    }
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
    fn pages_slice_the_collection_and_fill_links() {
        let example = json!({
            "data": [{"id": "1", "type": "contacts"}],
            "links": {"self": "s", "current": "c", "prev": "p", "next": "n"},
            "meta": {"total_count": 1, "current_page": 1},
        });
        let collection = Collection::from_example(&example).expect("has data");
        let page = collection.page(
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
        assert!(page["links"].get("next").is_none());
        assert_eq!(page["meta"], json!({"total_count": 7, "current_page": 3}));
        let past = collection.page(&example, "", "page[number]=99999999999999999999");
        assert_eq!(past["data"], json!([]));
        let past = collection.page(&example, "", "page[number]=5&page[size]=3");
        assert_eq!(past["data"], json!([]));
    }
}
