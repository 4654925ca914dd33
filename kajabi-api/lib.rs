//! Typed Rust client for [Kajabi's public API](https://developers.kajabi.com), generated at
//! build time from Kajabi's own OpenAPI document (`openapi.yaml`).
//!
//! ```no_run
//! # async fn run() -> Result<(), kajabi_api::Error> {
//! let client = kajabi_api::Client::builder()
//!     .client_credentials("my-client-id", "my-client-secret")
//!     .build()?;
//! let me = client.get_me().send().await?;          // token fetched, cached, renewed for you
//! println!("{:?}", me.data);
//! let contacts = client.list_contacts().page_size(10).send().await?;
//! println!("{} contacts", contacts.data.len());
//! client.logout().await?;                           // POST /v1/oauth/revoke: both tokens die
//! # Ok(()) }
//! ```
//!
//! Every operation of the document is a method of [`Client`] returning a builder; its
//! `send()` returns the typed body in a [`ResponseValue`] (status and headers included) or
//! one [`Error`]. The models are in [`types`]. The hand-written parts:
//! - [`ClientBuilder`]: base URL, credentials, timeouts, retries, your own `reqwest::Client`;
//! - the token lifecycle (fetch, cache, renew before expiry, single flight, one retry on 401),
//!   [`Client::revoke`] and [`Client::logout`];
//! - [`Error`]: transport, timeout, status with Kajabi's decoded error body ([`ApiError`]),
//!   schema mismatch, configuration;
//! - [`SecretString`]: credentials redacted in `Debug` and never in errors or logs;
//! - a `tracing` span `kajabi.call` per call (operation, method, path, status, attempt,
//!   duration, request id).
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

mod auth;
mod client;
mod dynamic;
mod error;
mod generated;
mod media_type;
mod operation;
mod pagination;
mod retry;
mod secret;
mod transport;

pub use client::{ClientBuilder, DEFAULT_BASE_URL};
pub use error::{
    ApiError, Error, ErrorSource, JsonApiError, OAuthError, OAuthErrorCode, Result, MAX_ERROR_BODY,
};
pub use generated::{builder, types, Client};
pub use operation::{operations, Operation};
pub use pagination::{PageFuture, PageStream, Paginate, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
pub use progenitor_client::ResponseValue;
pub use retry::RetryPolicy;
pub use secret::SecretString;

/// The generated client's inner state (credentials and token cache); not used directly.
pub use auth::Session;
