//! What the generator emits for the vendored `openapi.yaml` is pinned, byte for byte, in
//! `tests/snapshots/`: the client `kajabi-api` compiles (`codegen.rs.snap`), its typed mocks
//! (`mock.rs.snap`) and the CLI's command table (`commands.rs.snap`, and `commands.txt`,
//! pinned by the CLI's own snapshot).
//!
//! Those are the files the SDK's and the CLI's suites run against, so they are proven by what
//! those suites assert; this test proves that the generator still writes them. It is how a change
//! to a pass shows in review as a change to the code users get, and how the generator's mutants
//! are caught without recompiling the client for each (see CONTRIBUTING.md).
//!
//! `UPDATE_SNAPSHOTS=1 cargo test -p kajabi-codegen --test generated` rewrites the snapshots:
//! after a spec sync (a new spec is a new client) or a change to a pass, then review their diff.

use std::path::{Path, PathBuf};

/// The document `build.rs` and `cli/build.rs` read.
const SPEC: &str = include_str!("../../openapi.yaml");

fn snapshot(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name)
}

/// Asserts `generated` equals the snapshot at `path`, naming the first line that differs (the
/// files are megabytes: a whole-file diff in the failure would bury it).
fn assert_pinned(path: &Path, generated: &str) {
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, generated).expect("write the snapshot");
    }
    let pinned = std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_SNAPSHOTS=1)", path.display()));
    if pinned == generated {
        return;
    }
    let first = pinned
        .lines()
        .zip(generated.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| pinned.lines().count().min(generated.lines().count()));
    panic!(
        "{} differs from what the generator writes, first at line {}:\n  pinned:    {:?}\n  generated: {:?}\n\
         ({} vs {} lines; if the change is meant, rerun with UPDATE_SNAPSHOTS=1 and review the diff)",
        path.display(),
        first + 1,
        pinned.lines().nth(first),
        generated.lines().nth(first),
        pinned.lines().count(),
        generated.lines().count(),
    );
}

#[test]
fn the_client_and_its_mocks_are_what_is_pinned() {
    let (client, mocks) =
        kajabi_codegen::generate_with_mocks_from_yaml(SPEC).expect("the vendored spec generates");
    assert_pinned(&snapshot("codegen.rs.snap"), &client);
    assert_pinned(&snapshot("mock.rs.snap"), &mocks);
    // Without the mocks (kajabi-api's default build) the client is the same.
    assert_eq!(
        kajabi_codegen::generate_from_yaml(SPEC).expect("the vendored spec generates"),
        client
    );
}

#[test]
fn the_command_table_is_what_is_pinned() {
    let normalized = kajabi_spec::normalize(&kajabi_spec::load(SPEC).unwrap()).unwrap();
    let table = kajabi_codegen::cli::command_table(&normalized).expect("the command table");
    assert_pinned(
        &snapshot("commands.rs.snap"),
        &kajabi_codegen::cli::render_rust(&table),
    );
    // The text form is the CLI's own snapshot, which cli/README.md must quote.
    let cli_snapshot =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/snapshots/commands.txt");
    assert_pinned(&cli_snapshot, &kajabi_codegen::cli::render_text(&table));
}
