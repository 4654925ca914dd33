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

/// `list_contacts` → `ListContacts`, as progenitor and typify spell a type from a name.
fn pascal_case(snake: &str) -> String {
    snake
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w[..1].to_ascii_uppercase() + &w[1..])
        .collect()
}

/// The `$ref`s at the top of an operation's schema (`#/components/schemas/x` → `x`).
fn referenced(schema: Option<&serde_json::Value>) -> Option<String> {
    let reference = schema?.get("$ref")?.as_str()?;
    Some(reference.rsplit('/').next()?.to_string())
}

/// The names the generator gives each operation of the table: its method (`revoke_token`),
/// its builder (`RevokeToken`), its inline body and response types (`RevokeTokenBody`,
/// `RevokeTokenResponse`), and the types of the schemas its body and response refer to
/// (`OauthTokenResponse`).
fn generated_names() -> BTreeSet<String> {
    let text = std::fs::read_to_string(Path::new(ROOT).join("openapi.yaml")).unwrap();
    let normalized = kajabi_spec::normalize(&kajabi_spec::load(&text).unwrap()).unwrap();
    let runtime: Vec<&str> = kajabi_api::operations().iter().map(|op| op.name).collect();
    let model: Vec<&str> = normalized
        .operations
        .iter()
        .map(|op| op.name.as_str())
        .collect();
    assert_eq!(runtime, model, "the runtime table projects the spec model");
    let mut names = BTreeSet::new();
    for op in &normalized.operations {
        let builder = pascal_case(&op.name);
        names.insert(op.name.clone());
        names.insert(format!("{builder}Body"));
        names.insert(format!("{builder}Response"));
        for schema in [&op.request_schema, &op.response_schema] {
            if let Some(name) = referenced(schema.as_ref()) {
                names.insert(pascal_case(&name));
            }
        }
        names.insert(builder);
    }
    names
}

/// Every `file:line: name` of `names` among the identifiers of the library code in the `.rs`
/// files under `dir` (recursively), but the files `except`. Comments (doc examples included)
/// and unit tests (`tests.rs`, an inline `mod tests`) are left out: they use the API as a
/// user does, which is not part of the contract.
fn occurrences(dir: &Path, except: &[&str], names: &BTreeSet<String>) -> Vec<String> {
    let mut found = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            found.extend(occurrences(&path, except, names));
            continue;
        }
        if !name.ends_with(".rs") || name == "tests.rs" || except.contains(&name.as_str()) {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (number, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("mod tests {") {
                break;
            }
            let code = line.split("//").next().unwrap_or_default();
            let identifiers = code.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'));
            for identifier in identifiers.filter(|i| names.contains(*i)) {
                found.push(format!("{}:{}: {identifier}", path.display(), number + 1));
            }
        }
    }
    found
}

/// The hand-written layer names no generated operation or type: it reaches the generated
/// code through `kajabi-api/contract.rs` (the client, the table, the `by_role` entry points
/// codegen emits for the token grant and the revocation).
#[test]
fn hand_written_code_names_no_generated_operation_or_type() {
    let names = generated_names();
    let root = Path::new(ROOT);
    // The names are those users meet: the examples call operations by them.
    assert!(
        !occurrences(&root.join("examples"), &[], &names).is_empty(),
        "no generated name in the examples: the derived names are not the generated ones"
    );
    let found = occurrences(
        &root.join("kajabi-api"),
        &["generated.rs", "contract.rs"],
        &names,
    );
    assert!(
        found.is_empty(),
        "generated names in hand-written files (go through kajabi-api/contract.rs):\n{}",
        found.join("\n")
    );
}
