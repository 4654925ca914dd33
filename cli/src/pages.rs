//! `--all`: follows `page[number]` from the first page (or the one given) until a short or
//! empty page, writing each item as one JSON line as it arrives, with a progress line on
//! stderr when stderr is a terminal.

use std::io::IsTerminal;

use indicatif::ProgressBar;
use kajabi_api::Client;
use serde_json::{json, Map, Value};

use crate::{failure::Failure, output, table::Command};

const PAGE_NUMBER: &str = "page[number]";
const PAGE_SIZE: &str = "page[size]";

pub(crate) async fn follow(
    client: &Client,
    command: &Command,
    mut params: Map<String, Value>,
    printer: &mut output::Printer,
) -> Result<(), Failure> {
    let size = params
        .get(PAGE_SIZE)
        .and_then(Value::as_u64)
        .unwrap_or(kajabi_api::DEFAULT_PAGE_SIZE.unsigned_abs())
        .max(1);
    let mut number = params.get(PAGE_NUMBER).and_then(Value::as_u64).unwrap_or(1);
    params.insert(PAGE_SIZE.into(), json!(size));
    let progress = if std::io::stderr().is_terminal() {
        ProgressBar::new_spinner()
    } else {
        ProgressBar::hidden()
    };
    let mut items = 0u64;
    loop {
        params.insert(PAGE_NUMBER.into(), json!(number));
        progress.set_message(format!("page {number}, {items} items"));
        progress.tick();
        let mut page = client
            .call_operation(command.operation, &params, None)
            .await?;
        output::redact(&mut page, command.secret_members);
        // The typed page leaves out an empty `data`.
        let data = match page.get_mut("data").map(Value::take) {
            Some(Value::Array(data)) => data,
            None | Some(Value::Null) if page.is_object() => Vec::new(),
            _ => {
                progress.finish_and_clear();
                return Err(Failure::other(format!(
                    "page {number} of {} has no `data` array",
                    command.operation
                )));
            }
        };
        let count = data.len() as u64;
        for item in data {
            printer.item(item)?;
        }
        items += count;
        if count < size {
            break;
        }
        number += 1;
    }
    progress.finish_and_clear();
    Ok(())
}
