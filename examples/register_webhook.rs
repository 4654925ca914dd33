//! Registers a webhook for purchases, lists the hooks, and removes it again.
//!
//! ```text
//! cargo run --example register_webhook
//! ```

mod common;

use kajabi_api::types;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    common::exit(run().await)
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let (client, _sandbox) = common::connect().await?;
    let site_id = common::first_site_id(&client).await?;

    let body = types::CreateHookBody {
        data: types::CreateHookBodyData {
            type_: types::CreateHookBodyDataType::Hooks,
            attributes: types::HooksAttributes {
                event: types::HooksAttributesEvent::Purchase,
                target_url: "https://example.com/kajabi/purchases".into(),
                resource_id: None,
                created_at: None,
                updated_at: None,
            },
            relationships: types::CreateHookBodyDataRelationships {
                site: types::CreateHookBodyDataRelationshipsSite {
                    data: Some(types::ResourceIdentifier {
                        id: site_id,
                        type_: "sites".into(),
                    }),
                },
            },
        },
    };
    let created = client.create_hook().body(body).send().await?;
    let hook = created.data.as_ref().ok_or("no hook in the response")?;
    let hook_id = hook.id.clone().ok_or("the hook has no id")?;
    println!(
        "Registered hook {hook_id} for {:?} events to {}",
        hook.attributes.as_ref().map(|a| a.event),
        hook.attributes
            .as_ref()
            .map(|a| a.target_url.as_str())
            .unwrap_or("?")
    );

    let hooks = client.list_hooks().send().await?;
    println!("{} hooks registered", hooks.data.len());

    client.delete_hook().id(&hook_id).send().await?;
    println!("Deleted hook {hook_id}");
    Ok(())
}
