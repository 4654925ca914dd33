//! The whole token lifecycle against the local sandbox, as the quickstart runs it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use kajabi_api::{Client, RetryPolicy, SecretString};
use kajabi_sandbox::{Config, ManualClock, Sandbox};

fn client_of(sandbox: &Sandbox) -> Client {
    Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()
        .unwrap()
}

#[tokio::test]
async fn login_call_logout_and_the_revoked_token_is_refused() {
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_of(&sandbox);
    let token = client.access_token().await.unwrap();
    assert_eq!(
        client
            .get_version()
            .send()
            .await
            .unwrap()
            .meta
            .as_ref()
            .unwrap()
            .version
            .as_deref(),
        Some("1.1.0")
    );
    client.get_me().send().await.unwrap();
    client.logout().await.unwrap();

    let revoked = Client::builder()
        .base_url(sandbox.base_url())
        .access_token(token)
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = revoked.get_me().send().await.unwrap_err();
    assert!(error.is_unauthorized(), "{error}");
    assert!(matches!(
        error.api_error(),
        Some(kajabi_api::ApiError::JsonApi(_))
    ));

    // The logged-out client logs in again by itself.
    client.get_me().send().await.unwrap();
    assert_eq!(sandbox.token_requests(), 2);
}

#[tokio::test]
async fn revoking_the_refresh_token_kills_the_access_token_too() {
    let sandbox = Sandbox::start().await.unwrap();
    let login = client_of(&sandbox);
    let form = login
        .create_token()
        .body(kajabi_api::types::CreateTokenBody {
            grant_type: Some("client_credentials".into()),
            client_id: Some(sandbox.client_id().into()),
            client_secret: Some(sandbox.client_secret().into()),
            ..Default::default()
        })
        .send()
        .await
        .unwrap()
        .into_inner();
    let (access, refresh) = (form.access_token.unwrap(), form.refresh_token.unwrap());
    let holder = Client::builder()
        .base_url(sandbox.base_url())
        .access_token(access.clone())
        .build()
        .unwrap();
    holder.get_me().send().await.unwrap();
    holder
        .revoke(&SecretString::new(refresh.secret()))
        .await
        .unwrap();
    assert!(holder.get_me().send().await.unwrap_err().is_unauthorized());
}

/// One time line for the sandbox and the client: both clocks move together, without sleeping.
#[derive(Clone)]
struct Time {
    sandbox: ManualClock,
    start: tokio::time::Instant,
    offset: Arc<Mutex<Duration>>,
}

impl Time {
    fn new() -> Time {
        Time {
            sandbox: ManualClock::new(),
            start: tokio::time::Instant::now(),
            offset: Arc::new(Mutex::new(Duration::ZERO)),
        }
    }

    fn advance(&self, by: Duration) {
        self.sandbox.advance(by);
        *self.offset.lock().unwrap() += by;
    }

    fn client_clock(&self) -> impl Fn() -> tokio::time::Instant + Send + Sync + 'static {
        let (start, offset) = (self.start, self.offset.clone());
        move || start + *offset.lock().unwrap()
    }
}

#[tokio::test]
async fn an_expired_token_is_renewed_through_the_refresh_grant() {
    let time = Time::new();
    let config = Config {
        token_ttl: Duration::from_secs(2),
        clock: Arc::new(time.sandbox.clone()),
        ..Config::default()
    };
    let sandbox = Sandbox::start_with(config).await.unwrap();
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .refresh_margin(Duration::from_secs(60))
        .clock(time.client_clock())
        .build()
        .unwrap();
    client.get_me().send().await.unwrap();
    // A 2 s token is renewed half-way through its life.
    time.advance(Duration::from_millis(1200));
    client.get_me().send().await.unwrap();
    assert_eq!(sandbox.token_requests(), 2);
    // Not yet stale again: no token request.
    time.advance(Duration::from_millis(500));
    client.get_me().send().await.unwrap();
    assert_eq!(sandbox.token_requests(), 2);
}

#[tokio::test]
async fn a_token_the_sandbox_expired_is_renewed_after_its_401() {
    let clock = ManualClock::new();
    let config = Config {
        clock: Arc::new(clock.clone()),
        ..Config::default()
    };
    let sandbox = Sandbox::start_with(config).await.unwrap();
    let client = client_of(&sandbox);
    client.get_me().send().await.unwrap();
    // The sandbox's clock passes the token's 7200 s; the client's does not know.
    clock.advance(Duration::from_secs(7200));
    client.get_me().send().await.unwrap();
    assert_eq!(sandbox.token_requests(), 2);
    assert_eq!(sandbox.requests(), 5, "grant, me, me (401), renewal, me");
}

// The spec's password exchange sends `username` and `password` only, no `grant_type`.
#[tokio::test]
async fn a_user_logs_in_with_username_and_password_and_renews_through_the_refresh_grant() {
    let time = Time::new();
    let config = Config {
        token_ttl: Duration::from_secs(2),
        clock: Arc::new(time.sandbox.clone()),
        ..Config::default()
    };
    let sandbox = Sandbox::start_with(config).await.unwrap();
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .password(kajabi_sandbox::DEMO_USERNAME, kajabi_sandbox::DEMO_PASSWORD)
        .clock(time.client_clock())
        .build()
        .unwrap();
    client.get_me().send().await.unwrap();
    time.advance(Duration::from_millis(1200));
    client.get_me().send().await.unwrap();
    assert_eq!(sandbox.token_requests(), 2);

    let wrong = Client::builder()
        .base_url(sandbox.base_url())
        .password(kajabi_sandbox::DEMO_USERNAME, "not-the-password")
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let error = wrong.get_me().send().await.unwrap_err();
    assert!(error.is_status(), "{error}");
    assert!(!error.to_string().contains("not-the-password"), "{error}");
}

#[tokio::test]
async fn pages_follow_the_sandboxs_links_and_its_total() {
    use futures::{StreamExt, TryStreamExt};
    use kajabi_api::Paginate;
    let sandbox = Sandbox::start().await.unwrap();
    let client = client_of(&sandbox);
    let first = client
        .list_contacts()
        .page_size(1)
        .first_page()
        .await
        .unwrap();
    let total = first
        .total_count()
        .expect("the sandbox sends meta.total_count");
    assert!(total >= 2, "{total}");
    assert_eq!(first.total_pages(), Some(total));
    // Every page is full at size 1: only the links say the last one is the last.
    let before = sandbox.requests();
    let pages: Vec<_> = client
        .list_contacts()
        .page_size(1)
        .pages()
        // One past the total: a stream that does not end at the last page fails, not hangs.
        .take(total as usize + 1)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len() as u64, total);
    assert_eq!((sandbox.requests() - before) as u64, total);
}
