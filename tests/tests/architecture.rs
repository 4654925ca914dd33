//! ARCHITECTURE.md names every crate of the workspace, each with its folder, and no other.

use std::collections::BTreeSet;
use std::path::Path;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn manifest(folder: &str) -> toml::Table {
    let path = Path::new(ROOT).join(folder).join("Cargo.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// (folder, package name) of every workspace member.
fn members() -> BTreeSet<(String, String)> {
    let root = manifest(".");
    let folders = root["workspace"]["members"]
        .as_array()
        .expect("workspace.members is a list");
    folders
        .iter()
        .map(|folder| {
            let folder = folder.as_str().expect("a member is a path");
            let name = manifest(folder)["package"]["name"]
                .as_str()
                .expect("package.name")
                .to_string();
            (folder.to_string(), name)
        })
        .collect()
}

/// (folder, crate) of each row of the table under `## Crates`: `` | `spec/` | `kajabi-spec` | ``.
fn documented() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("ARCHITECTURE.md"))
        .expect("ARCHITECTURE.md exists");
    let table = text
        .split("## Crates")
        .nth(1)
        .expect("ARCHITECTURE.md has a Crates section")
        .split("\n## ")
        .next()
        .unwrap_or_default();
    table
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line.split('|').map(str::trim).collect();
            let folder = cells[1].split('`').nth(1).expect("a folder in backticks");
            let name = cells[2].trim_matches('`');
            (folder.trim_end_matches('/').to_string(), name.to_string())
        })
        .collect()
}

#[test]
fn architecture_names_exactly_the_workspace_members() {
    let members = members();
    assert!(members.len() >= 5, "{members:?}");
    assert_eq!(documented(), members);
}
