//! Credentials that must not leak: the client secret and the access and refresh tokens.
//!
//! [`SecretString`] wraps [`secrecy::SecretString`]: the value is zeroized on drop, `Debug`
//! prints `SecretString([redacted])`, and there is no `Display` or `PartialEq` (a comparison of
//! secrets should be constant-time, and the SDK never needs one). The generated models use it
//! for every credential field (`access_token`, `refresh_token`, `client_secret`, `password`, and
//! the OAuth form's `token`), so printing a token response with `{:?}` shows no token.

use std::fmt;

use secrecy::ExposeSecret;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A credential string, redacted everywhere but on the wire.
#[derive(Clone)]
pub struct SecretString(secrecy::SecretString);

impl SecretString {
    /// Wraps a credential.
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secrecy::SecretString::from(secret.into()))
    }

    /// The credential itself.
    ///
    /// # Security Warning
    /// Keep the returned value out of logs, error messages and `Display` output.
    pub fn secret(&self) -> &str {
        self.0.expose_secret()
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString([redacted])")
    }
}

impl From<String> for SecretString {
    fn from(secret: String) -> Self {
        Self::new(secret)
    }
}

impl From<&str> for SecretString {
    fn from(secret: &str) -> Self {
        Self::new(secret)
    }
}

/// Serializes the credential itself: serialization is how it reaches the wire.
impl Serialize for SecretString {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.secret())
    }
}

impl<'de> Deserialize<'de> for SecretString {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted_and_serialization_is_not() {
        let token = SecretString::new("tok+/=&%");
        assert_eq!(format!("{token:?}"), "SecretString([redacted])");
        assert_eq!(
            format!("{:?}", Some(token.clone())),
            "Some(SecretString([redacted]))"
        );
        assert_eq!(serde_json::to_string(&token).unwrap(), "\"tok+/=&%\"");
        assert_eq!(token.secret(), "tok+/=&%");
    }
}
