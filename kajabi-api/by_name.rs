//! Calls by name: JSON in and out for [`crate::Client::call_operation`], the entry to every
//! operation by its name (the generated `call_operation` matches the name and calls here).

use std::{future::Future, pin::Pin};

use progenitor_client::ResponseValue;
use serde::{de::DeserializeOwned, Serialize};
use serde_json::Value;

use crate::Error;

/// One operation's call, on its way.
pub(crate) type Call<'a> = Pin<Box<dyn Future<Output = Result<Value, Error>> + Send + 'a>>;

/// A parameter or body of the operation's own type, from JSON.
///
/// Both directions go through bytes, not `serde_json::Value`'s serializer and deserializer:
/// the generated types already (de)serialize from and to bytes for the wire, and a second
/// pair of every type's serde code would compile for nothing but these conversions.
pub(crate) fn arg<T: DeserializeOwned>(name: &str, value: &Value) -> Result<T, Error> {
    // serde's message would quote the value, which may be a credential.
    let unfit =
        || Error::invalid_request(format!("`{name}` does not fit the type the spec gives it"));
    let bytes = serde_json::to_vec(value).map_err(|_| unfit())?;
    serde_json::from_slice(&bytes).map_err(|_| unfit())
}

/// The response body as JSON; a `list` operation's page keeps its `data` when it is empty.
pub(crate) fn json<T: Serialize>(response: ResponseValue<T>, list: bool) -> Result<Value, Error> {
    let unserializable = |e: serde_json::Error| {
        Error::invalid_request(format!("the response does not serialize: {e}"))
    };
    let bytes = serde_json::to_vec(&response.into_inner()).map_err(unserializable)?;
    let mut value: Value = serde_json::from_slice(&bytes).map_err(unserializable)?;
    // The generated types leave an empty `Vec` out when they serialize, so an empty page
    // would come back as `{}`: not the JSON:API document Kajabi sent, and no list to show.
    if let (true, Value::Object(members)) = (list, &mut value) {
        members
            .entry("data")
            .or_insert_with(|| Value::Array(Vec::new()));
    }
    Ok(value)
}

/// A list operation called by name ([`crate::Client::paginate_operation`]), walked by the
/// one [`crate::Paginate`] algorithm that walks the typed builders: the same `links.next`,
/// `meta.total_pages` and short-page rules, the same page-size default and clamp, and the
/// same opt-in concurrency ([`crate::Paginate::concurrency`], walked by [`crate::Concurrent`]).
#[derive(Debug, Clone)]
pub struct OperationPages<'a> {
    client: &'a crate::Client,
    operation: &'a str,
    params: serde_json::Map<String, Value>,
}

/// The page parameters on the wire, as the typed builders' `page_number`/`page_size` set them.
const PAGE_NUMBER: &str = "page[number]";
const PAGE_SIZE: &str = "page[size]";

impl crate::Client {
    /// The pages of the list operation named `operation`, with its other parameters by their
    /// wire names as [`crate::Client::call_operation`] takes them: a [`crate::Paginate`]
    /// whose items are JSON. `page[size]` and `page[number]` in `params` set the page size
    /// (clamped to 1–[`crate::MAX_PAGE_SIZE`]) and the first page.
    ///
    /// One page is in flight at a time; [`crate::Paginate::concurrency`] asks for up to `n`
    /// at once once the first page has told the total, with items still in page order and
    /// the same requests sent (see [`crate::Concurrent`] for when it falls back to one page
    /// at a time, and for errors and 429s).
    ///
    /// ```no_run
    /// use std::num::NonZeroUsize;
    /// use futures::TryStreamExt;
    /// use kajabi_api::Paginate;
    /// # async fn run(client: kajabi_api::Client) -> Result<(), kajabi_api::Error> {
    /// let contacts: Vec<serde_json::Value> = client
    ///     .paginate_operation("list_contacts", serde_json::Map::new())
    ///     .items()
    ///     .try_collect()
    ///     .await?;
    ///
    /// // Up to 8 pages of 100 in flight.
    /// let mut params = serde_json::Map::new();
    /// params.insert("page[size]".into(), 100.into());
    /// let eight = NonZeroUsize::new(8).unwrap();
    /// let contacts: Vec<serde_json::Value> = client
    ///     .paginate_operation("list_contacts", params)
    ///     .concurrency(eight)
    ///     .items()
    ///     .try_collect()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn paginate_operation<'a>(
        &'a self,
        operation: &'a str,
        params: serde_json::Map<String, Value>,
    ) -> OperationPages<'a> {
        OperationPages {
            client: self,
            operation,
            params,
        }
    }
}

impl<'a> crate::Paginate<'a> for OperationPages<'a> {
    type Item = Value;

    fn requested_page_size(&self) -> Option<i64> {
        self.params.get(PAGE_SIZE).and_then(Value::as_i64)
    }

    fn requested_page_number(&self) -> Option<i64> {
        self.params.get(PAGE_NUMBER).and_then(Value::as_i64)
    }

    fn with_page(mut self, number: i64, size: i64) -> Self {
        self.params.insert(PAGE_NUMBER.into(), Value::from(number));
        self.params.insert(PAGE_SIZE.into(), Value::from(size));
        self
    }

    fn base_url(&self) -> &str {
        self.client.base_url()
    }

    fn fetch(self) -> crate::PageFuture<'a, Value> {
        Box::pin(async move {
            let page = self
                .client
                .call_operation(self.operation, &self.params, None)
                .await?;
            page_of(page)
        })
    }
}

/// A list response as JSON taken apart into its items, `links` and `meta`.
fn page_of(mut page: Value) -> Result<crate::Page<Value>, Error> {
    // `call_operation` keeps an empty page's `data` (see `json`): a page without one is
    // not a list.
    let Some(Value::Array(items)) = page.get_mut("data").map(Value::take) else {
        return Err(Error::unusable_body("the page has no `data` array"));
    };
    let member = |name: &str| page.get(name).filter(|v| !v.is_null()).cloned();
    let links = member("links")
        .and_then(|l| serde_json::from_value(l).ok())
        .unwrap_or_default();
    let meta = member("meta")
        .and_then(|m| serde_json::from_value(m).ok())
        .unwrap_or_default();
    Ok(crate::Page::new(items, links, meta))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn a_page_keeps_its_links_and_meta() {
        let page = super::page_of(json!({
            "data": [{"id": "1"}],
            "links": {"next": "https://h.example/v1/c?page[number]=2"},
            "meta": {"total_pages": 3, "total_count": 5}
        }))
        .unwrap();
        assert_eq!(page.items(), [json!({"id": "1"})]);
        assert_eq!((page.total_pages(), page.total_count()), (Some(3), Some(5)));
        assert!(super::page_of(json!({"data": []}))
            .unwrap()
            .items()
            .is_empty());
        // Not a list: `call_operation` of a list operation always has a `data` array.
        for body in [
            json!({}),
            json!({"data": 1}),
            json!({"data": null}),
            json!(null),
        ] {
            assert!(
                super::page_of(body.clone()).unwrap_err().is_decode(),
                "{body}"
            );
        }
    }
}
