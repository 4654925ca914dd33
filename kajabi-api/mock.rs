//! Typed [httpmock](https://docs.rs/httpmock/0.8) mocks of every operation, for unit tests that
//! pin one exchange (feature `httpmock`).
//!
//! [`MockServerExt`] gives an [`httpmock::MockServer`] one method per operation, named as the
//! [`Client`](crate::Client)'s: `server.get_contact(|when, then| …)`. `when` narrows the
//! requests the mock answers (typed path and query parameters, the typed request body of a
//! write); `then` sets the answer: `ok(document)`, `ok_example()` (the spec's example, the
//! default), the flat types (`resource(contact)`, `page(contacts)`), the errors the operation
//! can meet (`not_found()`, `forbidden()`, `rate_limited(retry_after)`,
//! `service_unavailable()`, …), or anything through `raw`. `then.first(n, |then| …)` queues
//! the first `n` answers (httpmock has no sequences). [`MockServerExt::grant_token`] answers
//! the token request: one line for auth.
//!
//! The mocks are generated at build time from the same spec model and progenitor run as the
//! client, so a changed spec changes both.
//!
//! # A 404 branch
//!
//! ```no_run
//! use kajabi_api::mock::{httpmock::MockServer, MockServerExt};
//! use kajabi_api::resources::{Contact, ContactId};
//!
//! /// The code under test: a missing contact is `None`, not an error.
//! async fn find_contact(client: &kajabi_api::Client, id: &ContactId) -> kajabi_api::Result<Option<Contact>> {
//!     match client.contacts().get(id).await {
//!         Ok(contact) => Ok(Some(contact)),
//!         Err(e) if e.status().map(|s| s.as_u16()) == Some(404) => Ok(None),
//!         Err(e) => Err(e),
//!     }
//! }
//!
//! # async fn test() {
//! let server = MockServer::start_async().await;
//! server.grant_token();
//! let mock = server.get_contact(|when, then| {
//!     when.id("42");
//!     then.not_found();
//! });
//! let client = kajabi_api::Client::builder()
//!     .base_url(server.base_url())
//!     .client_credentials("id", "secret")
//!     .build()
//!     .unwrap();
//! assert!(find_contact(&client, &ContactId::new("42")).await.unwrap().is_none());
//! mock.assert();
//! # }
//! ```
//!
//! # Backing off on 429
//!
//! ```no_run
//! use std::time::Duration;
//! use kajabi_api::mock::{httpmock::MockServer, MockServerExt};
//! use kajabi_api::resources::Contact;
//!
//! /// The code under test: lists contacts, waiting out a rate limit.
//! async fn contacts(client: &kajabi_api::Client) -> kajabi_api::Result<Vec<Contact>> {
//!     loop {
//!         match client.contacts().list().send().await {
//!             Err(e) if e.is_rate_limited() => {
//!                 tokio::time::sleep(e.retry_after().unwrap_or(Duration::from_secs(1))).await
//!             }
//!             page => return page,
//!         }
//!     }
//! }
//!
//! # async fn test() {
//! let server = MockServer::start_async().await;
//! server.grant_token();
//! let mock = server.list_contacts(|_, then| {
//!     then.first(2, |then| then.rate_limited(Duration::from_secs(1)))
//!         .ok_example();
//! });
//! let client = kajabi_api::Client::builder()
//!     .base_url(server.base_url())
//!     .client_credentials("id", "secret")
//!     .retry_policy(kajabi_api::RetryPolicy::disabled())
//!     .build()
//!     .unwrap();
//! // Under `#[tokio::test(start_paused = true)]` the two 1 s waits take no time.
//! assert!(!contacts(&client).await.unwrap().is_empty());
//! assert_eq!(mock.calls(), 3);
//! # }
//! ```

mod answer;
mod matcher;

#[allow(
    missing_docs,
    clippy::all,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]
mod generated {
    include!(concat!(env!("OUT_DIR"), "/mock.rs"));
}

/// The mocks compiled here are the ones `kajabi-codegen` pins (`codegen/tests/generated.rs`).
#[cfg(test)]
#[test]
fn the_compiled_mocks_are_the_pinned_ones() {
    let pinned = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("codegen/tests/snapshots/mock.rs.snap");
    let pinned = std::fs::read_to_string(&pinned).expect("kajabi-codegen's snapshot");
    assert!(
        pinned == include_str!(concat!(env!("OUT_DIR"), "/mock.rs")),
        "the mocks built from openapi.yaml are not codegen/tests/snapshots/mock.rs.snap; \
         run `UPDATE_SNAPSHOTS=1 cargo test -p kajabi-codegen --test generated`"
    );
}

use std::{cell::RefCell, rc::Rc};

pub use generated::*;
/// The httpmock the mocks are built on, so that a test uses the same version.
pub use httpmock;

pub(crate) use answer::{Answer, Answers};
pub(crate) use matcher::Matcher;

/// State shared by a `When` or `Then` and the mock being set up, as httpmock's own are: a
/// setter's result may be dropped.
pub(crate) type Shared<T> = Rc<RefCell<T>>;

/// What the mocks know of one operation, from the spec.
#[derive(Debug)]
pub(crate) struct Spec {
    /// Upper-case HTTP method.
    pub(crate) method: &'static str,
    /// Path template, e.g. `/v1/contacts/{id}`.
    pub(crate) path: &'static str,
    /// The first declared success status.
    pub(crate) status: u16,
    /// The success response's declared media type.
    pub(crate) media: Option<&'static str>,
    /// The request body's declared media type.
    pub(crate) request_media: Option<&'static str>,
    /// The success response's example, JSON text.
    pub(crate) example: Option<&'static str>,
    /// Whether the operation is the token grant (its 401 is OAuth's).
    pub(crate) token_grant: bool,
}

/// Sets up the mock of `spec` on `server`: `configure` fills the matcher and the answers.
pub(crate) fn install<'a>(
    server: &'a httpmock::MockServer,
    spec: &'static Spec,
    configure: impl FnOnce(Shared<Matcher>, Shared<Answers>),
) -> httpmock::Mock<'a> {
    let matcher: Shared<Matcher> = Shared::default();
    let answers: Shared<Answers> = Shared::default();
    configure(matcher.clone(), answers.clone());
    let matcher = matcher.take();
    let respond = answers.take().responder(spec);
    server.mock(|when, then| {
        matcher.apply(spec, when);
        then.respond_with(respond);
    })
}
