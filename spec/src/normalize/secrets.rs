//! Credential-holding string properties, tagged so that the generator redacts them.

use serde_json::{json, Value};

/// The `format` given to string properties that carry credentials.
pub const SECRET_FORMAT: &str = "kajabi-secret";

/// Property names that hold a credential anywhere in the document.
pub(super) const SECRET_PROPERTIES: &[&str] =
    &["access_token", "refresh_token", "client_secret", "password"];

/// In form bodies (the OAuth endpoints) `token` is a credential too; in JSON:API bodies it is
/// not (an offer's `token` is its public checkout id).
pub(super) const SECRET_FORM_PROPERTIES: &[&str] = &["token"];

pub(super) fn mark_secrets(schema: &mut Value, names: &[&str]) {
    if let Some(Value::Object(props)) = schema.get_mut("properties") {
        for (name, inner) in props.iter_mut() {
            if names.contains(&name.as_str()) {
                mark_secret(inner);
            }
        }
    }
}

/// Tags a plain string schema as a secret; nullable or constrained strings are left alone, so
/// that the generator's exact-match conversion only ever sees `{type: string, format: ...}`.
pub(super) fn mark_secret(schema: &mut Value) {
    if let Some(map) = schema.as_object_mut() {
        let plain = map.get("type") == Some(&json!("string"))
            && map.keys().all(|k| {
                [
                    "type",
                    "description",
                    "title",
                    "example",
                    "readOnly",
                    "writeOnly",
                ]
                .contains(&k.as_str())
            });
        if plain {
            map.insert("format".into(), json!(SECRET_FORMAT));
        }
    }
}
