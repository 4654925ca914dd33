//! `--format table|csv`: a list's items as rows. A column is a member of the item (`id`,
//! `type`) or of its `attributes` (`name`); `a.b` reaches into an object. CSV follows RFC
//! 4180 (CRLF, fields quoted when needed) and is written as the items arrive; a table waits
//! for all its rows to size its columns. A nested value is written as JSON, a missing member
//! as an empty cell.

use serde_json::Value;

use crate::{failure::Failure, output};

/// The columns shown when `--columns` is not given, those present in the items: `id`, the
/// first of `name`/`title`, then `email`, `status`, `created_at`.
const DEFAULT: &[&[&str]] = &[
    &["id"],
    &["name", "title"],
    &["email"],
    &["status"],
    &["created_at"],
];

/// The longest cell of a table, in characters; longer text ends with `…`.
const WIDEST: usize = 60;

pub(crate) struct Rows {
    csv: bool,
    /// Chosen by `--columns`, else from the first items.
    columns: Option<Vec<String>>,
    /// Whether the CSV header is out.
    header: bool,
    /// A table's rows, until [`Rows::finish`]; unused for CSV.
    pending: Vec<Value>,
}

impl Rows {
    pub(crate) fn new(csv: bool, columns: Option<Vec<String>>) -> Self {
        Self {
            csv,
            columns,
            header: false,
            pending: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, item: Value) -> Result<(), Failure> {
        if !self.csv {
            self.pending.push(item);
            return Ok(());
        }
        if !self.header {
            // The first item decides (or checks) the columns.
            let columns = self.columns(std::slice::from_ref(&item))?;
            output::write(&csv_record(columns.iter().map(String::as_str)))?;
            self.columns = Some(columns);
            self.header = true;
        }
        let columns = self.columns.as_deref().unwrap_or_default();
        let cells: Vec<String> = columns.iter().map(|c| cell(&item, c)).collect();
        output::write(&csv_record(cells.iter().map(String::as_str)))
    }

    pub(crate) fn finish(&mut self) -> Result<(), Failure> {
        if self.csv || self.pending.is_empty() {
            return Ok(());
        }
        let items = std::mem::take(&mut self.pending);
        let columns = self.columns(&items)?;
        let mut table: Vec<Vec<String>> = vec![columns.clone()];
        table.extend(
            items
                .iter()
                .map(|item| columns.iter().map(|c| table_cell(&cell(item, c))).collect()),
        );
        let widths: Vec<usize> = (0..columns.len())
            .map(|i| {
                table
                    .iter()
                    .map(|row| row[i].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut text = String::new();
        for row in &table {
            let last = row.len().saturating_sub(1);
            for (i, cell) in row.iter().enumerate() {
                text.push_str(cell);
                if i < last {
                    let pad = widths[i] - cell.chars().count() + 2;
                    text.extend(std::iter::repeat_n(' ', pad));
                }
            }
            text.push('\n');
        }
        output::write(&text)
    }

    /// The columns for `items`: `--columns`, each of which must name a member of some item,
    /// else the default ones present.
    fn columns(&self, items: &[Value]) -> Result<Vec<String>, Failure> {
        if let Some(columns) = &self.columns {
            if let Some(missing) = columns
                .iter()
                .find(|c| !items.iter().any(|item| lookup(item, c).is_some()))
            {
                return Err(Failure::usage(format!(
                    "--columns: no item has a member `{missing}`; the items have: {}",
                    members(items.first()).join(", ")
                )));
            }
            return Ok(columns.clone());
        }
        let present = |name: &&&str| items.iter().any(|item| lookup(item, name).is_some());
        let chosen: Vec<String> = DEFAULT
            .iter()
            .filter_map(|choices| choices.iter().find(present))
            .map(|name| name.to_string())
            .collect();
        if chosen.is_empty() {
            // Not a JSON:API resource: every member of the first item.
            return Ok(members(items.first()));
        }
        Ok(chosen)
    }
}

/// The member `column` of `item` or of its `attributes`; `a.b` reaches into objects.
fn lookup<'a>(item: &'a Value, column: &str) -> Option<&'a Value> {
    let mut path = column.split('.');
    let first = path.next()?;
    let start = item
        .get(first)
        .or_else(|| item.get("attributes").and_then(|a| a.get(first)))?;
    path.try_fold(start, |value, member| value.get(member))
}

/// The names a column can take in `item`: its members but `attributes`, then its attributes.
fn members(item: Option<&Value>) -> Vec<String> {
    let Some(Value::Object(map)) = item else {
        return Vec::new();
    };
    let mut names: Vec<String> = map.keys().filter(|k| *k != "attributes").cloned().collect();
    if let Some(Value::Object(attributes)) = map.get("attributes") {
        names.extend(attributes.keys().cloned());
    }
    names
}

/// A cell's text: a string as it is, `null` or a missing member empty, anything else JSON.
fn cell(item: &Value, column: &str) -> String {
    match lookup(item, column) {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(text)) => text.clone(),
        Some(other) => other.to_string(),
    }
}

/// A table cell on one line, cut at [`WIDEST`] characters.
fn table_cell(text: &str) -> String {
    let one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if one_line.chars().count() <= WIDEST {
        return one_line;
    }
    let mut cut: String = one_line.chars().take(WIDEST - 1).collect();
    cut.push('…');
    cut
}

/// One CSV record (RFC 4180): fields with a comma, a quote or a line break quoted, quotes
/// doubled, CRLF at the end.
fn csv_record<'a>(fields: impl Iterator<Item = &'a str>) -> String {
    let fields: Vec<String> = fields
        .map(|field| {
            if field.contains([',', '"', '\r', '\n']) {
                format!("\"{}\"", field.replace('"', "\"\""))
            } else {
                field.to_string()
            }
        })
        .collect();
    format!("{}\r\n", fields.join(","))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    #[test]
    fn csv_quotes_what_rfc_4180_asks_to() {
        assert_eq!(
            super::csv_record(["a", "b,c", "say \"hi\"", "x\ny", ""].into_iter()),
            "a,\"b,c\",\"say \"\"hi\"\"\",\"x\ny\",\r\n"
        );
    }

    #[test]
    fn cells_come_from_the_item_or_its_attributes() {
        let item = json!({"id": "9", "attributes": {"name": "Ada", "tags": [1], "meta": {"a": 2}}});
        assert_eq!(super::cell(&item, "id"), "9");
        assert_eq!(super::cell(&item, "name"), "Ada");
        assert_eq!(super::cell(&item, "tags"), "[1]");
        assert_eq!(super::cell(&item, "meta.a"), "2");
        assert_eq!(super::cell(&item, "email"), "");
    }
}
