//! `--verbose`: one line on stderr per HTTP request the SDK sends (token requests included),
//! rendered from its attempt spans, named by OpenTelemetry's HTTP conventions:
//! `http.request.method`, `url.full`, `http.response.status_code`,
//! `http.request.resend_count`, `error.type`, and the request id (the response's
//! `x-request-id`). `-vv` adds the headers the SDK reports in its DEBUG events of target
//! `kajabi_api::headers` inside the span (`http.request.header.NAME`,
//! `http.response.header.NAME`), or that the span records itself. Credentials never
//! show: `Authorization`, cookies and any header or query parameter named like a credential
//! read `[redacted]`, and a URL's user info is dropped.

use std::{fmt::Write as _, io::Write, sync::Mutex, time::Instant};

use tracing::{
    field::{Field, Visit},
    span::{Attributes, Id, Record},
    Event, Subscriber,
};
use tracing_subscriber::{layer::Context, registry::LookupSpan, Layer};

/// The field that marks a span as one HTTP attempt.
const METHOD: &str = "http.request.method";
const REQUEST_HEADER: &str = "http.request.header.";
const RESPONSE_HEADER: &str = "http.response.header.";
const REDACTED: &str = "[redacted]";
/// The target of the SDK's events that carry an attempt's headers.
const HEADERS: &str = "kajabi_api::headers";

/// The layer that writes the lines.
pub(crate) struct Lines<W> {
    headers: bool,
    out: Mutex<W>,
}

impl<W: Write> Lines<W> {
    /// Lines to `out`; with `headers` (`-vv`), the recorded headers under each.
    pub(crate) fn new(headers: bool, out: W) -> Self {
        Self {
            headers,
            out: Mutex::new(out),
        }
    }
}

/// An attempt span's fields as recorded so far, and when it opened.
struct Attempt {
    opened: Instant,
    fields: Vec<(String, String)>,
}

impl Attempt {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

impl Visit for Attempt {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.fields
            .push((field.name().to_string(), format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.fields
            .push((field.name().to_string(), value.to_string()));
    }
}

impl<S, W> Layer<S> for Lines<W>
where
    S: Subscriber + for<'a> LookupSpan<'a>,
    W: Write + Send + 'static,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if attrs.metadata().fields().field(METHOD).is_none() {
            return;
        }
        let Some(span) = ctx.span(id) else { return };
        let mut attempt = Attempt {
            opened: Instant::now(),
            fields: Vec::new(),
        };
        attrs.record(&mut attempt);
        span.extensions_mut().insert(attempt);
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(id) else { return };
        let mut extensions = span.extensions_mut();
        if let Some(attempt) = extensions.get_mut::<Attempt>() {
            values.record(attempt);
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        if event.metadata().target() != HEADERS {
            return;
        }
        let Some(span) = ctx.event_span(event) else {
            return;
        };
        let mut extensions = span.extensions_mut();
        if let Some(attempt) = extensions.get_mut::<Attempt>() {
            event.record(attempt);
        }
    }

    fn on_close(&self, id: Id, ctx: Context<'_, S>) {
        let Some(span) = ctx.span(&id) else { return };
        let extensions = span.extensions();
        let Some(attempt) = extensions.get::<Attempt>() else {
            return;
        };
        let text = render(attempt, self.headers);
        if let Ok(mut out) = self.out.lock() {
            let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
        }
    }
}

/// `GET /v1/contacts/3 → 200 in 12 ms (attempt 1, request id r-1)`, then the headers.
fn render(attempt: &Attempt, headers: bool) -> String {
    let method = attempt.get(METHOD).unwrap_or("?");
    let target = attempt
        .get("url.full")
        .map(path_and_query)
        .or_else(|| attempt.get("url.template").map(str::to_string))
        .unwrap_or_else(|| "?".into());
    let outcome = match (
        attempt.get("http.response.status_code"),
        attempt.get("error.type"),
    ) {
        (Some(status), _) => status.to_string(),
        (None, Some(error)) => format!("failed ({error})"),
        (None, None) => "no answer".into(),
    };
    let resends = attempt
        .get("http.request.resend_count")
        .and_then(|n| n.parse::<u64>().ok())
        .unwrap_or(0);
    let mut line = format!(
        "kajabi: {method} {target} → {outcome} in {} ms (attempt {}",
        attempt.opened.elapsed().as_millis(),
        resends + 1
    );
    let request_id = attempt
        .fields
        .iter()
        .find(|(name, _)| {
            name.ends_with("request_id")
                || name.ends_with("x-request-id")
                || name.ends_with("request.id")
        })
        .map(|(_, value)| value);
    if let Some(id) = request_id {
        let _ = write!(line, ", request id {id}");
    }
    line.push_str(")\n");
    if headers {
        for (name, value) in &attempt.fields {
            let (arrow, header) = if let Some(h) = name.strip_prefix(REQUEST_HEADER) {
                ('>', h)
            } else if let Some(h) = name.strip_prefix(RESPONSE_HEADER) {
                ('<', h)
            } else {
                continue;
            };
            let value = if is_credential(header) {
                REDACTED
            } else {
                value
            };
            let _ = writeln!(line, "  {arrow} {header}: {value}");
        }
    }
    line
}

/// Whether a header or query parameter named `name` carries a credential.
fn is_credential(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
    ) || ["token", "secret", "password", "key", "code", "assertion"]
        .iter()
        .any(|word| name.contains(word))
}

/// The path and query of `url`, user info dropped and credential parameters redacted.
fn path_and_query(url: &str) -> String {
    let Ok(url) = url::Url::parse(url) else {
        return "(a URL that does not parse)".into();
    };
    let mut text = url.path().to_string();
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(name, value)| {
            let value = if is_credential(&name) {
                REDACTED.to_string()
            } else {
                value.into_owned()
            };
            (name.into_owned(), value)
        })
        .collect();
    if !pairs.is_empty() {
        text.push('?');
        text.push_str(
            &pairs
                .iter()
                .map(|(n, v)| format!("{n}={v}"))
                .collect::<Vec<_>>()
                .join("&"),
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing_subscriber::layer::SubscriberExt;

    /// A writer the test reads back.
    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Buffer {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// What the layer writes while `spans` runs.
    fn rendered(headers: bool, spans: impl FnOnce()) -> String {
        let buffer = Buffer::default();
        let subscriber =
            tracing_subscriber::registry().with(super::Lines::new(headers, buffer.clone()));
        tracing::subscriber::with_default(subscriber, spans);
        let bytes = buffer.0.lock().unwrap().clone();
        String::from_utf8(bytes).unwrap()
    }

    fn token_and_call() {
        let call = tracing::info_span!("kajabi.call", operation = "get_contact");
        let _in_call = call.enter();
        {
            let token = tracing::info_span!(
                "POST",
                "http.request.method" = "POST",
                "url.full" = "https://u:p@api.example.com/v1/oauth/token",
                "http.request.resend_count" = tracing::field::Empty,
                "http.response.status_code" = tracing::field::Empty,
                "http.request.header.authorization" = "Basic c2VjcmV0",
                "http.request.header.content-type" = "application/x-www-form-urlencoded",
            );
            token.record("http.response.status_code", 200);
        }
        let attempt = tracing::info_span!(
            "GET",
            "http.request.method" = "GET",
            "url.full" =
                "https://api.example.com/v1/contacts/3?include=tags&access_token=leaked-token",
            "url.template" = "/v1/contacts/{id}",
            "http.request.resend_count" = 1,
            "http.response.status_code" = tracing::field::Empty,
            "http.request.header.authorization" = "Bearer the-access-token",
            "http.response.header.x-request-id" = "req-42",
        );
        attempt.record("http.response.status_code", 200);
        drop(attempt);
        let failed = tracing::info_span!(
            "GET",
            "http.request.method" = "GET",
            "url.full" = "https://api.example.com/v1/me",
            "error.type" = "connection_refused",
        );
        drop(failed);
    }

    #[test]
    fn one_line_per_attempt_with_the_real_path_and_no_credential() {
        let text = rendered(false, token_and_call);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(
            lines[0].starts_with("kajabi: POST /v1/oauth/token → 200 in "),
            "{text}"
        );
        assert!(lines[0].ends_with(" ms (attempt 1)"), "{text}");
        assert!(
            lines[1].starts_with(
                "kajabi: GET /v1/contacts/3?include=tags&access_token=[redacted] → 200 in "
            ),
            "{text}"
        );
        assert!(
            lines[1].ends_with("(attempt 2, request id req-42)"),
            "{text}"
        );
        assert!(
            lines[2].starts_with("kajabi: GET /v1/me → failed (connection_refused)"),
            "{text}"
        );
        for secret in [
            "leaked-token",
            "the-access-token",
            "c2VjcmV0",
            "u:p",
            "Bearer",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    #[test]
    fn headers_with_vv_and_credentials_redacted() {
        let text = rendered(true, token_and_call);
        assert!(text.contains("  > authorization: [redacted]\n"), "{text}");
        assert!(
            text.contains("  > content-type: application/x-www-form-urlencoded\n"),
            "{text}"
        );
        assert!(text.contains("  < x-request-id: req-42\n"), "{text}");
        for secret in ["leaked-token", "the-access-token", "c2VjcmV0", "Bearer"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }

    #[test]
    fn spans_that_are_not_attempts_print_nothing() {
        let text = rendered(true, || {
            let _call = tracing::info_span!("kajabi.call", operation = "get_me").entered();
        });
        assert!(text.is_empty(), "{text}");
    }
}
