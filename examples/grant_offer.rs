//! Lists offers and grants the first one to a contact.
//!
//! ```text
//! cargo run --example grant_offer
//! ```

mod common;

use kajabi_api::types;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sandbox) = common::connect().await?;
    let offers = client.list_offers().page_size(5).send().await?;
    for offer in &offers.data {
        let (title, price) = match &offer.attributes {
            Some(a) => (
                a.title.as_str(),
                a.price_description.as_deref().unwrap_or("no price"),
            ),
            None => ("?", "?"),
        };
        println!(
            "offer {}: {title} ({price})",
            offer.id.as_deref().unwrap_or("?")
        );
    }
    let offer_id = offers
        .data
        .first()
        .and_then(|o| o.id.clone())
        .ok_or("no offers")?;
    let contacts = client.list_contacts().page_size(1).send().await?;
    let contact_id = contacts
        .data
        .first()
        .and_then(|c| c.id.clone())
        .ok_or("no contacts")?;

    client
        .add_contact_offers()
        .contact_id(&contact_id)
        .body(types::AddContactOffersBody {
            data: vec![types::ResourceIdentifier {
                id: offer_id.clone(),
                type_: "offers".into(),
            }],
            meta: None,
        })
        .send()
        .await?;
    println!("Granted offer {offer_id} to contact {contact_id}");
    Ok(())
}
