//! Keeping a session between processes: a command line tool that runs once per command
//! exports the session's tokens after a call and builds the next process's client from them,
//! so that consecutive commands share one token instead of asking for one each.

use std::time::{Duration, SystemTime};

use crate::{contract::Client, ClientBuilder, Error, SecretString};

/// A session's tokens and when the client would renew them; see
/// [`Client::session_tokens`] and [`ClientBuilder::build_with_session`].
///
/// Its `Debug` shows no token. Whoever stores it holds live credentials: store it where only
/// its owner can read it.
#[derive(Clone, Debug)]
pub struct SessionTokens {
    access_token: SecretString,
    refresh_token: Option<SecretString>,
    renew_at: Option<SystemTime>,
}

impl SessionTokens {
    /// Tokens to resume a session with. `renew_at` is the wall-clock time after which the
    /// client renews them (`None`: use them as long as the server accepts them).
    pub fn new(
        access_token: impl Into<SecretString>,
        refresh_token: Option<SecretString>,
        renew_at: Option<SystemTime>,
    ) -> Self {
        Self {
            access_token: access_token.into(),
            refresh_token,
            renew_at,
        }
    }

    /// The access token.
    pub fn access_token(&self) -> &SecretString {
        &self.access_token
    }

    /// The refresh token, if the server gave one.
    pub fn refresh_token(&self) -> Option<&SecretString> {
        self.refresh_token.as_ref()
    }

    /// When the client renews the access token (its expiry less the refresh margin).
    pub fn renew_at(&self) -> Option<SystemTime> {
        self.renew_at
    }
}

impl Client {
    /// The session's current tokens, or `None` before the first token or after
    /// [`Client::logout`].
    ///
    /// # Security Warning
    /// The tokens grant API access: keep them out of logs and store them privately.
    pub fn session_tokens(&self) -> Option<SessionTokens> {
        let (access, refresh, renew_in) = self.inner.export()?;
        Some(SessionTokens {
            access_token: access,
            refresh_token: refresh,
            renew_at: renew_in.map(|d| SystemTime::now() + d),
        })
    }
}

impl ClientBuilder {
    /// Builds the client and resumes `tokens`' session: calls use its access token until
    /// [`SessionTokens::renew_at`], then renew it (refresh grant first, then the client
    /// credentials, if any).
    ///
    /// # Errors
    /// As [`ClientBuilder::build`]; a configuration error when the access token cannot be an
    /// HTTP header value.
    pub fn build_with_session(self, tokens: SessionTokens) -> Result<Client, Error> {
        let client = self.build()?;
        let renew_in = tokens.renew_at.map(|at| {
            at.duration_since(SystemTime::now())
                .unwrap_or(Duration::ZERO)
        });
        client
            .inner
            .import(tokens.access_token, tokens.refresh_token, renew_in)?;
        Ok(client)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn sandbox_client(
        sandbox: &kajabi_sandbox::Sandbox,
        tokens: Option<SessionTokens>,
    ) -> Client {
        let builder = Client::builder()
            .base_url(sandbox.base_url())
            .client_credentials(sandbox.client_id(), sandbox.client_secret());
        match tokens {
            Some(tokens) => builder.build_with_session(tokens),
            None => builder.build(),
        }
        .expect("client")
    }

    #[tokio::test]
    async fn an_exported_session_is_resumed_without_a_new_token() {
        let sandbox = kajabi_sandbox::Sandbox::start().await.unwrap();
        let first = sandbox_client(&sandbox, None).await;
        assert!(first.session_tokens().is_none());
        first.get_me().send().await.expect("first call");
        let tokens = first.session_tokens().expect("a session");
        let renew_at = tokens.renew_at().expect("the sandbox gives expires_in");
        // 7200 s tokens are renewed 60 s early.
        let left = renew_at.duration_since(SystemTime::now()).unwrap();
        assert!(left > Duration::from_secs(7000) && left <= Duration::from_secs(7140));
        assert!(!format!("{tokens:?}").contains(tokens.access_token().secret()));

        let second = sandbox_client(&sandbox, Some(tokens.clone())).await;
        second.get_me().send().await.expect("resumed call");
        assert_eq!(
            sandbox.token_requests(),
            1,
            "the second client reused the token"
        );
        assert_eq!(
            second.session_tokens().unwrap().access_token().secret(),
            tokens.access_token().secret()
        );
    }

    #[tokio::test]
    async fn a_session_past_its_renewal_is_renewed() {
        let sandbox = kajabi_sandbox::Sandbox::start().await.unwrap();
        let first = sandbox_client(&sandbox, None).await;
        let tokens = first.session_tokens();
        assert!(tokens.is_none());
        let access = first.access_token().await.unwrap();
        let refresh = first.session_tokens().unwrap().refresh_token().cloned();
        let stale = SessionTokens::new(access.clone(), refresh, Some(SystemTime::UNIX_EPOCH));
        let second = sandbox_client(&sandbox, Some(stale)).await;
        second.get_me().send().await.expect("call after renewal");
        assert_eq!(sandbox.token_requests(), 2, "renewed once");
        let renewed = second.session_tokens().unwrap();
        assert_ne!(renewed.access_token().secret(), access.secret());
    }
}
