//! Creates a contact, then tags it.
//!
//! ```text
//! cargo run --example create_contact_and_tag
//! ```

mod common;

use kajabi_api::resources::NewContact;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sandbox) = common::connect().await?;
    let site_id = common::first_site_id(&client).await?;

    let new = NewContact::new(site_id)
        .name("Ada Lovelace")
        .email("ada@example.com")
        .subscribed(true);
    let contact = client.contacts().create(new).await?;
    let name = contact.name.unwrap_or_default();
    println!("Created contact {}: {name}", contact.id);

    let tags = client.contact_tags().list().page_size(1).send().await?;
    let tag = tags.first().ok_or("no tags to add")?;
    client
        .contacts()
        .add_tags(&contact.id, std::slice::from_ref(&tag.id))
        .await?;
    let tag_name = tag.name.as_deref().unwrap_or("?");
    println!(
        "Tagged contact {} with tag {} ({tag_name})",
        contact.id, tag.id
    );
    Ok(())
}
