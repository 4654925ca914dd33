//! `Client::from_env()`. One test in its own binary: the environment is process-wide.

use httpmock::{Method::GET, MockServer};

mod support;

const VARS: [&str; 6] = [
    "KAJABI_BASE_URL",
    "KAJABI_CLIENT_ID",
    "KAJABI_CLIENT_SECRET",
    "KAJABI_ACCESS_TOKEN",
    "KAJABI_USERNAME",
    "KAJABI_PASSWORD",
];

fn set(pairs: &[(&str, &str)]) {
    for var in VARS {
        std::env::remove_var(var);
    }
    for (var, value) in pairs {
        std::env::set_var(var, value);
    }
}

#[tokio::test]
async fn from_env_reads_the_six_variables() {
    set(&[]);
    let error = kajabi_api::Client::from_env().unwrap_err();
    assert!(error.is_config(), "{error}");
    assert!(error.to_string().contains("KAJABI_CLIENT_ID"), "{error}");

    set(&[("KAJABI_CLIENT_ID", "id")]);
    assert!(
        kajabi_api::Client::from_env().unwrap_err().is_config(),
        "a secret is needed too"
    );

    set(&[
        ("KAJABI_BASE_URL", "http://kajabi.example.com"),
        ("KAJABI_ACCESS_TOKEN", "t"),
    ]);
    assert!(
        kajabi_api::Client::from_env().unwrap_err().is_config(),
        "plain http off loopback"
    );

    set(&[]);
    let default = {
        std::env::set_var("KAJABI_ACCESS_TOKEN", "t");
        kajabi_api::Client::from_env().unwrap()
    };
    assert_eq!(default.base_url(), "https://api.kajabi.com");

    let server = MockServer::start_async().await;
    support::client_credentials_grant(&server, "env-token", "r", 7200).await;
    let me = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/me")
                .header("authorization", "Bearer env-token");
            then.status(200).json_body(support::me_body());
        })
        .await;
    set(&[
        ("KAJABI_BASE_URL", &server.base_url()),
        ("KAJABI_CLIENT_ID", support::CLIENT_ID),
        ("KAJABI_CLIENT_SECRET", support::CLIENT_SECRET),
    ]);
    let client = kajabi_api::Client::from_env().unwrap();
    client.get_me().send().await.unwrap();
    me.assert_calls_async(1).await;

    set(&[("KAJABI_USERNAME", "user@example.com")]);
    let error = kajabi_api::Client::from_env().unwrap_err();
    assert!(error.is_config(), "a password is needed too: {error}");
    set(&[]);
    assert!(kajabi_api::Client::from_env()
        .unwrap_err()
        .to_string()
        .contains("KAJABI_USERNAME"));

    let password_server = MockServer::start_async().await;
    let password = password_server
        .mock_async(|when, then| {
            when.method(httpmock::Method::POST)
                .path("/v1/oauth/token")
                .body("password=pass+word%21&username=user%40example.com");
            then.status(200)
                .json_body(serde_json::json!({"access_token": "env-token", "expires_in": 7200}));
        })
        .await;
    let me = password_server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/me")
                .header("authorization", "Bearer env-token");
            then.status(200).json_body(support::me_body());
        })
        .await;
    set(&[
        ("KAJABI_BASE_URL", &password_server.base_url()),
        ("KAJABI_USERNAME", "user@example.com"),
        ("KAJABI_PASSWORD", "pass word!"),
    ]);
    let client = kajabi_api::Client::from_env().unwrap();
    client.get_me().send().await.unwrap();
    password.assert_calls_async(1).await;
    me.assert_calls_async(1).await;
    set(&[]);
}
