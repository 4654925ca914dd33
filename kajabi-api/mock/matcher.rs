//! Which requests a typed mock answers: its operation's method and path template, narrowed by
//! the typed parameters and body its `When` was given.

use httpmock::HttpMockRequest;
use serde::Serialize;
use serde_json::Value;

use super::Spec;

/// A further condition on httpmock's own `When`.
type Raw = Box<dyn FnOnce(httpmock::When) -> httpmock::When>;

/// The conditions a `When` collected.
#[derive(Default)]
pub(crate) struct Matcher {
    /// `(name, value)` of the path parameters set.
    path: Vec<(&'static str, String)>,
    /// `(name, value)` of the query parameters set, one pair per value.
    query: Vec<(&'static str, String)>,
    /// The request body, as data.
    body: Option<Value>,
    raw: Vec<Raw>,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("path", &self.path)
            .field("query", &self.query)
            // Not the body: a token request's carries credentials.
            .field("body", &self.body.is_some())
            .field("raw", &self.raw.len())
            .finish()
    }
}

impl Matcher {
    /// Only requests whose path parameter `name` is `value`.
    pub(crate) fn path<T: Serialize>(&mut self, name: &'static str, value: &T) {
        if let Some(value) = wire_values(value).into_iter().next() {
            self.path.push((name, value));
        }
    }

    /// Only requests whose query parameter `name` is `value` (each value, for an array).
    pub(crate) fn query<T: Serialize>(&mut self, name: &'static str, value: &T) {
        for value in wire_values(value) {
            self.query.push((name, value));
        }
    }

    /// Only requests whose body is `value`, as data.
    pub(crate) fn body<T: Serialize>(&mut self, spec: &Spec, value: &T) {
        let value = serde_json::to_value(value).unwrap_or(Value::Null);
        self.body = Some(if is_form(spec) {
            // A form carries strings only: compare it as such.
            form_pairs_of(&value)
        } else {
            value
        });
    }

    /// Any further condition on httpmock's `When`.
    pub(crate) fn raw(&mut self, condition: Raw) {
        self.raw.push(condition);
    }

    /// The conditions, on httpmock's `When`.
    pub(crate) fn apply(self, spec: &'static Spec, when: httpmock::When) -> httpmock::When {
        let Matcher {
            path,
            query,
            body,
            raw,
        } = self;
        let mut when = when
            .method(spec.method)
            .is_true(move |request: &HttpMockRequest| {
                path_matches(spec.path, &path, request.uri().path())
            });
        for (name, value) in query {
            when = when.query_param(name, value);
        }
        if let Some(expected) = body {
            when = when.is_true(move |request: &HttpMockRequest| {
                let bytes = request.body_ref();
                let received = if is_form(spec) {
                    Some(form_pairs(bytes))
                } else {
                    serde_json::from_slice::<Value>(bytes).ok()
                };
                received.as_ref() == Some(&expected)
            });
        }
        raw.into_iter()
            .fold(when, |when, condition| condition(when))
    }
}

fn is_form(spec: &Spec) -> bool {
    spec.request_media == Some("application/x-www-form-urlencoded")
}

/// A value as the strings it is sent as: a string as itself, a number or boolean as its
/// JSON text, an array as its items, `null` as nothing.
fn wire_values<T: Serialize>(value: &T) -> Vec<String> {
    fn one(value: &Value) -> Option<String> {
        match value {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }
    match serde_json::to_value(value) {
        Ok(Value::Array(items)) => items.iter().filter_map(one).collect(),
        Ok(value) => one(&value).into_iter().collect(),
        Err(_) => Vec::new(),
    }
}

/// Whether the raw `path` of a request fills `template` (`/v1/contacts/{id}`), with the
/// parameters in `params` (decoded values) as given and the others anything but empty.
fn path_matches(template: &str, params: &[(&str, String)], path: &str) -> bool {
    let mut segments = path.split('/');
    for expected in template.split('/') {
        let Some(segment) = segments.next() else {
            return false;
        };
        match expected
            .strip_prefix('{')
            .and_then(|name| name.strip_suffix('}'))
        {
            Some(name) => {
                if segment.is_empty() {
                    return false;
                }
                let decoded = percent_encoding::percent_decode_str(segment).decode_utf8_lossy();
                let wrong = params
                    .iter()
                    .any(|(param, value)| *param == name && *value != decoded);
                if wrong {
                    return false;
                }
            }
            None if segment != expected => return false,
            None => {}
        }
    }
    segments.next().is_none()
}

/// A form body as a JSON object of strings (sorted keys), the way [`form_pairs_of`] writes a
/// value.
fn form_pairs(bytes: &[u8]) -> Value {
    Value::Object(
        form_urlencoded::parse(bytes)
            .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
            .collect(),
    )
}

/// The members of a value as a form sends them: strings, `null`s left out.
fn form_pairs_of(value: &Value) -> Value {
    let Value::Object(members) = value else {
        return value.clone();
    };
    Value::Object(
        members
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), Value::String(text))
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::path_matches;

    #[test]
    fn a_path_fills_its_template() {
        let id = [("id", "a/ä".to_string())];
        assert!(path_matches("/v1/contacts/{id}", &[], "/v1/contacts/7"));
        assert!(path_matches(
            "/v1/contacts/{id}",
            &id,
            "/v1/contacts/a%2F%C3%A4"
        ));
        assert!(!path_matches("/v1/contacts/{id}", &id, "/v1/contacts/7"));
        assert!(!path_matches("/v1/contacts/{id}", &[], "/v1/contacts/"));
        assert!(!path_matches(
            "/v1/contacts/{id}",
            &[],
            "/v1/contacts/7/tags"
        ));
        assert!(!path_matches("/v1/contacts/{id}", &[], "/v1/contacts"));
        assert!(!path_matches("/v1/contacts", &[], "/v1/offers"));
    }
}
