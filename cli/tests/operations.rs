//! Every operation of `openapi.yaml` through the `kajabi` binary against the sandbox.
//!
//! The list comes from the spec at test time (`kajabi_spec::normalize`), so a new operation is
//! covered with no edit here; its command comes from the table the build generated, and the
//! test first checks that every operation has one. Each call passes the path parameters
//! (`"1"`), the required query flags (a value valid for the schema) and, if the operation
//! takes one, a body built from its request schema on stdin (`--body -`); it must exit 0 with
//! stdout empty when the operation has no response body and JSON otherwise. The token grant
//! runs first and the revocation last, deletions after the rest.

mod support;

use std::collections::BTreeMap;

use kajabi_spec::{example_value, resolve, Operation};
use serde_json::{json, Value};
use support::{describe, kajabi, run, runtime};

const SPEC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml");
const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/commands.txt"));

/// A command line of the table: group, action, and the required flags with the wire names
/// they stand for.
type Line = (String, String, Vec<(String, String)>);

/// `operation → its command line`.
fn commands() -> BTreeMap<String, Line> {
    GENERATED
        .lines()
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let operation = words
                .iter()
                .rev()
                .find(|w| !w.starts_with('('))
                .expect("an operation name");
            let mut flags = Vec::new();
            for pair in words.windows(2) {
                if let Some(flag) = pair[0].strip_prefix("--") {
                    let wire = pair[1].trim_start_matches('<').trim_end_matches('>');
                    flags.push((flag.to_string(), wire.to_string()));
                }
            }
            (
                operation.to_string(),
                (words[1].to_string(), words[2].to_string(), flags),
            )
        })
        .collect()
}

/// A value valid for a parameter's schema, as flag text.
fn sample(document: &Value, schema: &Value) -> String {
    let schema = resolve(document, schema);
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|v| v.iter().find_map(Value::as_str))
    {
        return first.to_string();
    }
    match schema.get("type").and_then(Value::as_str) {
        Some("boolean") => "true".into(),
        _ => "1".into(),
    }
}

fn order(op: &Operation) -> u8 {
    match op.role {
        kajabi_spec::Role::TokenGrant => 0,
        kajabi_spec::Role::Revoke => 3,
        _ if op.method == "DELETE" => 2,
        _ => 1,
    }
}

#[test]
fn every_operation_runs_through_the_binary() {
    let text = std::fs::read_to_string(SPEC).expect("the spec");
    let normalized = kajabi_spec::normalize(&kajabi_spec::load(&text).unwrap()).unwrap();
    let document = &normalized.document;
    let commands = commands();
    let names: Vec<&str> = normalized
        .operations
        .iter()
        .map(|o| o.name.as_str())
        .collect();
    assert_eq!(
        commands.keys().map(String::as_str).collect::<Vec<_>>(),
        {
            let mut sorted = names.clone();
            sorted.sort_unstable();
            sorted
        },
        "every operation of the spec has exactly one command"
    );

    let runtime = runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    // The revocation revokes a token of a session of its own.
    let other = kajabi_api::Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()
        .unwrap();
    let to_revoke = runtime.block_on(other.access_token()).expect("a token");
    let config = tempfile::tempdir().unwrap();

    let mut operations: Vec<&Operation> = normalized.operations.iter().collect();
    operations.sort_by_key(|op| order(op));
    let mut ok = 0;
    let mut failures = Vec::new();
    for op in &operations {
        let (group, action, flags) = &commands[&op.name];
        let mut command = kajabi(config.path());
        command
            .env("KAJABI_BASE_URL", sandbox.base_url())
            .env("KAJABI_CLIENT_ID", sandbox.client_id())
            .env("KAJABI_CLIENT_SECRET", sandbox.client_secret())
            .args([group, action]);
        for _ in op.path_params() {
            command.arg("1");
        }
        for (flag, wire) in flags {
            let parameter = op
                .parameters
                .iter()
                .find(|p| &p.name == wire)
                .expect("the flag's parameter");
            command
                .arg(format!("--{flag}"))
                .arg(sample(document, &parameter.schema));
        }
        let body = match op.role {
            kajabi_spec::Role::TokenGrant => Some(json!({
                "grant_type": "client_credentials",
                "client_id": sandbox.client_id(),
                "client_secret": sandbox.client_secret(),
            })),
            kajabi_spec::Role::Revoke => Some(json!({ "token": to_revoke.secret() })),
            _ => op
                .request_schema
                .as_ref()
                .map(|schema| example_value(document, schema)),
        };
        if body.is_some() {
            command.args(["--body", "-"]);
        }
        let output = run(&mut command, body.map(|b| b.to_string()).as_deref());
        let stdout = String::from_utf8_lossy(&output.stdout);
        let shape_ok = match &op.response_media {
            None => stdout.is_empty(),
            Some(_) => serde_json::from_str::<Value>(&stdout).is_ok(),
        };
        if output.status.success() && shape_ok {
            ok += 1;
        } else {
            failures.push(format!(
                "kajabi {group} {action} ({}): {}",
                op.name,
                describe(&output)
            ));
        }
    }
    let total = operations.len();
    println!("cli: {ok}/{total} operations");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert_eq!(ok, total);
    drop(sandbox);
}
