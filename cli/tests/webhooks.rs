//! `kajabi webhooks trigger EVENT`: fires the event on the sandbox at `KAJABI_BASE_URL` and
//! reports each delivery's outcome (exit 1 unless all were delivered); an unknown event, a
//! missing base URL or a base URL that is not a sandbox exit 2 with a clear message, and a
//! password in the base URL is never printed. `kajabi webhooks listen`: end to end against
//! the sandbox (stopped with SIGINT, as Ctrl-C does), and refused elsewhere before any
//! request that changes state. Waits are on output lines and process exits, each behind a
//! generous hang guard, never on a sleep.

mod support;

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use httpmock::{Method, MockServer};
use kajabi_api::resources::{Hook, HookId, NewHook};
use kajabi_sandbox::{Outcome, Sandbox};
use serde_json::{json, Value};
use support::{describe, kajabi, run};

/// The hang guard of every wait: far above what any step takes.
const GUARD: Duration = Duration::from_secs(60);

/// A client of `sandbox` with its demo credentials.
fn client_of(sandbox: &Sandbox) -> kajabi_api::Client {
    kajabi_api::Client::builder()
        .base_url(sandbox.base_url())
        .client_credentials(sandbox.client_id(), sandbox.client_secret())
        .build()
        .unwrap()
}

/// Deletes the seeded hooks, so that only a test's own hooks are reached.
async fn clear_hooks(client: &kajabi_api::Client) {
    for hook in client.hooks().list().page_size(100).send().await.unwrap() {
        client.hooks().delete(&hook.id).await.unwrap();
    }
}

/// Registers a hook for `event` at `target_url` on the first site; its id.
async fn register(client: &kajabi_api::Client, event: &str, target_url: &str) -> String {
    let site = client
        .sites()
        .list()
        .page_size(1)
        .send()
        .await
        .unwrap()
        .remove(0);
    let new = NewHook::new(event, target_url, site.id);
    client.hooks().create(new).await.unwrap().id.into_string()
}

#[test]
fn trigger_fires_the_event_on_the_sandbox() {
    let runtime = support::runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let client = client_of(&sandbox);
    let hook = runtime.block_on(async {
        clear_hooks(&client).await;
        register(&client, "order_created", "https://example.com/hooks/orders").await
    });
    // The sandbox is local: a proxy in the environment is not asked to reach it.
    let proxy = httpmock::MockServer::start();
    let proxied = proxy.mock(|when, then| {
        when.any_request();
        then.status(502);
    });
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .args(["webhooks", "trigger", "order_created"])
            .env("KAJABI_BASE_URL", sandbox.base_url())
            .env("HTTP_PROXY", proxy.base_url())
            .env("http_proxy", proxy.base_url())
            .env_remove("NO_PROXY")
            .env_remove("no_proxy"),
        None,
    );
    proxied.assert_calls(0);
    // Not delivered (the sandbox delivers to loopback only): reported, and exit 1.
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(printed["event"], "order_created");
    let printed = printed["deliveries"].as_array().expect("the deliveries");
    let deliveries = sandbox.deliveries();
    assert_eq!(printed.len(), 1, "{printed:?}");
    assert_eq!(deliveries.len(), 1);
    let ours = &deliveries[0];
    assert_eq!(ours.hook_id, hook);
    assert_eq!(ours.event, "order_created");
    assert_eq!(ours.outcome, Outcome::SkippedNotLoopback);
    assert_eq!(ours.body["event"], json!("order_created"));
    assert_eq!(printed[0]["id"], json!(ours.id));
    assert_eq!(printed[0]["hook_id"], json!(hook));
    assert_eq!(
        printed[0]["outcome"],
        json!({"result": "skipped_not_loopback"})
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("1 of 1 deliveries did not arrive"),
        "{stderr}"
    );
    assert!(stderr.contains("skipped"), "{stderr}");
}

#[test]
fn trigger_reports_a_target_that_refuses_connections_as_failed() {
    // Port 9 (discard) on loopback: checked to refuse here, never bound by the test.
    let refused =
        std::net::TcpStream::connect("127.0.0.1:9").expect_err("nothing listens on 127.0.0.1:9");
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    let runtime = support::runtime();
    let sandbox = runtime.block_on(Sandbox::start()).expect("sandbox");
    let client = client_of(&sandbox);
    let hook = runtime.block_on(async {
        clear_hooks(&client).await;
        register(&client, "purchase", "http://127.0.0.1:9/hook").await
    });
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .args(["webhooks", "trigger", "purchase", "--wait", "60"])
            .env("KAJABI_BASE_URL", sandbox.base_url()),
        None,
    );
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let printed: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let delivery = &printed["deliveries"][0];
    assert_eq!(delivery["hook_id"], json!(hook));
    assert_eq!(delivery["target_url"], "http://127.0.0.1:9/hook");
    assert_eq!(delivery["outcome"]["result"], "failed", "{printed}");
    assert_eq!(delivery["attempts"], json!(kajabi_sandbox::ATTEMPTS));
    let reason = delivery["outcome"]["reason"].as_str().unwrap_or("");
    assert!(reason.contains("refused"), "{reason}");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("delivery") && stderr.contains("failed") && stderr.contains("refused"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
}

/// Lines of a child's pipe, as they come, on a channel.
fn lines(pipe: impl std::io::Read + Send + 'static) -> mpsc::Receiver<String> {
    let (sender, receiver) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines() {
            let Ok(line) = line else { break };
            if sender.send(line).is_err() {
                break;
            }
        }
    });
    receiver
}

/// The next line of `lines` that contains `needle`, within the hang guard.
fn line_with(lines: &mpsc::Receiver<String>, needle: &str) -> String {
    line_within(lines, needle, GUARD)
}

/// A line known to be written already (before one read on the other pipe) reaches its
/// reader thread within this, unless something hangs.
const WRITTEN: Duration = Duration::from_secs(10);

/// The next line containing `needle`, waiting at most `bound` for each line.
fn line_within(lines: &mpsc::Receiver<String>, needle: &str, bound: Duration) -> String {
    loop {
        let line = lines
            .recv_timeout(bound)
            .unwrap_or_else(|e| panic!("no line with {needle:?}: {e}"));
        if line.contains(needle) {
            return line;
        }
    }
}

/// Waits for `child` to exit, within the hang guard (killed past it).
fn exit_of(child: Child) -> std::process::ExitStatus {
    let (sender, receiver) = mpsc::channel();
    let id = child.id();
    std::thread::spawn(move || {
        let mut child = child;
        let _ = sender.send(child.wait());
    });
    match receiver.recv_timeout(GUARD) {
        Ok(status) => status.expect("wait"),
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", &id.to_string()])
                .status();
            panic!("`kajabi webhooks listen` did not exit");
        }
    }
}

/// The sandbox's hooks that point at loopback receivers (the seeded ones are cleared).
fn loopback_hooks(runtime: &tokio::runtime::Runtime, client: &kajabi_api::Client) -> Vec<Hook> {
    runtime.block_on(async {
        client
            .hooks()
            .list()
            .page_size(100)
            .send()
            .await
            .unwrap()
            .into_iter()
            .filter(|h| {
                h.target_url
                    .as_deref()
                    .is_some_and(|t| t.starts_with("http://127.0.0.1:"))
            })
            .collect()
    })
}

/// The events of [`loopback_hooks`].
fn loopback_events(runtime: &tokio::runtime::Runtime, client: &kajabi_api::Client) -> Vec<String> {
    loopback_hooks(runtime, client)
        .into_iter()
        .map(|h| h.event.unwrap_or_default())
        .collect()
}

/// The id of the sandbox's loopback hook for `event`.
fn loopback_hook_id(
    runtime: &tokio::runtime::Runtime,
    client: &kajabi_api::Client,
    event: &str,
) -> HookId {
    loopback_hooks(runtime, client)
        .into_iter()
        .find(|h| h.event.as_deref() == Some(event))
        .expect("a loopback hook for the event")
        .id
}

#[cfg(unix)]
#[test]
fn listen_prints_and_forwards_deliveries_and_deletes_its_hooks_on_ctrl_c() {
    let runtime = support::runtime();
    let sandbox = runtime.block_on(Sandbox::start()).expect("sandbox");
    let client = client_of(&sandbox);
    runtime.block_on(clear_hooks(&client));
    let forward = MockServer::start();
    let forwarded = forward.mock(|when, then| {
        when.method(Method::POST)
            .path("/local/hooks")
            .header("content-type", "application/json")
            .body_includes(r#""event":"order_created""#);
        then.status(200);
    });
    forward.mock(|when, then| {
        when.method(Method::POST)
            .path("/local/hooks")
            .body_includes(r#""event":"tag_added""#);
        then.status(503);
    });
    let config = tempfile::tempdir().unwrap();
    let mut child = kajabi(config.path())
        .args([
            "webhooks",
            "listen",
            "--events",
            "order_created,tag_added",
            "--site",
            "1",
            "--forward-to",
            &forward.url("/local/hooks"),
        ])
        .env("KAJABI_BASE_URL", sandbox.base_url())
        .env("KAJABI_CLIENT_ID", sandbox.client_id())
        .env("KAJABI_CLIENT_SECRET", sandbox.client_secret())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the kajabi binary starts");
    let stdout = lines(child.stdout.take().expect("stdout"));
    let stderr = lines(child.stderr.take().expect("stderr"));
    let ready = line_with(&stderr, "listening on");
    assert!(
        ready.contains("order_created, tag_added") && ready.contains("Ctrl-C"),
        "{ready}"
    );
    let mut registered = loopback_events(&runtime, &client);
    registered.sort();
    assert_eq!(registered, ["order_created", "tag_added"]);

    // `trigger` waits for the delivery and reports it delivered.
    let triggered = run(
        kajabi(config.path())
            .args(["webhooks", "trigger", "order_created"])
            .env("KAJABI_BASE_URL", sandbox.base_url()),
        None,
    );
    assert!(triggered.status.success(), "{}", describe(&triggered));
    let report: Value = serde_json::from_slice(&triggered.stdout).expect("JSON");
    assert_eq!(
        report["deliveries"][0]["outcome"],
        json!({"result": "delivered", "status": 204}),
        "{report}"
    );

    let line = stdout.recv_timeout(GUARD).expect("a delivery line");
    let printed: Value = serde_json::from_str(&line).expect("one JSON line");
    assert_eq!(printed["event"], "order_created");
    let delivered = &sandbox.deliveries()[0].body;
    assert_eq!(printed["id"], delivered["id"]);
    assert_eq!(printed["payload"], delivered["payload"]);
    assert!(printed["payload"].as_array().is_some_and(|p| !p.is_empty()));
    // Forwarded before it was printed.
    forwarded.assert_calls(1);
    // A forward the receiver refuses is one line on stderr, written before the delivery's.
    assert_eq!(sandbox.trigger("tag_added"), Ok(1));
    let line = stdout.recv_timeout(GUARD).expect("a delivery line");
    assert!(line.contains(r#""event":"tag_added""#), "{line}");
    let refused = line_within(&stderr, "forwarding to", WRITTEN);
    assert!(
        refused.contains("it answered 503 Service Unavailable"),
        "{refused}"
    );

    // On Ctrl-C: a hook deleted meanwhile counts as deleted; one the server refuses to
    // delete is named, and the exit is 1.
    let gone = loopback_hook_id(&runtime, &client, "order_created");
    runtime.block_on(client.hooks().delete(&gone)).unwrap();
    let stuck = loopback_hook_id(&runtime, &client, "tag_added");
    sandbox
        .fault(
            kajabi_sandbox::Fault::on("delete_hook")
                .when("id", stuck.as_str())
                .status(500),
        )
        .unwrap();
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    let status = exit_of(child);
    assert_eq!(status.code(), Some(1), "exit {status:?}");
    let failed = line_with(&stderr, "could not delete hooks");
    assert!(
        failed.contains(&format!("could not delete hooks {}:", stuck.as_str())),
        "{failed}"
    );
    sandbox.clear_faults();
    assert_eq!(loopback_events(&runtime, &client), ["tag_added"]);
}

#[cfg(unix)]
#[test]
fn listen_defaults_to_every_event_and_reports_a_failed_forward_on_stderr() {
    let refused =
        std::net::TcpStream::connect("127.0.0.1:9").expect_err("nothing listens on 127.0.0.1:9");
    assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
    let runtime = support::runtime();
    let sandbox = runtime.block_on(Sandbox::start()).expect("sandbox");
    let client = client_of(&sandbox);
    runtime.block_on(clear_hooks(&client));
    let config = tempfile::tempdir().unwrap();
    let mut child = kajabi(config.path())
        .args([
            "webhooks",
            "listen",
            "--forward-to",
            "http://127.0.0.1:9/hooks",
        ])
        .env("KAJABI_BASE_URL", sandbox.base_url())
        .env("KAJABI_CLIENT_ID", sandbox.client_id())
        .env("KAJABI_CLIENT_SECRET", sandbox.client_secret())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the kajabi binary starts");
    let stdout = lines(child.stdout.take().expect("stdout"));
    let stderr = lines(child.stderr.take().expect("stderr"));
    line_with(&stderr, "listening on");
    // Without --events: a hook for every event the spec lists.
    let mut registered = loopback_events(&runtime, &client);
    registered.sort();
    let mut every: Vec<&str> = kajabi_api::webhooks::EVENTS.to_vec();
    every.sort_unstable();
    assert_eq!(registered, every);
    for _ in 0..2 {
        assert_eq!(sandbox.trigger("purchase"), Ok(1));
        let printed: Value =
            serde_json::from_str(&stdout.recv_timeout(GUARD).expect("a line")).expect("JSON");
        assert_eq!(printed["event"], "purchase");
        // Forwarded, and failed, before the delivery was printed.
        let failed = line_within(&stderr, "forwarding to", WRITTEN);
        assert!(
            failed.contains("127.0.0.1:9") && failed.contains("refused"),
            "{failed}"
        );
    }
    let interrupted = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(interrupted.success());
    assert!(exit_of(child).success());
    assert!(loopback_events(&runtime, &client).is_empty(), "hooks left");
}

/// A stand-in for the sandbox's own routes: `/_sandbox/info`, and the trigger of `purchase`
/// answered with `status` and `body`.
fn fake_sandbox(status: u16, body: &Value) -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.method(Method::GET).path("/_sandbox/info");
        then.status(200)
            .json_body(json!({"sandbox": "kajabi-sandbox"}));
    });
    server.mock(|when, then| {
        when.method(Method::POST)
            .path("/_sandbox/webhooks/trigger/purchase");
        then.status(status).json_body(body.clone());
    });
    server
}

fn trigger_purchase(server: &MockServer) -> std::process::Output {
    let config = tempfile::tempdir().unwrap();
    run(
        kajabi(config.path())
            .args(["webhooks", "trigger", "purchase"])
            .env("KAJABI_BASE_URL", server.base_url()),
        None,
    )
}

/// A trigger answered with anything but 202 and its delivery ids is reported, exit 1.
#[test]
fn trigger_reports_an_answer_without_delivery_ids() {
    for (status, body) in [
        (200, json!({"delivery_ids": []})),
        (202, json!({"accepted": true})),
    ] {
        let output = trigger_purchase(&fake_sandbox(status, &body));
        assert_eq!(
            output.status.code(),
            Some(1),
            "{status}: {}",
            describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains(&format!("answered the trigger {status}")),
            "{stderr}"
        );
        assert!(stderr.contains("without delivery ids"), "{stderr}");
    }
}

/// Each delivery that did not arrive is named with what became of it.
#[test]
fn trigger_names_what_became_of_each_delivery() {
    let server = fake_sandbox(202, &json!({"delivery_ids": [1, 2, 3, 4]}));
    let outcomes = [
        json!({"result": "pending"}),
        json!({"result": "failed", "reason": "connection refused"}),
        json!({"result": "skipped_not_loopback"}),
        json!({"result": "lost"}),
    ];
    for (id, outcome) in (1..).zip(outcomes) {
        server.mock(|when, then| {
            when.method(Method::GET)
                .path(format!("/_sandbox/webhooks/deliveries/{id}"));
            then.status(200).json_body(json!({
                "id": id, "target_url": format!("http://127.0.0.1:1/{id}"), "outcome": outcome}));
        });
    }
    let output = trigger_purchase(&server);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for said in [
        "delivery 1 to http://127.0.0.1:1/1 still pending",
        "delivery 2 to http://127.0.0.1:1/2 failed (connection refused)",
        "delivery 3 to http://127.0.0.1:1/3 skipped (the sandbox delivers to loopback targets only)",
        "delivery 4 to http://127.0.0.1:1/4 in an unknown state",
    ] {
        assert!(stderr.contains(said), "{said:?} in {stderr}");
    }
}

#[test]
fn listen_refuses_a_base_url_that_is_not_a_sandbox_before_changing_anything() {
    // Not found; the API's JSON; a sandbox's answer with an error status.
    let answers = [
        (404, "not here"),
        (200, r#"{"data": []}"#),
        (503, r#"{"sandbox": "kajabi-sandbox"}"#),
    ];
    for (status, body) in answers {
        refused_before_changing_anything(status, body);
    }
}

/// `kajabi webhooks listen` against a server whose every GET answers `status` and `body`.
fn refused_before_changing_anything(status: u16, body: &str) {
    let server = MockServer::start();
    let looked = server.mock(|when, then| {
        when.method(Method::GET);
        then.status(status).body(body);
    });
    let changes: Vec<_> = [Method::POST, Method::PUT, Method::PATCH, Method::DELETE]
        .into_iter()
        .map(|method| {
            server.mock(|when, then| {
                when.method(method);
                then.status(201)
                    .json_body(json!({"data": {"id": "1", "type": "hooks"}}));
            })
        })
        .collect();
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .args(["webhooks", "listen", "--events", "purchase"])
            .env("KAJABI_BASE_URL", server.base_url())
            .env("KAJABI_CLIENT_ID", "id")
            .env("KAJABI_CLIENT_SECRET", "s3cret-value"),
        None,
    );
    assert_eq!(
        output.status.code(),
        Some(2),
        "{status}: {}",
        describe(&output)
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("is not a kajabi sandbox"),
        "{status}: {stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(!describe(&output).contains("s3cret"));
    assert!(output.stdout.is_empty());
    // The check itself, and nothing that changes state: no token request, no hook.
    looked.assert_calls(1);
    for mock in &changes {
        mock.assert_calls(0);
    }
}

#[test]
fn listen_and_trigger_refuse_bad_input_before_sending_anything() {
    let server = MockServer::start();
    let any = server.mock(|_, then| {
        then.status(200);
    });
    let config = tempfile::tempdir().unwrap();
    for args in [
        &["webhooks", "listen", "--events", "purchase,nope"][..],
        &["webhooks", "listen", "--forward-to", "ftp://127.0.0.1/x"],
        &["webhooks", "listen", "--forward-to", "not a url"],
        &["webhooks", "listen", "--site", ""],
        &["webhooks", "trigger", "purchase", "--wait", "61"],
        &["webhooks", "trigger", "purchase", "--wait", "soon"],
    ] {
        let output = run(
            kajabi(config.path())
                .args(args)
                .env("KAJABI_BASE_URL", server.base_url())
                .env("KAJABI_CLIENT_ID", "id")
                .env("KAJABI_CLIENT_SECRET", "secret"),
            None,
        );
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            describe(&output)
        );
    }
    any.assert_calls(0);
}

#[test]
fn an_unknown_event_exits_2_and_lists_the_known_ones() {
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path())
            .args(["webhooks", "trigger", "tag_addded"])
            .env("KAJABI_BASE_URL", "http://127.0.0.1:9"),
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    for event in kajabi_api::webhooks::EVENTS {
        assert!(stderr.contains(event), "{event} listed: {stderr}");
    }
}

#[test]
fn a_base_url_that_is_not_a_sandbox_exits_2_without_its_password() {
    let server = MockServer::start();
    let config = tempfile::tempdir().unwrap();
    let base = server
        .base_url()
        .replace("http://", "http://user:hunter2-secret@");
    let output = run(
        kajabi(config.path())
            .args(["webhooks", "trigger", "purchase"])
            .env("KAJABI_BASE_URL", &base),
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let all = describe(&output);
    assert!(all.contains("is not a kajabi sandbox"), "{all}");
    assert!(!all.contains("hunter2"), "{all}");

    let output = run(
        kajabi(config.path()).args(["webhooks", "trigger", "purchase"]),
        None,
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert!(describe(&output).contains("KAJABI_BASE_URL is not set"));
}
