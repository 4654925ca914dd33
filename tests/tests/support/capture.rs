//! A `tracing` subscriber that writes into a buffer the test reads.

use std::{
    io::Write,
    sync::{Arc, Mutex},
};

use tracing_subscriber::{filter::Targets, fmt::format::FmtSpan, layer::SubscriberExt};

/// The log buffer.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    /// The log so far, emptying the buffer.
    pub fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.lock().unwrap())).unwrap()
    }

    /// A TRACE-level subscriber with span closes, writing here, filtered by `targets`.
    pub fn subscriber(&self, targets: Targets) -> impl tracing::Subscriber + Send + Sync {
        let writer = self.clone();
        tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_span_events(FmtSpan::CLOSE)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish()
            .with(targets)
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
