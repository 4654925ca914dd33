//! Running the built `kajabi` binary in a clean environment.

#![allow(dead_code)] // each test file uses its own part of the helpers

use std::{
    io::Write,
    path::Path,
    process::{Command, Output, Stdio},
};

/// The environment variables the CLI reads; none leaks in from the developer's shell.
const VARIABLES: &[&str] = &[
    "KAJABI_CLIENT_ID",
    "KAJABI_CLIENT_SECRET",
    "KAJABI_ACCESS_TOKEN",
    "KAJABI_BASE_URL",
    "KAJABI_CONFIG_DIR",
    "KAJABI_PROFILE",
    "KAJABI_KEYRING",
];

/// `kajabi` with no credentials in its environment and its login kept in `config_dir`, the
/// secrets included: the keyring is off, so that no test writes to the machine's keyring
/// (the keyring itself is tested in-process with the keyring crate's mock store).
pub fn kajabi(config_dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kajabi"));
    for name in VARIABLES {
        command.env_remove(name);
    }
    command.env("KAJABI_CONFIG_DIR", config_dir);
    command.env("KAJABI_KEYRING", "off");
    command
}

/// Runs `command` with `stdin` (empty when `None`) and collects its output.
pub fn run(command: &mut Command, stdin: Option<&str>) -> Output {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("the kajabi binary starts");
    let input = stdin.unwrap_or("").to_string();
    let mut pipe = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let output = child.wait_with_output().expect("the kajabi binary ends");
    writer.join().expect("stdin writer");
    output
}

/// The text of stdout and stderr, for messages.
pub fn describe(output: &Output) -> String {
    format!(
        "exit {:?}\nstdout: {}\nstderr: {}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// A multi-threaded runtime: the sandbox (or mock) serves on its workers while the test
/// blocks on the child process.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// `kajabi login` to `sandbox` with its client credentials (the secret on stdin), as
/// `profile` or the default one; asserts that it succeeded.
pub fn login(
    config_dir: &Path,
    sandbox: &kajabi_sandbox::Sandbox,
    profile: Option<&str>,
) -> Output {
    let mut command = kajabi(config_dir);
    command.args([
        "login",
        "--base-url",
        &sandbox.base_url(),
        "--client-id",
        sandbox.client_id(),
        "--client-secret-stdin",
    ]);
    if let Some(profile) = profile {
        command.args(["--profile", profile]);
    }
    let output = run(
        &mut command,
        Some(&format!("{}\n", sandbox.client_secret())),
    );
    assert!(output.status.success(), "{}", describe(&output));
    output
}

/// Writes `text` as the config file in `config_dir`, readable by its owner only, as the CLI
/// keeps it.
pub fn write_config(config_dir: &Path, text: &str) {
    let path = config_dir.join("config.json");
    std::fs::write(&path, text).expect("config written");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
    }
}
