//! Request and response media types: one per body, JSON of any flavour typed as JSON.

use serde_json::{Map, Value};

use super::downgrade::downgrade_schema;
use super::secrets::{mark_secrets, SECRET_FORM_PROPERTIES};
use super::{err, NormalizeError};

/// Body media types progenitor generates code for, besides JSON.
pub(super) const OTHER_BODY_TYPES: &[&str] = &[
    "application/x-www-form-urlencoded",
    "application/octet-stream",
    "text/plain",
];

/// Keeps the one media type of `content` the generator handles, renamed `application/json`
/// when it is JSON of any flavour, with its schema downgraded and, in a form, its credential
/// fields marked. Returns the media type as declared.
pub(super) fn retype_content(
    content: &mut Map<String, Value>,
    location: &str,
    what: &str,
) -> Result<String, NormalizeError> {
    let (media, mut media_object) = pick_media(content).ok_or_else(|| {
        err(
            location,
            format!(
                "{what} media types {:?} are not supported (JSON, form, octet-stream or text)",
                content.keys().collect::<Vec<_>>()
            ),
        )
    })?;
    if let Some(schema) = media_object.get_mut("schema") {
        downgrade_schema(schema, &format!("{location} {what}"))?;
        if media == "application/x-www-form-urlencoded" {
            mark_secrets(schema, SECRET_FORM_PROPERTIES);
        }
    }
    let generated = if is_json(&media) {
        "application/json".to_string()
    } else {
        media.clone()
    };
    content.clear();
    content.insert(generated, media_object);
    Ok(media)
}

pub(super) fn is_json(media: &str) -> bool {
    let essence = media.split(';').next().unwrap_or("").trim();
    essence == "application/json" || essence.ends_with("+json")
}

/// The one media type to generate for: JSON (of any flavour) first, then the others.
pub(super) fn pick_media(content: &Map<String, Value>) -> Option<(String, Value)> {
    content
        .iter()
        .find(|(media, _)| is_json(media))
        .or_else(|| {
            content
                .iter()
                .find(|(media, _)| OTHER_BODY_TYPES.contains(&media.as_str()))
        })
        .map(|(media, object)| (media.clone(), object.clone()))
}
