//! How every example finds a Kajabi: the real one from the environment, or the local sandbox.

// Compiled into each example, which uses only part of it.
#![allow(dead_code)]

use kajabi_api::{resources::SiteId, Client};
use kajabi_sandbox::Sandbox;

/// A client for the Kajabi in `KAJABI_CLIENT_ID`/`KAJABI_CLIENT_SECRET` (and optional
/// `KAJABI_BASE_URL`), or else for a sandbox started in-process. Keep the returned sandbox
/// alive as long as the client is used: dropping it stops the server.
pub async fn connect() -> Result<(Client, Option<Sandbox>), Box<dyn std::error::Error>> {
    if std::env::var_os("KAJABI_CLIENT_ID").is_some()
        && std::env::var_os("KAJABI_CLIENT_SECRET").is_some()
    {
        println!("Using the Kajabi API from the environment (KAJABI_CLIENT_ID, KAJABI_BASE_URL)");
        return Ok((Client::from_env()?, None));
    }
    let sandbox = Sandbox::start().await?;
    println!(
        "No KAJABI_CLIENT_ID/KAJABI_CLIENT_SECRET set: using the local sandbox at {}",
        sandbox.base_url()
    );
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()?;
    Ok((client, Some(sandbox)))
}

/// The id of the account's first site, which new contacts and hooks belong to.
pub async fn first_site_id(client: &Client) -> Result<SiteId, Box<dyn std::error::Error>> {
    let sites = client.sites().list().page_size(1).send().await?;
    let site = sites.into_iter().next().ok_or("the account has no site")?;
    Ok(site.id)
}

/// Runs an example's body and turns its error into a message and a failing exit code.
pub fn exit(result: Result<(), Box<dyn std::error::Error>>) -> std::process::ExitCode {
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
