//! Matching a request's method and path against the spec's path templates.
//!
//! Routing is generic: every template in the spec (`/v1/contacts/{id}`) becomes a list of
//! literal and parameter segments, so an operation added to the spec is served without code
//! changes. When several templates match a path, the one with more literal segments wins,
//! segment by segment from the left (`/v1/hooks/tag_added_sample` beats `/v1/hooks/{id}`).
//! A path no template matches is [`Match::NotFound`]; a path some template matches, but
//! not with this method, is [`Match::MethodNotAllowed`].

use percent_encoding::percent_decode_str;

/// Path parameters by the spec's name, in template order.
pub(crate) type Params = Vec<(String, String)>;

/// One segment of a path template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    /// Must equal the request's segment.
    Literal(String),
    /// Matches any non-empty segment; the name is the spec's parameter name.
    Param(String),
}

/// A parsed path template, e.g. `/v1/contacts/{id}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Template {
    segments: Vec<Segment>,
}

impl Template {
    /// Parses a spec path template.
    pub(crate) fn parse(path: &str) -> Template {
        let segments = path
            .split('/')
            .skip(1)
            .map(
                |s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                    Some(name) => Segment::Param(name.to_string()),
                    None => Segment::Literal(s.to_string()),
                },
            )
            .collect();
        Template { segments }
    }

    /// The path parameters if `segments` (a request path split on `/`, without the leading
    /// empty segment) fits this template.
    pub(crate) fn matches(&self, segments: &[&str]) -> Option<Params> {
        if segments.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (template, actual) in self.segments.iter().zip(segments) {
            match template {
                Segment::Literal(literal) if literal == actual => {}
                Segment::Param(name) if !actual.is_empty() => {
                    let value = percent_decode_str(actual).decode_utf8_lossy().into_owned();
                    params.push((name.clone(), value));
                }
                _ => return None,
            }
        }
        Some(params)
    }

    /// Per segment, whether it is literal: the sort key for "most specific first".
    fn specificity(&self) -> Vec<bool> {
        self.segments
            .iter()
            .map(|s| matches!(s, Segment::Literal(_)))
            .collect()
    }
}

/// What a request resolved to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Match {
    /// The index of the route, and the path parameters by name.
    Found(usize, Params),
    /// The path exists, with these methods only (every method any fitting template has).
    MethodNotAllowed(Vec<String>),
    /// No template fits the path.
    NotFound,
}

/// The routing table: one entry per operation, in the spec's order.
#[derive(Debug, Default)]
pub(crate) struct Table {
    entries: Vec<(String, Template)>,
}

impl Table {
    /// Adds an operation's `method` (upper case) and path template; returns its index.
    pub(crate) fn add(&mut self, method: &str, path: &str) -> usize {
        self.entries
            .push((method.to_ascii_uppercase(), Template::parse(path)));
        self.entries.len() - 1
    }

    /// Resolves `method` and `path` (the request path, without query). `HEAD` is served by
    /// the `GET` operation, as HTTP allows.
    pub(crate) fn find(&self, method: &str, path: &str) -> Match {
        let segments: Vec<&str> = match path.strip_prefix('/') {
            Some(rest) => rest.split('/').collect(),
            None => return Match::NotFound,
        };
        let method = if method == "HEAD" { "GET" } else { method };
        let mut found: Option<(usize, &Template, Params)> = None;
        let mut allowed = Vec::new();
        for (index, (entry_method, template)) in self.entries.iter().enumerate() {
            let Some(params) = template.matches(&segments) else {
                continue;
            };
            if entry_method != method {
                allowed.push(entry_method.clone());
                continue;
            }
            let better = found
                .as_ref()
                .is_none_or(|(_, best, _)| template.specificity() > best.specificity());
            if better {
                found = Some((index, template, params));
            }
        }
        if let Some((index, _, params)) = found {
            return Match::Found(index, params);
        }
        if allowed.is_empty() {
            return Match::NotFound;
        }
        let mut methods: Vec<String> = Vec::new();
        for method in allowed {
            if !methods.contains(&method) {
                methods.push(method);
            }
        }
        Match::MethodNotAllowed(methods)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> Table {
        let mut table = Table::default();
        table.add("GET", "/v1/hooks");
        table.add("GET", "/v1/hooks/{id}");
        table.add("DELETE", "/v1/hooks/{id}");
        table.add("GET", "/v1/hooks/tag_added_sample");
        table.add("POST", "/v1/contacts/{contact_id}/relationships/tags");
        table
    }

    #[test]
    fn literal_segments_beat_parameters() {
        let table = table();
        assert_eq!(
            table.find("GET", "/v1/hooks/tag_added_sample"),
            Match::Found(3, vec![])
        );
        assert_eq!(
            table.find("GET", "/v1/hooks/42"),
            Match::Found(1, vec![("id".into(), "42".into())])
        );
        assert_eq!(
            table.find("DELETE", "/v1/hooks/tag_added_sample"),
            Match::Found(2, vec![("id".into(), "tag_added_sample".into())])
        );
    }

    #[test]
    fn parameters_are_percent_decoded() {
        assert_eq!(
            table().find("POST", "/v1/contacts/a%20b/relationships/tags"),
            Match::Found(4, vec![("contact_id".into(), "a b".into())])
        );
    }

    #[test]
    fn unknown_paths_and_wrong_methods() {
        let table = table();
        assert_eq!(table.find("GET", "/v1/nothing"), Match::NotFound);
        assert_eq!(table.find("GET", "/v1/hooks/"), Match::NotFound);
        assert_eq!(table.find("GET", "v1/hooks"), Match::NotFound);
        assert_eq!(
            table.find("POST", "/v1/hooks/7"),
            Match::MethodNotAllowed(vec!["GET".into(), "DELETE".into()])
        );
        assert_eq!(table.find("HEAD", "/v1/hooks"), Match::Found(0, vec![]));
        assert_eq!(
            table.find("POST", "/v1/hooks/tag_added_sample"),
            Match::MethodNotAllowed(vec!["GET".into(), "DELETE".into()])
        );
    }
}
