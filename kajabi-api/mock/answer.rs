//! What a typed mock answers: typed bodies written as the JSON:API documents Kajabi sends,
//! error bodies in Kajabi's shapes, and sequences ("the first `n` answers are …, then …"),
//! which httpmock 0.8 does not have: one responder counts the requests it answered.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use httpmock::{HttpMockRequest, HttpMockResponse};
use serde::Serialize;
use serde_json::{json, Value};

use super::Spec;

/// One answer.
#[derive(Clone)]
pub(crate) struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Body,
}

impl std::fmt::Debug for Answer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the body: a token answer carries credentials.
        f.debug_struct("Answer")
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

#[derive(Clone)]
enum Body {
    Bytes(Vec<u8>),
    /// A list page whose `links` are paths, made absolute on the mock's address when sent
    /// (the SDK follows only `links.next` on its own base URL).
    Page(Value),
}

impl Answer {
    /// `status` with no body.
    pub(crate) fn empty(status: u16) -> Self {
        Answer {
            status,
            headers: Vec::new(),
            body: Body::Bytes(Vec::new()),
        }
    }

    /// The success status with `body` as JSON, in the declared media type.
    pub(crate) fn json<T: Serialize>(spec: &Spec, body: &T) -> Self {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        Answer::success(spec, Body::Bytes(bytes))
    }

    /// The success status with the spec's example.
    pub(crate) fn example(spec: &Spec) -> Self {
        match spec.example {
            Some(example) => Answer::success(spec, Body::Bytes(example.as_bytes().to_vec())),
            None => Answer::empty(spec.status),
        }
    }

    /// The success status with `resource` (a flat type) as the document's `data`.
    pub(crate) fn resource<T: Serialize>(spec: &Spec, kind: &str, resource: &T) -> Self {
        let data = resource_object(kind, resource);
        Answer::success(
            spec,
            Body::Bytes(json!({ "data": data }).to_string().into_bytes()),
        )
    }

    /// The success status with page `number` of `total_pages`, holding `items`.
    pub(crate) fn page<T: Serialize>(
        spec: &Spec,
        kind: &str,
        items: &[T],
        number: u64,
        total_pages: u64,
    ) -> Self {
        let data: Vec<Value> = items.iter().map(|i| resource_object(kind, i)).collect();
        let link = |n: u64| Value::String(format!("{}?page%5Bnumber%5D={n}", spec.path));
        let total_pages = total_pages.max(number);
        let mut meta = json!({ "total_pages": total_pages, "current_page": number });
        if total_pages == 1 {
            meta["total_count"] = json!(data.len());
        }
        let document = json!({
            "data": data,
            "links": {
                "self": link(number),
                "current": link(number),
                "first": link(1),
                "prev": if number > 1 { link(number - 1) } else { Value::Null },
                "next": if number < total_pages { link(number + 1) } else { Value::Null },
                "last": link(total_pages),
            },
            "meta": meta,
        });
        Answer::success(spec, Body::Page(document))
    }

    /// `status` with the error body Kajabi sends: OAuth's for a 401, JSON:API's otherwise.
    pub(crate) fn error(spec: &Spec, status: u16) -> Self {
        let title = http::StatusCode::from_u16(status)
            .ok()
            .and_then(|s| s.canonical_reason())
            .unwrap_or("Error");
        let body = if status == 401 {
            let (code, description) = if spec.token_grant {
                ("invalid_client", "Client authentication failed")
            } else {
                ("invalid_token", "The access token is invalid")
            };
            json!({ "error": code, "error_description": description })
        } else {
            json!({ "errors": [{ "status": status.to_string(), "title": title, "detail": title }] })
        };
        Answer {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: Body::Bytes(body.to_string().into_bytes()),
        }
    }

    /// 429 with `Retry-After` in whole seconds, rounded up.
    pub(crate) fn rate_limited(spec: &Spec, retry_after: Duration) -> Self {
        let seconds = retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0);
        let mut answer = Answer::error(spec, 429);
        answer
            .headers
            .push(("retry-after".into(), seconds.to_string()));
        answer
    }

    /// Any response, as given.
    pub(crate) fn raw(response: HttpMockResponse) -> Self {
        Answer {
            status: response.status.unwrap_or(200),
            headers: response.headers.unwrap_or_default(),
            body: Body::Bytes(response.body.map(|b| b.to_vec()).unwrap_or_default()),
        }
    }

    fn success(spec: &Spec, body: Body) -> Self {
        let media = spec.media.unwrap_or("application/json");
        Answer {
            status: spec.status,
            headers: vec![("content-type".into(), media.into())],
            body,
        }
    }

    /// The response to `request`.
    fn response(&self, request: &HttpMockRequest) -> HttpMockResponse {
        let body = match &self.body {
            Body::Bytes(bytes) => bytes.clone(),
            Body::Page(document) => {
                let mut document = document.clone();
                let host = request
                    .headers_vec()
                    .iter()
                    .find(|(name, _)| name.eq_ignore_ascii_case("host"))
                    .map_or("localhost", |(_, value)| value.as_str());
                if let Some(Value::Object(links)) = document.get_mut("links") {
                    for link in links.values_mut() {
                        if let Value::String(path) = link {
                            *path = format!("http://{host}{path}");
                        }
                    }
                }
                document.to_string().into_bytes()
            }
        };
        HttpMockResponse::builder()
            .status(self.status)
            .headers(self.headers.clone())
            .body(body)
            .build()
    }
}

/// A flat value as a resource object, with its JSON:API `type` when it has none.
fn resource_object<T: Serialize>(kind: &str, resource: &T) -> Value {
    let mut object = serde_json::to_value(resource).unwrap_or(Value::Null);
    if let Value::Object(members) = &mut object {
        members
            .entry("type")
            .or_insert_with(|| Value::String(kind.into()));
    }
    object
}

/// The answers a `Then` set: the queued ones, then the last one for every later request.
#[derive(Debug, Default)]
pub(crate) struct Answers {
    queued: Vec<(usize, Answer)>,
    last: Option<Answer>,
}

impl Answers {
    /// Answers with `answer` (after the queued ones).
    pub(crate) fn set(&mut self, answer: Answer) {
        self.last = Some(answer);
    }

    /// The answer set, or the spec's example.
    pub(crate) fn take_last(&mut self, spec: &Spec) -> Answer {
        self.last.take().unwrap_or_else(|| Answer::example(spec))
    }

    /// The next `n` answers are `answer`.
    pub(crate) fn queue(&mut self, n: usize, answer: Answer) {
        self.queued.push((n, answer));
    }

    /// httpmock's responder: the `i`th request answered gets the `i`th answer.
    pub(crate) fn responder(
        mut self,
        spec: &Spec,
    ) -> impl Fn(&HttpMockRequest) -> HttpMockResponse + Send + Sync + 'static {
        let last = self.take_last(spec);
        let queued = self.queued;
        let answered = AtomicUsize::new(0);
        move |request| {
            let mut position = answered.fetch_add(1, Ordering::SeqCst);
            for (n, answer) in &queued {
                if position < *n {
                    return answer.response(request);
                }
                position -= n;
            }
            last.response(request)
        }
    }
}
