//! Kajabi's error bodies: the OAuth shape of the token endpoints and the JSON:API shape of
//! every other endpoint, decoded into [`ApiError`] for [`crate::Error::api_error`].

use std::fmt;

use serde::Deserialize;

/// Kajabi's error body, in either of its two shapes.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ApiError {
    /// The OAuth endpoints' shape (RFC 6749 §5.2): `{"error", "error_description"}`.
    OAuth(OAuthError),
    /// The JSON:API shape of every other endpoint: `{"errors": [...]}`.
    JsonApi(Vec<JsonApiError>),
}

impl ApiError {
    /// Decodes either shape; `None` for anything else (HTML, empty, other JSON).
    pub fn decode(body: &[u8]) -> Option<Self> {
        // Only JSON objects: serde would also take a struct written as an array.
        let value: serde_json::Value = serde_json::from_slice(body).ok()?;
        let object = value.as_object()?;
        if let Some(errors) = object.get("errors").filter(|e| !e.is_null()) {
            let errors = errors.as_array()?;
            let well_formed = errors.iter().all(|e| {
                e.as_object()
                    .is_some_and(|e| e.get("source").is_none_or(|s| s.is_object() || s.is_null()))
            });
            return well_formed
                .then(|| serde_json::from_value(serde_json::Value::Array(errors.clone())).ok())
                .flatten()
                .map(Self::JsonApi);
        }
        let error = object.get("error")?.as_str()?.to_string();
        let error_description = match object.get("error_description") {
            None | Some(serde_json::Value::Null) => None,
            Some(text) => Some(text.as_str()?.to_string()),
        };
        Some(Self::OAuth(OAuthError {
            error: OAuthErrorCode::from(error),
            error_description,
        }))
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::OAuth(e) => {
                write!(f, "{}", e.error)?;
                if let Some(description) = &e.error_description {
                    write!(f, " ({})", clip(description))?;
                }
                Ok(())
            }
            Self::JsonApi(errors) => {
                let mut first = true;
                for e in errors.iter().take(3) {
                    if !first {
                        f.write_str("; ")?;
                    }
                    first = false;
                    let title = e.title.as_deref().or(e.code.as_deref()).unwrap_or("error");
                    write!(f, "{}", clip(title))?;
                    if let Some(detail) = &e.detail {
                        write!(f, ": {}", clip(detail))?;
                    }
                    if let Some(pointer) = e.source.as_ref().and_then(|s| s.pointer.as_deref()) {
                        write!(f, " at {}", clip(pointer))?;
                    }
                }
                if errors.len() > 3 {
                    write!(f, " (and {} more)", errors.len() - 3)?;
                }
                Ok(())
            }
        }
    }
}

/// Server text in `Display` stays one readable line.
fn clip(text: &str) -> String {
    const MAX: usize = 200;
    let line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    match line.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}…", &line[..at]),
        None => line,
    }
}

/// An OAuth error response (RFC 6749 §5.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// The error code.
    pub error: OAuthErrorCode,
    /// Human-readable text from the server.
    pub error_description: Option<String>,
}

/// RFC 6749 §5.2 and RFC 6750 §3.1 error codes; others are kept as [`OAuthErrorCode::Other`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// `invalid_request`
    InvalidRequest,
    /// `invalid_client`: the client id or secret was rejected.
    InvalidClient,
    /// `invalid_grant`: the refresh token is unknown, expired or revoked.
    InvalidGrant,
    /// `unauthorized_client`
    UnauthorizedClient,
    /// `unsupported_grant_type`
    UnsupportedGrantType,
    /// `invalid_scope`
    InvalidScope,
    /// `invalid_token`: the bearer token is unknown, expired or revoked.
    InvalidToken,
    /// Any other code, as sent.
    Other(String),
}

impl From<String> for OAuthErrorCode {
    fn from(code: String) -> Self {
        match code.as_str() {
            "invalid_request" => Self::InvalidRequest,
            "invalid_client" => Self::InvalidClient,
            "invalid_grant" => Self::InvalidGrant,
            "unauthorized_client" => Self::UnauthorizedClient,
            "unsupported_grant_type" => Self::UnsupportedGrantType,
            "invalid_scope" => Self::InvalidScope,
            "invalid_token" => Self::InvalidToken,
            _ => Self::Other(code),
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::InvalidRequest => "invalid_request",
            Self::InvalidClient => "invalid_client",
            Self::InvalidGrant => "invalid_grant",
            Self::UnauthorizedClient => "unauthorized_client",
            Self::UnsupportedGrantType => "unsupported_grant_type",
            Self::InvalidScope => "invalid_scope",
            Self::InvalidToken => "invalid_token",
            Self::Other(code) => return f.write_str(&clip(code)),
        })
    }
}

/// One entry of a JSON:API `errors` array.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct JsonApiError {
    /// The HTTP status, as a string.
    pub status: Option<String>,
    /// An application-specific code.
    pub code: Option<String>,
    /// A short summary.
    pub title: Option<String>,
    /// The specifics of this occurrence.
    pub detail: Option<String>,
    /// What in the request caused it.
    pub source: Option<ErrorSource>,
}

/// Where in the request a JSON:API error points.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[non_exhaustive]
pub struct ErrorSource {
    /// A JSON pointer into the request document, e.g. `/data/attributes/email`.
    pub pointer: Option<String>,
    /// The query parameter that caused the error.
    pub parameter: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_both_error_shapes() {
        let oauth =
            ApiError::decode(br#"{"error":"invalid_client","error_description":"bad secret"}"#);
        assert_eq!(
            oauth,
            Some(ApiError::OAuth(OAuthError {
                error: OAuthErrorCode::InvalidClient,
                error_description: Some("bad secret".into())
            }))
        );
        let json_api = ApiError::decode(
            br#"{"errors":[{"status":"422","title":"Invalid","detail":"email taken","source":{"pointer":"/data/attributes/email"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            json_api.to_string(),
            "Invalid: email taken at /data/attributes/email"
        );
        assert_eq!(ApiError::decode(b"<html>bad gateway</html>"), None);
        assert_eq!(ApiError::decode(b"{}"), None);
        assert_eq!(ApiError::decode(b""), None);
    }

    #[test]
    fn unknown_oauth_codes_are_kept() {
        let e = ApiError::decode(br#"{"error":"slow_down"}"#).unwrap();
        assert_eq!(
            e,
            ApiError::OAuth(OAuthError {
                error: OAuthErrorCode::Other("slow_down".into()),
                error_description: None
            })
        );
    }
}
