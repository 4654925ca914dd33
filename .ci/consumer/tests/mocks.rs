//! The packaged SDK's typed mocks (feature `httpmock`), as a user's unit test would use them.

use kajabi_api::mock::{httpmock::MockServer, MockServerExt};
use kajabi_consumer_check::summary;

#[tokio::test]
async fn the_packaged_mocks_answer_a_user_s_function() {
    let server = MockServer::start_async().await;
    server.grant_token();
    let me = server.get_me(|_, then| {
        then.ok_example();
    });
    server.list_contacts(|when, then| {
        when.page_number(1);
        then.service_unavailable();
    });
    let contacts = server.list_contacts(|_, then| {
        then.ok_example();
    });
    let client = kajabi_api::Client::builder()
        .base_url(server.base_url())
        .client_credentials("id", "secret")
        .build()
        .expect("a client");
    let (_, count) = summary(&client).await.expect("the mocks answer");
    assert!(count > 0, "the example page of contacts is empty");
    assert_eq!((me.calls(), contacts.calls()), (1, 1));
}
