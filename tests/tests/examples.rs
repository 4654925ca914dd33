//! The examples that do more than print what the other tests check: each one's `run` is
//! compiled into this test and run against its own embedded sandbox.

#[path = "../../examples/webhook_receiver.rs"]
#[allow(dead_code)] // its `main` and `print` are the binary's
mod webhook_receiver;

use kajabi_api::types::GetHookTagAddedSampleResponseItem as TagAddedItem;
use kajabi_api::webhooks::Event;

#[tokio::test]
async fn webhook_receiver_receives_the_typed_tag_added_event() {
    let event = webhook_receiver::run().await.expect("the example runs");
    let Event::TagAdded { id, payload } = event else {
        panic!("expected TagAdded, got {}", event.name());
    };
    assert_eq!(payload.raw()[0]["id"], id.as_str(), "the contact");
    assert_eq!(payload.raw()[1]["type"], "contact_tags");
    // The tag the example prints is typed, not read from the JSON.
    let tag = &payload.raw()[1];
    match &payload.typed()[1] {
        TagAddedItem::ContactTags { id, attributes } => {
            assert_eq!(id.as_deref(), tag["id"].as_str());
            assert!(tag["id"].is_string(), "the delivery names the tag");
            assert_eq!(
                attributes.as_ref().map(|a| a.name.as_str()),
                tag["attributes"]["name"].as_str()
            );
        }
        other => panic!("the tag item is typed as {other:?}"),
    }
}
