//! The whole token lifecycle against the local sandbox, as the quickstart runs it.

use std::time::Duration;

use kajabi_api::{Client, RetryPolicy, SecretString};
use kajabi_sandbox::{Config, Sandbox};

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

#[tokio::test]
async fn an_expired_token_is_renewed_through_the_refresh_grant() {
    let config = Config {
        token_ttl: Duration::from_secs(2),
        ..Config::default()
    };
    let sandbox = Sandbox::start_with(config).await.unwrap();
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .refresh_margin(Duration::from_secs(60))
        .build()
        .unwrap();
    client.get_me().send().await.unwrap();
    // A 2 s token is renewed half-way through its life.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    client.get_me().send().await.unwrap();
    assert_eq!(sandbox.token_requests(), 2);
}
