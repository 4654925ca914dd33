//! Profiles through the `kajabi` binary against two sandboxes: `login --profile`,
//! `--profile`/`KAJABI_PROFILE`, `auth switch`, `auth status` (text and JSON), `auth token`,
//! `logout` with credentials in the environment, the single login of earlier versions read
//! as `default`, and the file fallback of the secrets (the keyring is off in these runs; the
//! keyring itself is tested in-process with the keyring crate's mock store).

mod support;

use std::{path::Path, process::Output};

use serde_json::{json, Value};
use support::{describe, kajabi, login, run, runtime};

const CONFIG: &str = "config.json";

fn config_file(dir: &Path) -> Value {
    serde_json::from_slice(&std::fs::read(dir.join(CONFIG)).expect("a config file")).expect("JSON")
}

fn access_token(dir: &Path, profile: &str) -> String {
    config_file(dir)["profiles"][profile]["session"]["access_token"]
        .as_str()
        .expect("a stored session")
        .to_string()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts that no output but `allowed` (an `auth token` stdout) holds any of `secrets`.
fn assert_no_secret(outputs: &[&Output], secrets: &[&str]) {
    for output in outputs {
        let all = format!("{}{}", stdout(output), stderr(output));
        for secret in secrets {
            assert!(!all.contains(secret), "a secret in {all}");
        }
    }
}

#[test]
fn profiles_switch_and_status_in_text_and_json() {
    let runtime = runtime();
    let (home, work) = runtime.block_on(async {
        (
            kajabi_sandbox::Sandbox::start().await.expect("sandbox"),
            kajabi_sandbox::Sandbox::start().await.expect("sandbox"),
        )
    });
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();

    let first = login(dir, &home, None);
    // The keyring is off: the secrets go to the file, and login says so in one line.
    let notice = format!(
        "kajabi: the client secret and tokens are kept in {} (mode 0600), as KAJABI_KEYRING=off asks\n",
        dir.join(CONFIG).display()
    );
    assert!(stderr(&first).starts_with(&notice), "{}", describe(&first));
    assert!(
        stderr(&first).contains("profile default"),
        "{}",
        describe(&first)
    );
    let second = login(dir, &work, Some("work"));
    assert!(
        stderr(&second).contains("kajabi auth switch work"),
        "{}",
        describe(&second)
    );
    let stored = config_file(dir);
    assert_eq!(
        stored["profiles"]["work"]["base_url"],
        json!(work.base_url())
    );
    assert_eq!(
        stored["profiles"]["work"]["client_secret"],
        json!(work.client_secret())
    );
    assert_eq!(stored.get("active"), None, "default stays active");
    let (home_token, work_token) = (access_token(dir, "default"), access_token(dir, "work"));

    // Text: every profile, the one in use marked, the credential source named.
    let status = run(kajabi(dir).args(["auth", "status"]), None);
    assert!(status.status.success(), "{}", describe(&status));
    let text = stdout(&status);
    assert!(
        text.contains(&format!(
            "Logged in to {} as Sandbox User <sandbox@example.com>",
            home.base_url()
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "Credentials: profile default, secrets in {}",
            dir.join(CONFIG).display()
        )),
        "{text}"
    );
    let marked: Vec<&str> = text.lines().filter(|l| l.starts_with("* ")).collect();
    assert_eq!(marked.len(), 1, "{text}");
    assert!(
        marked[0].starts_with("* default ") && marked[0].contains(&home.base_url()),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("  work ") && l.contains(&work.base_url())),
        "{text}"
    );

    // JSON, with the profile named by the flag, then by the variable.
    let by_flag = run(
        kajabi(dir).args(["auth", "status", "--format", "json", "--profile", "work"]),
        None,
    );
    assert!(by_flag.status.success(), "{}", describe(&by_flag));
    let report: Value = serde_json::from_slice(&by_flag.stdout).expect("JSON");
    assert_eq!(report["profile"], "work");
    assert_eq!(report["source"], "file");
    assert_eq!(report["base_url"], json!(work.base_url()));
    assert_eq!(report["user"]["email"], "sandbox@example.com");
    assert_eq!(
        report["profiles"],
        json!([
            {"name": "default", "in_use": false, "client_id": home.client_id(), "base_url": home.base_url(), "secrets": "file"},
            {"name": "work", "in_use": true, "client_id": work.client_id(), "base_url": work.base_url(), "secrets": "file"},
        ])
    );
    let by_variable = run(
        kajabi(dir)
            .env("KAJABI_PROFILE", "work")
            .args(["auth", "status", "--format", "json"]),
        None,
    );
    let report: Value = serde_json::from_slice(&by_variable.stdout).expect("JSON");
    assert_eq!(report["profile"], "work", "{}", describe(&by_variable));
    // `auth token` of each profile is that profile's stored token.
    let token = run(
        kajabi(dir).args(["auth", "token", "--profile", "work"]),
        None,
    );
    assert!(token.status.success(), "{}", describe(&token));
    assert_eq!(stdout(&token), format!("{work_token}\n"));

    // Commands follow the switch; the choice is kept in the file.
    let switch = run(kajabi(dir).args(["auth", "switch", "work"]), None);
    assert!(switch.status.success(), "{}", describe(&switch));
    assert!(
        stderr(&switch).contains("Switched to profile work"),
        "{}",
        describe(&switch)
    );
    assert_eq!(config_file(dir)["active"], "work");
    let token = run(kajabi(dir).args(["auth", "token"]), None);
    assert_eq!(
        stdout(&token),
        format!("{work_token}\n"),
        "{}",
        describe(&token)
    );
    let me = run(kajabi(dir).args(["me", "get"]), None);
    assert!(me.status.success(), "{}", describe(&me));
    let json_status = run(
        kajabi(dir).args(["auth", "status", "--format", "json"]),
        None,
    );
    let report: Value = serde_json::from_slice(&json_status.stdout).expect("JSON");
    assert_eq!(report["profile"], "work");
    // The flag still picks another one for one command.
    let token = run(
        kajabi(dir).args(["--profile", "default", "auth", "token"]),
        None,
    );
    assert_eq!(
        stdout(&token),
        format!("{home_token}\n"),
        "{}",
        describe(&token)
    );
    assert_eq!(
        (home.token_requests(), work.token_requests()),
        (1, 1),
        "each profile reuses its stored session"
    );

    // Credentials in the environment win over a named profile, and status says so.
    let environment = run(
        kajabi(dir)
            .env("KAJABI_BASE_URL", work.base_url())
            .env("KAJABI_CLIENT_ID", work.client_id())
            .env("KAJABI_CLIENT_SECRET", work.client_secret())
            .args(["auth", "status", "--format", "json", "--profile", "default"]),
        None,
    );
    assert!(environment.status.success(), "{}", describe(&environment));
    assert_eq!(
        stderr(&environment),
        "kajabi: the credentials in the environment (KAJABI_CLIENT_ID, KAJABI_CLIENT_SECRET) are used, not the profile default\n"
    );
    let report: Value = serde_json::from_slice(&environment.stdout).expect("JSON");
    assert_eq!(report["source"], "environment");
    assert_eq!(report["profile"], Value::Null);
    // Status prints text or JSON, not a table.
    let table = run(
        kajabi(dir).args(["auth", "status", "--format", "csv"]),
        None,
    );
    assert_eq!(table.status.code(), Some(2), "{}", describe(&table));
    assert!(table.stdout.is_empty());
    // `-vv` shows the requests of `auth token`, and its stdout alone holds the token.
    let mut stale = config_file(dir);
    stale["profiles"]["work"]["session"]["renew_at"] = json!(1);
    std::fs::write(dir.join(CONFIG), stale.to_string()).unwrap();
    let verbose = run(kajabi(dir).args(["auth", "token", "-vv"]), None);
    assert!(verbose.status.success(), "{}", describe(&verbose));
    let renewed = access_token(dir, "work");
    assert_ne!(renewed, work_token);
    assert_eq!(stdout(&verbose), format!("{renewed}\n"));
    assert!(
        stderr(&verbose).contains("/v1/oauth/token"),
        "{}",
        describe(&verbose)
    );

    assert_no_secret(
        &[
            &first,
            &second,
            &status,
            &by_flag,
            &by_variable,
            &switch,
            &me,
            &json_status,
            &environment,
            &table,
        ],
        &[home.client_secret(), &home_token, &work_token],
    );
    let verbose_stderr = stderr(&verbose);
    for secret in [work.client_secret(), &work_token, &renewed] {
        assert!(
            !verbose_stderr.contains(secret),
            "a secret in {verbose_stderr}"
        );
    }
}

#[test]
fn a_profile_that_does_not_exist_is_a_usage_error_naming_the_known_ones() {
    let runtime = runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();

    let none_yet = run(kajabi(dir).args(["auth", "switch", "work"]), None);
    assert_eq!(none_yet.status.code(), Some(2), "{}", describe(&none_yet));
    assert!(
        stderr(&none_yet).contains("no profiles yet"),
        "{}",
        describe(&none_yet)
    );

    login(dir, &sandbox, None);
    login(dir, &sandbox, Some("eu"));
    let requests = sandbox.requests();
    let expected = "kajabi: no profile \"nope\"; the profiles are: default, eu (`kajabi login --profile nope` creates it)\n";
    for output in [
        run(kajabi(dir).args(["auth", "switch", "nope"]), None),
        run(kajabi(dir).args(["--profile", "nope", "me", "get"]), None),
        run(
            kajabi(dir)
                .env("KAJABI_PROFILE", "nope")
                .args(["contacts", "list"]),
            None,
        ),
        run(kajabi(dir).args(["logout", "--profile", "nope"]), None),
        run(
            kajabi(dir).args(["auth", "token", "--profile", "nope"]),
            None,
        ),
        // Credentials in the environment do not hide a misspelt profile.
        run(
            kajabi(dir)
                .env("KAJABI_BASE_URL", sandbox.base_url())
                .env("KAJABI_CLIENT_ID", sandbox.client_id())
                .env("KAJABI_CLIENT_SECRET", sandbox.client_secret())
                .args(["--profile", "nope", "me", "get"]),
            None,
        ),
    ] {
        assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
        assert_eq!(stderr(&output), expected);
        assert!(output.stdout.is_empty());
    }
    for bad in [
        run(kajabi(dir).args(["--profile", "a b", "me", "get"]), None),
        run(
            kajabi(dir).env("KAJABI_PROFILE", "x/y").args(["me", "get"]),
            None,
        ),
        run(kajabi(dir).args(["auth", "switch", ""]), None),
        run(
            kajabi(dir).args(["--profile", &"p".repeat(65), "me", "get"]),
            None,
        ),
    ] {
        assert_eq!(bad.status.code(), Some(2), "{}", describe(&bad));
        assert!(
            stderr(&bad).contains("not a profile name"),
            "{}",
            describe(&bad)
        );
    }
    // 64 characters is a name (unknown here); an empty KAJABI_PROFILE is no choice at all.
    let longest = "p".repeat(64);
    let unknown = run(kajabi(dir).args(["--profile", &longest, "me", "get"]), None);
    assert!(
        stderr(&unknown).starts_with(&format!("kajabi: no profile \"{longest}\"")),
        "{}",
        describe(&unknown)
    );
    assert_eq!(sandbox.requests(), requests, "nothing was sent");
    assert_eq!(config_file(dir).get("active"), None, "no switch happened");
    let unset = run(
        kajabi(dir)
            .env("KAJABI_PROFILE", "")
            .args(["auth", "status"]),
        None,
    );
    assert!(unset.status.success(), "{}", describe(&unset));
}

#[test]
fn logout_with_the_environment_set_removes_the_stored_login_and_revokes_its_session() {
    let runtime = runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    // The environment points at another server: the stored session is revoked where it
    // lives all the same.
    let elsewhere = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    login(dir, &sandbox, None);
    let stored_token = access_token(dir, "default");
    assert_eq!(sandbox.token_requests(), 1);

    let with_environment = |command: &mut std::process::Command| {
        command
            .env("KAJABI_BASE_URL", elsewhere.base_url())
            .env("KAJABI_CLIENT_ID", sandbox.client_id())
            .env("KAJABI_CLIENT_SECRET", sandbox.client_secret());
    };
    let mut command = kajabi(dir);
    with_environment(&mut command);
    let logout = run(command.arg("logout"), None);
    assert!(logout.status.success(), "{}", describe(&logout));
    assert_eq!(
        stderr(&logout),
        "Logged out of profile default: its stored login is removed; KAJABI_CLIENT_ID, KAJABI_CLIENT_SECRET in the environment remain in use\n"
    );
    assert!(!dir.join(CONFIG).exists(), "the stored login is gone");
    assert_eq!(
        sandbox.token_requests(),
        1,
        "no token fetched only to revoke it"
    );
    assert_eq!(
        elsewhere.requests(),
        0,
        "nothing sent to the environment's server"
    );

    // The stored session is dead on the server.
    let refused = run(
        kajabi(dir)
            .env("KAJABI_BASE_URL", sandbox.base_url())
            .env("KAJABI_ACCESS_TOKEN", &stored_token)
            .args(["me", "get"]),
        None,
    );
    assert_eq!(refused.status.code(), Some(3), "{}", describe(&refused));

    // The environment still works; a second logout has nothing to remove.
    let mut command = kajabi(dir);
    with_environment(&mut command);
    let me = run(command.args(["me", "get"]), None);
    assert!(me.status.success(), "{}", describe(&me));
    let mut command = kajabi(dir);
    with_environment(&mut command);
    let again = run(command.arg("logout"), None);
    assert_eq!(again.status.code(), Some(3), "{}", describe(&again));
    assert!(
        stderr(&again).contains("profile default has no stored login"),
        "{}",
        describe(&again)
    );
    assert_no_secret(
        &[&logout, &refused, &me, &again],
        &[sandbox.client_secret(), &stored_token],
    );
}

#[test]
fn logout_of_one_profile_keeps_the_others() {
    let runtime = runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    login(dir, &sandbox, None);
    login(dir, &sandbox, Some("work"));
    let logout = run(kajabi(dir).args(["logout", "--profile", "work"]), None);
    assert!(logout.status.success(), "{}", describe(&logout));
    assert_eq!(
        stderr(&logout),
        "Logged out of profile work: its stored login is removed\n"
    );
    let profiles = config_file(dir)["profiles"].clone();
    assert!(profiles.get("work").is_none() && profiles.get("default").is_some());
    let me = run(kajabi(dir).args(["me", "get"]), None);
    assert!(me.status.success(), "{}", describe(&me));
}

#[test]
fn the_single_login_of_earlier_versions_is_the_default_profile() {
    let runtime = runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    let old = json!({
        "base_url": sandbox.base_url(),
        "client_id": sandbox.client_id(),
        "client_secret": sandbox.client_secret(),
    });
    support::write_config(dir, &old.to_string());
    let status = run(
        kajabi(dir).args(["auth", "status", "--format", "json"]),
        None,
    );
    assert!(status.status.success(), "{}", describe(&status));
    let report: Value = serde_json::from_slice(&status.stdout).expect("JSON");
    assert_eq!(report["profile"], "default");
    assert_eq!(report["source"], "file");
    assert_eq!(report["user"]["name"], "Sandbox User");
    assert_eq!(report["profiles"][0]["name"], "default");
    assert_eq!(
        report["profiles"][0]["client_id"],
        json!(sandbox.client_id())
    );
    // The new session was kept, in the current shape of the file.
    let token = access_token(dir, "default");
    let me = run(
        kajabi(dir).args(["--profile", "default", "me", "get"]),
        None,
    );
    assert!(me.status.success(), "{}", describe(&me));
    assert_eq!(sandbox.token_requests(), 1);
    assert_no_secret(&[&status, &me], &[sandbox.client_secret(), &token]);
}

#[test]
fn auth_token_prints_a_working_token_and_only_there() {
    let runtime = runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();

    let none = run(kajabi(dir).args(["auth", "token"]), None);
    assert_eq!(none.status.code(), Some(3), "{}", describe(&none));
    assert!(none.stdout.is_empty());

    // From the environment's client credentials: a token is fetched and printed.
    let fetched = run(
        kajabi(dir)
            .env("KAJABI_BASE_URL", sandbox.base_url())
            .env("KAJABI_CLIENT_ID", sandbox.client_id())
            .env("KAJABI_CLIENT_SECRET", sandbox.client_secret())
            .args(["auth", "token"]),
        None,
    );
    assert!(fetched.status.success(), "{}", describe(&fetched));
    assert_eq!(sandbox.token_requests(), 1);
    let token = stdout(&fetched).trim_end().to_string();
    assert!(!token.is_empty() && !token.contains(char::is_whitespace));
    assert!(!stderr(&fetched).contains(&token));
    // It works as a bearer, as with curl.
    let me = run(
        kajabi(dir)
            .env("KAJABI_BASE_URL", sandbox.base_url())
            .env("KAJABI_ACCESS_TOKEN", &token)
            .args(["me", "get", "--verbose"]),
        None,
    );
    assert!(me.status.success(), "{}", describe(&me));
    assert_no_secret(&[&me], &[&token]);

    // From a stored login whose session is due for renewal: renewed, kept, printed.
    login(dir, &sandbox, None);
    let mut stale = config_file(dir);
    stale["profiles"]["default"]["session"]["renew_at"] = json!(1);
    std::fs::write(dir.join(CONFIG), stale.to_string()).unwrap();
    let renewed = run(kajabi(dir).args(["auth", "token"]), None);
    assert!(renewed.status.success(), "{}", describe(&renewed));
    assert_eq!(sandbox.token_requests(), 3, "login, then one renewal");
    assert_eq!(
        stdout(&renewed),
        format!("{}\n", access_token(dir, "default"))
    );
}

#[test]
fn a_keyring_setting_that_is_neither_on_nor_off_is_refused_before_anything_is_sent() {
    let runtime = runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let output = run(
        kajabi(config.path()).env("KAJABI_KEYRING", "maybe").args([
            "login",
            "--base-url",
            &sandbox.base_url(),
            "--client-id",
            sandbox.client_id(),
            "--client-secret-stdin",
        ]),
        Some(&format!("{}\n", sandbox.client_secret())),
    );
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    assert_eq!(
        stderr(&output),
        "kajabi: KAJABI_KEYRING=\"maybe\" is neither `on` nor `off`\n"
    );
    assert_eq!(sandbox.requests(), 0);
    assert!(!config.path().join(CONFIG).exists());
}

/// The machine's own keyring (kernel keyutils on Linux), through the binary: login, a command
/// in another process, `auth token`, logout. Not run by default, as it writes to the keyring
/// of whoever runs it; run it by hand with `cargo test -p kajabi-cli --test profiles --
/// --ignored` after changing `keyring_store`.
#[test]
#[ignore = "writes to the machine's keyring"]
fn the_machine_keyring_keeps_the_login_across_commands() {
    let runtime = runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    let keyring = |command: &mut std::process::Command| {
        command.env("KAJABI_KEYRING", "on");
    };
    let mut command = kajabi(dir);
    keyring(&mut command);
    let login = run(
        command.args([
            "login",
            "--base-url",
            &sandbox.base_url(),
            "--client-id",
            sandbox.client_id(),
            "--client-secret-stdin",
        ]),
        Some(&format!("{}\n", sandbox.client_secret())),
    );
    assert!(login.status.success(), "{}", describe(&login));
    assert!(
        stderr(&login).contains("its secrets in the keyring"),
        "{}",
        describe(&login)
    );
    let text = std::fs::read_to_string(dir.join(CONFIG)).unwrap();
    assert!(
        !text.contains(sandbox.client_secret()) && !text.contains("access_token"),
        "{text}"
    );
    let mut command = kajabi(dir);
    keyring(&mut command);
    let status = run(command.args(["auth", "status", "--format", "json"]), None);
    assert!(status.status.success(), "{}", describe(&status));
    let report: Value = serde_json::from_slice(&status.stdout).expect("JSON");
    assert_eq!(report["source"], "keyring");
    let mut command = kajabi(dir);
    keyring(&mut command);
    let token = run(command.args(["auth", "token"]), None);
    assert!(token.status.success(), "{}", describe(&token));
    assert_eq!(
        sandbox.token_requests(),
        1,
        "the session came from the keyring"
    );
    let mut command = kajabi(dir);
    keyring(&mut command);
    let logout = run(command.arg("logout"), None);
    assert!(logout.status.success(), "{}", describe(&logout));
    let mut command = kajabi(dir);
    keyring(&mut command);
    let gone = run(command.args(["auth", "token"]), None);
    assert_eq!(gone.status.code(), Some(3), "{}", describe(&gone));
}
