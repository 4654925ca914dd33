#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

mod api_error;
mod auth;
mod body;
mod by_name;
mod call;
mod client;
mod contract;
mod error;
mod flat;
mod generated;
mod media_type;
#[cfg(feature = "middleware")]
mod middleware;
#[cfg(feature = "httpmock")]
pub mod mock;
mod operation;
mod options;
mod pagination;
mod raw_request;
mod retry;
mod secret;
mod session_export;
mod trace;
mod transport;
pub mod webhooks;

pub use api_error::{ApiError, ErrorSource, JsonApiError, OAuthError, OAuthErrorCode};
pub use by_name::OperationPages;
pub use client::{ClientBuilder, DEFAULT_BASE_URL};
pub use contract::{builder, resources, types, Client};
pub use error::{Error, ErrorKind, Result, MAX_ERROR_BODY};
pub use operation::{operations, Operation, Role};
pub use options::CallOptions;
pub use pagination::{
    Concurrent, Page, PageFuture, PageStream, Paginate, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE,
    RATE_LIMITED_RETRIES,
};
pub use progenitor_client::ResponseValue;
pub use retry::RetryPolicy;
pub use secret::SecretString;
pub use session_export::SessionTokens;

/// The generated client's inner state (credentials and token cache); not used directly.
pub use auth::Session;
