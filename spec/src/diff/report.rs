//! The report `cargo xtask sync-spec` prints: [`ApiDiff`]'s `Display` and summary line.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::Value;

use super::{
    ApiDiff, Changed, Endpoint, OperationChange, Parameter, ParameterChange, Payload,
    PayloadChange, SchemaChange,
};

/// How much of a JSON value the report shows inline.
const MAX_VALUE_CHARS: usize = 100;

/// How many differences the report lists per schema before it summarizes the rest.
pub(super) const MAX_DIFFERENCES: usize = 8;

impl ApiDiff {
    /// Whether the two documents give callers the same API, version included.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.added.is_empty()
            && self.removed.is_empty()
            && self.changed.is_empty()
            && self.schemas.is_empty()
            && self.old_version == self.new_version
    }

    /// The one-line summary that ends the report, e.g.
    /// `summary: 2 operations added, 1 removed, 3 changed; version 1.0.1 -> 1.1.0`.
    #[must_use]
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "summary: no API changes".to_string();
        }
        let mut parts = Vec::new();
        if self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty() {
            parts.push("no operation changes".to_string());
        } else {
            parts.push(format!(
                "{} added, {} removed, {} changed",
                count(self.added.len(), "operation"),
                self.removed.len(),
                self.changed.len()
            ));
        }
        if !self.schemas.is_empty() {
            let (mut added, mut removed, mut changed) = (0, 0, 0);
            for schema in &self.schemas {
                match (&schema.old, &schema.new) {
                    (None, _) => added += 1,
                    (_, None) => removed += 1,
                    _ => changed += 1,
                }
            }
            parts.push(format!(
                "component schemas: {added} added, {removed} removed, {changed} changed"
            ));
        }
        if self.old_version != self.new_version {
            parts.push(format!(
                "version {} -> {}",
                or_none(self.old_version.as_deref()),
                or_none(self.new_version.as_deref())
            ));
        }
        format!("summary: {}", parts.join("; "))
    }
}

impl fmt::Display for ApiDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.added.is_empty() {
            writeln!(f, "operations added ({}):", self.added.len())?;
            for op in &self.added {
                writeln!(f, "  + {op}")?;
            }
        }
        if !self.removed.is_empty() {
            writeln!(f, "operations removed ({}):", self.removed.len())?;
            for op in &self.removed {
                writeln!(f, "  - {op}")?;
            }
        }
        if !self.changed.is_empty() {
            writeln!(f, "operations changed ({}):", self.changed.len())?;
            for op in &self.changed {
                write!(f, "{op}")?;
            }
        }
        if !self.schemas.is_empty() {
            writeln!(f, "component schemas changed ({}):", self.schemas.len())?;
            for schema in &self.schemas {
                write!(f, "{schema}")?;
            }
        }
        if self.old_version != self.new_version {
            writeln!(
                f,
                "version: {} -> {}",
                or_none(self.old_version.as_deref()),
                or_none(self.new_version.as_deref())
            )?;
        }
        writeln!(f, "{}", self.summary())
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ({})", self.method, self.path, self.name)
    }
}

impl fmt::Display for OperationChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "  ~ {}", self.endpoint)?;
        if let Some(Changed { old, new }) = &self.moved {
            writeln!(f, "      moved: {old} -> {new}")?;
        }
        if let Some(Changed { old, new }) = &self.renamed {
            writeln!(f, "      SDK method renamed: {old} -> {new}")?;
        }
        for parameter in &self.parameters {
            writeln!(f, "      {parameter}")?;
        }
        for payload in &self.payloads {
            write!(f, "{payload}")?;
        }
        if let Some(Changed { old, new }) = &self.request_media {
            writeln!(
                f,
                "      request media type: {} -> {}",
                or_none(old.as_deref()),
                or_none(new.as_deref())
            )?;
        }
        if let Some(Changed { old, new }) = &self.response_media {
            writeln!(
                f,
                "      response media type: {} -> {}",
                or_none(old.as_deref()),
                or_none(new.as_deref())
            )?;
        }
        if let Some(Changed { new, .. }) = &self.secured {
            let now = if *new {
                "now requires a bearer token"
            } else {
                "no longer requires a bearer token"
            };
            writeln!(f, "      security: {now}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Parameter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let required = if self.required {
            "required"
        } else {
            "optional"
        };
        write!(
            f,
            "`{}` ({}, {required}, schema {})",
            self.name,
            self.location,
            brief(&self.schema)
        )
    }
}

impl fmt::Display for ParameterChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParameterChange::Added(p) => write!(f, "parameter added: {p}"),
            ParameterChange::Removed(p) => write!(f, "parameter removed: {p}"),
            ParameterChange::Changed(Changed { old, new }) => {
                write!(f, "parameter changed: `{}` ({})", new.name, new.location)?;
                if old.required != new.required {
                    write!(f, "; required {} -> {}", old.required, new.required)?;
                }
                if old.schema != new.schema {
                    write!(
                        f,
                        "; schema {} -> {}",
                        brief(&old.schema),
                        brief(&new.schema)
                    )?;
                }
                Ok(())
            }
        }
    }
}

impl fmt::Display for PayloadChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.old, &self.new) {
            (Payload::Schema(old), Payload::Schema(new)) => {
                writeln!(f, "      {} schema changed:", self.subject)?;
                write_differences(f, old, new, "        ")
            }
            (old, new) => writeln!(f, "      {}: {} -> {}", self.subject, old, new),
        }
    }
}

impl fmt::Display for Payload {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Payload::Absent => f.write_str("not declared"),
            Payload::Empty => f.write_str("no body"),
            Payload::Schema(schema) => write!(f, "schema {}", brief(schema)),
        }
    }
}

impl fmt::Display for SchemaChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.old, &self.new) {
            (Some(old), Some(new)) => {
                writeln!(f, "  ~ {}", self.name)?;
                write_differences(f, old, new, "      ")
            }
            (None, _) => writeln!(f, "  + {} (added)", self.name),
            (_, None) => writeln!(f, "  - {} (removed)", self.name),
        }
    }
}

/// Lists where two schemas differ, as JSON-pointer-like paths, at most [`MAX_DIFFERENCES`].
fn write_differences(
    f: &mut fmt::Formatter<'_>,
    old: &Value,
    new: &Value,
    indent: &str,
) -> fmt::Result {
    let mut found = Vec::new();
    differences(old, new, "", &mut found);
    for line in found.iter().take(MAX_DIFFERENCES) {
        writeln!(f, "{indent}{line}")?;
    }
    if found.len() > MAX_DIFFERENCES {
        writeln!(f, "{indent}... and {} more", found.len() - MAX_DIFFERENCES)?;
    }
    Ok(())
}

fn differences(old: &Value, new: &Value, path: &str, found: &mut Vec<String>) {
    match (old, new) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for key in keys {
                let here = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => differences(x, y, &here, found),
                    (None, Some(y)) => found.push(format!("{here}: added {}", brief(y))),
                    (Some(x), None) => found.push(format!("{here}: removed {}", brief(x))),
                    (None, None) => {}
                }
            }
        }
        (a, b) if a != b => {
            let at = if path.is_empty() { "/" } else { path };
            found.push(format!("{at}: {} -> {}", brief(a), brief(b)));
        }
        _ => {}
    }
}

/// Compact JSON, shortened to [`MAX_VALUE_CHARS`] characters.
fn brief(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() <= MAX_VALUE_CHARS {
        return text;
    }
    let cut: String = text.chars().take(MAX_VALUE_CHARS).collect();
    format!("{cut}...")
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

fn or_none(value: Option<&str>) -> &str {
    value.unwrap_or("(none)")
}
