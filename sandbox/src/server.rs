//! The HTTP side: the one axum handler every request goes through, and the
//! listener task.
//!
//! There are no per-operation axum routes: a fallback handler resolves the request against
//! the spec's path templates ([`crate::routes`]), so the spec alone decides what is served.
//! Per request it: resolves the route (404 / 405 otherwise), lets a matching fault answer
//! ([`crate::faults`]: before the body is read and any lock taken), reads the body (up to
//! [`MAX_BODY`]), checks the bearer token for secured operations (401 otherwise), counts the
//! request against the client's rate limit (429 over it) and hands over to the OAuth or the
//! generic handler. Counters are bumped and `X-Request-Id` set once the answer is ready.
//! The store is behind one mutex, held for the whole of a request's reads and writes, so
//! concurrent writers see each other's changes whole.

use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use axum::body::{to_bytes, Body};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{HeaderName, HeaderValue};
use axum::http::{Response, StatusCode};
use axum::Router;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::api::{self, Call};
use crate::app::App;
use crate::catalog::{Catalog, Kind, Route};
use crate::connection::{Dropper, Listener};
use crate::faults::{self, Plan};
use crate::latency::Latency;
use crate::oauth::{self, Credentials, Tokens};
use crate::problems;
use crate::rate_limit::Windows;
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
    let faults = Plan::new();
    for fault in &config.faults {
        faults
            .install(&catalog, fault.clone())
            .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    }
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
        faults,
        windows: Windows::default(),
    });
    let router = Router::new()
        .fallback(dispatch)
        .with_state(Arc::clone(&app))
        .into_make_service_with_connect_info::<Dropper>();
    // Aborting this task drops the listener and the shutdown watch that every connection
    // task selects on, so connections wind down too: nothing keeps the port.
    let task = runtime.spawn(async move {
        if let Err(error) = axum::serve(Listener(listener), router).await {
            eprintln!("kajabi sandbox: server stopped: {error}");
        }
    });
    Ok((addr, app, task))
}

async fn dispatch(State(app): State<Arc<App>>, request: Request) -> Response<Body> {
    app.latency.wait().await;
    let dropper = request
        .extensions()
        .get::<ConnectInfo<Dropper>>()
        .map(|info| info.0.clone());
    let id = request_id();
    let (mut response, token_request) = handle(&app, request, dropper.as_ref(), &id).await;
    if token_request {
        app.token_requests.fetch_add(1, Ordering::SeqCst);
    }
    app.requests.fetch_add(1, Ordering::SeqCst);
    if let Ok(id) = HeaderValue::from_str(&id) {
        response
            .headers_mut()
            .insert(HeaderName::from_static("x-request-id"), id);
    }
    response
}

/// A fresh request id, UUID-shaped. Random even under [`Config::seed`]: the seed repeats data
/// and tokens, and two answers with one id would confuse whoever reads the logs.
fn request_id() -> String {
    let hex = format!("{:032x}", fastrand::u128(..));
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// The answer, and whether the request was a token request.
async fn handle(
    app: &App,
    request: Request,
    dropper: Option<&Dropper>,
    request_id: &str,
) -> (Response<Body>, bool) {
    let (parts, body) = request.into_parts();
    let method = parts.method.as_str();
    let path = parts.uri.path();
    if faults::route::owns(path) {
        let body = to_bytes(body, MAX_BODY).await.ok();
        return (
            faults::route::answer(app, method, path, body.as_ref()),
            false,
        );
    }
    if path.starts_with(trigger::PREFIX) {
        let query = parts.uri.query().unwrap_or("");
        return (trigger::answer(app, method, path, query).await, false);
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
    let is_token = route.kind == Kind::Token;
    let query = parts.uri.query().unwrap_or("");
    let fault = app.faults.take(&faults::Request {
        route: index,
        operation: &route.op.name,
        method,
        path,
        params: &params,
        query,
        request_id,
    });
    if let Some(fault) = &fault {
        // Before any lock is taken: a delayed answer holds up no other request.
        if let Some(delay) = fault.delay {
            tokio::time::sleep(delay).await;
        }
        if fault.drop {
            if let Some(dropper) = dropper {
                dropper.drop_connection();
            }
            return (problems::empty(StatusCode::INTERNAL_SERVER_ERROR), is_token);
        }
        if let Some(response) = faults::respond(&app.catalog, route, fault) {
            let response = if fault.cut {
                faults::cut(response).await
            } else {
                response
            };
            return (response, is_token);
        }
    }
    let body = to_bytes(body, MAX_BODY).await.ok();
    let request = Call {
        method,
        path,
        query,
        params: &params,
        headers: &parts.headers,
        body: body.as_ref(),
    };
    let response = serve(app, route, &request);
    match fault {
        Some(fault) if fault.cut => (faults::cut(response).await, is_token),
        _ => (response, is_token),
    }
}

/// The normal answer to `call` on `route`.
fn serve(app: &App, route: &Route, call: &Call<'_>) -> Response<Body> {
    let headers = call.headers;
    let body = call.body;
    let now = app.config.clock.now();
    match route.kind {
        Kind::Token => {
            let client_id = body
                .and_then(|b| form_urlencoded::parse(b).find(|(name, _)| name == "client_id"))
                .map(|(_, id)| id.into_owned());
            let client_id = client_id.as_deref().unwrap_or(&app.config.client_id);
            if let Some(limited) = rate_limited(app, route, client_id) {
                return limited;
            }
            let creds = Credentials {
                client_id: &app.config.client_id,
                client_secret: &app.config.client_secret,
                username: &app.config.username,
                password: &app.config.password,
                ttl: app.config.token_ttl,
                now,
            };
            oauth::token(&app.tokens, &creds, headers, body)
        }
        Kind::Revoke => {
            if let Some(limited) = rate_limited(app, route, &app.config.client_id) {
                return limited;
            }
            oauth::revoke(&app.tokens, headers, body, now)
        }
        Kind::Api => {
            if route.op.secured {
                let checked = oauth::bearer(headers)
                    .and_then(|token| oauth::lock(&app.tokens).check(token, now));
                if let Err(rejection) = checked {
                    let media = route.error_media(StatusCode::UNAUTHORIZED);
                    return problems::unauthorized(media, rejection.detail());
                }
                // Every live token belongs to the one configured client.
                if let Some(limited) = rate_limited(app, route, &app.config.client_id) {
                    return limited;
                }
            }
            api::answer(app, route, call)
        }
    }
}

/// 429 when `client_id` is over [`Config::rate_limit`], with the `Retry-After` of what is
/// left of its window.
fn rate_limited(app: &App, route: &Route, client_id: &str) -> Option<Response<Body>> {
    let limit = app.config.rate_limit?;
    let wait = app.windows.admit(limit, client_id).err()?;
    let detail = format!(
        "rate limit exceeded: at most {} requests per {} s",
        limit.requests,
        limit.window.as_secs()
    );
    let mut response =
        faults::error_body(&app.catalog, route, StatusCode::TOO_MANY_REQUESTS, &detail);
    faults::set_retry_after(&mut response, faults::retry_after_secs(wait));
    Some(response)
}
