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
    let mut contacts = client.contacts().list().page_size(3).sort("name").items();
    let mut count = 0;
    while let Some(contact) = contacts.try_next().await? {
        count += 1;
        println!(
            "{count:>3}. {} <{}> (id {})",
            contact.name.as_deref().unwrap_or("?"),
            contact.email.as_deref().unwrap_or("?"),
            contact.id
        );
    }
    println!("{count} contacts");
    Ok(())
}
