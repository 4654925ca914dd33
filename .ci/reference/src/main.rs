//! A hand-written call to Kajabi's `GET /v1/me`: the code a user would write without the SDK,
//! so that `cargo xtask cold-build` compiles the same kind of program on both sides.

use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct Me {
    data: serde_json::Value,
}

#[tokio::main]
async fn main() -> Result<(), reqwest::Error> {
    let base = std::env::var("KAJABI_BASE_URL").unwrap_or_else(|_| "https://api.kajabi.com".into());
    let token = std::env::var("KAJABI_TOKEN").unwrap_or_default();
    let me: Me = reqwest::Client::new()
        .get(format!("{base}/v1/me"))
        .bearer_auth(token)
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    println!("{:?}", me.data);
    Ok(())
}
