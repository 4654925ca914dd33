//! `--all` and `--limit N`: the list's items through the SDK's one paginator
//! ([`kajabi_api::Client::paginate_operation`]: `links.next`, then `meta.total_pages`, then
//! the short page), one JSON line per item as it arrives, stopping after `limit` items; a
//! progress line on stderr when stderr is a terminal.

use std::io::IsTerminal;

use futures::TryStreamExt;
use indicatif::ProgressBar;
use kajabi_api::{Client, Paginate, MAX_PAGE_SIZE};
use serde_json::{Map, Value};

use crate::{
    failure::Failure,
    output,
    request::{self, PAGE_SIZE},
    table::Command,
};

/// Prints the items of `command`'s list from the page `params` name (default the first),
/// at most `limit` of them.
pub(crate) async fn follow(
    client: &Client,
    command: &Command,
    mut params: Map<String, Value>,
    limit: Option<u64>,
    printer: &mut output::Printer,
) -> Result<(), Failure> {
    // `--limit 5` alone asks for pages of 5, not of 25.
    if let Some(limit) = limit.filter(|_| !params.contains_key(PAGE_SIZE)) {
        let size = i64::try_from(limit).map_or(MAX_PAGE_SIZE, |l| l.min(MAX_PAGE_SIZE));
        params.insert(PAGE_SIZE.into(), size.into());
    }
    let progress = if std::io::stderr().is_terminal() {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::hidden()
    };
    let url = request::url(command, client.base_url(), &params);
    let mut items = client.paginate_operation(command.operation, params).items();
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
