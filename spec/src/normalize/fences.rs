//! Descriptions as rustdoc: bare code fences marked `text`.

use serde_json::Value;

/// Marks every bare code fence in every `description` as `text`.
pub(super) fn label_code_fences(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, inner) in map.iter_mut() {
                match inner {
                    Value::String(text) if key == "description" && text.contains("```") => {
                        *text = label_fences_in(text);
                    }
                    _ => label_code_fences(inner),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(label_code_fences),
        _ => {}
    }
}

pub(super) fn label_fences_in(text: &str) -> String {
    let mut open = false;
    let mut out: Vec<String> = Vec::new();
    for line in text.split('\n') {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            if !open && info.trim().is_empty() {
                out.push(format!("{}```text", &line[..line.len() - trimmed.len()]));
                open = true;
                continue;
            }
            open = !open;
        }
        out.push(line.to_string());
    }
    out.join("\n")
}
