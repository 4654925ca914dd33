//! `kajabi auth status`, `auth switch` and `logout` at their edges, through the binary: no
//! login at all, `--jq` on the report, the note when the environment overrides a profile, a
//! session the server calls dead, and a revocation the server fails.

mod support;

use kajabi_sandbox::Sandbox;
use support::{describe, kajabi, login, run, runtime};

#[test]
fn with_no_login_status_sends_nothing_and_says_how_to_log_in() {
    let config = tempfile::tempdir().unwrap();
    let status = run(kajabi(config.path()).args(["auth", "status"]), None);
    assert_eq!(status.status.code(), Some(3), "{}", describe(&status));
    assert_eq!(
        String::from_utf8_lossy(&status.stdout),
        "Credentials: none (profile default has no login)\nProfiles: none; `kajabi login --profile NAME` creates one\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&status.stderr),
        "kajabi: not logged in (profile default): set KAJABI_CLIENT_ID and KAJABI_CLIENT_SECRET (or KAJABI_ACCESS_TOKEN), or run `kajabi login`\n"
    );
    // --jq alone asks for the JSON report.
    let source = run(
        kajabi(config.path()).args(["auth", "status", "--jq", ".source"]),
        None,
    );
    assert_eq!(
        String::from_utf8_lossy(&source.stdout),
        "none\n",
        "{}",
        describe(&source)
    );
}

#[test]
fn switch_says_when_the_environment_is_used_before_the_profile() {
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start()).expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    login(dir, &sandbox, Some("work"));
    let quiet = run(kajabi(dir).args(["auth", "switch", "work"]), None);
    assert!(quiet.status.success(), "{}", describe(&quiet));
    assert_eq!(
        String::from_utf8_lossy(&quiet.stderr).lines().count(),
        1,
        "{}",
        describe(&quiet)
    );
    let noted = run(
        kajabi(dir)
            .env("KAJABI_ACCESS_TOKEN", "from-the-environment")
            .args(["auth", "switch", "work"]),
        None,
    );
    assert!(noted.status.success(), "{}", describe(&noted));
    assert!(
        String::from_utf8_lossy(&noted.stderr).ends_with(
            "Note: KAJABI_ACCESS_TOKEN in the environment are used before any profile\n"
        ),
        "{}",
        describe(&noted)
    );
}

#[test]
fn logout_forgets_a_dead_session_and_keeps_one_it_could_not_revoke() {
    let runtime = runtime();
    let sandbox = runtime.block_on(Sandbox::start()).expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    login(dir, &sandbox, Some("default"));

    // The server fails the revocation: nothing is forgotten, the user can try again.
    let failing = sandbox
        .fault("POST /v1/oauth/revoke: 500".parse().unwrap())
        .unwrap();
    let failed = run(kajabi(dir).arg("logout"), None);
    assert_eq!(failed.status.code(), Some(1), "{}", describe(&failed));
    assert!(dir.join("config.json").exists(), "the login is kept");
    sandbox.remove_fault(failing);

    // The server says the session is dead (revoked elsewhere, expired): nothing is left to
    // revoke, and the login is forgotten.
    sandbox
        .fault("POST /v1/oauth/revoke: 401".parse().unwrap())
        .unwrap();
    let logout = run(kajabi(dir).arg("logout"), None);
    assert!(logout.status.success(), "{}", describe(&logout));
    assert!(
        String::from_utf8_lossy(&logout.stderr)
            .starts_with("The session was already revoked or expired.\n"),
        "{}",
        describe(&logout)
    );
    assert!(!dir.join("config.json").exists(), "the login is forgotten");
}
