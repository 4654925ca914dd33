//! Credentials the server refuses: an OAuth `invalid_client` (a wrong client secret against
//! the sandbox) is an authentication failure, exit 3, in one line that names no secret.

mod support;

use support::{describe, kajabi, run};

const WRONG_SECRET: &str = "wrong-client-secret-5f3a";

#[test]
fn a_wrong_client_secret_exits_3_in_one_line_without_the_secret() {
    let runtime = support::runtime();
    let sandbox = runtime
        .block_on(kajabi_sandbox::Sandbox::start())
        .expect("sandbox");
    let config = tempfile::tempdir().unwrap();
    let env = |command: &mut std::process::Command| {
        command
            .env("KAJABI_BASE_URL", sandbox.base_url())
            .env("KAJABI_CLIENT_ID", sandbox.client_id())
            .env("KAJABI_CLIENT_SECRET", WRONG_SECRET);
    };
    let cases: [(&[&str], Option<String>); 4] = [
        (&["contacts", "get", "3"], None),
        (&["contacts", "list", "--all", "--parallel", "4"], None),
        (&["auth", "status"], None),
        (
            &[
                "login",
                "--client-id",
                sandbox.client_id(),
                "--client-secret-stdin",
            ],
            Some(format!("{WRONG_SECRET}\n")),
        ),
    ];
    for (args, stdin) in cases {
        let mut command = kajabi(config.path());
        if args[0] != "login" {
            env(&mut command);
        } else {
            command.env("KAJABI_BASE_URL", sandbox.base_url());
        }
        let output = run(command.args(args), stdin.as_deref());
        assert_eq!(
            output.status.code(),
            Some(3),
            "{args:?}: {}",
            describe(&output)
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
        assert!(stderr.contains("invalid_client"), "{args:?}: {stderr}");
        let all = format!("{stderr}{}", String::from_utf8_lossy(&output.stdout));
        assert!(
            !all.contains(WRONG_SECRET) && !all.contains(sandbox.client_secret()),
            "{args:?}: {all}"
        );
        // `auth status` lists the credential source and profiles before it tries them.
        if args[0] != "auth" {
            assert!(output.stdout.is_empty(), "{args:?}: {}", describe(&output));
        }
    }
    // The refused login stored nothing that a later command would use.
    let output = run(
        kajabi(config.path())
            .env("KAJABI_BASE_URL", sandbox.base_url())
            .args(["contacts", "get", "3"]),
        None,
    );
    assert_eq!(output.status.code(), Some(3), "{}", describe(&output));
    assert!(!String::from_utf8_lossy(&output.stderr).contains(WRONG_SECRET));
    drop(sandbox);
}
