//! Writing responses: JSON on stdout, pretty on a terminal and compact when piped; nothing
//! for a success without a body; credential members redacted.

use std::io::{IsTerminal, Write};

use serde_json::Value;

use crate::failure::Failure;

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

/// Writes one line to stdout; a closed pipe (`| head`) ends the output quietly.
pub(crate) fn write_line(text: &str) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::other(format!("cannot write the output: {e}"))),
    }
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
