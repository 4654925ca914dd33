//! What the SDK returns when the server (or what stands in front of it) misbehaves at the
//! byte level: every fault ends in one typed `Error`, promptly, with bounded memory, and never
//! in a panic or a decode of partial data. Served by the raw-TCP `support::faulty` server.
//! Retry behaviour (429, 503) lives in `retries.rs`, time limits in `timeouts.rs`.

mod support;

use std::time::Duration;

use kajabi_api::{RetryPolicy, SecretString, MAX_ERROR_BODY};
use support::faulty::{self, bounded, chunk, head, reply, response, Faulty, Step};

const HTML: &str = "<html><body><h1>502 Bad Gateway</h1></body></html>";

/// The messages of an error and all its causes, for asserting on what a user would see.
fn chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(" | ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[tokio::test]
async fn an_html_502_from_a_proxy_is_a_status_error_that_names_its_content_type() {
    let server = Faulty::always(reply(response(
        502,
        &[("content-type", "text/html"), ("x-request-id", "edge-1")],
        HTML,
    )))
    .await;
    // The default policy: 502 is retryable for the caller, but the SDK itself only retries
    // 429 and 503, so exactly one request goes out.
    let client = faulty::builder(&server.base_url())
        .retry_policy(RetryPolicy::default())
        .build()
        .unwrap();
    let error = bounded("502", client.get_me().send()).await.unwrap_err();
    assert!(error.is_status() && error.is_retryable(), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(502));
    assert!(error.api_error().is_none());
    assert_eq!(error.request_id(), Some("edge-1"));
    assert_eq!(error.body(), HTML.as_bytes());
    let text = error.to_string();
    assert!(
        text.contains("(text/html)") && !text.contains("<html>"),
        "{text}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_200_body_cut_short_is_a_transport_error_not_a_decode_of_partial_data() {
    // Content-Length promises 100 bytes; 10 arrive, then the connection ends.
    let mut bytes = head(
        200,
        &[
            ("content-type", "application/vnd.api+json"),
            ("content-length", "100"),
        ],
    );
    bytes.extend_from_slice(br#"{"data": {"#);
    let server = Faulty::always(vec![Step::Write(bytes), Step::Close]).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let error = bounded("truncated", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_transport(), "{error:?}");
    assert!(!error.is_decode() && error.status().is_none());
    assert_eq!(error.operation(), Some("get_me"));
}

#[tokio::test]
async fn a_reset_in_the_middle_of_a_body_is_a_transport_error() {
    let mut bytes = head(
        200,
        &[
            ("content-type", "application/vnd.api+json"),
            ("content-length", "5000"),
        ],
    );
    bytes.extend_from_slice(&[b' '; 2000]);
    let steps = vec![
        Step::Write(bytes),
        Step::Pause(Duration::from_millis(50)),
        Step::Reset,
    ];
    let server = Faulty::always(steps).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let error = bounded("reset", client.get_me().send()).await.unwrap_err();
    assert!(error.is_transport(), "{error:?}");
}

#[tokio::test]
async fn a_connection_closed_without_an_answer_or_answered_with_garbage_is_a_transport_error() {
    for steps in [
        vec![Step::Close],
        vec![
            Step::Write(b"SSH-2.0-OpenSSH_9.6\r\n".to_vec()),
            Step::Close,
        ],
    ] {
        let server = Faulty::always(steps).await;
        let client = faulty::builder(&server.base_url()).build().unwrap();
        let error = bounded("no answer", client.get_me().send())
            .await
            .unwrap_err();
        assert!(error.is_transport(), "{error:?}");
        assert_eq!(server.requests().len(), 1, "retries are disabled");
    }
}

#[tokio::test]
async fn a_huge_error_body_is_cut_at_64_kib_without_reading_the_rest() {
    // 100 MB announced and streamed: far more than loopback socket buffers can absorb, so the
    // server can only finish if the client reads it all.
    const TOTAL: u64 = 100_000_000;
    let length = TOTAL.to_string();
    let steps = vec![
        Step::Write(head(
            500,
            &[("content-type", "text/plain"), ("content-length", &length)],
        )),
        Step::Stream {
            chunk: vec![b'x'; 64 * 1024],
            total: Some(TOTAL),
        },
    ];
    let server = Faulty::always(steps).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let error = bounded("huge error body", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_status(), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
    assert_eq!(error.body().len(), MAX_ERROR_BODY);
    assert_eq!(MAX_ERROR_BODY, 65_536);
    assert!(error.body_truncated());
    // The client hung up after 64 KiB: the server's write failed once the socket buffers
    // (their maxima, `tcp_rmem` + `tcp_wmem`, are tens of MB at most) were full, long before
    // the 100 MB were out. What was read is measured in bytes, not in time, so a loaded
    // machine cannot fail it.
    bounded("server sees the hang-up", async {
        while server.hung_up() == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(
        server.written() < TOTAL / 2,
        "{} bytes written",
        server.written()
    );
}

#[tokio::test]
async fn an_endless_chunked_200_body_stops_at_max_response_body() {
    let steps = vec![
        Step::Write(head(
            200,
            &[
                ("content-type", "application/vnd.api+json"),
                ("transfer-encoding", "chunked"),
            ],
        )),
        Step::Stream {
            chunk: chunk(&[b' '; 16 * 1024]),
            total: None,
        },
    ];
    let server = Faulty::always(steps).await;
    let client = faulty::builder(&server.base_url())
        .max_response_body(1024 * 1024)
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    let error = bounded("endless body", client.get_me().send())
        .await
        .unwrap_err();
    // The limit ended it, not the (30 s) timeout: memory stayed within ~1 MiB + one chunk.
    assert!(error.is_transport() && !error.is_timeout(), "{error:?}");
    let text = chain(&error);
    assert!(
        text.contains("larger than the 1048576-byte limit"),
        "{text}"
    );
    bounded("server sees the hang-up", async {
        while server.hung_up() == 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

#[tokio::test]
async fn an_over_limit_chunked_body_says_so_like_an_over_limit_sized_body() {
    let endless = vec![
        Step::Write(head(200, &[("transfer-encoding", "chunked")])),
        Step::Stream {
            chunk: chunk(&[b' '; 16 * 1024]),
            total: None,
        },
    ];
    let server = Faulty::always(endless).await;
    let client = faulty::builder(&server.base_url())
        .max_response_body(1024 * 1024)
        .build()
        .unwrap();
    let error = bounded("endless", client.get_me().send())
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("larger than the 1048576-byte limit"),
        "{error}"
    );
}

#[tokio::test]
async fn a_200_announcing_more_than_max_response_body_is_refused_unread() {
    let big = vec![b' '; 2 * 1024 * 1024];
    let server = Faulty::always(reply(response(200, &[], big))).await;
    let client = faulty::builder(&server.base_url())
        .max_response_body(1024 * 1024)
        .build()
        .unwrap();
    let error = bounded("sized body", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_transport(), "{error:?}");
    assert_eq!(
        error.to_string(),
        "get_me failed: the response body is larger than the 1048576-byte limit"
    );
}

#[tokio::test]
async fn invalid_utf8_in_a_200_body_is_a_decode_error() {
    let server = Faulty::always(reply(response(
        200,
        &[("content-type", "application/vnd.api+json")],
        b"\xff\xfe",
    )))
    .await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let error = bounded("utf8", client.get_me().send()).await.unwrap_err();
    assert!(error.is_decode(), "{error:?}");
    assert_eq!(error.operation(), Some("get_me"));
}

#[tokio::test]
async fn invalid_utf8_in_an_error_body_is_a_status_error_with_the_raw_bytes() {
    for body in [
        &b"\xff\xfe{\"errors\""[..],
        &b"{\"errors\":[{\"title\":\"\xff\"}]}"[..],
    ] {
        let server = Faulty::always(reply(response(
            500,
            &[("content-type", "application/vnd.api+json")],
            body,
        )))
        .await;
        let client = faulty::builder(&server.base_url()).build().unwrap();
        let error = bounded("utf8 error", client.get_me().send())
            .await
            .unwrap_err();
        assert!(error.is_status(), "{error:?}");
        assert_eq!(error.status().map(|s| s.as_u16()), Some(500));
        assert!(
            error.api_error().is_none(),
            "invalid JSON is no Kajabi error"
        );
        assert_eq!(error.body(), body);
        assert!(error.to_string().contains("not a Kajabi error"), "{error}");
    }
}

#[tokio::test]
async fn revoke_treats_any_200_body_as_success_even_a_json_one() {
    let server = Faulty::always(reply(response(
        200,
        &[("content-type", "application/json")],
        r#"{"access_token":"surprise","token_type":"Bearer"}"#,
    )))
    .await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    bounded("revoke", client.revoke(&SecretString::new("t")))
        .await
        .unwrap();
    let seen = &server.requests()[0];
    assert_eq!(seen.line(), "POST /v1/oauth/revoke HTTP/1.1");
    assert_eq!(seen.body, b"token=t");
    let bearer = format!("Bearer {}", faulty::TOKEN);
    assert_eq!(seen.header("authorization"), Some(bearer.as_str()));
}

/// The SDK decodes by the operation's schema and ignores `Content-Type`: a proxy that
/// relabels a JSON body does not break calls.
#[tokio::test]
async fn json_labelled_text_plain_decodes_by_schema() {
    let body = support::me_body().to_string();
    let server = Faulty::always(reply(response(
        200,
        &[("content-type", "text/plain")],
        body,
    )))
    .await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let me = bounded("text/plain", client.get_me().send()).await.unwrap();
    assert_eq!(me.data.id, "42");
}

#[tokio::test]
async fn html_or_nothing_in_a_200_is_a_decode_error_naming_the_operation() {
    for (body, what) in [(HTML, "invalid JSON"), ("", "truncated JSON")] {
        let server =
            Faulty::always(reply(response(200, &[("content-type", "text/html")], body))).await;
        let client = faulty::builder(&server.base_url()).build().unwrap();
        let error = bounded("html 200", client.get_me().send())
            .await
            .unwrap_err();
        assert!(error.is_decode(), "{error:?}");
        assert_eq!(error.operation(), Some("get_me"));
        let expected = format!("get_me returned a body that does not match the API schema ({what}");
        assert!(error.to_string().starts_with(&expected), "{error}");
    }
}

#[tokio::test]
async fn a_success_status_the_spec_does_not_declare_is_a_typed_status_error() {
    let server = Faulty::always(reply(response(204, &[], ""))).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let error = bounded("204", client.get_me().send()).await.unwrap_err();
    assert!(error.is_status(), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(204));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn an_oversized_response_head_is_a_transport_error_not_unbounded_memory() {
    // A 1 MiB header: hyper caps the head it buffers, so this fails instead of growing.
    let junk = "a".repeat(1024 * 1024);
    let server = Faulty::always(vec![
        Step::Write(head(200, &[("x-junk", &junk), ("content-length", "0")])),
        Step::Close,
    ])
    .await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let error = bounded("huge head", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_transport(), "{error:?}");
}

#[tokio::test]
async fn an_interim_1xx_response_before_the_answer_is_skipped() {
    let mut bytes = b"HTTP/1.1 103 Early Hints\r\nlink: </x>; rel=preload\r\n\r\n".to_vec();
    bytes.extend(faulty::json(200, &support::me_body()));
    let server = Faulty::always(reply(bytes)).await;
    let client = faulty::builder(&server.base_url()).build().unwrap();
    let me = bounded("103", client.get_me().send()).await.unwrap();
    assert_eq!(me.status().as_u16(), 200);
    assert_eq!(me.data.id, "42");
}
