//! What a user's code looks like: a function over `kajabi_api::Client`.

use kajabi_api::Client;

/// The signed-in user's e-mail and the number of contacts on the first page.
pub async fn summary(client: &Client) -> Result<(String, usize), kajabi_api::Error> {
    let me = client.get_me().send().await?;
    let email = me
        .data
        .attributes
        .as_ref()
        .and_then(|a| a.email.clone())
        .unwrap_or_default();
    let contacts = client.list_contacts().send().await?;
    Ok((email, contacts.data.len()))
}
