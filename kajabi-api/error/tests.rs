//! Unit tests of [`super::Error`]: size, thread safety, `Display`, decode errors.

use super::*;

fn named(name: &str) -> &'static Operation {
    crate::operations()
        .iter()
        .find(|op| op.name == name)
        .unwrap()
}

#[test]
fn error_is_one_pointer_and_thread_safe() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Error>();
    assert_eq!(std::mem::size_of::<Error>(), std::mem::size_of::<usize>());
}

#[test]
fn display_is_one_line_without_the_body() {
    let mut headers = HeaderMap::new();
    headers.insert("content-type", "text/html".parse().unwrap());
    headers.insert("x-request-id", "req-1".parse().unwrap());
    let e = Error::from_status(
        StatusCode::BAD_GATEWAY,
        &headers,
        Bytes::from_static(b"<html>secret-ish</html>"),
        false,
    )
    .with_operation(named("get_me"));
    let text = e.to_string();
    assert_eq!(
        text,
        "get_me returned 502 Bad Gateway with a body that is not a Kajabi error (text/html); \
         Kajabi or a proxy failed: retry later (request id req-1)"
    );
    // Debug shows what a log reader needs, the body's length but not the body.
    assert_eq!(
        format!("{e:?}"),
        "kajabi_api::Error { kind: Status, operation: \"get_me\", status: 502, \
         request_id: \"req-1\", body_len: 23 }"
    );
    assert!(e.is_retryable() && e.is_status() && !e.is_auth());
    assert_eq!(e.body(), b"<html>secret-ish</html>");
}

#[test]
fn decode_errors_name_position_not_value() {
    let source = serde_json::from_str::<u32>("\"tok_secret\"").unwrap_err();
    let e = Error::decode(Bytes::from_static(b"\"tok_secret\""), &source)
        .with_operation(crate::operation::with_role(crate::Role::TokenGrant).unwrap());
    assert!(!e.to_string().contains("tok_secret"), "{e}");
    assert!(e.body().is_empty(), "token bodies are not kept");
    assert!(e.is_decode());
}
