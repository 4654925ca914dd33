//! `kajabi webhooks listen [--events a,b] [--site ID] [--forward-to URL]`: receives the
//! sandbox's deliveries on this machine.
//!
//! In order: `GET /_sandbox/info` (a base URL that is not a sandbox is refused before any
//! request that changes state, the token request included); Ctrl-C and SIGTERM are caught
//! from then on; a receiver binds `127.0.0.1:0` (the OS picks the port, which stays bound
//! until exit); one hook per event is created through the SDK (`client.hooks().create`),
//! pointing at the receiver; a line on stderr says it listens. Each delivery is read with
//! `kajabi_api::webhooks::receive`, forwarded as received to `--forward-to` when given (a
//! failed forward is one line on stderr, and listening goes on), then printed on stdout as
//! one JSON line `{"id", "event", "payload"}` and answered 204; a body that is not a delivery
//! gets 400 and a line on stderr. On Ctrl-C or SIGTERM the hooks are deleted (exit 1 if one
//! could not be) and the receiver stops.

use std::net::Ipv4Addr;
use std::sync::Arc;
use std::time::Duration;

use axum::{body::Bytes, extract::State, http::StatusCode, routing::post, Router};
use clap::ArgMatches;
use kajabi_api::resources::{HookId, NewHook, SiteId};
use kajabi_api::webhooks::{receive, DEFAULT_MAX_BODY, EVENTS};
use serde_json::json;

use super::{cause, ensure_sandbox, http, without_user_info};
use crate::{credentials, failure::Failure, output};

/// How long a forward may take: below the sandbox's 5 s per delivery, so that a slow
/// `--forward-to` does not make the sandbox retry (and this print the delivery twice).
const FORWARD_TIMEOUT: Duration = Duration::from_secs(4);

/// `--forward-to`'s value: an absolute `http(s)://` URL.
pub(super) fn forward_url(text: &str) -> Result<reqwest::Url, String> {
    match reqwest::Url::parse(text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.has_host() => Ok(url),
        _ => Err("expected an http:// or https:// URL".to_string()),
    }
}

/// Runs `kajabi webhooks listen`.
pub(crate) async fn run(matches: &ArgMatches) -> Result<(), Failure> {
    let mut events: Vec<String> = match matches.get_many::<String>("events") {
        Some(named) => named.cloned().collect(),
        None => EVENTS.iter().map(|e| e.to_string()).collect(),
    };
    // `--events a,a` registers one hook, not two that print every delivery twice.
    let mut seen = std::collections::HashSet::new();
    events.retain(|e| seen.insert(e.clone()));
    let site = match matches.get_one::<String>("site") {
        Some(id) if id.trim().is_empty() => {
            return Err(Failure::usage("--site needs a site id"));
        }
        site => site.cloned().map(SiteId::new),
    };
    let forward = matches.get_one::<reqwest::Url>("forward-to").cloned();
    let credentials = credentials::resolve()?;
    let base_url = credentials.client.base_url().to_string();
    ensure_sandbox(
        &http(Duration::from_secs(10))?,
        &base_url,
        "kajabi webhooks listen",
    )
    .await?;
    let mut stop = Stop::new()?;

    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .map_err(|e| Failure::other(format!("cannot listen on 127.0.0.1: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| Failure::other(format!("cannot read the receiver's address: {e}")))?;
    let target = format!("http://{address}/");
    let receiver = Arc::new(Receiver {
        forward,
        client: http(FORWARD_TIMEOUT)?,
    });
    let router = Router::new().route("/", post(deliver)).with_state(receiver);
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });

    let client = &credentials.client;
    let result = async {
        let site = match site {
            Some(site) => site,
            None => first_site(client).await?,
        };
        let mut hooks = Vec::with_capacity(events.len());
        for event in &events {
            match client
                .hooks()
                .create(NewHook::new(event, &target, site.clone()))
                .await
            {
                Ok(hook) => hooks.push(hook.id),
                Err(e) => {
                    // What was created goes, whatever else happens.
                    let _ = delete(client, &hooks).await;
                    return Err(Failure::from(e));
                }
            }
        }
        let ids: Vec<&str> = hooks.iter().map(HookId::as_str).collect();
        eprintln!(
            "kajabi: listening on {target} for {} (hooks {} on site {site}); Ctrl-C to stop",
            events.join(", "),
            ids.join(", ")
        );
        stop.wait().await;
        delete(client, &hooks).await
    }
    .await;
    server.abort();
    credentials.persist()?;
    result
}

/// The first site the credentials can see, for hooks without `--site`.
async fn first_site(client: &kajabi_api::Client) -> Result<SiteId, Failure> {
    let sites = client.sites().list().page_size(1).send().await?;
    sites
        .into_iter()
        .next()
        .map(|site| site.id)
        .ok_or_else(|| Failure::usage("no site to register hooks on: pass --site ID"))
}

/// Deletes `hooks`; one that is already gone counts as deleted.
async fn delete(client: &kajabi_api::Client, hooks: &[HookId]) -> Result<(), Failure> {
    let mut left = Vec::new();
    for hook in hooks {
        match client.hooks().delete(hook).await {
            Ok(()) => {}
            Err(e) if e.is_not_found() => {}
            Err(_) => left.push(hook.as_str()),
        }
    }
    if left.is_empty() {
        Ok(())
    } else {
        Err(Failure::other(format!(
            "could not delete hooks {}: delete them with `kajabi hooks delete ID`",
            left.join(", ")
        )))
    }
}

/// What the receiver shares between deliveries.
struct Receiver {
    forward: Option<reqwest::Url>,
    client: reqwest::Client,
}

/// One delivery: forwarded when asked, then printed as one JSON line.
async fn deliver(State(receiver): State<Arc<Receiver>>, body: Bytes) -> StatusCode {
    let event = match receive(&body, DEFAULT_MAX_BODY) {
        Ok(event) => event,
        Err(e) => {
            eprintln!("kajabi: refused a request that is not a delivery: {e}");
            return StatusCode::BAD_REQUEST;
        }
    };
    // Forwarded before it is printed: whoever reads the line knows the forward is done.
    if let Some(url) = &receiver.forward {
        forward(&receiver.client, url, body).await;
    }
    let line = json!({"id": event.id(), "event": event.name(), "payload": event.raw_payload()});
    if let Err(failure) = output::write_line(&line.to_string()) {
        eprintln!("kajabi: {failure}");
    }
    StatusCode::NO_CONTENT
}

/// POSTs `body` as received to `url`; a failure is one line on stderr.
async fn forward(client: &reqwest::Client, url: &reqwest::Url, body: Bytes) {
    let shown = without_user_info(url.as_str());
    let sent = client
        .post(url.clone())
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body(body)
        .send()
        .await;
    match sent {
        Ok(response) if response.status().is_success() => {}
        Ok(response) => eprintln!(
            "kajabi: forwarding to {shown}: it answered {}",
            response.status()
        ),
        Err(e) => eprintln!("kajabi: forwarding to {shown} failed: {}", cause(&e)),
    }
}

/// Ctrl-C (and SIGTERM on Unix), caught from the moment it is made: a signal that arrives
/// while the hooks are being created is kept until [`Stop::wait`].
struct Stop {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
}

impl Stop {
    fn new() -> Result<Stop, Failure> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{signal, SignalKind};
            let catch = |kind| {
                signal(kind).map_err(|e| Failure::other(format!("cannot catch Ctrl-C: {e}")))
            };
            Ok(Stop {
                interrupt: catch(SignalKind::interrupt())?,
                terminate: catch(SignalKind::terminate())?,
            })
        }
        #[cfg(not(unix))]
        Ok(Stop {})
    }

    async fn wait(&mut self) {
        #[cfg(unix)]
        {
            let interrupt = std::pin::pin!(self.interrupt.recv());
            let terminate = std::pin::pin!(self.terminate.recv());
            let _ = futures::future::select(interrupt, terminate).await;
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
