//! reqwest-tracing 0.7 as a user middleware: its span nests under the SDK's attempt span.
//! Alone in its binary: it installs a (scoped) subscriber.

mod support;

use support::faulty::{self, bounded, me_ok, Faulty};
use support::spans::Spans;

#[tokio::test]
async fn reqwest_tracing_traces_each_attempt_under_the_sdks_attempt_span() {
    let spans = Spans::default();
    let _guard = tracing::subscriber::set_default(spans.subscriber(tracing::Level::INFO));
    let server = Faulty::start(vec![me_ok()]).await;
    let client = faulty::builder(&server.base_url())
        .middleware(reqwest_tracing::TracingMiddleware::default())
        .build()
        .unwrap();
    bounded("traced", client.get_me().send()).await.unwrap();
    let all = spans.all();
    let attempt = spans.named("kajabi.attempt");
    assert_eq!(attempt.len(), 1, "{all:#?}");
    // reqwest-tracing's own span, a child of the SDK's attempt span.
    let theirs: Vec<_> = all.iter().filter(|s| s.name == "HTTP request").collect();
    assert_eq!(theirs.len(), 1, "{all:#?}");
    assert_eq!(all[theirs[0].parent.unwrap()].name, "kajabi.attempt");
    assert_eq!(theirs[0].get("http.response.status_code"), Some("200"));
    // The request went out with the token, once.
    assert_eq!(server.requests().len(), 1);
}
