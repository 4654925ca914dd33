//! The packaged SDK against the packaged sandbox, as a user's test would run them.

use kajabi_consumer_check::summary;

#[tokio::test]
async fn the_packaged_sdk_talks_to_the_packaged_sandbox() {
    let sandbox = kajabi_sandbox::Sandbox::start()
        .await
        .expect("the sandbox starts");
    let client = kajabi_api::Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()
        .expect("a client");
    let (email, contacts) = summary(&client)
        .await
        .expect("get_me and list_contacts succeed");
    assert_eq!(email, "sandbox@example.com");
    assert!(
        contacts > 0,
        "the sandbox's first page of contacts is empty"
    );
    assert_eq!(sandbox.token_requests(), 1);
}
