//! Property tests for the code that reads untrusted input: Kajabi's error bodies
//! (`ApiError::decode`), the spec normalizer (a new `openapi.yaml` from Kajabi is input too),
//! and the whole error path of a call. None may panic; each must say exactly what it should.
//! Bounded: 256 cases (32 for the network one); no regression files are written.

mod support;

use std::{sync::OnceLock, time::Duration};

use kajabi_api::{ApiError, OAuthErrorCode, MAX_ERROR_BODY};
use proptest::{collection, prelude::*, test_runner::Config};
use serde_json::{Map, Value};
use support::faulty::{self, reply, response, Faulty};

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Failures are reported in the test output; the repository is not written to.
        failure_persistence: None,
        ..Config::default()
    }
}

// ---- Strategies -------------------------------------------------------------------------

/// Words that matter to the decoders and the normalizer, so that random objects hit them.
const KEYS: &str = "errors error error_description status code title detail source pointer \
    parameter type properties items $ref nullable enum const allOf oneOf anyOf required examples \
    exclusiveMinimum prefixItems paths components schemas parameters requestBody responses \
    content schema in name get post 200 401 security info openapi application/vnd.api+json \
    description";
const TYPES: &[&str] = &[
    "string", "integer", "number", "boolean", "object", "array", "null",
];

fn keys() -> Vec<&'static str> {
    KEYS.split_whitespace().collect()
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(keys()).prop_map(str::to_string),
        1 => "[a-z_]{0,6}",
    ]
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        (-1e9f64..1e9).prop_map(Value::from),
        proptest::sample::select(TYPES).prop_map(Value::from),
        proptest::sample::select(keys()).prop_map(Value::from),
        Just(Value::from("#/components/schemas/nowhere")),
        Just(Value::from("3.1.0")),
        ".{0,12}".prop_map(Value::from),
    ]
}

/// Any JSON value, biased towards the keys above.
fn json() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            collection::btree_map(key(), inner, 0..6)
                .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// Mostly well-formed error bodies of both shapes, some with a field of the wrong type.
fn error_body() -> impl Strategy<Value = Value> {
    let text = || prop_oneof![Just(Value::Null), ".{0,20}".prop_map(Value::from), scalar()];
    let entry = (text(), text(), text(), text(), prop_oneof![Just(Value::Null), json()])
        .prop_map(|(status, code, title, detail, source)| {
            serde_json::json!({"status": status, "code": code, "title": title, "detail": detail, "source": source})
        });
    let json_api =
        collection::vec(entry, 0..4).prop_map(|errors| serde_json::json!({"errors": errors}));
    let oauth = (text(), text()).prop_map(|(error, description)| {
        serde_json::json!({"error": error, "error_description": description})
    });
    (
        prop_oneof![json_api, oauth, json()],
        collection::btree_map(key(), json(), 0..2),
    )
        .prop_map(|(mut body, extra)| {
            if let Value::Object(map) = &mut body {
                map.extend(extra);
            }
            body
        })
}

// ---- (a) ApiError::decode ----------------------------------------------------------------

#[derive(Debug, PartialEq)]
enum Shape {
    JsonApi(usize),
    OAuth(String),
}

/// `Option<String>`: absent, null or a string.
fn optional_string(value: Option<&Value>) -> Option<()> {
    matches!(value, None | Some(Value::Null | Value::String(_))).then_some(())
}

/// What `ApiError::decode` must return for `value`, written independently of it: JSON
/// objects only; a non-null `errors` array makes it JSON:API whatever else is there; else a
/// string `error` makes it OAuth.
fn expected(value: &Value) -> Option<Shape> {
    let map = value.as_object()?;
    match map.get("errors").filter(|e| !e.is_null()) {
        Some(errors) => {
            let entries = errors.as_array()?;
            for entry in entries {
                let entry = entry.as_object()?;
                for name in ["status", "code", "title", "detail"] {
                    optional_string(entry.get(name))?;
                }
                if let Some(source) = entry.get("source").filter(|s| !s.is_null()) {
                    let source = source.as_object()?;
                    optional_string(source.get("pointer"))?;
                    optional_string(source.get("parameter"))?;
                }
            }
            Some(Shape::JsonApi(entries.len()))
        }
        None => {
            let code = map.get("error")?.as_str()?;
            optional_string(map.get("error_description"))?;
            Some(Shape::OAuth(code.to_string()))
        }
    }
}

fn check_decode(bytes: &[u8]) -> Result<(), TestCaseError> {
    let decoded = ApiError::decode(bytes);
    // Display must not panic either (it clips server text).
    let _ = decoded.as_ref().map(ToString::to_string);
    let got = match decoded {
        None => None,
        Some(ApiError::JsonApi(errors)) => Some(Shape::JsonApi(errors.len())),
        Some(ApiError::OAuth(e)) => Some(Shape::OAuth(match e.error {
            OAuthErrorCode::Other(code) => code,
            known => known.to_string(),
        })),
        Some(other) => return Err(TestCaseError::fail(format!("new shape {other:?}"))),
    };
    // A body that is not UTF-8 is no JSON at all.
    let want = std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
        .as_ref()
        .and_then(expected);
    prop_assert_eq!(got, want, "{}", String::from_utf8_lossy(bytes));
    Ok(())
}

/// Pins the decoder on corners random inputs rarely reach.
#[test]
fn decode_corners_are_what_the_oracle_says() {
    let cases: [(&[u8], Option<Shape>); 8] = [
        // serde would read a struct from an array of its fields; the decoder takes objects only.
        (br#"{"errors":[["422",null,"Invalid",null,null]]}"#, None),
        (br#"[null,"invalid_client",null]"#, None),
        (br#"{"errors":[{"source":"/data"}]}"#, None),
        // Invalid UTF-8 anywhere, even in a field the decoder would skip.
        (b"{\"error\":\"invalid_client\",\"junk\":\"\xff\"}", None),
        // `errors` wins over `error`, even a mistyped one; a null `errors` is no `errors`.
        (br#"{"errors":[],"error":"x"}"#, Some(Shape::JsonApi(0))),
        (br#"{"errors":[],"error":1}"#, Some(Shape::JsonApi(0))),
        (
            br#"{"errors":null,"error":"x"}"#,
            Some(Shape::OAuth("x".into())),
        ),
        (br#"{"error":"x","error_description":7}"#, None),
    ];
    for (body, shape) in cases {
        let decoded = ApiError::decode(body).map(|e| match e {
            ApiError::JsonApi(errors) => Shape::JsonApi(errors.len()),
            ApiError::OAuth(e) => Shape::OAuth(e.error.to_string()),
            other => panic!("new shape {other:?}"),
        });
        assert_eq!(decoded, shape, "{}", String::from_utf8_lossy(body));
        check_decode(body).unwrap();
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn decode_takes_any_bytes(bytes in collection::vec(any::<u8>(), 0..256)) {
        check_decode(&bytes)?;
    }

    #[test]
    fn decode_takes_any_json_and_recognizes_exactly_the_two_shapes(body in error_body()) {
        check_decode(body.to_string().as_bytes())?;
    }

    #[test]
    fn decode_takes_damaged_json(body in error_body(), cut in any::<usize>(), flip in any::<(usize, u8)>()) {
        let mut bytes = body.to_string().into_bytes();
        let at = flip.0 % bytes.len();
        bytes[at] ^= flip.1;
        bytes.truncate(bytes.len() - cut % bytes.len() / 2);
        check_decode(&bytes)?;
    }
}

// ---- (b) the normalizer ------------------------------------------------------------------

fn spec() -> &'static Value {
    static SPEC: OnceLock<Value> = OnceLock::new();
    SPEC.get_or_init(|| kajabi_spec::load(include_str!("../../openapi.yaml")).expect("spec loads"))
}

#[derive(Debug, Clone)]
enum Mutation {
    Delete,
    Replace(Value),
    Types(Vec<&'static str>),
}

fn mutation() -> impl Strategy<Value = (Vec<usize>, Mutation)> {
    let what = prop_oneof![
        Just(Mutation::Delete),
        prop_oneof![
            scalar(),
            collection::vec(scalar(), 0..3).prop_map(Value::Array)
        ]
        .prop_map(Mutation::Replace),
        collection::vec(proptest::sample::select(TYPES), 0..4).prop_map(Mutation::Types),
    ];
    (collection::vec(any::<usize>(), 1..14), what)
}

/// Walks down `doc` by `path` (each step picks a child, modulo the count) and applies `what`
/// to the last child reached (`Types`: to the deepest object on the way).
fn apply(doc: &mut Value, path: &[usize], what: &Mutation) {
    let (last, steps) = path.split_last().expect("non-empty path");
    let mut node = doc;
    for step in steps {
        let len = match &*node {
            Value::Object(map) => map.len(),
            Value::Array(items) => items.len(),
            _ => 0,
        };
        let next_is_container = match &*node {
            Value::Object(map) => map.values().nth(step % len.max(1)),
            Value::Array(items) => items.get(step % len.max(1)),
            _ => None,
        }
        .is_some_and(|child| child.is_object() || child.is_array());
        if !next_is_container {
            break;
        }
        node = match node {
            Value::Object(map) => map.values_mut().nth(step % len).unwrap(),
            Value::Array(items) => &mut items[step % len],
            _ => unreachable!(),
        };
    }
    match (node, what) {
        (Value::Object(map), Mutation::Types(types)) => {
            map.insert("type".into(), Value::from(types.clone()));
        }
        (Value::Object(map), Mutation::Delete) if !map.is_empty() => {
            let key = map.keys().nth(last % map.len()).unwrap().clone();
            map.remove(&key);
        }
        (Value::Object(map), Mutation::Replace(value)) if !map.is_empty() => {
            let at = last % map.len();
            *map.values_mut().nth(at).unwrap() = value.clone();
        }
        (Value::Array(items), Mutation::Delete) if !items.is_empty() => {
            items.remove(last % items.len());
        }
        (Value::Array(items), Mutation::Replace(value)) if !items.is_empty() => {
            let at = last % items.len();
            items[at] = value.clone();
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn the_normalizer_takes_any_json(value in json()) {
        let _ = kajabi_spec::normalize(&value);
    }

    #[test]
    fn the_normalizer_takes_any_json_that_claims_to_be_openapi(
        paths in json(), components in json(), extra in collection::btree_map(key(), json(), 0..3)
    ) {
        let mut doc: Map<String, Value> = extra.into_iter().collect();
        doc.insert("openapi".into(), "3.1.0".into());
        doc.insert("info".into(), serde_json::json!({"title": "t", "version": "1"}));
        doc.insert("paths".into(), paths);
        doc.insert("components".into(), components);
        let _ = kajabi_spec::normalize(&Value::Object(doc));
    }

    #[test]
    fn the_normalizer_takes_the_vendored_spec_damaged(mutations in collection::vec(mutation(), 1..4)) {
        let mut doc = spec().clone();
        for (path, what) in &mutations {
            apply(&mut doc, path, what);
        }
        // Refusing is fine; a refusal names where and what.
        if let Err(e) = kajabi_spec::normalize(&doc) {
            prop_assert!(!e.location.is_empty() && !e.construct.is_empty(), "{e:?}");
        }
    }
}

// ---- (c) the error path of a call --------------------------------------------------------

fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| tokio::runtime::Runtime::new().expect("runtime"))
}

fn body() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => collection::vec(any::<u8>(), 0..512),
        2 => error_body().prop_map(|v| v.to_string().into_bytes()),
        // Around the 64 KiB cap: at, just under and over it.
        1 => (MAX_ERROR_BODY - 2..MAX_ERROR_BODY + 3000, any::<u8>())
            .prop_map(|(len, seed)| (0..len).map(|i| (i as u8).wrapping_mul(31) ^ seed).collect()),
    ]
}

proptest! {
    #![proptest_config(config(32))]

    #[test]
    fn any_error_status_and_body_is_a_status_error_with_that_body(status in 400u16..=599, body in body()) {
        runtime().block_on(async {
            let server = Faulty::always(reply(response(status, &[("content-type", "application/octet-stream")], &body))).await;
            let client = faulty::builder(&server.base_url()).build().unwrap();
            let call = tokio::time::timeout(Duration::from_secs(10), client.get_me().send());
            let error = call.await.expect("no hang").expect_err("an error status");
            let _ = (error.to_string(), format!("{error:?}"));
            prop_assert!(error.is_status(), "{error:?}");
            prop_assert_eq!(error.status().map(|s| s.as_u16()), Some(status));
            let kept = body.len().min(MAX_ERROR_BODY);
            prop_assert_eq!(error.body(), &body[..kept]);
            prop_assert_eq!(error.body_truncated(), body.len() > MAX_ERROR_BODY);
            let decoded = ApiError::decode(&body[..kept]);
            prop_assert_eq!(error.api_error(), decoded.as_ref());
            Ok(())
        })?;
    }
}

// ---- (d) webhook deliveries ----------------------------------------------------------------

/// Envelopes around any payload, for known and unknown events, with ids of any type, some
/// members missing.
fn delivery() -> impl Strategy<Value = Value> {
    let event = prop_oneof![
        3 => proptest::sample::select(kajabi_api::webhooks::EVENTS).prop_map(Value::from),
        1 => "[a-z_]{0,12}".prop_map(Value::from),
        1 => scalar(),
    ];
    let id = prop_oneof![3 => "[a-z0-9_]{0,8}".prop_map(Value::from), 1 => scalar()];
    (event, id, json(), any::<u8>()).prop_map(|(event, id, payload, drop)| {
        let mut envelope = Map::new();
        for (i, (name, value)) in [("event", event), ("id", id), ("payload", payload)]
            .into_iter()
            .enumerate()
        {
            if drop & (1 << i) == 0 || drop < 128 {
                envelope.insert(name.into(), value);
            }
        }
        Value::Object(envelope)
    })
}

/// What `Event::parse` must do with `bytes`: never panic; a well-formed envelope of an event
/// the spec does not know is `Unknown` with everything kept; any result keeps the event's
/// name and payload; an error is a one-line decode error.
fn check_event(bytes: &[u8]) -> Result<(), TestCaseError> {
    use kajabi_api::webhooks::{Event, EVENTS};
    let parsed = Event::parse(bytes);
    let value: Option<Value> = serde_json::from_slice(bytes).ok();
    let envelope = value.as_ref().and_then(|v| {
        let event = v.get("event")?.as_str()?;
        let id = match v.get("id")? {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            _ => return None,
        };
        Some((event, id, v.get("payload")?))
    });
    match (&parsed, envelope) {
        (Ok(event), Some((name, id, payload))) => {
            prop_assert_eq!(event.name(), name);
            prop_assert_eq!(event.id(), id.as_str());
            prop_assert_eq!(event.raw_payload(), payload);
            prop_assert_eq!(
                matches!(event, Event::Unknown { .. }),
                !EVENTS.contains(&name)
            );
        }
        (Ok(event), None) => prop_assert!(false, "not an envelope, yet parsed: {event:?}"),
        (Err(e), envelope) => {
            prop_assert!(e.is_decode(), "{e}");
            prop_assert!(!e.to_string().contains('\n'), "{e}");
            if let Some((name, _, _)) = envelope {
                prop_assert!(EVENTS.contains(&name), "an unknown event was refused: {e}");
            }
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn event_parse_takes_any_bytes(bytes in collection::vec(any::<u8>(), 0..256)) {
        check_event(&bytes)?;
    }

    #[test]
    fn event_parse_takes_any_delivery(body in delivery()) {
        check_event(body.to_string().as_bytes())?;
    }

    #[test]
    fn event_parse_takes_damaged_deliveries(body in delivery(), cut in any::<usize>(), flip in any::<(usize, u8)>()) {
        let mut bytes = body.to_string().into_bytes();
        let at = flip.0 % bytes.len();
        bytes[at] ^= flip.1;
        bytes.truncate(bytes.len() - cut % bytes.len() / 2);
        check_event(&bytes)?;
    }
}
