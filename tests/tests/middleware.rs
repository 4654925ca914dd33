//! User middleware (`ClientBuilder::middleware`, feature `middleware`) on the wire: a header
//! it adds, a host it rewrites (no token goes there), and a middleware that fails (a
//! transport error naming it, not retried). reqwest-tracing: `middleware_tracing.rs`.

mod support;

use std::{
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
    time::Duration,
};

use http::Extensions;
use reqwest::{Request, Response};
use reqwest_middleware::{Middleware, Next};
use support::faulty::{self, bounded, me_ok, quick_retries, Faulty};

/// Adds `x-signed: yes` to every request.
struct Sign;

#[async_trait::async_trait]
impl Middleware for Sign {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        request
            .headers_mut()
            .insert("x-signed", reqwest::header::HeaderValue::from_static("yes"));
        next.run(request, extensions).await
    }
}

/// Sends every request to `to` instead (host and port).
struct Redirect {
    to: reqwest::Url,
}

#[async_trait::async_trait]
impl Middleware for Redirect {
    async fn handle(
        &self,
        mut request: Request,
        extensions: &mut Extensions,
        next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        let url = request.url_mut();
        url.set_host(self.to.host_str()).unwrap();
        url.set_port(self.to.port()).unwrap();
        next.run(request, extensions).await
    }
}

/// Fails every request, counting them.
struct Broken(Arc<AtomicUsize>);

#[async_trait::async_trait]
impl Middleware for Broken {
    async fn handle(
        &self,
        _request: Request,
        _extensions: &mut Extensions,
        _next: Next<'_>,
    ) -> reqwest_middleware::Result<Response> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(reqwest_middleware::Error::middleware(
            std::io::Error::other("signing key unavailable"),
        ))
    }
}

#[tokio::test]
async fn a_header_adding_middleware_runs_on_every_call() {
    let server = Faulty::start(vec![me_ok(), me_ok()]).await;
    let client = faulty::builder(&server.base_url())
        .middleware(Sign)
        .build()
        .unwrap();
    bounded("first", client.get_me().send()).await.unwrap();
    bounded("second", client.get_me().send()).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for seen in &requests {
        assert_eq!(seen.header("x-signed"), Some("yes"));
        // Middleware runs after auth: the token is on the request it sees and sends.
        assert_eq!(
            seen.header("authorization"),
            Some(format!("Bearer {}", faulty::TOKEN).as_str())
        );
    }
    // Without the middleware, no such header.
    let server = Faulty::start(vec![me_ok()]).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    bounded("plain", client.get_me().send()).await.unwrap();
    assert_eq!(server.requests()[0].header("x-signed"), None);
}

#[tokio::test]
async fn a_middleware_that_rewrites_the_host_gets_no_token_there() {
    let home = Faulty::start(vec![me_ok()]).await;
    let elsewhere = Faulty::start(vec![me_ok()]).await;
    // `localhost` and `127.0.0.1` are different hosts for the same listener.
    let to = reqwest::Url::parse(&format!("http://localhost:{}", elsewhere.addr().port())).unwrap();
    let client = faulty::builder(&home.base_url())
        .middleware(Redirect { to })
        .build()
        .unwrap();
    bounded("redirected", client.get_me().send()).await.unwrap();
    assert!(home.requests().is_empty());
    let requests = elsewhere.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        requests[0].header("authorization"),
        None,
        "{}",
        requests[0].head
    );
    assert!(!requests[0].head.contains(faulty::TOKEN));

    // Only the port changed: another origin too.
    let home = Faulty::start(vec![me_ok()]).await;
    let elsewhere = Faulty::start(vec![me_ok()]).await;
    let to = reqwest::Url::parse(&elsewhere.base_url()).unwrap();
    let client = faulty::builder(&home.base_url())
        .middleware(Redirect { to })
        .build()
        .unwrap();
    bounded("other port", client.get_me().send()).await.unwrap();
    assert_eq!(elsewhere.requests()[0].header("authorization"), None);
}

#[tokio::test(start_paused = true)]
async fn a_failing_middleware_is_a_transport_error_naming_it_and_not_retried() {
    let server = Faulty::always(me_ok()).await;
    let runs = Arc::new(AtomicUsize::new(0));
    let client = faulty::builder(&server.base_url())
        .retry_policy(quick_retries(3, Duration::from_millis(5)))
        .middleware(Broken(runs.clone()))
        .build()
        .unwrap();
    let error = bounded("broken", client.get_me().send()).await.unwrap_err();
    assert!(error.is_transport() && !error.is_retryable(), "{error:?}");
    assert_eq!(
        error.to_string(),
        "get_me failed: a middleware failed: signing key unavailable"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1, "not retried");
    assert!(server.requests().is_empty());
}
