//! Registers a webhook for purchases, lists the hooks, and removes it again.
//!
//! ```text
//! cargo run --example register_webhook
//! ```

mod common;

use kajabi_api::resources::NewHook;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sandbox) = common::connect().await?;
    let site_id = common::first_site_id(&client).await?;

    let hooks = client.hooks();
    let new = NewHook::new("purchase", "https://example.com/kajabi/purchases", site_id);
    let hook = hooks.create(new).await?;
    println!(
        "Registered hook {} for {} events to {}",
        hook.id,
        hook.event.as_deref().unwrap_or("?"),
        hook.target_url.as_deref().unwrap_or("?")
    );

    println!("{} hooks registered", hooks.list().send().await?.len());

    hooks.delete(&hook.id).await?;
    println!("Deleted hook {}", hook.id);
    Ok(())
}
