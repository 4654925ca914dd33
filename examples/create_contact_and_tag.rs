//! Creates a contact, then tags it.
//!
//! ```text
//! cargo run --example create_contact_and_tag
//! ```

mod common;

use kajabi_api::types;
use serde_json::json;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sandbox) = common::connect().await?;
    let site_id = common::first_site_id(&client).await?;

    // A JSON:API document: typed, but written as the JSON the API documents.
    let body: types::CreateContactBody = serde_json::from_value(json!({
        "data": {
            "type": "contacts",
            "attributes": {"name": "Ada Lovelace", "email": "ada@example.com", "subscribed": true},
            "relationships": {"site": {"data": {"type": "sites", "id": site_id}}}
        }
    }))?;
    let created = client.create_contact().body(body).send().await?;
    let contact = created.data.as_ref().ok_or("no contact in the response")?;
    let contact_id = contact.id.clone().ok_or("the contact has no id")?;
    let name = contact
        .attributes
        .as_ref()
        .and_then(|a| a.name.clone())
        .unwrap_or_default();
    println!(
        "Created contact {contact_id}: {name} (HTTP {})",
        created.status()
    );

    let tags = client.list_contact_tags().page_size(1).send().await?;
    let tag = tags.data.first().ok_or("no tags to add")?;
    let tag_id = tag.id.clone().ok_or("the tag has no id")?;
    let tag_name = tag
        .attributes
        .as_ref()
        .map(|a| a.name.clone())
        .unwrap_or_default();
    client
        .add_contact_tags()
        .contact_id(&contact_id)
        .body(types::AddContactTagsBody {
            data: vec![types::ResourceIdentifier {
                id: tag_id.clone(),
                type_: "contact_tags".into(),
            }],
        })
        .send()
        .await?;
    println!("Tagged contact {contact_id} with tag {tag_id} ({tag_name})");
    Ok(())
}
