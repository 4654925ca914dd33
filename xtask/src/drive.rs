//! `cargo xtask drive`: calls every operation of `openapi.yaml` through the SDK against a
//! running server (the sandbox, or Prism proxying to it) and reports each outcome.
//!
//! Each operation goes through `Client::call_operation`, the code path of the typed methods,
//! with its required parameters (path ids `"1"`, query values valid for their schema) and, if
//! it takes one, a body built from its request schema by the sandbox's example builder. The
//! order keeps the session alive: the token grant first, deletions after everything else, the
//! revocation (of the session's own access token) last. One error path is driven as well: a
//! secured `GET` with a made-up token must come back as a typed 401.

use std::path::PathBuf;
use std::process::ExitCode;

use kajabi_api::{Client, RetryPolicy};
use kajabi_spec::{resolve, Role};
use serde_json::{json, Map, Value};

/// What `cargo xtask drive` was asked to do.
#[derive(Debug)]
pub struct Options {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub spec: PathBuf,
}

/// One operation to call: its SDK name, method, path and arguments.
struct Call {
    name: String,
    method: String,
    path: String,
    params: Map<String, Value>,
    body: Option<Value>,
    kind: Kind,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Token,
    Other,
    Delete,
    Revoke,
}

/// Runs the drive; exit status 0 when every call came back as expected, 1 otherwise, 2 when
/// it could not start.
pub fn run(options: &Options) -> ExitCode {
    let calls = match plan(options) {
        Ok(calls) => calls,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let credentials = (options.client_id.clone(), options.client_secret.clone());
    let outcome = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .map(|runtime| runtime.block_on(drive(&options.base_url, &credentials, calls)));
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

/// Every operation of the document at `options.spec`, in the order they are driven.
fn plan(options: &Options) -> Result<Vec<Call>, String> {
    let text = std::fs::read_to_string(&options.spec)
        .map_err(|e| format!("{}: {e}", options.spec.display()))?;
    let document = kajabi_spec::load(&text).map_err(|e| e.to_string())?;
    let normalized = kajabi_spec::normalize(&document).map_err(|e| e.to_string())?;
    // Parameters and schemas come from the spec model (already merged, `$ref`s pointing into
    // the normalized document): the examples are built against that document.
    let document = &normalized.document;
    let mut calls = Vec::new();
    for op in &normalized.operations {
        let params: Map<String, Value> = op
            .parameters
            .iter()
            .filter(|p| p.required)
            .map(|p| (p.name.clone(), sample(document, &p.schema)))
            .collect();
        let kind = match op.role {
            Role::TokenGrant => Kind::Token,
            Role::Revoke => Kind::Revoke,
            Role::Ordinary if op.method == "DELETE" => Kind::Delete,
            Role::Ordinary => Kind::Other,
        };
        let body = match kind {
            Kind::Token => Some(json!({
                "grant_type": "client_credentials",
                "client_id": options.client_id,
                "client_secret": options.client_secret,
            })),
            // Filled in when it runs: the session's own access token.
            Kind::Revoke => None,
            _ => op
                .request_schema
                .as_ref()
                .map(|schema| kajabi_spec::example_value(document, schema)),
        };
        calls.push(Call {
            name: op.name.clone(),
            method: op.method.clone(),
            path: op.path.clone(),
            params,
            body,
            kind,
        });
    }
    // Stable: document order within each kind.
    calls.sort_by_key(|c| c.kind);
    Ok(calls)
}

/// A value valid for a parameter's schema: `"1"`, `1`, `true`, the first enum value.
fn sample(document: &Value, schema: &Value) -> Value {
    let schema = resolve(document, schema);
    if let Some(first) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|v| v.iter().find(|v| !v.is_null()))
    {
        return first.clone();
    }
    let kind = schema.as_object().and_then(kajabi_spec::primary_type);
    match kind {
        Some("integer" | "number") => json!(1),
        Some("boolean") => json!(true),
        Some("array") => json!([sample(
            document,
            schema.get("items").unwrap_or(&Value::Null)
        )]),
        _ => json!("1"),
    }
}

/// ` | body: …` with the raw body of an error response that is not Kajabi's (a proxy's, such
/// as Prism's problem+json), so that it can be told apart; empty otherwise.
fn foreign_body(error: &kajabi_api::Error) -> String {
    if error.api_error().is_some() || error.body().is_empty() {
        return String::new();
    }
    let text: String = String::from_utf8_lossy(error.body())
        .chars()
        .take(2000)
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    format!(" | body: {text}")
}

async fn drive(base_url: &str, credentials: &(String, String), calls: Vec<Call>) -> bool {
    let build = |builder: kajabi_api::ClientBuilder| {
        builder
            .base_url(base_url)
            .retry_policy(RetryPolicy::disabled())
            .build()
    };
    let client = match build(
        Client::builder().client_credentials(credentials.0.clone(), credentials.1.clone()),
    ) {
        Ok(client) => client,
        Err(e) => {
            println!("ERR client: {e}");
            return false;
        }
    };
    let total = calls.len();
    let mut ok = 0;
    for mut call in calls {
        if call.kind == Kind::Revoke {
            // Log the session out: revoke its own access token (and with it the refresh token).
            match client.access_token().await {
                Ok(token) => call.body = Some(json!({ "token": token.secret() })),
                Err(e) => {
                    println!(
                        "ERR {} {} {}: no token to revoke: {e}",
                        call.method, call.path, call.name
                    );
                    continue;
                }
            }
        }
        let result =
            Box::pin(client.call_operation(&call.name, &call.params, call.body.take())).await;
        match result {
            Ok(_) => {
                ok += 1;
                println!("ok  {} {} {}", call.method, call.path, call.name);
            }
            Err(e) => println!(
                "ERR {} {} {}: {e}{}",
                call.method,
                call.path,
                call.name,
                foreign_body(&e)
            ),
        }
    }

    // The error path: a made-up token on a secured GET must come back as a typed 401.
    let mut error_paths = 0;
    let probe = kajabi_api::operations()
        .iter()
        .find(|op| op.secured && op.method == "GET" && !op.path.contains('{'));
    let bad = build(Client::builder().access_token("invalid-token"));
    match (probe, bad) {
        (Some(op), Ok(bad)) => {
            let result = Box::pin(bad.call_operation(op.name, &Map::new(), None)).await;
            match result {
                Err(e)
                    if e.status().map(|s| s.as_u16()) == Some(401)
                        && e.operation() == Some(op.name) =>
                {
                    error_paths += 1;
                    println!(
                        "ok  {} {} {} with a bad token: {e}",
                        op.method, op.path, op.name
                    );
                }
                Err(e) => println!(
                    "ERR {} {} {} with a bad token: expected a 401, got: {e}",
                    op.method, op.path, op.name
                ),
                Ok(_) => println!(
                    "ERR {} {} {} with a bad token: accepted",
                    op.method, op.path, op.name
                ),
            }
        }
        (None, _) => println!("ERR no secured GET without parameters to probe a bad token with"),
        (_, Err(e)) => println!("ERR client with a bad token: {e}"),
    }
    println!("drive: {ok}/{total} operations ok, {error_paths}/1 error paths ok");
    ok == total && error_paths == 1
}
