//! Writing responses: JSON on stdout, pretty on a terminal and compact when piped; nothing
//! for a success without a body; credential members redacted. `--format ndjson|table|csv`,
//! `--columns` and `--jq` choose another shape ([`Printer`]).

use std::io::{IsTerminal, Write};

use clap::{builder::PossibleValuesParser, Arg, ArgMatches, Command};
use serde_json::Value;

use crate::{
    failure::Failure,
    jq::{self, Jq},
    rows::Rows,
};

/// What a redacted credential reads as.
const REDACTED: &str = "[redacted]";

/// Prints `value` as the whole output: nothing for `null` (no body).
pub(crate) fn print(value: &Value) -> Result<(), Failure> {
    if value.is_null() {
        return Ok(());
    }
    let stdout = std::io::stdout();
    let text = if stdout.is_terminal() {
        serde_json::to_string_pretty(value)
    } else {
        serde_json::to_string(value)
    }
    .map_err(|e| Failure::other(format!("cannot encode the response: {e}")))?;
    write_line(&text)
}

/// The output flags, on every command.
pub(crate) fn flags(command: Command) -> Command {
    command
        .arg(
            Arg::new("format")
                .long("format")
                .global(true)
                .value_name("FORMAT")
                .value_parser(PossibleValuesParser::new([
                    "json", "ndjson", "table", "csv",
                ]))
                .help(
                    "json (default; one item per line with --all), ndjson (one item per line), \
                     table or csv (a list's items, one row each)",
                ),
        )
        .arg(
            Arg::new("columns")
                .long("columns")
                .global(true)
                .value_name("A,B,…")
                .value_delimiter(',')
                .help(
                    "The columns of --format table|csv: members of each item or of its \
                     attributes (default: id, name or title, email, status, created_at)",
                ),
        )
        .arg(
            Arg::new("jq")
                .long("jq")
                .global(true)
                .value_name("EXPR")
                .help(
                    "Filter the output with a jq expression (each item with --all); strings \
                     are printed raw",
                ),
        )
}

/// How a command's output is shaped, from `--format`, `--columns` and `--jq`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Json,
    Ndjson,
    Table,
    Csv,
}

/// Writes a command's output in the shape its flags ask for.
pub(crate) struct Printer {
    format: Format,
    jq: Option<Jq>,
    rows: Option<Rows>,
}

impl Printer {
    /// The printer the flags ask for; checked (the `--jq` compiled) before anything is sent.
    pub(crate) fn new(matches: &ArgMatches) -> Result<Self, Failure> {
        let format = match matches.get_one::<String>("format").map(String::as_str) {
            None | Some("json") => Format::Json,
            Some("ndjson") => Format::Ndjson,
            Some("table") => Format::Table,
            Some("csv") => Format::Csv,
            Some(other) => return Err(Failure::usage(format!("--format {other} is unknown"))),
        };
        let columns: Option<Vec<String>> = matches
            .get_many::<String>("columns")
            .map(|columns| columns.map(|c| c.trim().to_string()).collect());
        let tabular = matches!(format, Format::Table | Format::Csv);
        if let Some(columns) = &columns {
            if !tabular {
                return Err(Failure::usage(
                    "--columns chooses the columns of --format table or csv; add one of them",
                ));
            }
            if columns.iter().any(String::is_empty) {
                return Err(Failure::usage("--columns has an empty name"));
            }
        }
        let jq = match matches.get_one::<String>("jq") {
            Some(_) if tabular => {
                return Err(Failure::usage(
                    "--jq and --format table|csv do not combine: the jq expression shapes the output itself",
                ))
            }
            Some(code) => Some(Jq::compile(code)?),
            None => None,
        };
        let rows = tabular.then(|| Rows::new(format == Format::Csv, columns));
        Ok(Self { format, jq, rows })
    }

    /// Prints a whole response (`null`, no body, prints nothing).
    pub(crate) fn response(&mut self, value: &Value) -> Result<(), Failure> {
        if value.is_null() {
            return Ok(());
        }
        if let Some(jq) = &self.jq {
            return print_jq(jq.run(value)?);
        }
        match self.format {
            Format::Json => print(value),
            Format::Ndjson => match value.get("data") {
                Some(Value::Array(items)) => items.iter().try_for_each(line),
                _ => line(value),
            },
            Format::Table | Format::Csv => {
                let items = match value.get("data") {
                    Some(Value::Array(items)) => items.clone(),
                    Some(item @ Value::Object(_)) => vec![item.clone()],
                    _ => {
                        return Err(Failure::usage(
                            "--format table|csv shows a response's `data`, and this one has none; use --format json",
                        ))
                    }
                };
                for item in items {
                    self.item(item)?;
                }
                self.finish()
            }
        }
    }

    /// Prints one item of a list followed with `--all`.
    pub(crate) fn item(&mut self, item: Value) -> Result<(), Failure> {
        if let Some(jq) = &self.jq {
            return print_jq(jq.run(&item)?);
        }
        match &mut self.rows {
            Some(rows) => rows.push(item),
            None => line(&item),
        }
    }

    /// Ends the output: a table is printed once all its rows are known.
    pub(crate) fn finish(&mut self) -> Result<(), Failure> {
        match &mut self.rows {
            Some(rows) => rows.finish(),
            None => Ok(()),
        }
    }
}

fn line(value: &Value) -> Result<(), Failure> {
    write_line(&value.to_string())
}

fn print_jq(outputs: Vec<jq::Output>) -> Result<(), Failure> {
    for output in outputs {
        match output {
            jq::Output::Text(text) | jq::Output::Other(text) => write_line(&text)?,
            jq::Output::Json(value) => print(&value)?,
        }
    }
    Ok(())
}

/// Writes `text` as it is to stdout; a closed pipe (`| head`) ends the output quietly.
pub(crate) fn write(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::other(format!("cannot write the output: {e}"))),
    }
}

/// Writes one line to stdout; a closed pipe (`| head`) ends the output quietly.
pub(crate) fn write_line(text: &str) -> Result<(), Failure> {
    write(&format!("{text}\n"))
}

/// Replaces the string value of every member named in `names`, at any depth.
pub(crate) fn redact(value: &mut Value, names: &[&str]) {
    match value {
        Value::Object(map) => {
            for (key, member) in map.iter_mut() {
                if names.contains(&key.as_str()) && member.is_string() {
                    *member = Value::String(REDACTED.into());
                } else {
                    redact(member, names);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| redact(item, names)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn credentials_are_redacted_at_any_depth() {
        let mut value = json!({"access_token": "a", "n": [{"refresh_token": "r"}], "k": 1});
        super::redact(&mut value, &["access_token", "refresh_token"]);
        assert_eq!(
            value,
            json!({"access_token": "[redacted]", "n": [{"refresh_token": "[redacted]"}], "k": 1})
        );
    }
}
