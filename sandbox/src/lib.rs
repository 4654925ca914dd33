//! An offline, stateful, local stand-in for Kajabi's public API.
//!
//! The sandbox is a real HTTP server on loopback, built from the same OpenAPI document the
//! `kajabi-api` SDK is generated from (embedded at compile time). It serves every operation in
//! the document, issues and checks OAuth tokens, and answers with bodies that are valid
//! against the document, so it can sit behind a validating proxy (Prism) in CI.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let sandbox = kajabi_sandbox::Sandbox::start().await?;
//! let base_url = sandbox.base_url(); // e.g. "http://127.0.0.1:41234"
//! // Point the client at `base_url` with `sandbox.client_id()` / `sandbox.client_secret()`.
//! # let _ = base_url;
//! # Ok(()) }
//! ```
//!
//! # What it does
//!
//! - **OAuth**: `POST /v1/oauth/token` grants tokens for the configured client credentials and
//!   for the demo user's `username`/`password` ([`DEMO_USERNAME`], [`DEMO_PASSWORD`]), and
//!   rotates them on `refresh_token`; access tokens expire after [`Config::token_ttl`] on
//!   [`Config::clock`]; `POST /v1/oauth/revoke` invalidates both tokens of a pair. Every case
//!   is in the [OAuth](#oauth) table below.
//! - **Auth**: every operation the spec secures needs `Authorization: Bearer <live access
//!   token>`, else 401 with a JSON:API error body. `GET /v1/version` needs none.
//! - **State**: every collection of the spec (contacts, tags, offers, products, courses,
//!   customers, purchases, orders, transactions, hooks, …) is stored, seeded with
//!   [`SEED_SIZE`] coherent items each (ids `"1"` to `"7"`, relationships pointing at each
//!   other). Lists page, filter and sort the stored items; `GET`, `PATCH` and `DELETE` read,
//!   change and remove them; creates add them; relationship writes are stored.
//! - **Errors**: an id that names no stored resource answers 404; a body that breaks the
//!   request schema answers the declared 400/422 with `source.pointer`; unknown path → 404,
//!   known path with another method → 405 (with `Allow`).
//! - **Webhooks**: state changes and [`Sandbox::trigger`] POST the spec's events to the
//!   loopback hooks registered for them, recorded in [`Sandbox::deliveries`]; the sandbox's own
//!   routes outside `/v1`, `POST /_sandbox/webhooks/trigger/{event}` (202
//!   `{"event","deliveries","delivery_ids"}`, 404 `{"error","events"}` for an unknown event),
//!   `GET /_sandbox/webhooks/deliveries` (the record as JSON),
//!   `GET /_sandbox/webhooks/deliveries/{id}[?wait=SECS]` (one delivery, `pending` until it
//!   ends) and `GET /_sandbox/info` (says it is a sandbox), need no token.
//! - **For tests**: [`Sandbox::reset`] returns to the seeded data, [`Config::seed`] picks the
//!   data and makes tokens repeatable, [`Config::clock`] ([`ManualClock`]) lets a test move
//!   time (token expiry, timestamps) without sleeping.
//! - **Failures on demand**: [`Sandbox::fault`] (also [`Config::faults`], `--fault SPEC` and
//!   `POST /_sandbox/faults`) makes matching requests answer a status with the error body the
//!   spec declares for it, a proxy's HTML page, a cut body or a dropped connection, after a
//!   delay, with `Retry-After`, for the next `n` requests or until removed; see [`Fault`] for
//!   the syntax. [`Config::rate_limit`] answers 429 past N requests per window per
//!   `client_id`. Every answer carries a random `X-Request-Id`.
//!
//! # Contract: where the sandbox is Kajabi and where it is not
//!
//! | area | modelled faithfully | not modelled / differs |
//! | --- | --- | --- |
//! | routing, media types | every operation of the embedded spec; the declared media types; 404 for unknown paths, 405 with `Allow` | — |
//! | statuses | only statuses the operation declares, **plus 404** on every operation that addresses a resource by id (`{id}`, `{contact_id}`, …) whose id names nothing, declared or not (Kajabi's spec under-declares it); the conformance test and `.ci/prism` print this as the one allowed exception | 403 (permissions), 429 (rate limits) and 5xx only when asked for: a [`Fault`] or [`Config::rate_limit`] |
//! | bodies | every answer validates against the spec's schema; the example values come from the spec | attribute values of seeded items are synthesized ("Offer 3", `2024-01-01T00:00:00Z`) |
//! | state | all collections stored in memory per sandbox; creates, updates, deletes; ids never reused | nothing persists past the process; [`Sandbox::reset`] restores the seed |
//! | lists | `page[number]`/`page[size]` (default 25, at most 100); absolute `links.{self,current,first,prev,next,last}`; `meta.{total_count,total_pages,current_page}` on every paginated list (the spec documents them in prose; the normalizer adds them to the SDK's types) | — |
//! | filters, sort | `filter[X_id]` on to-one relationships, `filter[X_cont]`/`[X_contains]`/`[X_eq]`/`[X]`/`[X_null]` on attributes, `filter[search]`, `filter[name_or_email]`, `filter[has_tag_id]`, `filter[has_offer_id]`; `sort=a,-b` on attributes and `id` | other filters (`joined_in_last`, email engagement, revenue, …) are accepted and ignored; default order is creation order (Kajabi: newest first); `fields[...]` and `include` are ignored (full resources, no `included`) |
//! | writes | sent attributes the response schema has, not `readOnly`, valid for it; `created_at`/`updated_at` from the clock; read-only collections (no write operation in the spec) stay read-only | no uniqueness checks (two contacts may share an email); email deliverability is not checked |
//! | validation | on the 14 operations with a JSON body that declare 400 or 422: a missing or malformed body → 400 (422 where only that is declared), a schema violation → 422 (400 where only that is declared) with `source.pointer`; typed/enum query parameters where 400/422 is declared (`source.parameter`); a create that references a missing resource → 422 (`/data/relationships/X/data/id`) | revoke and form submit declare neither: their bodies are not validated (a body that is not JSON counts as none) |
//! | relationships | add/replace/remove of tags and offers stored and read back (`GET .../relationships/X` and the resource's `relationships`); an id that names nothing → 404 with `source.pointer` | deleting a resource does not remove references to it |
//! | offers | granting offers to a contact creates its customer if it has none, gives both the offers and records a purchase (offer + customer) per grant; granting to a customer does the same for its contact; removing offers removes them from both | no payments, transactions, orders or emails; purchases stay when offers are removed |
//! | purchases | `deactivate` sets `deactivated_at`, `reactivate` clears it; `cancel_subscription` answers the purchase | no subscriptions or billing |
//! | forms | `submit` stores a form submission linked to the form | no contact is created or tagged, no opt-in email |
//! | webhooks | hooks are stored, listed, read and deleted; the `*_sample` operations answer the spec's samples; any `target_url` is accepted; deliveries follow state changes: `tag_added`/`tag_removed` (a contact's tags added/removed; the contact is the envelope's `id`), `form_submission` (a form submitted), `purchase` (an offer granted, once per purchase); a hook with `resource_id` fires only for that tag, form or offer; the body is `{"id", "event", "payload"}` with the payload in the shape of the event's `_sample` schema, built from the stored resources (the spec's example where the schema needs what the state lacks); POSTed in the background, [`ATTEMPTS`] tries with backoff, 2 s connect / 5 s request timeouts, no redirects; recorded ([`Sandbox::deliveries`]) | delivered to loopback targets only (others recorded as skipped); no signature (Kajabi documents none); `payment_succeeded` and `order_created` come only from [`Sandbox::trigger`] / `POST /_sandbox/webhooks/trigger/{event}` |
//! | OAuth | client credentials, password (demo user), refresh with rotation, revoke; expiry on the injected clock | one client and one user; `scope` is ignored; a password-grant session refreshes like any other (the spec documents refresh for client-credential grants only) |
//! | bad input | bodies over 1 MiB are unreadable (400/422 where declared); hostile paths, ids and queries get a declared answer or the 404 above, never a 5xx; one lock guards the store, so concurrent writers never corrupt it | — |
//!
//! # Standalone, behind Prism
//!
//! ```text
//! cargo run -p kajabi-sandbox -- --port 4010 --seed 42
//! # kajabi sandbox listening on http://127.0.0.1:4010
//! prism proxy openapi.yaml http://127.0.0.1:4010 --errors
//! ```
//!
//! # OAuth
//!
//! | request | answer |
//! | --- | --- |
//! | `grant_type=client_credentials` + right `client_id`/`client_secret` | 200 `{"access_token","refresh_token","token_type":"Bearer","expires_in"}` |
//! | … wrong or missing credentials | 401 `{"error":"invalid_client",...}` |
//! | `grant_type=password` + the demo user's `username`/`password` (a `client_id`/`client_secret`, if sent, must be right) | 200, a new pair |
//! | … wrong or missing user credentials | 400 `invalid_grant` |
//! | `grant_type=refresh_token` + live refresh token | 200, new pair; the old pair is revoked |
//! | … unknown, used or revoked refresh token | 400 `invalid_grant` |
//! | `grant_type` missing or other | 400 `unsupported_grant_type` |
//! | body not a form | 400 `invalid_request` |
//! | revoke, bad or missing bearer | 401 `{"error":"invalid_token",...}` (`application/json`) |
//! | revoke, `token=` access or refresh token of any pair | 200, empty body; both tokens of that pair revoked |
//! | revoke, `token=` unknown | 200, empty body, nothing revoked (RFC 7009) |
//! | revoke, no `token` | 200, empty body; the **bearer's own** pair is revoked ("log me out") |
//!
//! Refresh tokens do not expire; they end when used or revoked. The refresh token of a
//! password-grant session can be used like any other.

#![deny(missing_docs)]

mod api;
mod app;
mod catalog;
mod clock;
mod connection;
mod faults;
mod latency;
mod oauth;
mod pagination;
mod problems;
mod query;
mod rate_limit;
mod routes;
mod seed;
mod server;
mod spec;
mod store;
mod validation;
mod webhooks;

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

pub use clock::{Clock, ManualClock, SystemClock};
pub use faults::{Fault, FaultError, FaultId, FaultRecord, RetryAfter};
pub use pagination::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use rate_limit::RateLimit;
pub use seed::{UnknownCollection, SEED_SIZE};
pub use webhooks::{Delivery, Outcome, UnknownEvent, ATTEMPTS, MAX_RECORDS};

/// The client id [`Config::default`] accepts.
pub const DEMO_CLIENT_ID: &str = "sandbox-client-id";

/// The client secret [`Config::default`] accepts.
pub const DEMO_CLIENT_SECRET: &str = "sandbox-client-secret";

/// The demo user's name for the password grant ([`Config::default`]).
pub const DEMO_USERNAME: &str = "sandbox@example.com";

/// The demo user's password for the password grant ([`Config::default`]).
pub const DEMO_PASSWORD: &str = "sandbox-password";

/// The access token lifetime [`Config::default`] uses (`expires_in`), in seconds.
pub const DEFAULT_TOKEN_TTL_SECS: u64 = 7200;

/// How a [`Sandbox`] is set up.
#[derive(Clone)]
pub struct Config {
    /// The one client id the token endpoint accepts.
    pub client_id: String,
    /// Its client secret.
    pub client_secret: String,
    /// The one user the password grant accepts.
    pub username: String,
    /// That user's password.
    pub password: String,
    /// How long an access token lives; also the `expires_in` of token responses (whole
    /// seconds). Default 7200 s.
    pub token_ttl: Duration,
    /// Port to listen on at 127.0.0.1; 0 picks a free one.
    pub port: u16,
    /// A known state: the seed picks the seeded data (`None`: seed 0) and, when given, makes
    /// the tokens repeatable too. Two sandboxes with the same seed answer the same requests
    /// with the same bytes.
    pub seed: Option<u64>,
    /// Where "now" comes from: token expiry and the timestamps of writes. Default
    /// [`SystemClock`]; a [`ManualClock`] lets a test move time.
    pub clock: Arc<dyn Clock>,
    /// Faults installed from the start (see [`Fault`]); default none.
    pub faults: Vec<Fault>,
    /// At most so many requests per window per `client_id` (the token endpoint included);
    /// over it, 429 with `Retry-After`. Default `None`: no limit.
    pub rate_limit: Option<RateLimit>,
    /// How long the sandbox waits before answering each request, to play a distant server
    /// (requests wait side by side, holding no lock); [`Sandbox::set_latency`] changes it
    /// later. Default none.
    pub latency: Duration,
}

impl Default for Config {
    /// The demo credentials ([`DEMO_CLIENT_ID`], [`DEMO_CLIENT_SECRET`], [`DEMO_USERNAME`],
    /// [`DEMO_PASSWORD`]), 7200 s tokens, any free port, the default data, random tokens, the
    /// system clock.
    fn default() -> Config {
        Config {
            client_id: DEMO_CLIENT_ID.to_string(),
            client_secret: DEMO_CLIENT_SECRET.to_string(),
            username: DEMO_USERNAME.to_string(),
            password: DEMO_PASSWORD.to_string(),
            token_ttl: Duration::from_secs(DEFAULT_TOKEN_TTL_SECS),
            port: 0,
            seed: None,
            clock: Arc::new(SystemClock),
            faults: Vec::new(),
            rate_limit: None,
            latency: Duration::ZERO,
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("username", &self.username)
            .field("password", &"<redacted>")
            .field("token_ttl", &self.token_ttl)
            .field("port", &self.port)
            .field("seed", &self.seed)
            .field("clock", &self.clock)
            .field("faults", &self.faults)
            .field("rate_limit", &self.rate_limit)
            .field("latency", &self.latency)
            .finish()
    }
}

/// A running sandbox server. Dropping it shuts the server down and frees the port.
///
/// Start it from within a Tokio runtime (for example a `#[tokio::test]`); the server runs as
/// a task of that runtime.
pub struct Sandbox {
    addr: SocketAddr,
    app: Arc<app::App>,
    task: tokio::task::JoinHandle<()>,
}

impl Sandbox {
    /// Starts a sandbox with [`Config::default`].
    ///
    /// # Errors
    /// When called outside a Tokio runtime, or when the port cannot be bound.
    pub async fn start() -> std::io::Result<Sandbox> {
        Sandbox::start_with(Config::default()).await
    }

    /// Starts a sandbox with `config`.
    ///
    /// # Errors
    /// When called outside a Tokio runtime, when the port cannot be bound, or when one of
    /// [`Config::faults`] names what the spec does not have (`InvalidInput`, the
    /// [`FaultError`] inside).
    pub async fn start_with(config: Config) -> std::io::Result<Sandbox> {
        let (addr, app, task) = server::spawn(config).await?;
        Ok(Sandbox { addr, app, task })
    }

    /// The server's base URL, `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The client id the token endpoint accepts.
    pub fn client_id(&self) -> &str {
        &self.app.config.client_id
    }

    /// The client secret the token endpoint accepts.
    pub fn client_secret(&self) -> &str {
        &self.app.config.client_secret
    }

    /// The demo user's name for the password grant.
    pub fn username(&self) -> &str {
        &self.app.config.username
    }

    /// The demo user's password for the password grant.
    pub fn password(&self) -> &str {
        &self.app.config.password
    }

    /// Returns the data to its seeded state: what was created is gone, what was changed or
    /// deleted is back, new ids start over. Faults (those of [`Config::faults`] too) and their
    /// records are gone, and every client's rate-limit window starts over. Tokens stay valid
    /// (a client's session survives), and the request counters keep counting.
    pub fn reset(&self) {
        let fresh = seed::seeded(&self.app.catalog, self.app.config.seed.unwrap_or(0));
        *store::lock(&self.app.store) = fresh;
        self.app.faults.clear();
        self.app.windows.clear();
    }

    /// Installs `fault` after those already installed (the first that matches a request
    /// answers it). Over HTTP: `POST /_sandbox/faults`.
    ///
    /// ```no_run
    /// # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
    /// use kajabi_sandbox::{Fault, RetryAfter, Sandbox};
    ///
    /// let sandbox = Sandbox::start().await?;
    /// // The next two `get_contact`s answer 429, then the sandbox answers normally.
    /// sandbox.fault(Fault::on("get_contact").status(429).retry_after(RetryAfter::Seconds(1)).times(2))?;
    /// // Contact 7 is forbidden until the fault is removed.
    /// let forbidden = sandbox.fault("GET /v1/contacts/{id} id=7: 403".parse()?)?;
    /// sandbox.remove_fault(forbidden);
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// An invalid combination (`drop` with a status, a status outside 400–599, …), or an
    /// operation, template or parameter the spec does not have (with the nearest names).
    pub fn fault(&self, fault: Fault) -> Result<FaultId, FaultError> {
        self.app.faults.install(&self.app.catalog, fault)
    }

    /// Removes fault `id`; whether it was still installed (a fault of `times(n)` leaves by
    /// itself after `n` answers). Over HTTP: `DELETE /_sandbox/faults/{id}`.
    pub fn remove_fault(&self, id: FaultId) -> bool {
        self.app.faults.remove(id)
    }

    /// Removes every fault and forgets their records. Over HTTP: `DELETE /_sandbox/faults`.
    pub fn clear_faults(&self) {
        self.app.faults.clear();
    }

    /// Every request a fault answered, oldest first (at most 10,000). Over HTTP:
    /// `GET /_sandbox/faults`.
    pub fn fault_records(&self) -> Vec<FaultRecord> {
        self.app.faults.records()
    }

    /// Sets the wait before each answer ([`Config::latency`]) for the requests that arrive
    /// from now on; [`Duration::ZERO`] for none. A test can so set up its data quickly, then
    /// measure against a slow server.
    pub fn set_latency(&self, latency: Duration) {
        self.app.latency.set(latency);
    }

    /// Appends `count` items to a collection (`"contacts"` or `"/v1/contacts"`), with fresh
    /// ids and readable attributes like the seeded ones, their relationships pointing at the
    /// seeded items `"1"` (the site is site `"1"`, so `filter[site_id]=1` lists them all).
    /// Thousands take milliseconds, without a request. [`Sandbox::reset`] removes them.
    ///
    /// # Errors
    /// [`UnknownCollection`] when the sandbox stores no such collection.
    pub fn add_items(&self, collection: &str, count: usize) -> Result<(), UnknownCollection> {
        let mut store = store::lock(&self.app.store);
        let seed = self.app.config.seed.unwrap_or(0);
        seed::add(&self.app.catalog, &mut store, collection, count, seed)
    }

    /// How many `POST /v1/oauth/token` requests have been answered, whatever the outcome.
    pub fn token_requests(&self) -> usize {
        self.app.token_requests.load(Ordering::SeqCst)
    }

    /// How many requests have been answered, of any kind and outcome.
    pub fn requests(&self) -> usize {
        self.app.requests.load(Ordering::SeqCst)
    }

    /// Fires webhook `event` now, as if it had happened, for every hook registered for it
    /// (whatever its `resource_id`); the payload comes from the first stored resource of each
    /// type the event's `_sample` has. Returns how many deliveries it started; they run in
    /// the background (see [`Sandbox::deliveries`]). Over HTTP:
    /// `POST /_sandbox/webhooks/trigger/{event}`.
    ///
    /// # Errors
    /// [`UnknownEvent`] when the spec lists no such event.
    pub fn trigger(&self, event: &str) -> Result<usize, UnknownEvent> {
        webhooks::trigger::fire(&self.app, event).map(|ids| ids.len())
    }

    /// Every webhook delivery recorded so far (at most [`MAX_RECORDS`]), oldest first. A
    /// delivery is recorded once it has ended: delivered, failed after [`ATTEMPTS`] POSTs, or
    /// skipped (not loopback). Over HTTP: `GET /_sandbox/webhooks/deliveries`.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.app.webhooks.records()
    }

    /// Waits until `count` deliveries have been recorded since the sandbox started, and
    /// returns [`Sandbox::deliveries`]. Wrap it in a timeout: it waits as long as it takes.
    pub async fn wait_for_deliveries(&self, count: usize) -> Vec<Delivery> {
        self.app.webhooks.recorded(count).await;
        self.deliveries()
    }
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("base_url", &self.base_url())
            .field("client_id", &self.client_id())
            .field("client_secret", &"<redacted>")
            .field("username", &self.username())
            .field("password", &"<redacted>")
            .field("requests", &self.requests())
            .finish()
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        self.task.abort();
    }
}
