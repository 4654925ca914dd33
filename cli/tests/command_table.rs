//! The command table generated from `openapi.yaml` is pinned: a spec change that adds,
//! removes or renames a command shows up here, and in `cli/README.md`, which lists it.
//!
//! `UPDATE_SNAPSHOTS=1 cargo test -p kajabi-cli --test command_table` rewrites the snapshot.

use std::path::Path;

/// What `build.rs` generated for this build of the binary.
const GENERATED: &str = include_str!(concat!(env!("OUT_DIR"), "/commands.txt"));

#[test]
fn the_command_table_matches_its_snapshot_and_the_readme() {
    let snapshot = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/commands.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, GENERATED).expect("write the snapshot");
    }
    let pinned = std::fs::read_to_string(&snapshot).expect("the snapshot exists");
    assert_eq!(
        GENERATED, pinned,
        "the command table changed; rerun with UPDATE_SNAPSHOTS=1 and update cli/README.md"
    );
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("cli/README.md");
    let block = format!("```text\n{GENERATED}```");
    assert!(
        readme.contains(&block),
        "cli/README.md must list the command table exactly as tests/snapshots/commands.txt"
    );
}

/// The table the binary interprets is the one `kajabi-codegen` pins
/// (`codegen/tests/generated.rs`), so what the CLI's suites prove of it holds for what the
/// generator is tested to write.
#[test]
fn the_compiled_table_is_the_one_the_generator_pins() {
    let pinned =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../codegen/tests/snapshots/commands.rs.snap");
    let pinned = std::fs::read_to_string(&pinned).expect("kajabi-codegen's snapshot");
    assert!(
        pinned == include_str!(concat!(env!("OUT_DIR"), "/commands.rs")),
        "the table built from openapi.yaml is not codegen/tests/snapshots/commands.rs.snap; \
         run `UPDATE_SNAPSHOTS=1 cargo test -p kajabi-codegen --test generated`"
    );
}
