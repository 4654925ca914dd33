//! User middleware (feature `middleware`): the chain [`crate::ClientBuilder::middleware`]
//! builds, and the SDK's own last link, which keeps the bearer token on the API's host.
//!
//! The SDK builds its reqwest client as without middleware (timeouts, redirect limit, TLS)
//! and wraps it: `user middleware… → KeepTokenHome → reqwest`. Each attempt of an API call
//! passes through the chain (inside the SDK's retry loop, after the bearer token is set).
//! Token requests do not: their form body carries the client secret or the password, and no
//! middleware needs to see those.

use std::sync::Arc;

use http::Extensions;
use reqwest::{header::AUTHORIZATION, Request, Response};
use reqwest_middleware::{ClientWithMiddleware, Middleware, Next};
use url::Url;

/// The chain around `http`: `middleware` in the order given, then [`KeepTokenHome`] for
/// `base_url`.
pub(crate) fn chain(
    http: reqwest::Client,
    middleware: Vec<Arc<dyn Middleware>>,
    base_url: &Url,
) -> ClientWithMiddleware {
    let mut builder = reqwest_middleware::ClientBuilder::new(http);
    for m in middleware {
        builder = builder.with_arc(m);
    }
    builder
        .with(KeepTokenHome {
            origin: origin(base_url),
        })
        .build()
}

/// The last middleware: drops `Authorization` from a request that a middleware sent to
/// another origin than the API's, so that rewriting the host cannot carry the token away.
struct KeepTokenHome {
    origin: (String, String, Option<u16>),
}

fn origin(url: &Url) -> (String, String, Option<u16>) {
    (
        url.scheme().to_string(),
        url.host_str().unwrap_or_default().to_ascii_lowercase(),
        url.port_or_known_default(),
    )
}

#[async_trait::async_trait]
impl Middleware for KeepTokenHome {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        if origin(request.url()) != self.origin {
            request.headers_mut().remove(AUTHORIZATION);
        }
        next.run(request, extensions).await
    }
}
