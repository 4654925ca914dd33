//! A `tracing` layer that keeps every span with its parent and each field recording, so that
//! tests can check span trees and that each field is recorded once.

use std::sync::{Arc, Mutex};

use tracing::{
    field::{Field, Visit},
    span::{Attributes, Id, Record},
    Subscriber,
};
use tracing_subscriber::{layer::Context, registry::LookupSpan, Layer};

/// One span as the layer saw it.
#[derive(Debug, Clone)]
pub struct SeenSpan {
    /// The subscriber's id; reused once the span closes.
    pub id: u64,
    pub name: &'static str,
    /// The parent's index in [`Spans::all`].
    pub parent: Option<usize>,
    pub closed: bool,
    /// Every recording, in order: at creation, then each `record`.
    pub fields: Vec<(String, String)>,
}

impl SeenSpan {
    /// The value of `name`, if it was recorded.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// How many times `name` was recorded.
    pub fn count(&self, name: &str) -> usize {
        self.fields.iter().filter(|(n, _)| n == name).count()
    }

    /// The names recorded, sorted.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.fields.iter().map(|(n, _)| n.as_str()).collect();
        names.sort_unstable();
        names
    }
}

/// The spans seen so far.
#[derive(Clone, Default)]
pub struct Spans(Arc<Mutex<Vec<SeenSpan>>>);

impl Spans {
    pub fn all(&self) -> Vec<SeenSpan> {
        self.0.lock().unwrap().clone()
    }

    pub fn named(&self, name: &str) -> Vec<SeenSpan> {
        self.all().into_iter().filter(|s| s.name == name).collect()
    }

    /// A subscriber at `level` with this layer.
    pub fn subscriber(&self, level: tracing::Level) -> impl Subscriber + Send + Sync {
        use tracing_subscriber::layer::SubscriberExt;
        tracing_subscriber::registry()
            .with(self.clone())
            .with(tracing_subscriber::filter::LevelFilter::from_level(level))
    }
}

/// The index of the open span with subscriber id `id`.
fn open(spans: &[SeenSpan], id: u64) -> Option<usize> {
    spans.iter().rposition(|s| s.id == id && !s.closed)
}

struct Fields<'a>(&'a mut Vec<(String, String)>);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0
            .push((field.name().to_string(), format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.push((field.name().to_string(), value.to_string()));
    }
}

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Spans {
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let parent = match attrs.parent() {
            Some(parent) => Some(parent.into_u64()),
            None if attrs.is_contextual() => ctx.current_span().id().map(Id::into_u64),
            None => None,
        };
        let mut fields = Vec::new();
        attrs.record(&mut Fields(&mut fields));
        let mut spans = self.0.lock().unwrap();
        let parent = parent.and_then(|p| open(&spans, p));
        spans.push(SeenSpan {
            id: id.into_u64(),
            name: attrs.metadata().name(),
            parent,
            closed: false,
            fields,
        });
    }

    fn on_record(&self, id: &Id, values: &Record<'_>, _ctx: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        if let Some(i) = open(&spans, id.into_u64()) {
            values.record(&mut Fields(&mut spans[i].fields));
        }
    }

    fn on_close(&self, id: Id, _ctx: Context<'_, S>) {
        let mut spans = self.0.lock().unwrap();
        if let Some(i) = open(&spans, id.into_u64()) {
            spans[i].closed = true;
        }
    }
}
