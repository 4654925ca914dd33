//! Every contact, page after page, through the pagination stream.
//!
//! ```text
//! cargo run --example list_contacts
//! ```

mod common;

use futures::TryStreamExt;
use kajabi_api::Paginate;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sandbox) = common::connect().await?;
    // Pages of 3 to show the paging; the stream asks for page 1, 2, ... until a short page.
    let mut contacts = client.list_contacts().page_size(3).sort("name").items();
    let mut count = 0;
    while let Some(contact) = contacts.try_next().await? {
        count += 1;
        let attributes = contact.attributes.unwrap_or_default();
        println!(
            "{:>3}. {} <{}> (id {})",
            count,
            attributes.name.as_deref().unwrap_or("?"),
            attributes.email.as_deref().unwrap_or("?"),
            contact.id.as_deref().unwrap_or("?")
        );
    }
    println!("{count} contacts");
    Ok(())
}
