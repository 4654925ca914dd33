//! `--all` and `--limit N`: the list's items through the SDK's one paginator
//! ([`kajabi_api::Client::paginate_operation`]: `links.next`, then `meta.total_pages`, then
//! the short page), one JSON line per item as it arrives, stopping after `limit` items; a
//! progress line on stderr when stderr is a terminal. `--parallel N` walks it through the
//! SDK's concurrent pagination ([`kajabi_api::Paginate::concurrency`]).

use std::{io::IsTerminal, num::NonZeroUsize};

use clap::ArgMatches;
use futures::TryStreamExt;
use indicatif::ProgressBar;
use kajabi_api::{Client, Paginate, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use serde_json::{Map, Value};

use crate::{
    failure::Failure,
    output,
    request::{self, PAGE_SIZE},
    table::Command,
};

/// `--parallel N`: how many pages may be in flight at once, 1 when not given (clap has
/// checked N: `parser::pages_in_flight`).
pub(crate) fn parallel(matches: &ArgMatches) -> NonZeroUsize {
    // Only list commands have the flag.
    matches
        .try_get_one::<NonZeroUsize>("parallel")
        .ok()
        .flatten()
        .copied()
        .unwrap_or(NonZeroUsize::MIN)
}

/// Prints the items of `command`'s list from the page `params` name (default the first),
/// at most `limit` of them, with up to `parallel` pages in flight.
pub(crate) async fn follow(
    client: &Client,
    command: &Command,
    mut params: Map<String, Value>,
    limit: Option<u64>,
    parallel: NonZeroUsize,
    printer: &mut output::Printer,
) -> Result<(), Failure> {
    // `--limit 5` alone asks for pages of 5, not of 25.
    if let Some(limit) = limit.filter(|_| !params.contains_key(PAGE_SIZE)) {
        let size = i64::try_from(limit).map_or(MAX_PAGE_SIZE, |l| l.min(MAX_PAGE_SIZE));
        params.insert(PAGE_SIZE.into(), size.into());
    }
    let parallel = limit.map_or(parallel, |limit| within_limit(parallel, limit, &params));
    let progress = if std::io::stderr().is_terminal() {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::hidden()
    };
    let url = request::url(command, client.base_url(), &params);
    let mut items = client
        .paginate_operation(command.operation, params)
        .concurrency(parallel)
        .items();
    let mut printed = 0u64;
    while limit.is_none_or(|limit| printed < limit) {
        let Some(mut item) = items.try_next().await.map_err(|e| {
            progress.finish_and_clear();
            Failure::from_call(e, command, &url)
        })?
        else {
            break;
        };
        output::redact(&mut item, command.secret_members);
        printer.item(item)?;
        printed += 1;
        progress.set_message(format!("{printed} items"));
        progress.tick();
    }
    progress.finish_and_clear();
    Ok(())
}

/// `parallel`, narrowed to the pages after the first that `limit` items fill at the page size
/// `params` ask for: a wider window would send requests whose items are never printed.
fn within_limit(parallel: NonZeroUsize, limit: u64, params: &Map<String, Value>) -> NonZeroUsize {
    let size = params
        .get(PAGE_SIZE)
        .and_then(Value::as_i64)
        .unwrap_or(DEFAULT_PAGE_SIZE)
        .clamp(1, MAX_PAGE_SIZE)
        .unsigned_abs();
    let later = usize::try_from(limit.div_ceil(size).saturating_sub(1)).unwrap_or(usize::MAX);
    NonZeroUsize::new(later.min(parallel.get())).unwrap_or(NonZeroUsize::MIN)
}
