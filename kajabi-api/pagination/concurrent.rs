//! Pages fetched several at a time, yielded in page order ([`Concurrent`]).
//!
//! The first page is fetched alone: it tells how many pages there are. When it does
//! (`meta.total_pages`, else the page number of an on-base `links.last`) and its next page is
//! simply the one after it (no `links.next`, or one on the base URL naming that number), the
//! pages after it are asked for through a window of at most `n` pages, in flight or fetched
//! and not yet yielded; otherwise the walk goes on one page at a time, as
//! [`Paginate::full_pages`] does.

use std::{collections::BTreeMap, future::Future, num::NonZeroUsize, pin::Pin};

use futures::{
    future::{self, Either},
    stream::{self, FuturesUnordered},
    StreamExt,
};
use tokio::time::Instant;

use super::{items_of, next_link_number, pages_of, start, Page, PageStream, Paginate};
use crate::Error;

/// How many times one page answered with 429 and a `Retry-After` is asked for again before
/// its error ends the stream.
pub const RATE_LIMITED_RETRIES: u32 = 3;

/// A list walked with up to `n` pages in flight: [`Paginate::concurrency`].
///
/// Items and pages come in page order, as from the sequential walk. At most `n` pages are
/// held at a time, counting those in flight and those fetched but not yet yielded, so a slow
/// consumer holds back the requests rather than filling memory; the requests only advance
/// while the stream is polled.
///
/// - **When it is concurrent.** The first page is fetched alone. Only when it tells the total
///   (`meta.total_pages`, else an on-base `links.last`) and its next page is the next page
///   number on the client's base URL are the later pages asked for together, up to the first
///   page's total. Otherwise the walk goes on one page at a time, exactly as
///   [`Paginate::full_pages`].
/// - **Errors.** The first error ends the stream, after every item of every page before it
///   (none skipped, none repeated); pages fetched after the failed one are dropped.
/// - **429.** A page answered with 429 and a `Retry-After` (once the call path's own retries,
///   [`crate::RetryPolicy`], are spent) stops the stream from launching any new page until
///   that time has passed; the page is then asked for again, up to [`RATE_LIMITED_RETRIES`]
///   times. Pages already in flight go on. A 429 without `Retry-After` is an error.
/// - **Dropping the stream** cancels the pages in flight and sends nothing more.
/// - **Items added or removed during the export.** The number of pages is the first page's:
///   pages past it are not read, so items added at the end of the list after the first page
///   was answered are not seen (a sequential walk that follows `links.next` may see them).
///   As with any walk by page number, an item added before the point reached shifts the
///   others back, so one item may come twice (at the end of one page and the start of the
///   next), and an item removed shifts them forward, so one may be missed. A page that comes
///   back empty (the list shrank) ends the stream.
///
/// ```no_run
/// use std::num::NonZeroUsize;
/// use futures::TryStreamExt;
/// use kajabi_api::Paginate;
/// # async fn run(client: kajabi_api::Client) -> Result<(), kajabi_api::Error> {
/// let eight = NonZeroUsize::new(8).unwrap();
/// let contacts: Vec<_> = client
///     .list_contacts()
///     .page_size(100)
///     .concurrency(eight)
///     .items()
///     .try_collect()
///     .await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Concurrent<P> {
    builder: P,
    limit: NonZeroUsize,
}

impl<P> Concurrent<P> {
    pub(super) fn new(builder: P, limit: NonZeroUsize) -> Self {
        Self { builder, limit }
    }
}

impl<'a, P: Paginate<'a>> Concurrent<P> {
    /// Every page, in order, each with its `meta`.
    pub fn full_pages(self) -> PageStream<'a, Page<P::Item>> {
        let limit = self.limit.get();
        if limit == 1 {
            return self.builder.full_pages();
        }
        Box::pin(stream::unfold(
            Phase::Start(self.builder, limit),
            |phase| async move {
                match phase {
                    Phase::Start(builder, limit) => first(builder, limit).await,
                    Phase::Window(mut window) => match window.next().await? {
                        Ok(page) => Some((Ok(page), Phase::Window(window))),
                        Err(e) => Some((Err(e), Phase::Done)),
                    },
                    Phase::Sequential(mut pages) => {
                        let page = pages.next().await?;
                        Some((page, Phase::Sequential(pages)))
                    }
                    Phase::Failed(error) => Some((Err(error), Phase::Done)),
                    Phase::Done => None,
                }
            },
        ))
    }

    /// Every page's items, in order.
    pub fn pages(self) -> PageStream<'a, Vec<P::Item>> {
        pages_of(self.full_pages())
    }

    /// Every item of every page, in order.
    pub fn items(self) -> PageStream<'a, P::Item> {
        items_of(self.pages())
    }
}

/// Where a concurrent walk stands.
enum Phase<'a, P: Paginate<'a>> {
    /// The first page is next; the window's size.
    Start(P, usize),
    /// The pages after the first, through the window.
    Window(Window<'a, P>),
    /// No total to go by: one page at a time.
    Sequential(PageStream<'a, Page<P::Item>>),
    /// The first page was yielded; this error comes after it.
    Failed(Error),
    Done,
}

type Step<'a, P> = Option<(Result<Page<<P as Paginate<'a>>::Item>, Error>, Phase<'a, P>)>;

/// Fetches the first page and decides how the walk goes on.
async fn first<'a, P: Paginate<'a>>(builder: P, limit: usize) -> Step<'a, P> {
    let (number, size) = start(&builder);
    let page = match builder.clone().with_page(number, size).fetch().await {
        Ok(page) if page.items.is_empty() => return None,
        Ok(page) => page,
        Err(e) => return Some((Err(e), Phase::Done)),
    };
    let next = match page.next_number(number, size, builder.base_url()) {
        Ok(Some(next)) => next,
        Ok(None) => return Some((Ok(page), Phase::Done)),
        Err(e) => return Some((Ok(page), Phase::Failed(e))),
    };
    let total = page.meta.total_pages.or_else(|| {
        let last = page.links.last.as_deref()?;
        next_link_number(last, number, builder.base_url()).ok()
    });
    let phase = match total {
        Some(last) if next == number + 1 && last >= next => Phase::Window(Window {
            builder,
            size,
            last,
            next_launch: next,
            next_yield: next,
            limit,
            in_flight: FuturesUnordered::new(),
            fetched: BTreeMap::new(),
            paused_until: None,
        }),
        _ => Phase::Sequential(builder.with_page(next, size).full_pages()),
    };
    Some((Ok(page), phase))
}

/// One page's request, and how it ended.
struct Fetched<T> {
    number: i64,
    /// How many times the page has been asked for, this time included.
    asked: u32,
    result: Result<Page<T>, Error>,
}

type Fetching<'a, T> = Pin<Box<dyn Future<Output = Fetched<T>> + Send + 'a>>;

/// The pages after the first: at most `limit` in flight or fetched and not yet yielded.
struct Window<'a, P: Paginate<'a>> {
    builder: P,
    size: i64,
    /// The last page to yield: the first page's total, or an earlier page that failed or came
    /// back empty.
    last: i64,
    next_launch: i64,
    next_yield: i64,
    limit: usize,
    in_flight: FuturesUnordered<Fetching<'a, P::Item>>,
    fetched: BTreeMap<i64, Result<Page<P::Item>, Error>>,
    /// No page is launched before then (a 429's `Retry-After`).
    paused_until: Option<Instant>,
}

impl<'a, P: Paginate<'a>> Window<'a, P> {
    /// The next page in order; `None` after the last one, or after an empty one.
    async fn next(&mut self) -> Option<Result<Page<P::Item>, Error>> {
        loop {
            if let Some(result) = self.fetched.remove(&self.next_yield) {
                self.next_yield += 1;
                return match result {
                    Ok(page) if page.items.is_empty() => None,
                    result => Some(result),
                };
            }
            if self.next_yield > self.last {
                return None;
            }
            let paused = self.paused_until.filter(|&until| until > Instant::now());
            if paused.is_none() {
                while self.next_launch <= self.last
                    && self.in_flight.len() + self.fetched.len() < self.limit
                {
                    self.launch(self.next_launch, 0, None);
                    self.next_launch += 1;
                }
            }
            let fetched = match paused {
                None => self.in_flight.next().await,
                // Wakes at the end of the pause too, to launch what waited for it.
                Some(until) => {
                    let pause = std::pin::pin!(tokio::time::sleep_until(until));
                    match future::select(self.in_flight.next(), pause).await {
                        Either::Left((fetched, _)) => fetched,
                        Either::Right(_) => continue,
                    }
                }
            };
            // Every page launched and not yielded is in flight or fetched; none is in flight
            // only if the page to yield was never launched, which the loop above rules out.
            let Fetched {
                number,
                asked,
                result,
            } = fetched?;
            match result {
                Err(e) => match e.retry_after() {
                    Some(wait) if e.is_rate_limited() && asked <= RATE_LIMITED_RETRIES => {
                        let until = Instant::now() + wait;
                        let until = self.paused_until.map_or(until, |t| t.max(until));
                        self.paused_until = Some(until);
                        self.launch(number, asked, Some(until));
                    }
                    _ => {
                        self.last = self.last.min(number);
                        self.fetched.insert(number, Err(e));
                    }
                },
                Ok(page) => {
                    if page.items.is_empty() {
                        self.last = self.last.min(number);
                    }
                    self.fetched.insert(number, Ok(page));
                }
            }
        }
    }

    /// Asks for page `number`, not before `not_before`.
    fn launch(&mut self, number: i64, asked: u32, not_before: Option<Instant>) {
        let request = self.builder.clone().with_page(number, self.size);
        self.in_flight.push(Box::pin(async move {
            if let Some(until) = not_before {
                tokio::time::sleep_until(until).await;
            }
            Fetched {
                number,
                asked: asked + 1,
                result: request.fetch().await,
            }
        }));
    }
}
