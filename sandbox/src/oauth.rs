//! The OAuth endpoints and the token store behind every secured operation.
//!
//! # `POST /v1/oauth/token` (form body)
//!
//! | request | answer |
//! | --- | --- |
//! | `grant_type=client_credentials`, matching `client_id` and `client_secret` | 200, a new token pair |
//! | `grant_type=client_credentials`, other or missing credentials | 401 `invalid_client` |
//! | `grant_type=refresh_token`, a live `refresh_token` | 200, a new pair; the old pair is revoked (rotation) |
//! | `grant_type=refresh_token`, unknown, rotated or revoked token | 400 `invalid_grant` |
//! | `grant_type=refresh_token` without `refresh_token` | 400 `invalid_request` |
//! | the demo user's `username` and `password`, no `grant_type` (the spec's exchange) or `grant_type=password` | 200, a new token pair |
//! | … other or missing user credentials | 400 `invalid_grant` |
//! | … with a `client_id`/`client_secret` that is not the configured one | 401 `invalid_client` |
//! | `grant_type` missing (and no `username`/`password`) or anything else | 400 `unsupported_grant_type` |
//! | not a form body (another `Content-Type`, not UTF-8, a parameter given twice) | 400 `invalid_request` |
//!
//! A pair is `{"access_token","refresh_token","token_type":"Bearer","expires_in"}`; tokens are
//! 32 random URL-safe characters, always including `-` and `_` (from a generator seeded with
//! [`Config::seed`](crate::Config::seed) when one is given). The access token expires after
//! [`Config::token_ttl`](crate::Config::token_ttl), measured on
//! [`Config::clock`](crate::Config::clock), and is then rejected like an unknown one;
//! the refresh token lives until it is used (rotation) or revoked, so an expired session can
//! still be refreshed. A password-grant session refreshes like any other (the spec documents
//! refresh for client-credential grants only; the sandbox does not tell them apart). State lives as long as the [`Sandbox`](crate::Sandbox); nothing is
//! purged, which is fine for test-sized runs.
//!
//! # `POST /v1/oauth/revoke` (form body `token=...`)
//!
//! Needs `Authorization: Bearer <live access token>`, else 401 with an OAuth JSON body
//! `{"error":"invalid_token",...}` (the spec declares 401 without content; the body is what
//! Kajabi documents). With a valid bearer the answer is always 200 with an empty body, because
//! the spec declares only 200 and 401:
//!
//! - `token` is the access or refresh token of any live pair: both tokens of that pair are
//!   revoked, whoever the bearer is;
//! - `token` is unknown or already revoked: nothing happens (RFC 7009 section 2.2: an invalid
//!   token is not an error);
//! - `token` is missing or empty, or the body is not a form: the **bearer's own** pair is
//!   revoked. A caller who forgot the parameter most likely meant "log me out", and answering
//!   200 while leaving the session alive would be the more surprising outcome. (Behind Prism,
//!   such a request is rejected before it arrives: `token` is required by the spec.)

use std::collections::HashMap;
use std::time::{Duration, SystemTime};

use axum::body::{Body, Bytes};
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::http::{HeaderMap, Response, StatusCode};
use serde_json::json;

use crate::problems;

/// Length of every token.
pub(crate) const TOKEN_LEN: usize = 32;

const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// One issued pair, keyed by its access token.
#[derive(Debug)]
struct Session {
    refresh: String,
    expires_at: Option<SystemTime>,
}

/// Every live token pair.
#[derive(Debug)]
pub(crate) struct Tokens {
    by_access: HashMap<String, Session>,
    /// Refresh token → access token of the same pair.
    by_refresh: HashMap<String, String>,
    /// Where token characters come from.
    rng: fastrand::Rng,
}

impl Default for Tokens {
    fn default() -> Tokens {
        Tokens::new(fastrand::Rng::new())
    }
}

/// Why a bearer token was not accepted, in words for the error body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// No `Authorization` header.
    Missing,
    /// `Authorization` is not `Bearer <token>`.
    NotBearer,
    /// The access token was never issued, or was revoked or rotated away.
    Unknown,
    /// The access token has outlived `expires_in`.
    Expired,
}

impl Rejection {
    /// The sentence that goes into `detail` / `error_description`.
    pub(crate) fn detail(self) -> &'static str {
        match self {
            Rejection::Missing => "missing Authorization header; send `Authorization: Bearer <access_token>` from POST /v1/oauth/token",
            Rejection::NotBearer => "the Authorization header must be `Bearer <access_token>`",
            Rejection::Unknown => "the access token is unknown or has been revoked",
            Rejection::Expired => "the access token has expired; refresh it or request a new one",
        }
    }
}

impl Tokens {
    /// No tokens; new ones drawn from `rng`.
    pub(crate) fn new(rng: fastrand::Rng) -> Tokens {
        Tokens {
            by_access: HashMap::new(),
            by_refresh: HashMap::new(),
            rng,
        }
    }

    /// Issues a new pair living `ttl` from `now`; returns `(access, refresh)`.
    pub(crate) fn issue(&mut self, ttl: Duration, now: SystemTime) -> (String, String) {
        let access = self.fresh_token();
        let refresh = self.fresh_token();
        // An absurd ttl (overflowing `SystemTime`) means "never expires".
        let expires_at = now.checked_add(ttl);
        self.by_refresh.insert(refresh.clone(), access.clone());
        self.by_access.insert(
            access.clone(),
            Session {
                refresh: refresh.clone(),
                expires_at,
            },
        );
        (access, refresh)
    }

    /// Checks an access token at time `now`.
    pub(crate) fn check(&self, access: &str, now: SystemTime) -> Result<(), Rejection> {
        let session = self.by_access.get(access).ok_or(Rejection::Unknown)?;
        match session.expires_at {
            Some(at) if now >= at => Err(Rejection::Expired),
            _ => Ok(()),
        }
    }

    /// Rotation: revokes the pair of `refresh` and issues a new one, if `refresh` is live.
    pub(crate) fn rotate(
        &mut self,
        refresh: &str,
        ttl: Duration,
        now: SystemTime,
    ) -> Option<(String, String)> {
        let access = self.by_refresh.get(refresh)?.clone();
        self.revoke_pair(&access);
        Some(self.issue(ttl, now))
    }

    /// Revokes the pair `token` (access or refresh) belongs to; false if there is none.
    pub(crate) fn revoke(&mut self, token: &str) -> bool {
        let access = if self.by_access.contains_key(token) {
            token.to_string()
        } else if let Some(access) = self.by_refresh.get(token) {
            access.clone()
        } else {
            return false;
        };
        self.revoke_pair(&access);
        true
    }

    fn revoke_pair(&mut self, access: &str) {
        if let Some(session) = self.by_access.remove(access) {
            self.by_refresh.remove(&session.refresh);
        }
    }

    fn fresh_token(&mut self) -> String {
        loop {
            let token = random_token(&mut self.rng);
            if !self.by_access.contains_key(&token) && !self.by_refresh.contains_key(&token) {
                return token;
            }
        }
    }
}

/// [`TOKEN_LEN`] random URL-safe characters, with at least one `-` and one `_` so that
/// clients that mishandle them are caught.
pub(crate) fn random_token(rng: &mut fastrand::Rng) -> String {
    let mut bytes: Vec<u8> = (0..TOKEN_LEN)
        .map(|_| ALPHABET[rng.usize(..ALPHABET.len())])
        .collect();
    let dash = rng.usize(..TOKEN_LEN);
    let underscore = (dash + 1 + rng.usize(..TOKEN_LEN - 1)) % TOKEN_LEN;
    bytes[dash] = b'-';
    bytes[underscore] = b'_';
    bytes.into_iter().map(char::from).collect()
}

/// The token in `Authorization: Bearer <token>`.
pub(crate) fn bearer(headers: &HeaderMap) -> Result<&str, Rejection> {
    let value = headers.get(AUTHORIZATION).ok_or(Rejection::Missing)?;
    let value = value.to_str().map_err(|_| Rejection::NotBearer)?.trim();
    let (scheme, token) = value.split_once(' ').ok_or(Rejection::NotBearer)?;
    let token = token.trim();
    if !scheme.eq_ignore_ascii_case("bearer") || token.is_empty() {
        return Err(Rejection::NotBearer);
    }
    Ok(token)
}

/// What the token endpoint needs from the server.
pub(crate) struct Credentials<'a> {
    /// The one accepted client id.
    pub(crate) client_id: &'a str,
    /// Its secret.
    pub(crate) client_secret: &'a str,
    /// The demo user's name, for the password grant.
    pub(crate) username: &'a str,
    /// The demo user's password.
    pub(crate) password: &'a str,
    /// Access token lifetime.
    pub(crate) ttl: Duration,
    /// The time of the request.
    pub(crate) now: SystemTime,
}

/// Answers `POST /v1/oauth/token`. `body` is `None` when it could not be read.
pub(crate) fn token(
    tokens: &std::sync::Mutex<Tokens>,
    creds: &Credentials<'_>,
    headers: &HeaderMap,
    body: Option<&Bytes>,
) -> Response<Body> {
    let bad_request = |error: &str, description: &str| {
        problems::oauth(StatusCode::BAD_REQUEST, error, description)
    };
    let form = match parse_form(headers, body) {
        Ok(form) => form,
        Err(detail) => return bad_request("invalid_request", &detail),
    };
    let param = |name: &str| form.get(name).map(String::as_str);
    // The spec's third exchange is `username` + `password` with no `grant_type`; the OAuth
    // spelling `grant_type=password` is taken too.
    let grant = match param("grant_type") {
        None if param("username").is_some() || param("password").is_some() => Some("password"),
        grant => grant,
    };
    let pair = match grant {
        Some("client_credentials") => {
            if param("client_id") != Some(creds.client_id)
                || param("client_secret") != Some(creds.client_secret)
            {
                return problems::oauth(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "client_id or client_secret is wrong or missing",
                );
            }
            lock(tokens).issue(creds.ttl, creds.now)
        }
        Some("password") => {
            let client_ok = param("client_id").is_none_or(|id| id == creds.client_id)
                && param("client_secret").is_none_or(|secret| secret == creds.client_secret);
            if !client_ok {
                return problems::oauth(
                    StatusCode::UNAUTHORIZED,
                    "invalid_client",
                    "client_id or client_secret is wrong",
                );
            }
            if param("username") != Some(creds.username)
                || param("password") != Some(creds.password)
            {
                return bad_request("invalid_grant", "username or password is wrong or missing");
            }
            lock(tokens).issue(creds.ttl, creds.now)
        }
        Some("refresh_token") => {
            let Some(refresh) = param("refresh_token").filter(|t| !t.is_empty()) else {
                return bad_request(
                    "invalid_request",
                    "the refresh_token grant needs a `refresh_token` parameter",
                );
            };
            match lock(tokens).rotate(refresh, creds.ttl, creds.now) {
                Some(pair) => pair,
                None => {
                    return bad_request(
                        "invalid_grant",
                        "the refresh token is unknown, was already used, or has been revoked",
                    )
                }
            }
        }
        Some(other) => {
            let description = format!(
                "grant_type `{other}` is not supported; use client_credentials, password or refresh_token"
            );
            return bad_request("unsupported_grant_type", &description);
        }
        None => {
            return bad_request(
                "unsupported_grant_type",
                "missing grant_type; use client_credentials, password or refresh_token",
            )
        }
    };
    let body = json!({
        "access_token": pair.0,
        "refresh_token": pair.1,
        "token_type": "Bearer",
        "expires_in": creds.ttl.as_secs(),
    });
    let mut response = problems::with_body(StatusCode::OK, problems::JSON, body.to_string());
    problems::no_store(&mut response);
    response
}

/// Answers `POST /v1/oauth/revoke`; see the module docs for every case.
pub(crate) fn revoke(
    tokens: &std::sync::Mutex<Tokens>,
    headers: &HeaderMap,
    body: Option<&Bytes>,
    now: SystemTime,
) -> Response<Body> {
    let bearer = match bearer(headers) {
        Ok(token) => token,
        Err(rejection) => {
            return problems::oauth(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                rejection.detail(),
            )
        }
    };
    let mut tokens = lock(tokens);
    if let Err(rejection) = tokens.check(bearer, now) {
        return problems::oauth(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            rejection.detail(),
        );
    }
    let target = parse_form(headers, body)
        .ok()
        .and_then(|mut form| form.remove("token"))
        .filter(|t| !t.is_empty());
    match target {
        Some(token) => tokens.revoke(&token),
        None => tokens.revoke(bearer),
    };
    problems::empty(StatusCode::OK)
}

/// Locks the token store; a panic elsewhere never poisons the sandbox for good.
pub(crate) fn lock(tokens: &std::sync::Mutex<Tokens>) -> std::sync::MutexGuard<'_, Tokens> {
    tokens
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Decodes an `application/x-www-form-urlencoded` body; a parameter may appear once.
fn parse_form(
    headers: &HeaderMap,
    body: Option<&Bytes>,
) -> Result<HashMap<String, String>, String> {
    if let Some(media) = headers.get(CONTENT_TYPE) {
        let essence = media
            .to_str()
            .unwrap_or("")
            .split(';')
            .next()
            .unwrap_or("")
            .trim();
        if !essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Err(format!(
                "the body must be application/x-www-form-urlencoded, not {essence:?}"
            ));
        }
    }
    let body = body.ok_or_else(|| "the request body could not be read".to_string())?;
    std::str::from_utf8(body).map_err(|_| "the form body is not UTF-8".to_string())?;
    let mut form = HashMap::new();
    for (key, value) in form_urlencoded::parse(body) {
        if form.insert(key.to_string(), value.into_owned()).is_some() {
            return Err(format!("parameter `{key}` appears more than once"));
        }
    }
    Ok(form)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_url_safe_and_carry_dash_and_underscore() {
        let mut rng = fastrand::Rng::new();
        for _ in 0..200 {
            let token = random_token(&mut rng);
            assert_eq!(token.len(), TOKEN_LEN);
            assert!(token.bytes().all(|b| ALPHABET.contains(&b)));
            assert!(token.contains('-') && token.contains('_'), "{token}");
        }
    }

    #[test]
    fn rotation_and_revocation() {
        let mut tokens = Tokens::default();
        let ttl = Duration::from_secs(60);
        let now = SystemTime::UNIX_EPOCH;
        let (access, refresh) = tokens.issue(ttl, now);
        assert_eq!(tokens.check(&access, now), Ok(()));
        let (access2, refresh2) = tokens
            .rotate(&refresh, ttl, now)
            .expect("live refresh token");
        assert_eq!(tokens.check(&access, now), Err(Rejection::Unknown));
        assert!(tokens.rotate(&refresh, ttl, now).is_none());
        assert!(tokens.revoke(&refresh2));
        assert_eq!(tokens.check(&access2, now), Err(Rejection::Unknown));
        assert!(!tokens.revoke(&access2));
    }

    #[test]
    fn expired_tokens_are_rejected_but_refreshable() {
        let mut tokens = Tokens::default();
        let now = SystemTime::UNIX_EPOCH;
        let (access, refresh) = tokens.issue(Duration::from_secs(10), now);
        assert_eq!(tokens.check(&access, now + Duration::from_secs(9)), Ok(()));
        let later = now + Duration::from_secs(10);
        assert_eq!(tokens.check(&access, later), Err(Rejection::Expired));
        assert!(tokens
            .rotate(&refresh, Duration::from_secs(5), later)
            .is_some());
    }

    #[test]
    fn a_seeded_generator_gives_the_same_tokens() {
        let mut a = Tokens::new(fastrand::Rng::with_seed(7));
        let mut b = Tokens::new(fastrand::Rng::with_seed(7));
        let now = SystemTime::UNIX_EPOCH;
        let ttl = Duration::from_secs(1);
        assert_eq!(a.issue(ttl, now), b.issue(ttl, now));
        let mut c = Tokens::new(fastrand::Rng::with_seed(8));
        assert_ne!(a.issue(ttl, now), c.issue(ttl, now));
    }

    #[test]
    fn bearer_parsing() {
        let mut headers = HeaderMap::new();
        assert_eq!(bearer(&headers), Err(Rejection::Missing));
        headers.insert(AUTHORIZATION, "Basic abc".parse().expect("header"));
        assert_eq!(bearer(&headers), Err(Rejection::NotBearer));
        headers.insert(AUTHORIZATION, "bearer  t-_1 ".parse().expect("header"));
        assert_eq!(bearer(&headers), Ok("t-_1"));
    }

    #[test]
    fn forms_reject_other_media_and_repeats() {
        let mut headers = HeaderMap::new();
        let body = Bytes::from_static(b"a=1&b=%2B");
        let form = parse_form(&headers, Some(&body)).expect("form");
        assert_eq!(form.get("b").map(String::as_str), Some("+"));
        assert!(parse_form(&headers, Some(&Bytes::from_static(b"a=1&a=2"))).is_err());
        headers.insert(CONTENT_TYPE, "application/json".parse().expect("header"));
        assert!(parse_form(&headers, Some(&body)).is_err());
    }
}
