//! Receives a webhook from the local sandbox: registers a `tag_added` hook pointing at a
//! receiver on this machine (the SDK's axum handler), adds a tag to a contact through the SDK,
//! and prints the typed `TagAdded` event the sandbox delivers. Offline; exits by itself.
//!
//! ```text
//! cargo run --example webhook_receiver --features axum
//! ```
//!
//! Against real Kajabi the receiver must be reachable from the internet over HTTPS, at an
//! unguessable path of its own: Kajabi documents no signature on deliveries.

use std::time::Duration;

use kajabi_api::resources::NewHook;
use kajabi_api::types::GetHookTagAddedSampleResponseItem as TagAddedItem;
use kajabi_api::webhooks::{self, Event};
use kajabi_api::Client;
use kajabi_sandbox::Sandbox;
use tokio::sync::mpsc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run().await {
        Ok(event) => {
            print(&event);
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Everything but the printing: the event the receiver got.
pub async fn run() -> Result<Event, Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start().await?;
    let client = Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()?;

    // The receiver: the SDK's handler at a path only this hook knows, on a port of our own.
    let (events, mut received) = mpsc::unbounded_channel();
    let route = webhooks::handler(move |event| {
        let events = events.clone();
        async move {
            let _ = events.send(event);
        }
    });
    let secret_path = format!("/hooks/{:032x}/tag_added", fastrand::u128(..));
    let app = axum::Router::new().route(&secret_path, route);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let target_url = format!("http://{}{secret_path}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });

    let site = client.sites().list().page_size(1).send().await?.remove(0);
    let hook = client
        .hooks()
        .create(NewHook::new("tag_added", &target_url, site.id))
        .await?;
    println!("Registered hook {} for tag_added to {target_url}", hook.id);

    // A tag the contact does not have yet, so that adding it is a change.
    let contact = client
        .contacts()
        .list()
        .page_size(1)
        .send()
        .await?
        .remove(0);
    let held = client.contacts().tags(&contact.id).await?;
    let tags = client.contact_tags().list().send().await?;
    let tag = tags
        .into_iter()
        .find(|t| !held.contains(&t.id))
        .ok_or("the contact has every tag")?;
    client
        .contacts()
        .add_tags(&contact.id, std::slice::from_ref(&tag.id))
        .await?;
    println!("Added tag {} to contact {}", tag.id, contact.id);

    let event = tokio::time::timeout(Duration::from_secs(30), received.recv())
        .await
        .map_err(|_| format!("no delivery within 30 s: {:?}", sandbox.deliveries()))?
        .ok_or("the receiver stopped")?;
    Ok(event)
}

fn print(event: &Event) {
    let Event::TagAdded { id, payload } = event else {
        println!("Received {} for {}", event.name(), event.id());
        return;
    };
    println!("Received tag_added for contact {id}:");
    for item in payload.typed() {
        // One variant per resource of the sample, told apart by the item's `type`.
        match item {
            TagAddedItem::Contacts { id, attributes, .. } => {
                let attributes = attributes.as_ref();
                println!(
                    "  contact {}: {} <{}>",
                    id.as_deref().unwrap_or("?"),
                    attributes.and_then(|a| a.name.as_deref()).unwrap_or("?"),
                    attributes.and_then(|a| a.email.as_deref()).unwrap_or("?"),
                );
            }
            TagAddedItem::ContactTags { id, attributes } => println!(
                "  tag {}: {}",
                id.as_deref().unwrap_or("?"),
                attributes.as_ref().map_or("?", |a| a.name.as_str()),
            ),
        }
    }
}
