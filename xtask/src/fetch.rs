//! Reads the candidate document from a URL or a local file, with the same limits for both.

use std::ffi::OsString;
use std::fmt;
use std::fs::File;
use std::io::{self, Read};
use std::path::PathBuf;
use std::time::Duration;

/// Kajabi's document is about 420 KB; anything past this is not the document.
pub const MAX_BYTES: u64 = 20 * 1024 * 1024;

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(60);

/// Where the document comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// An `http://` or `https://` URL.
    Url(String),
    /// A local file.
    Path(PathBuf),
}

/// The document's bytes as received, and what the server said they were.
#[derive(Debug)]
pub struct Fetched {
    /// The body, unchanged.
    pub bytes: Vec<u8>,
    /// The `Content-Type` header, for URLs.
    pub content_type: Option<String>,
}

/// Why nothing could be read from the source.
#[derive(Debug, thiserror::Error)]
pub enum FetchError {
    /// The local file could not be read.
    #[error("could not read {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// What the OS said.
        source: io::Error,
    },
    /// The request failed before a complete response arrived (DNS, connection, TLS, timeout).
    #[error("could not download {url}: {reason}")]
    Download {
        /// The URL.
        url: String,
        /// The error and its causes.
        reason: String,
    },
    /// The server answered, but not with success.
    #[error("{url} answered HTTP {status}, not a 2xx success")]
    Status {
        /// The URL.
        url: String,
        /// Code and reason, e.g. `404 Not Found`.
        status: String,
    },
    /// The body is larger than [`MAX_BYTES`].
    #[error("{origin} is larger than the {} MiB limit", MAX_BYTES / 1024 / 1024)]
    TooLarge {
        /// The URL or path.
        origin: String,
    },
}

impl Source {
    /// Reads a `--from` argument: `http://` and `https://` are URLs, other schemes are refused,
    /// anything else is a path.
    pub fn parse(arg: OsString) -> Result<Source, String> {
        let Some(text) = arg.to_str() else {
            return Ok(Source::Path(arg.into()));
        };
        let lower = text.to_ascii_lowercase();
        if lower.starts_with("http://") || lower.starts_with("https://") {
            Ok(Source::Url(text.to_string()))
        } else if let Some((scheme, _)) = text.split_once("://") {
            Err(format!(
                "--from: unsupported URL scheme `{scheme}`; use http://, https:// or a path"
            ))
        } else {
            Ok(Source::Path(arg.into()))
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Url(url) => f.write_str(url),
            Source::Path(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Reads the whole document from `source`.
///
/// # Errors
/// See [`FetchError`]; a non-2xx status is an error, whatever the body.
pub fn fetch(source: &Source) -> Result<Fetched, FetchError> {
    match source {
        Source::Url(url) => download(url),
        Source::Path(path) => {
            let read_error = |source| FetchError::Read {
                path: path.clone(),
                source,
            };
            let file = File::open(path).map_err(read_error)?;
            let bytes = read_capped(file, &source.to_string(), read_error)?;
            Ok(Fetched {
                bytes,
                content_type: None,
            })
        }
    }
}

fn download(url: &str) -> Result<Fetched, FetchError> {
    let failed = |e: &dyn std::error::Error| FetchError::Download {
        url: url.to_string(),
        reason: causes(e),
    };
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TOTAL_TIMEOUT)
        .user_agent(concat!("kajabi-api-xtask/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| failed(&e))?;
    let response = client.get(url).send().map_err(|e| failed(&e))?;
    let status = response.status();
    if !status.is_success() {
        return Err(FetchError::Status {
            url: url.to_string(),
            status: status.to_string(),
        });
    }
    if response.content_length().is_some_and(|n| n > MAX_BYTES) {
        return Err(FetchError::TooLarge {
            origin: url.to_string(),
        });
    }
    let content_type = response
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let bytes = read_capped(response, url, |e| failed(&e))?;
    Ok(Fetched {
        bytes,
        content_type,
    })
}

/// Reads at most [`MAX_BYTES`]; one byte more means the body is too large. A missing or
/// lying `Content-Length` cannot make this read without bound.
fn read_capped(
    reader: impl Read,
    origin: &str,
    io_error: impl FnOnce(io::Error) -> FetchError,
) -> Result<Vec<u8>, FetchError> {
    let mut bytes = Vec::new();
    reader
        .take(MAX_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(FetchError::TooLarge {
            origin: origin.to_string(),
        });
    }
    Ok(bytes)
}

/// An error with its causes: reqwest's own message ("error sending request") hides the one
/// that helps ("Connection refused").
fn causes(error: &dyn std::error::Error) -> String {
    let mut parts = vec![error.to_string()];
    let mut next = error.source();
    while let Some(cause) = next {
        let text = cause.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        next = cause.source();
    }
    parts.join(": ")
}
