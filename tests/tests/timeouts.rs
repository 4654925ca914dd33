//! Time limits: a server that stops talking (before the headers, in the middle of a body) or
//! a connection that cannot be made ends the call with a typed error within the configured
//! time, never a hang. All on loopback: the connect timeout is provoked with a listener whose
//! accept queue is full (the kernel then drops new SYNs), not with a non-routable address.

mod support;

use std::time::Duration;

use tokio::time::Instant;

use kajabi_api::{Client, RetryPolicy};
use support::faulty::{
    self, bounded, chunk, head, new_contact, quick_retries, Faulty, Script, Step,
};
use tokio::net::{TcpSocket, TcpStream};

const TIMEOUT: Duration = Duration::from_millis(500);

fn impatient(server: &Faulty) -> Client {
    faulty::builder(&server.base_url())
        .timeout(TIMEOUT)
        .build()
        .unwrap()
}

/// Waits (bounded) until the server has seen `n` hang-ups.
async fn hang_ups(server: &Faulty, n: usize) {
    bounded("hang-ups", async {
        while server.hung_up() < n {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
}

#[tokio::test(start_paused = true)]
async fn headers_that_never_come_end_in_a_timeout() {
    let server = Faulty::always(vec![Step::Stall]).await;
    let started = Instant::now();
    let error = bounded("no headers", impatient(&server).get_me().send())
        .await
        .unwrap_err();
    let took = started.elapsed();
    assert!(error.is_timeout() && !error.is_transport(), "{error:?}");
    assert!(error.is_retryable());
    assert_eq!(
        error.to_string(),
        "get_me timed out; retry later or raise the timeout"
    );
    assert!(took >= TIMEOUT - Duration::from_millis(50), "{took:?}");
    // The client gave the connection up rather than leaving it open.
    hang_ups(&server, 1).await;
}

/// Headers, a few body bytes, then silence: once with a `Content-Length` body, once chunked
/// (which the SDK reads through its size-limit wrapper).
fn stalled_bodies() -> [(&'static str, Script); 2] {
    let mut sized = head(200, &[("content-length", "100")]);
    sized.extend_from_slice(br#"{"da"#);
    let mut chunked = head(200, &[("transfer-encoding", "chunked")]);
    chunked.extend_from_slice(&chunk(br#"{"da"#));
    [
        ("sized", vec![Step::Write(sized), Step::Stall]),
        ("chunked", vec![Step::Write(chunked), Step::Stall]),
    ]
}

#[tokio::test(start_paused = true)]
async fn a_200_body_that_stalls_ends_in_a_timeout() {
    for (what, script) in stalled_bodies() {
        let server = Faulty::always(script).await;
        let started = Instant::now();
        let error = bounded(what, impatient(&server).get_me().send())
            .await
            .unwrap_err();
        // The whole-request timeout covers the body, and it is reported as a timeout.
        assert!(error.is_timeout(), "{what}: {error:?}");
        assert!(started.elapsed() >= TIMEOUT - Duration::from_millis(50));
        hang_ups(&server, 1).await;
    }
}

#[tokio::test(start_paused = true)]
async fn an_error_body_that_stalls_ends_with_the_status_and_what_arrived() {
    let mut bytes = head(503, &[("content-length", "1000")]);
    bytes.extend_from_slice(b"upstream d");
    let server = Faulty::always(vec![Step::Write(bytes), Step::Stall]).await;
    let error = bounded("stalled error body", impatient(&server).get_me().send())
        .await
        .unwrap_err();
    // The status is what matters and it had arrived: the timeout only cuts the body short.
    assert!(error.is_status(), "{error:?}");
    assert_eq!(error.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(error.body(), b"upstream d");
}

#[tokio::test(start_paused = true)]
async fn a_timed_out_get_is_retried_and_a_timed_out_post_is_not() {
    let policy = quick_retries(3, Duration::from_millis(20));
    let server = Faulty::always(vec![Step::Stall]).await;
    let client = faulty::builder(&server.base_url())
        .timeout(TIMEOUT)
        .retry_policy(policy.clone())
        .build()
        .unwrap();
    let error = bounded("get", client.get_me().send()).await.unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(server.accepted(), 3);

    // The POST reached the server, which may be acting on it: never sent twice.
    let server = Faulty::always(vec![Step::Stall]).await;
    let client = faulty::builder(&server.base_url())
        .timeout(TIMEOUT)
        .retry_policy(policy)
        .build()
        .unwrap();
    let error = bounded("post", client.create_contact().body(new_contact()).send())
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert_eq!(server.accepted(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_refused_connection_is_a_prompt_transport_error() {
    let refusing = faulty::refusing();
    let base_url = &refusing.base_url;
    let client = faulty::builder(base_url).build().unwrap();
    let started = Instant::now();
    let error = bounded("refused", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_transport() && !error.is_timeout(), "{error:?}");
    assert_eq!(
        error.to_string(),
        "get_me failed in transport; check the network and the base URL"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// A loopback listener that accepts nothing and whose accept queue is full, so that the kernel
/// drops new SYNs and a connect hangs; the held connections keep it full.
async fn unanswering_listener() -> (tokio::net::TcpListener, Vec<TcpStream>) {
    let socket = TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    for _ in 0..64 {
        let attempt = TcpStream::connect(addr);
        match tokio::time::timeout(Duration::from_millis(300), attempt).await {
            Ok(Ok(stream)) => held.push(stream),
            Ok(Err(e)) => panic!("filling the accept queue: {e}"),
            Err(_) => return (listener, held),
        }
    }
    panic!("the accept queue of a backlog-0 listener never filled");
}

#[tokio::test(start_paused = true)]
async fn a_connection_that_cannot_be_made_in_time_is_a_timeout_retried_even_for_post() {
    let (listener, _held) = unanswering_listener().await;
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let connect = Duration::from_millis(300);
    let client = faulty::builder(&base_url)
        .connect_timeout(connect)
        .timeout(Duration::from_secs(5))
        .retry_policy(RetryPolicy::disabled())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = bounded("connect", client.get_me().send())
        .await
        .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    let took = started.elapsed();
    assert!(took >= connect && took < Duration::from_secs(5), "{took:?}");

    // Nothing reached the server, so even a POST is tried again: three connect timeouts.
    let client = faulty::builder(&base_url)
        .connect_timeout(connect)
        .retry_policy(quick_retries(3, Duration::from_millis(1)))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = bounded(
        "connect post",
        client.create_contact().body(new_contact()).send(),
    )
    .await
    .unwrap_err();
    assert!(error.is_timeout(), "{error:?}");
    assert!(started.elapsed() >= connect * 3, "{:?}", started.elapsed());
}
