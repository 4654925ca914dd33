//! Connections a handler can drop: the listener the server accepts on wraps each TCP stream
//! so that a fault can close it without an answer (`drop`). The handler reaches its
//! connection through [`Dropper`], put in each request's extensions by axum's connect info.

use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::extract::connect_info::Connected;
use axum::serve::IncomingStream;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// The server's listener.
pub(crate) struct Listener(pub(crate) TcpListener);

/// One accepted connection: writes fail once it has been dropped, so the server closes it
/// without sending what it had to say.
pub(crate) struct Connection {
    stream: TcpStream,
    dropped: Arc<AtomicBool>,
}

/// Drops the connection a request came on.
#[derive(Clone)]
pub(crate) struct Dropper(Arc<AtomicBool>);

impl Dropper {
    /// Nothing more is written on the connection: the server closes it.
    pub(crate) fn drop_connection(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

impl axum::serve::Listener for Listener {
    type Io = Connection;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Connection, SocketAddr) {
        loop {
            match self.0.accept().await {
                Ok((stream, addr)) => {
                    let dropped = Arc::new(AtomicBool::new(false));
                    return (Connection { stream, dropped }, addr);
                }
                // Out of file descriptors and the like: wait, as axum's own listener does.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

impl Connected<IncomingStream<'_, Listener>> for Dropper {
    fn connect_info(stream: IncomingStream<'_, Listener>) -> Dropper {
        Dropper(Arc::clone(&stream.io().dropped))
    }
}

impl Connection {
    fn check(&self) -> io::Result<()> {
        if self.dropped.load(Ordering::SeqCst) {
            return Err(io::Error::new(
                io::ErrorKind::ConnectionAborted,
                "connection dropped by a sandbox fault",
            ));
        }
        Ok(())
    }
}

impl AsyncRead for Connection {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

// No vectored writes: hyper then copies each answer into one buffer and every byte goes
// through `poll_write`, where a dropped connection is refused. (A second write path would be a
// second place to keep in step, and a sandbox gains nothing from skipping a copy.)
impl AsyncWrite for Connection {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.check()?;
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    // Among the unit tests, which run before the HTTP suites: a connection that loses what the
    // server writes fails here in seconds, instead of every request of those suites hanging.
    #[tokio::test]
    async fn an_answer_reaches_the_client_whole() {
        let sandbox = crate::Sandbox::start().await.expect("start");
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(20))
            .build()
            .expect("an HTTP client");
        let response = http
            .get(format!("{}/v1/version", sandbox.base_url()))
            .send()
            .await
            .expect("an answer");
        assert_eq!(response.status(), 200);
        let version: serde_json::Value = response.json().await.expect("a whole JSON body");
        assert!(version.is_object(), "{version}");
    }
}
