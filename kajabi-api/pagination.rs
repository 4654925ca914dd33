//! Streams over every page of a list operation.

use std::{future::Future, pin::Pin};

use futures::{stream, Stream, StreamExt};

use crate::Error;

/// The page size used when the builder sets none.
pub const DEFAULT_PAGE_SIZE: i64 = 25;
/// Kajabi's largest page.
pub const MAX_PAGE_SIZE: i64 = 100;

/// One page's items, on their way.
pub type PageFuture<'a, T> = Pin<Box<dyn Future<Output = Result<Vec<T>, Error>> + Send + 'a>>;

/// A stream of pages or items; ends after the last page or the first error.
pub type PageStream<'a, T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send + 'a>>;

/// A list operation's builder, walked page by page.
///
/// Every list operation that takes `page[number]` and `page[size]` implements [`Paginate`]
/// (the build generates the impls). Pages are requested one after the other, starting at the
/// builder's `page_number` (default 1) with its `page_size` (default 25, at most 100, Kajabi's
/// maximum), and the stream ends after the first page that holds fewer items than the page
/// size, or after an empty page. An error ends the stream after it is yielded.
///
/// ```no_run
/// use futures::TryStreamExt;
/// use kajabi_api::Paginate;
/// # async fn run(client: kajabi_api::Client) -> Result<(), kajabi_api::Error> {
/// let contacts: Vec<_> = client.list_contacts().page_size(100).items().try_collect().await?;
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
    /// Sends the request and returns the page's items.
    fn fetch(self) -> PageFuture<'a, Self::Item>;

    /// Every page's items, in order.
    fn pages(self) -> PageStream<'a, Vec<Self::Item>> {
        let size = self
            .requested_page_size()
            .unwrap_or(DEFAULT_PAGE_SIZE)
            .clamp(1, MAX_PAGE_SIZE);
        let first = self.requested_page_number().unwrap_or(1).max(1);
        Box::pin(stream::unfold(
            Some((self, first)),
            move |state| async move {
                let (builder, number) = state?;
                match builder.clone().with_page(number, size).fetch().await {
                    Ok(items) if items.is_empty() => None,
                    Ok(items) => {
                        let more = items.len() as i64 >= size;
                        Some((Ok(items), more.then(|| (builder, number + 1))))
                    }
                    Err(e) => Some((Err(e), None)),
                }
            },
        ))
    }

    /// Every item of every page, in order.
    fn items(self) -> PageStream<'a, Self::Item> {
        Box::pin(self.pages().flat_map(|page| {
            stream::iter(match page {
                Ok(items) => items.into_iter().map(Ok).collect::<Vec<_>>(),
                Err(e) => vec![Err(e)],
            })
        }))
    }
}

/// A builder's page parameter as set, read by the generated `Paginate` impls.
pub(crate) fn page_param(field: &Result<Option<i64>, String>) -> Option<i64> {
    field.as_ref().ok().copied().flatten()
}

/// Sets a builder's page parameter, for the generated `Paginate` impls.
pub(crate) fn set_page_param(field: &mut Result<Option<i64>, String>, n: i64) {
    *field = Ok(Some(n));
}
