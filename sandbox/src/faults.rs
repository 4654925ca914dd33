//! Faults on demand: the failures Kajabi (or a proxy in front of it) can answer with, so that
//! a client's failure paths can be tested offline.
//!
//! A [`Fault`] matches requests (every one, an operation by name, or a method and path
//! template; optionally only when a path or query parameter has a value) and answers them
//! with a status and the error body the spec declares for it, a proxy's HTML page, a body cut
//! short or a dropped connection, optionally after a delay and with `Retry-After`; for the
//! next `n` matching requests or until removed. Every request a fault answered is recorded
//! ([`FaultRecord`]). The syntax is on [`Fault`].

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

mod answer;
mod plan;
pub(crate) mod route;

pub(crate) use answer::{cut, error_body, respond, retry_after_secs, set_retry_after};
pub(crate) use plan::{Plan, Request};

/// One fault: which requests it matches and how it answers them. Built with [`Fault::on`]
/// and its methods, or parsed from the text form below; installed with
/// [`Sandbox::fault`](crate::Sandbox::fault) or [`Config::faults`](crate::Config::faults).
///
/// # Syntax
///
/// The text form, taken by `--fault`, `POST /_sandbox/faults` and [`str::parse`]:
///
/// ```text
/// SPEC    = MATCH [NAME=VALUE] ":" ANSWER...
/// MATCH   = "*" | OPERATION | METHOD " " PATH_TEMPLATE
/// ANSWER  = STATUS | "html" | "cut" | "drop"
///         | "retry-after=" (SECONDS | "date+" SECONDS)
///         | "delay=" N ("ms" | "s") | "times=" N
/// ```
///
/// - `MATCH`: `*` is every request to an operation of the spec (the token endpoint included;
///   not the sandbox's own `/_sandbox/` routes); `OPERATION` is the spec model's operation
///   name (`get_contact`, `list_contacts`: the SDK's method name); or the method
///   and the spec's path template (`GET /v1/contacts/{id}`).
/// - `NAME=VALUE`: only requests whose path parameter (`id=7`) or query parameter
///   (`page[number]=2`) `NAME` has this value.
/// - `STATUS` (400 to 599): the answer's status, with the error body the spec declares for it
///   on that operation (the JSON:API `errors` shape where it declares none) and its
///   description as `detail`.
/// - `html`: a proxy's HTML error page instead, 502 unless a `STATUS` is given.
/// - `cut`: the body is cut short: half of it is sent under a `Content-Length` of the whole,
///   then the connection is closed. Alone, it cuts the normal answer.
/// - `drop`: the connection is closed without an answer.
/// - `retry-after=`: a `Retry-After` header, in seconds or as an HTTP date that many seconds
///   after the system clock's now.
/// - `delay=`: wait this long before answering (on tokio's clock, holding no lock). Alone, it
///   delays the normal answer.
/// - `times=N`: answer the next `N` matching requests, then step aside; without it the fault
///   stays until removed (or [`Sandbox::reset`](crate::Sandbox::reset)).
///
/// Examples: `get_contact: 403`, `*: 429 retry-after=1 times=2`,
/// `GET /v1/contacts/{id} id=7: 503 html`, `list_contacts: delay=30s`, `get_me: drop times=1`.
///
/// ```
/// use std::time::Duration;
/// use kajabi_sandbox::{Fault, RetryAfter};
///
/// let fault = Fault::on("get_contact").status(429).retry_after(RetryAfter::Seconds(1)).times(2);
/// assert_eq!(fault, "get_contact: 429 retry-after=1 times=2".parse().unwrap());
/// assert_eq!(fault.to_string(), "get_contact: 429 retry-after=1 times=2");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    target: Target,
    param: Option<(String, String)>,
    status: Option<u16>,
    html: bool,
    pub(crate) cut: bool,
    pub(crate) drop: bool,
    retry_after: Option<RetryAfter>,
    pub(crate) delay: Option<Duration>,
    times: Option<usize>,
}

/// Which operation(s) a fault matches.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Target {
    Any,
    Operation(String),
    Route { method: String, path: String },
}

/// The `Retry-After` a fault sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// `Retry-After: N` (seconds).
    Seconds(u64),
    /// `Retry-After: <HTTP date>`, this far after the system clock's now when answering.
    DateIn(Duration),
}

/// Identifies an installed fault, for [`Sandbox::remove_fault`](crate::Sandbox::remove_fault)
/// and in [`FaultRecord`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaultId(pub(crate) u64);

impl fmt::Display for FaultId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl FaultId {
    /// The number it is known by over HTTP (`DELETE /_sandbox/faults/{n}`).
    pub fn get(self) -> u64 {
        self.0
    }
}

/// A request a fault answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultRecord {
    /// The fault that answered it.
    pub fault: FaultId,
    /// The operation's name in the spec model (`get_contact`).
    pub operation: String,
    /// The request's method.
    pub method: String,
    /// The request's path.
    pub path: String,
    /// The `X-Request-Id` of the answer (none reaches the client on a dropped connection).
    pub request_id: String,
    /// When it arrived, since the sandbox started, on tokio's clock (which a
    /// `#[tokio::test(start_paused = true)]` moves without sleeping).
    pub at: Duration,
}

/// Why a fault cannot be installed: a syntax error, an invalid combination, or a name the
/// spec does not have (with the nearest names it has).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultError {
    message: String,
    nearest: Vec<String>,
}

impl FaultError {
    pub(crate) fn new(message: impl Into<String>) -> FaultError {
        FaultError {
            message: message.into(),
            nearest: Vec::new(),
        }
    }

    pub(crate) fn unknown(message: impl Into<String>, nearest: Vec<String>) -> FaultError {
        FaultError {
            message: message.into(),
            nearest,
        }
    }

    /// For a name the spec does not have: the nearest names it has, nearest first.
    pub fn nearest(&self) -> &[String] {
        &self.nearest
    }
}

impl fmt::Display for FaultError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if !self.nearest.is_empty() {
            write!(f, "; nearest: {}", self.nearest.join(", "))?;
        }
        Ok(())
    }
}

impl std::error::Error for FaultError {}

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

impl Fault {
    /// A fault on `target`: `"*"` (every operation), an operation name (`"get_contact"`) or a
    /// method and path template (`"GET /v1/contacts/{id}"`). It does nothing until told what
    /// to answer ([`status`](Fault::status), [`html`](Fault::html), …).
    pub fn on(target: &str) -> Fault {
        let words: Vec<&str> = target.split_whitespace().collect();
        let target = match words.as_slice() {
            ["*"] => Target::Any,
            [method, path] if METHODS.contains(method) => Target::Route {
                method: (*method).to_string(),
                path: (*path).to_string(),
            },
            _ => Target::Operation(target.trim().to_string()),
        };
        Fault {
            target,
            param: None,
            status: None,
            html: false,
            cut: false,
            drop: false,
            retry_after: None,
            delay: None,
            times: None,
        }
    }

    /// Only requests whose path or query parameter `name` is `value`.
    pub fn when(mut self, name: &str, value: &str) -> Fault {
        self.param = Some((name.to_string(), value.to_string()));
        self
    }

    /// Answer `status` (400 to 599) with the error body the spec declares for it.
    pub fn status(mut self, status: u16) -> Fault {
        self.status = Some(status);
        self
    }

    /// Answer a proxy's HTML error page (502 unless [`status`](Fault::status) says otherwise).
    pub fn html(mut self) -> Fault {
        self.html = true;
        self
    }

    /// Cut the answer's body short: half of it under a `Content-Length` of the whole, then
    /// close the connection.
    pub fn cut_body(mut self) -> Fault {
        self.cut = true;
        self
    }

    /// Close the connection without answering.
    pub fn drop_connection(mut self) -> Fault {
        self.drop = true;
        self
    }

    /// Send `Retry-After`.
    pub fn retry_after(mut self, retry_after: RetryAfter) -> Fault {
        self.retry_after = Some(retry_after);
        self
    }

    /// Wait `delay` (on tokio's clock) before answering.
    pub fn delay(mut self, delay: Duration) -> Fault {
        self.delay = Some(delay);
        self
    }

    /// Answer only the next `n` matching requests.
    pub fn times(mut self, n: usize) -> Fault {
        self.times = Some(n);
        self
    }

    /// Checks the fault against the embedded spec without installing it: what
    /// [`Sandbox::fault`](crate::Sandbox::fault) would refuse.
    ///
    /// # Errors
    /// An invalid combination, or an operation, template or parameter the spec does not have.
    pub fn check(&self) -> Result<(), FaultError> {
        let catalog = crate::catalog::Catalog::shared()
            .map_err(|e| FaultError::new(format!("the embedded spec does not load: {e}")))?;
        plan::resolve(&catalog, self).map(|_| ())
    }

    /// Whether the combination makes sense, whatever the spec.
    fn validate(&self) -> Result<(), FaultError> {
        if let Some(status) = self.status {
            if !(400..=599).contains(&status) {
                return Err(FaultError::new(format!(
                    "status {status} is not an error status (400 to 599)"
                )));
            }
        }
        if self.drop && (self.status.is_some() || self.html || self.cut) {
            return Err(FaultError::new(
                "`drop` answers nothing: it takes no status, `html` or `cut`",
            ));
        }
        if self.status.is_none() && !self.html && !self.cut && !self.drop && self.delay.is_none() {
            return Err(FaultError::new(
                "the fault does nothing: give a status, `html`, `cut`, `drop` or `delay=`",
            ));
        }
        if self.times == Some(0) {
            return Err(FaultError::new("`times=0` would never answer"));
        }
        Ok(())
    }
}

impl FromStr for Fault {
    type Err = FaultError;

    fn from_str(text: &str) -> Result<Fault, FaultError> {
        let (matcher, answer) = text.split_once(':').ok_or_else(|| {
            FaultError::new(format!(
                "`{text}`: expected `MATCH: ANSWER`, e.g. `get_contact: 403`"
            ))
        })?;
        let words: Vec<&str> = matcher.split_whitespace().collect();
        let (target, param) = match words.as_slice() {
            [method, path, rest @ ..] if METHODS.contains(method) => {
                (format!("{method} {path}"), rest)
            }
            [name, rest @ ..] => ((*name).to_string(), rest),
            [] => return Err(FaultError::new(format!("`{text}`: nothing to match"))),
        };
        let mut fault = Fault::on(&target);
        match param {
            [] => {}
            [pair] => {
                let (name, value) = pair.split_once('=').ok_or_else(|| {
                    FaultError::new(format!("`{pair}`: expected NAME=VALUE after the match"))
                })?;
                fault = fault.when(name, value);
            }
            _ => {
                return Err(FaultError::new(format!(
                    "`{}`: one NAME=VALUE at most after the match",
                    matcher.trim()
                )))
            }
        }
        for word in answer.split_whitespace() {
            fault = answer_word(fault, word)?;
        }
        fault.validate()?;
        Ok(fault)
    }
}

/// `fault` with the answer word `word` applied.
fn answer_word(fault: Fault, word: &str) -> Result<Fault, FaultError> {
    let bad = |what: &str| FaultError::new(format!("`{word}`: {what}"));
    if let Ok(status) = word.parse::<u16>() {
        return Ok(fault.status(status));
    }
    match word.split_once('=') {
        None => match word {
            "html" => Ok(fault.html()),
            "cut" => Ok(fault.cut_body()),
            "drop" => Ok(fault.drop_connection()),
            _ => Err(bad(
                "expected a status, html, cut, drop, retry-after=, delay= or times=",
            )),
        },
        Some(("retry-after", value)) => {
            let secs = |s: &str| s.parse::<u64>().map_err(|_| bad("expected seconds"));
            let retry_after = match value.strip_prefix("date+") {
                Some(after) => RetryAfter::DateIn(Duration::from_secs(secs(after)?)),
                None => RetryAfter::Seconds(secs(value)?),
            };
            Ok(fault.retry_after(retry_after))
        }
        Some(("delay", value)) => {
            let number = |s: &str| {
                s.parse::<u64>()
                    .map_err(|_| bad("expected e.g. 250ms or 30s"))
            };
            let delay = if let Some(ms) = value.strip_suffix("ms") {
                Duration::from_millis(number(ms)?)
            } else if let Some(s) = value.strip_suffix('s') {
                Duration::from_secs(number(s)?)
            } else {
                return Err(bad("give a unit: ms or s"));
            };
            Ok(fault.delay(delay))
        }
        Some(("times", value)) => {
            let n = value.parse().map_err(|_| bad("expected a count"))?;
            Ok(fault.times(n))
        }
        Some(_) => Err(bad("unknown option")),
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.target {
            Target::Any => f.write_str("*")?,
            Target::Operation(name) => f.write_str(name)?,
            Target::Route { method, path } => write!(f, "{method} {path}")?,
        }
        if let Some((name, value)) = &self.param {
            write!(f, " {name}={value}")?;
        }
        f.write_str(":")?;
        if let Some(status) = self.status {
            write!(f, " {status}")?;
        }
        for (on, word) in [(self.html, "html"), (self.cut, "cut"), (self.drop, "drop")] {
            if on {
                write!(f, " {word}")?;
            }
        }
        match self.retry_after {
            Some(RetryAfter::Seconds(secs)) => write!(f, " retry-after={secs}")?,
            Some(RetryAfter::DateIn(after)) => write!(f, " retry-after=date+{}", after.as_secs())?,
            None => {}
        }
        if let Some(delay) = self.delay {
            write!(f, " delay={}ms", delay.as_millis())?;
        }
        if let Some(n) = self.times {
            write!(f, " times={n}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_form_parses_and_prints_back() {
        for text in [
            "get_contact: 403",
            "*: 429 retry-after=1 times=2",
            "GET /v1/contacts/{id} id=7: 503 html",
            "list_contacts: delay=30000ms",
            "get_me: drop times=1",
            "get_me: cut",
            "create_contact: 503 retry-after=date+20",
        ] {
            let fault: Fault = text.parse().unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(fault.to_string(), text);
        }
        let fault: Fault = "GET /v1/contacts/{id} id=7: html".parse().unwrap();
        assert_eq!(
            fault,
            Fault::on("GET /v1/contacts/{id}").when("id", "7").html()
        );
        assert_eq!(
            "list_contacts: delay=2s".parse::<Fault>().unwrap(),
            Fault::on("list_contacts").delay(Duration::from_secs(2))
        );
    }

    #[test]
    fn two_words_are_a_route_only_when_the_first_is_a_method() {
        let operation = Fault::on("get_contact 7").status(403).check().unwrap_err();
        assert_eq!(
            operation.nearest().first().map(String::as_str),
            Some("get_contact")
        );
        Fault::on("GET /v1/contacts/{id}")
            .status(403)
            .check()
            .expect("a route");
    }

    #[test]
    fn bad_text_gets_one_line_reasons() {
        for (text, reason) in [
            ("get_contact 403", "expected `MATCH: ANSWER`"),
            (": 403", "nothing to match"),
            ("get_contact: 200", "not an error status"),
            ("get_contact: 403 drop", "`drop` answers nothing"),
            ("get_contact: html drop", "`drop` answers nothing"),
            ("get_contact: cut drop", "`drop` answers nothing"),
            ("get_contact: times=2", "does nothing"),
            ("get_contact: 403 times=0", "never answer"),
            ("get_contact: teapot", "expected a status"),
            ("get_contact: delay=5", "give a unit"),
            ("get_contact: delay=xs", "expected e.g."),
            ("get_contact: retry-after=soon", "expected seconds"),
            ("get_contact: 403 colour=red", "unknown option"),
            ("get_contact id: 403", "expected NAME=VALUE"),
            ("get_contact a=1 b=2: 403", "one NAME=VALUE at most"),
        ] {
            let error = text.parse::<Fault>().expect_err(text).to_string();
            assert!(error.contains(reason), "{text}: {error}");
            assert!(!error.contains('\n'), "{text}: {error}");
        }
    }
}
