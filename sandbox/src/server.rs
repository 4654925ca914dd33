//! The HTTP side: the one axum handler every request goes through, and the
//! listener task.
//!
//! There are no per-operation axum routes: a fallback handler resolves the request against
//! the spec's path templates ([`crate::routes`]), so the spec alone decides what is served.
//! Per request it: resolves the route (404 / 405 otherwise), reads the body (up to
//! [`MAX_BODY`]), checks the bearer token for secured operations (401 otherwise) and hands
//! over to the OAuth or the generic handler. Counters are bumped once the answer is ready.
//! The store is behind one mutex, held for the whole of a request's reads and writes, so
//! concurrent writers see each other's changes whole.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::Response;
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::api::{self, Call};
use crate::app::App;
use crate::catalog::{Catalog, Kind};
use crate::latency::Latency;
use crate::oauth::{self, Credentials, Tokens};
use crate::problems;
use crate::routes::Match;
use crate::seed::seeded;
use crate::webhooks::{trigger, Webhooks};
use crate::Config;

/// Request bodies larger than this are treated as unreadable.
pub(crate) const MAX_BODY: usize = 1024 * 1024;

/// Binds `127.0.0.1:<config.port>` and serves on a task of the current Tokio runtime.
pub(crate) async fn spawn(config: Config) -> io::Result<(SocketAddr, Arc<App>, JoinHandle<()>)> {
    let runtime = tokio::runtime::Handle::try_current().map_err(io::Error::other)?;
    let catalog = Catalog::shared()?;
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, config.port)).await?;
    let addr = listener.local_addr()?;
    let rng = match config.seed {
        Some(seed) => fastrand::Rng::with_seed(seed),
        None => fastrand::Rng::new(),
    };
    let store = seeded(&catalog, config.seed.unwrap_or(0));
    let app = Arc::new(App {
        latency: Latency::new(config.latency),
        config,
        addr,
        catalog,
        tokens: Mutex::new(Tokens::new(rng)),
        store: Mutex::new(store),
        token_requests: AtomicUsize::new(0),
        requests: AtomicUsize::new(0),
        webhooks: Webhooks::new(runtime.clone()),
    });
    let router = Router::new()
        .fallback(dispatch)
        .with_state(Arc::clone(&app));
    // Aborting this task drops the listener and the shutdown watch that every connection
    // task selects on, so connections wind down too: nothing keeps the port.
    let task = runtime.spawn(async move {
        if let Err(error) = axum::serve(listener, router).await {
            eprintln!("kajabi sandbox: server stopped: {error}");
        }
    });
    Ok((addr, app, task))
}

async fn dispatch(State(app): State<Arc<App>>, request: Request) -> Response<Body> {
    app.latency.wait().await;
    let (response, token_request) = handle(&app, request).await;
    if token_request {
        app.token_requests.fetch_add(1, Ordering::SeqCst);
    }
    app.requests.fetch_add(1, Ordering::SeqCst);
    response
}

/// The answer, and whether the request was a token request.
async fn handle(app: &App, request: Request) -> (Response<Body>, bool) {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str();
    let path = parts.uri.path();
    if path.starts_with(trigger::PREFIX) {
        return (trigger::answer(app, method, path), false);
    }
    let (index, params) = match app.catalog.table.find(method, path) {
        Match::Found(index, params) => (index, params),
        Match::NotFound => return (problems::not_found(path), false),
        Match::MethodNotAllowed(allowed) => {
            return (problems::method_not_allowed(method, &allowed), false)
        }
    };
    let Some(route) = app.catalog.routes.get(index) else {
        return (problems::not_found(path), false);
    };
    let body = to_bytes(body, MAX_BODY).await.ok();
    let headers = &parts.headers;
    let now = app.config.clock.now();
    match route.kind {
        Kind::Token => {
            let creds = Credentials {
                client_id: &app.config.client_id,
                client_secret: &app.config.client_secret,
                username: &app.config.username,
                password: &app.config.password,
                ttl: app.config.token_ttl,
                now,
            };
            (
                oauth::token(&app.tokens, &creds, headers, body.as_ref()),
                true,
            )
        }
        Kind::Revoke => (
            oauth::revoke(&app.tokens, headers, body.as_ref(), now),
            false,
        ),
        Kind::Api => {
            if route.op.secured {
                let checked = oauth::bearer(headers)
                    .and_then(|token| oauth::lock(&app.tokens).check(token, now));
                if let Err(rejection) = checked {
                    let media = route.error_media(axum::http::StatusCode::UNAUTHORIZED);
                    return (problems::unauthorized(media, rejection.detail()), false);
                }
            }
            let call = Call {
                method,
                path,
                query: parts.uri.query().unwrap_or(""),
                params: &params,
                headers,
                body: body.as_ref(),
            };
            (api::answer(app, route, &call), false)
        }
    }
}
