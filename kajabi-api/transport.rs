//! Where an attempt's request leaves the SDK: reqwest itself, or the user's middleware chain
//! in front of it (feature `middleware`, [`crate::ClientBuilder::middleware`]).

use std::future::Future;

use futures::{
    future::{BoxFuture, Either},
    TryFutureExt,
};
use reqwest::{Request, Response};

use crate::auth::Session;

/// How one attempt ended without a response.
#[derive(Debug)]
pub(crate) enum SendError {
    /// reqwest's own failure (connect, timeout, reset, redirect): classified by
    /// [`crate::retry::classify`].
    Reqwest(reqwest::Error),
    /// A user middleware failed: permanent, never retried.
    #[cfg(feature = "middleware")]
    Middleware(reqwest_middleware::Error),
}

/// What an attempt's future gives.
pub(crate) type Outcome = Result<Response, SendError>;

/// The way to the network for one client: reqwest, and the middleware chain when one is set.
#[derive(Clone, Copy)]
pub(crate) struct Transport<'a> {
    http: &'a reqwest::Client,
    #[cfg(feature = "middleware")]
    middleware: Option<&'a reqwest_middleware::ClientWithMiddleware>,
}

impl<'a> Transport<'a> {
    /// An API call's way out: through the session's middleware, if any.
    pub(crate) fn of(http: &'a reqwest::Client, _session: &'a Session) -> Self {
        Self {
            http,
            #[cfg(feature = "middleware")]
            middleware: _session.shared.middleware.as_ref(),
        }
    }

    /// reqwest alone: for token requests, whose form carries the client's credentials and
    /// so never passes through user code.
    pub(crate) fn direct(http: &'a reqwest::Client) -> Self {
        Self {
            http,
            #[cfg(feature = "middleware")]
            middleware: None,
        }
    }

    /// Sends `request`. Without middleware this is reqwest's own future, not boxed.
    pub(crate) fn execute(
        self,
        request: Request,
    ) -> Either<impl Future<Output = Outcome> + Send + 'a, BoxFuture<'a, Outcome>> {
        #[cfg(feature = "middleware")]
        if let Some(chain) = self.middleware {
            return Either::Right(Box::pin(async move {
                chain.execute(request).await.map_err(|e| match e {
                    reqwest_middleware::Error::Reqwest(e) => SendError::Reqwest(e),
                    other => SendError::Middleware(other),
                })
            }) as BoxFuture<'a, Outcome>);
        }
        Either::Left(self.http.execute(request).map_err(SendError::Reqwest))
    }
}
