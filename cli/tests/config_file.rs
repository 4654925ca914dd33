//! The config file as the `kajabi` binary meets it on disk: one it cannot read, one that is
//! not JSON or not a login (each refused with where and what, never the text), an empty one,
//! a choice of profile that outlives the last login, and a session that is rewritten only
//! when it changed.

mod support;

use std::{fs, os::unix::fs::MetadataExt, process::Output};

use support::{describe, kajabi, login, run, runtime, write_config};

const CONFIG: &str = "config.json";

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_config_file_that_cannot_be_read_is_a_usage_error_not_a_missing_login() {
    let config = tempfile::tempdir().unwrap();
    fs::create_dir(config.path().join(CONFIG)).unwrap();
    let status = run(kajabi(config.path()).args(["auth", "status"]), None);
    assert_eq!(status.status.code(), Some(2), "{}", describe(&status));
    assert!(
        stderr(&status).contains("cannot read the config file"),
        "{}",
        describe(&status)
    );
}

#[test]
fn a_config_file_that_is_not_a_login_says_where_and_never_quotes_it() {
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    // Not JSON: the line and column of the problem.
    write_config(dir, "{\"profiles\": secret-looking-text}");
    let syntax = run(kajabi(dir).args(["auth", "status"]), None);
    assert_eq!(syntax.status.code(), Some(2), "{}", describe(&syntax));
    assert!(
        stderr(&syntax).contains("(a Syntax problem at line 1, column 14)"),
        "{}",
        describe(&syntax)
    );
    assert!(!stderr(&syntax).contains("secret-looking"));
    // JSON, but not a login: the kind of problem, and no line (there is none to give).
    write_config(dir, r#"{"profiles": {"default": {"client_id": 5}}}"#);
    let data = run(kajabi(dir).args(["auth", "status"]), None);
    assert_eq!(data.status.code(), Some(2), "{}", describe(&data));
    assert!(
        stderr(&data).contains("(a Data problem); delete it and run `kajabi login`"),
        "{}",
        describe(&data)
    );
}

#[test]
fn an_empty_config_object_is_no_login() {
    let config = tempfile::tempdir().unwrap();
    write_config(config.path(), "{}");
    let logout = run(kajabi(config.path()).arg("logout"), None);
    assert_eq!(logout.status.code(), Some(3), "{}", describe(&logout));
    assert_eq!(
        stderr(&logout),
        "kajabi: profile default has no stored login: nothing to log out of\n"
    );
}

#[test]
fn the_chosen_profile_outlives_its_last_login() {
    let runtime = runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    login(dir, &sandbox, Some("work"));
    let switch = run(kajabi(dir).args(["auth", "switch", "work"]), None);
    assert!(switch.status.success(), "{}", describe(&switch));
    let logout = run(kajabi(dir).arg("logout"), None);
    assert!(logout.status.success(), "{}", describe(&logout));
    // The choice is kept: the next command still means profile work, not default.
    let again = run(kajabi(dir).arg("logout"), None);
    assert_eq!(
        stderr(&again),
        "kajabi: profile work has no stored login: nothing to log out of\n",
        "{}",
        describe(&again)
    );
}

#[test]
fn a_session_that_did_not_change_is_not_written_again() {
    let runtime = runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let dir = config.path();
    login(dir, &sandbox, Some("default"));
    let me = run(kajabi(dir).args(["me", "get"]), None);
    assert!(me.status.success(), "{}", describe(&me));
    // The first command may store the session it got; the next uses it unchanged.
    let before = fs::metadata(dir.join(CONFIG)).unwrap();
    let me = run(kajabi(dir).args(["me", "get"]), None);
    assert!(me.status.success(), "{}", describe(&me));
    let after = fs::metadata(dir.join(CONFIG)).unwrap();
    // The file is replaced by a rename when written: a new inode.
    assert_eq!(before.ino(), after.ino(), "the config file was rewritten");
}
