use super::*;

#[test]
fn base_urls_are_checked() {
    assert_eq!(
        validate_base_url("https://api.kajabi.com/").unwrap(),
        "https://api.kajabi.com"
    );
    assert_eq!(
        validate_base_url("http://127.0.0.1:8080").unwrap(),
        "http://127.0.0.1:8080"
    );
    assert_eq!(
        validate_base_url("http://localhost:1/").unwrap(),
        "http://localhost:1"
    );
    assert_eq!(
        validate_base_url("http://[::1]:1").unwrap(),
        "http://[::1]:1"
    );
    for bad in [
        "http://api.kajabi.com",
        "ftp://x",
        "not a url",
        "https://h/?a=b",
        "https://h/#top",
        "https://u:p@h",
        "https://u@h",
        "https://:p@h",
        "",
    ] {
        let e = validate_base_url(bad).unwrap_err();
        assert!(e.is_config(), "{bad}: {e}");
    }
}

/// Every refusal of a URL with user info, one per branch of `validate_base_url`: neither
/// the user nor the password is in the error's `Display` or `Debug`.
#[test]
fn base_url_errors_never_echo_user_info() {
    const USER: &str = "alice-the-user";
    const PASSWORD: &str = "hunter2-password";
    let with_user_info = |rest: &str| rest.replace("{ui}", &format!("{USER}:{PASSWORD}"));
    let cases = [
        ("https://{ui}@api.kajabi.com:99999", "does not parse"),
        ("mailto:{ui}@api.kajabi.com", "has no host"),
        ("http://{ui}@api.kajabi.com", "plain http"),
        ("ftp://{ui}@api.kajabi.com", "has scheme"),
        ("https://{ui}@api.kajabi.com", "must not carry"),
        ("https://{ui}@api.kajabi.com/?token={ui}", "must not carry"),
        ("http://{ui}@127.0.0.1:1", "must not carry"),
    ];
    for (template, branch) in cases {
        let url = with_user_info(template);
        let e = validate_base_url(&url).unwrap_err();
        let (display, debug) = (e.to_string(), format!("{e:?}"));
        assert!(
            e.is_config() && display.contains(branch),
            "{url}: {display}"
        );
        for text in [&display, &debug] {
            assert!(
                !text.contains(PASSWORD) && !text.contains(USER),
                "{url} leaks: {text}"
            );
        }
        let builder = format!("{:?}", Client::builder().base_url(url.clone()));
        assert!(
            !builder.contains(PASSWORD) && !builder.contains(USER),
            "{builder}"
        );
    }
}

#[test]
fn half_credentials_are_refused() {
    let e = Client::builder()
        .client_credentials("id", "")
        .build()
        .unwrap_err();
    assert!(e.is_config());
    let debug = format!(
        "{:?}",
        Client::builder()
            .client_credentials("id", "s3cret")
            .access_token("t0ken")
    );
    assert!(
        !debug.contains("s3cret") && !debug.contains("t0ken"),
        "{debug}"
    );
}
