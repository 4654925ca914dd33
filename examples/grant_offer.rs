//! Lists offers and grants the first one to a contact.
//!
//! ```text
//! cargo run --example grant_offer
//! ```

mod common;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sandbox) = common::connect().await?;
    let offers = client.offers().list().page_size(5).send().await?;
    for offer in &offers {
        let title = offer.title.as_deref().unwrap_or("?");
        let price = offer.price_description.as_deref().unwrap_or("no price");
        println!("offer {}: {title} ({price})", offer.id);
    }
    let offer = offers.first().ok_or("no offers")?;
    let contacts = client.contacts().list().page_size(1).send().await?;
    let contact = contacts.first().ok_or("no contacts")?;

    client
        .contacts()
        .grant_offers(&contact.id, std::slice::from_ref(&offer.id))
        .await?;
    println!("Granted offer {} to contact {}", offer.id, contact.id);
    Ok(())
}
