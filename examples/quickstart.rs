//! The token lifecycle end to end: get a token, call the API, log out, see the token refused.
//!
//! ```text
//! cargo run --example quickstart
//! ```
//!
//! With `KAJABI_CLIENT_ID` and `KAJABI_CLIENT_SECRET` set (and optionally `KAJABI_BASE_URL`),
//! it talks to that Kajabi. Otherwise it starts the local sandbox in-process and talks to it,
//! so it runs offline with nothing set up.

mod common;

use kajabi_api::{Client, RetryPolicy};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // Kept alive until the end: dropping it stops the sandbox.
    let (client, _sandbox) = common::connect().await?;
    let base_url = client.base_url().to_string();

    let token = client.access_token().await?;
    println!(
        "1. Got an access token ({} characters; the client caches and renews it)",
        token.secret().len()
    );

    let version = client.get_version().send().await?;
    let meta = version.meta.clone().unwrap_or_default();
    println!(
        "2. GET /v1/version: {} {}",
        meta.title.as_deref().unwrap_or("?"),
        meta.version.as_deref().unwrap_or("?")
    );

    let me = client.me().get().await?;
    println!(
        "3. GET /v1/me: {} <{}>",
        me.name.as_deref().unwrap_or("?"),
        me.email.as_deref().unwrap_or("?")
    );

    client.logout().await?;
    println!("4. POST /v1/oauth/revoke: logged out; both the access and the refresh token are now invalid");

    // A client holding only the revoked token (no credentials, so it cannot get a new one).
    let revoked = Client::builder()
        .base_url(base_url)
        .access_token(token)
        .retry_policy(RetryPolicy::disabled())
        .build()?;
    match revoked.get_me().send().await {
        Err(e) if e.is_unauthorized() => {
            println!("5. GET /v1/me with the revoked token is refused: {e}")
        }
        Err(e) => return Err(format!("expected 401 for the revoked token, got: {e}").into()),
        Ok(_) => return Err("the revoked token was still accepted".into()),
    }
    Ok(())
}
