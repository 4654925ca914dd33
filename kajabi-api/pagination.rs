//! Streams over every page of a list operation.
//!
//! How the stream knows a page was the last, in order of trust:
//! 1. the server's `links`: when it sends any of `links.{first,prev,next,last}`, the stream
//!    follows `links.next` and ends when it is null or absent;
//! 2. the server's `meta.total_pages`: the stream ends at that page;
//! 3. neither: the stream ends after a page shorter than the page size, or an empty one.
//!
//! With 1 or 2 a full last page costs no extra request. A `links.next` is only followed on the
//! client's own base URL: its `page[number]` is read and the builder's request is sent again
//! with it, so the link's other parameters (and its host) never reach the wire.
//!
//! [`Paginate::concurrency`] asks for several pages at once ([`concurrent`]).

mod concurrent;

use std::{future::Future, num::NonZeroUsize, pin::Pin};

pub use concurrent::{Concurrent, RATE_LIMITED_RETRIES};

use futures::{stream, Stream, StreamExt};
use url::Url;

use crate::Error;

/// The page size used when the builder sets none.
pub const DEFAULT_PAGE_SIZE: i64 = 25;
/// Kajabi's largest page.
pub const MAX_PAGE_SIZE: i64 = 100;

/// One page, on its way.
pub type PageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<Page<T>, Error>> + Send + 'a>>;

/// A stream of pages or items; ends after the last page or the first error.
pub type PageStream<'a, T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'a>>;

/// One page of a list as the server sent it: its items, and its `links` and `meta` when the
/// server sends them.
#[derive(Debug, Clone)]
pub struct Page<T> {
    items: Vec<T>,
    links: Links,
    meta: Meta,
}

/// The `links` members of a list page that say where the list goes on.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub(crate) struct Links {
    pub(crate) first: Option<String>,
    pub(crate) prev: Option<String>,
    pub(crate) next: Option<String>,
    pub(crate) last: Option<String>,
}

/// The `meta` members of a list page.
#[derive(Debug, Clone, Copy, Default, serde::Deserialize)]
pub(crate) struct Meta {
    pub(crate) total_pages: Option<i64>,
    pub(crate) total_count: Option<i64>,
    pub(crate) current_page: Option<i64>,
}

impl<T> Page<T> {
    /// A page from a list response's members, for the generated `Paginate` impls and the
    /// flat resources' ([`crate::flat::page`]).
    pub(crate) fn new(items: Vec<T>, links: Links, meta: Meta) -> Self {
        Self { items, links, meta }
    }

    /// The page's items (`data`).
    pub fn items(&self) -> &[T] {
        &self.items
    }

    /// The page's items, owned.
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    /// How many items the whole list holds (`meta.total_count`), when the server says.
    pub fn total_count(&self) -> Option<u64> {
        self.meta.total_count.and_then(|n| u64::try_from(n).ok())
    }

    /// How many pages the whole list has at this page size (`meta.total_pages`), when the
    /// server says.
    pub fn total_pages(&self) -> Option<u64> {
        self.meta.total_pages.and_then(|n| u64::try_from(n).ok())
    }

    /// This page's number (`meta.current_page`), when the server says.
    pub fn current_page(&self) -> Option<u64> {
        self.meta.current_page.and_then(|n| u64::try_from(n).ok())
    }

    /// The number of the page after page `number` of `size` items, or `None` after the last.
    /// An error for a `links.next` that the client will not follow.
    fn next_number(&self, number: i64, size: i64, base_url: &str) -> Result<Option<i64>, Error> {
        let links = &self.links;
        let sent_links = [&links.first, &links.prev, &links.next, &links.last]
            .iter()
            .any(|link| link.is_some());
        if sent_links {
            return match &links.next {
                Some(next) => next_link_number(next, number, base_url).map(Some),
                None => Ok(None),
            };
        }
        if let Some(total_pages) = self.meta.total_pages {
            return Ok((number < total_pages).then_some(number + 1));
        }
        let full = !self.items.is_empty() && self.items.len() as i64 >= size;
        Ok(full.then_some(number + 1))
    }
}

/// The `page[number]` of the server's `links.next`, if it is on `base_url` and after `current`.
fn next_link_number(link: &str, current: i64, base_url: &str) -> Result<i64, Error> {
    // Neither URL is quoted in an error: the link is the server's and may carry anything.
    let refuse = |why: &str| {
        Err(Error::unusable_body(format!(
            "links.next {why}; not followed"
        )))
    };
    let (Ok(link), Ok(base)) = (Url::parse(link), Url::parse(base_url)) else {
        return refuse("is not an absolute URL");
    };
    let base_path = base.path().trim_end_matches('/');
    let on_base = link.scheme() == base.scheme()
        && link.host() == base.host()
        && link.port_or_known_default() == base.port_or_known_default()
        && link.username().is_empty()
        && link.password().is_none()
        && link
            .path()
            .strip_prefix(base_path)
            .is_some_and(|rest| rest.starts_with('/'));
    if !on_base {
        return refuse("is not on the client's base URL");
    }
    let number = link
        .query_pairs()
        .find(|(name, _)| name == "page[number]")
        .and_then(|(_, value)| value.parse::<i64>().ok());
    match number {
        Some(n) if n > current => Ok(n),
        Some(_) => refuse("does not go forward"),
        None => refuse("has no page[number]"),
    }
}

/// A list operation's builder, walked page by page.
///
/// Every list operation that takes `page[number]` and `page[size]` implements [`Paginate`]
/// (the build generates the impls). Pages are requested one after the other, starting at the
/// builder's `page_number` (default 1) with its `page_size` (default 25, at most 100, Kajabi's
/// maximum). The stream follows the server's `links.next` when the server sends `links`
/// (refusing, with an error, one that leaves the client's base URL), else stops at
/// `meta.total_pages` when it sends that, else ends after the first page that holds fewer
/// items than the page size, or after an empty page. An error ends the stream after it is
/// yielded. [`Paginate::full_pages`] keeps each page's `meta`, such as the list's total.
///
/// One page is in flight at a time unless [`Paginate::concurrency`] asks for more.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use kajabi_api::Paginate;
/// # async fn run(client: kajabi_api::Client) -> Result<(), kajabi_api::Error> {
/// let contacts: Vec<_> = client.list_contacts().page_size(100).items().try_collect().await?;
/// let total = client.list_contacts().first_page().await?.total_count();
/// # Ok(()) }
/// ```
pub trait Paginate<'a>: Clone + Send + Sized + 'a {
    /// One element of the page's `data`.
    type Item: Send + 'a;

    /// The `page[size]` the builder was given.
    fn requested_page_size(&self) -> Option<i64>;
    /// The `page[number]` the builder was given.
    fn requested_page_number(&self) -> Option<i64>;
    /// The same request for another page.
    fn with_page(self, number: i64, size: i64) -> Self;
    /// The base URL of the client the request goes to; `links.next` must be on it.
    fn base_url(&self) -> &str;
    /// Sends the request and returns the page.
    fn fetch(self) -> PageFuture<'a, Self::Item>;

    /// The first page (the builder's `page_number`), with the list's total when the server
    /// sends it ([`Page::total_count`]).
    fn first_page(self) -> PageFuture<'a, Self::Item> {
        let (number, size) = start(&self);
        self.with_page(number, size).fetch()
    }

    /// Every page, in order, each with its `meta`.
    fn full_pages(self) -> PageStream<'a, Page<Self::Item>> {
        let (first, size) = start(&self);
        Box::pin(stream::unfold(
            Walk::Next(self, first),
            move |state| async move {
                let (builder, number) = match state {
                    Walk::Next(builder, number) => (builder, number),
                    Walk::Failed(error) => return Some((Err(error), Walk::Done)),
                    Walk::Done => return None,
                };
                let page = match builder.clone().with_page(number, size).fetch().await {
                    Ok(page) if page.items.is_empty() => return None,
                    Ok(page) => page,
                    Err(e) => return Some((Err(e), Walk::Done)),
                };
                let next = match page.next_number(number, size, builder.base_url()) {
                    Ok(Some(next)) => Walk::Next(builder, next),
                    Ok(None) => Walk::Done,
                    Err(e) => Walk::Failed(e),
                };
                Some((Ok(page), next))
            },
        ))
    }

    /// Every page's items, in order.
    fn pages(self) -> PageStream<'a, Vec<Self::Item>> {
        pages_of(self.full_pages())
    }

    /// Every item of every page, in order.
    fn items(self) -> PageStream<'a, Self::Item> {
        items_of(self.pages())
    }

    /// The same walk with up to `n` pages in flight once the first page has told the total,
    /// still in page order and holding at most `n` pages; see [`Concurrent`] for when it
    /// falls back to one page at a time, and for errors, 429s and changes during the walk.
    /// Without it, and with `n` = 1, one page is in flight at a time.
    fn concurrency(self, n: NonZeroUsize) -> Concurrent<Self> {
        Concurrent::new(self, n)
    }
}

/// The items of each page of `pages`.
fn pages_of<'a, T: Send + 'a>(pages: PageStream<'a, Page<T>>) -> PageStream<'a, Vec<T>> {
    Box::pin(pages.map(|page| page.map(Page::into_items)))
}

/// The items of `pages`, one by one.
fn items_of<'a, T: Send + 'a>(pages: PageStream<'a, Vec<T>>) -> PageStream<'a, T> {
    Box::pin(pages.flat_map(|page| {
        stream::iter(match page {
            Ok(items) => items.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) => vec![Err(e)],
        })
    }))
}

/// Where a walk over pages stands.
enum Walk<B> {
    /// Page `1` of builder `0` is next.
    Next(B, i64),
    /// The last page was yielded; this error comes after it.
    Failed(Error),
    Done,
}

/// The first page number and the page size of `builder`, defaulted and clamped.
fn start<'a, P: Paginate<'a>>(builder: &P) -> (i64, i64) {
    let size = builder
        .requested_page_size()
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE);
    (builder.requested_page_number().unwrap_or(1).max(1), size)
}

/// A builder's page parameter as set, read by the generated `Paginate` impls.
pub(crate) fn page_param(field: &Result<Option<i64>, String>) -> Option<i64> {
    field.as_ref().ok().copied().flatten()
}

/// Sets a builder's page parameter, for the generated `Paginate` impls.
pub(crate) fn set_page_param(field: &mut Result<Option<i64>, String>, n: i64) {
    *field = Ok(Some(n));
}

#[cfg(test)]
mod tests {
    use super::{next_link_number, Links, Meta, Page};

    const BASE: &str = "https://h.example";

    #[test]
    fn without_links_the_next_page_is_the_one_after_this_one() {
        // Neither links nor meta: a full page of 2 leads on, a short page is the last.
        let full = Page::new(vec!['a', 'b'], Links::default(), Meta::default());
        assert_eq!(full.next_number(5, 2, BASE).unwrap(), Some(6));
        let short = Page::new(vec!['a'], Links::default(), Meta::default());
        assert_eq!(short.next_number(5, 2, BASE).unwrap(), None);

        // meta.total_pages decides, however many items the page holds.
        let meta = Meta {
            total_pages: Some(7),
            ..Meta::default()
        };
        let short = Page::new(vec!['a'], Links::default(), meta);
        assert_eq!(short.next_number(5, 2, BASE).unwrap(), Some(6));
        let last = Page::new(vec!['a', 'b'], Links::default(), meta);
        assert_eq!(last.next_number(7, 2, BASE).unwrap(), None);
    }

    #[test]
    fn a_links_next_must_stay_under_the_base_url_and_go_forward() {
        let base = "https://h.example/api";
        let next = next_link_number("https://h.example/api/v1/c?page[number]=3&x=1", 2, base);
        assert_eq!(next.unwrap(), 3);
        for bad in [
            "https://h.example/other/v1/c?page[number]=3",
            "https://h.example/apix/v1/c?page[number]=3",
            "http://h.example/api/v1/c?page[number]=3",
            "https://h.example:444/api/v1/c?page[number]=3",
            "https://g.example/api/v1/c?page[number]=3",
            "https://u:p@h.example/api/v1/c?page[number]=3",
            "https://h.example/api/v1/c?page[number]=2",
            "https://h.example/api/v1/c?page[number]=x",
            "/api/v1/c?page[number]=3",
        ] {
            let error = next_link_number(bad, 2, base).unwrap_err();
            assert!(error.is_decode(), "{bad}: {error}");
        }
    }
}
