//! POSTing one delivery: loopback targets only, bounded attempts, bounded time.

use std::net::IpAddr;
use std::time::Duration;

use super::Outcome;

/// How many times a delivery is POSTed before it is recorded as failed.
pub const ATTEMPTS: u32 = 3;

/// The pause before the second attempt; it doubles before each further one.
const FIRST_BACKOFF: Duration = Duration::from_millis(100);

/// The client deliveries go out with: no proxy (a loopback target is never sent elsewhere),
/// no redirects (a receiver cannot send the sandbox off loopback), short timeouts (a receiver
/// that never answers cannot hold a delivery for long).
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(2))
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap_or_default()
}

/// Whether `target_url` is `http(s)://` to a loopback address (`127.0.0.0/8`, `::1`,
/// `localhost`): the only targets the sandbox delivers to.
pub(crate) fn is_loopback(target_url: &str) -> bool {
    let Ok(url) = reqwest::Url::parse(target_url) else {
        return false;
    };
    if !matches!(url.scheme(), "http" | "https") {
        return false;
    }
    match url.host() {
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// POSTs `body` as JSON to `target_url` up to [`ATTEMPTS`] times, until a 2xx answer; the
/// outcome and the number of attempts made.
pub(crate) async fn post(
    client: &reqwest::Client,
    target_url: &str,
    body: Vec<u8>,
) -> (Outcome, u32) {
    let mut backoff = FIRST_BACKOFF;
    let mut attempt = 1;
    loop {
        let sent = client
            .post(target_url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone())
            .send()
            .await;
        let failure = match sent {
            Ok(response) if response.status().is_success() => {
                return (
                    Outcome::Delivered {
                        status: response.status().as_u16(),
                    },
                    attempt,
                )
            }
            Ok(response) => Outcome::Failed {
                status: Some(response.status().as_u16()),
                reason: format!("the receiver answered {}", response.status()),
            },
            Err(error) => Outcome::Failed {
                status: None,
                reason: reason(&error),
            },
        };
        if attempt >= ATTEMPTS {
            return (failure, attempt);
        }
        tokio::time::sleep(backoff).await;
        backoff *= 2;
        attempt += 1;
    }
}

/// One line about a failed request, without reqwest's chain of sources.
fn reason(error: &reqwest::Error) -> String {
    if error.is_timeout() {
        "the receiver did not answer in time".into()
    } else if error.is_connect() {
        "the receiver refused the connection".into()
    } else {
        "the request to the receiver failed".into()
    }
}

#[cfg(test)]
mod tests {
    use super::is_loopback;

    #[test]
    fn only_loopback_targets_are_delivered_to() {
        for url in [
            "http://127.0.0.1:8080/hook",
            "http://127.1.2.3/x",
            "http://[::1]:9/x",
            "http://localhost:3000/x",
            "https://LOCALHOST/x",
        ] {
            assert!(is_loopback(url), "{url}");
        }
        for url in [
            "https://example.com/hook",
            "http://10.0.0.1/x",
            "http://127.0.0.1.example.com/x",
            "ftp://127.0.0.1/x",
            "not a url",
            "",
        ] {
            assert!(!is_loopback(url), "{url}");
        }
    }
}
