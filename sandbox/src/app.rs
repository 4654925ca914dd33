//! What one sandbox shares between its requests: the state every handler reads and writes.

use std::net::SocketAddr;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Mutex};

use crate::catalog::Catalog;
use crate::faults::Plan;
use crate::latency::Latency;
use crate::oauth::Tokens;
use crate::rate_limit::Windows;
use crate::store::Store;
use crate::webhooks::Webhooks;
use crate::Config;

/// Everything one sandbox shares between its requests.
pub(crate) struct App {
    pub(crate) config: Config,
    /// Where the server listens (for absolute links when a request has no `Host`).
    pub(crate) addr: SocketAddr,
    pub(crate) catalog: Arc<Catalog>,
    pub(crate) tokens: Mutex<Tokens>,
    pub(crate) store: Mutex<Store>,
    pub(crate) token_requests: AtomicUsize,
    pub(crate) requests: AtomicUsize,
    /// Webhook deliveries and their record.
    pub(crate) webhooks: Webhooks,
    /// The installed faults and what they answered.
    pub(crate) faults: Plan,
    /// The rate limit's windows, per client id.
    pub(crate) windows: Windows,
    /// The delay before every answer.
    pub(crate) latency: Latency,
}
