//! The generator's own generators are pinned: `kajabi-codegen` requires progenitor,
//! progenitor-impl, typify and typify-impl directly, each at exactly (`=`) the version
//! `Cargo.lock` resolves, so that a user's `cargo add kajabi-api` generates the code this
//! repository's tests ran against, whatever releases of them came out since.

use std::path::Path;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

/// The crates whose output the wrap pass and the hand layer depend on the shape of.
const PINNED: [&str; 4] = ["progenitor", "progenitor-impl", "typify", "typify-impl"];

fn read_toml(path: &str) -> toml::Table {
    let path = Path::new(ROOT).join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The version requirement `kajabi-codegen` writes for `name`, as written (`"=0.15.1"`), or
/// why there is none to check: a workspace-inherited or missing requirement is not direct.
fn requirement(dependencies: &toml::Table, name: &str) -> Result<String, String> {
    let requirement = match dependencies.get(name) {
        None => {
            return Err(format!(
                "{name} is not a direct dependency of kajabi-codegen"
            ))
        }
        Some(toml::Value::String(version)) => Some(version.clone()),
        Some(toml::Value::Table(table)) => table
            .get("version")
            .and_then(toml::Value::as_str)
            .map(str::to_string),
        Some(other) => return Err(format!("{name}: unexpected requirement {other}")),
    };
    requirement.ok_or_else(|| {
        format!("{name}: no version written in codegen/Cargo.toml (inherited from the workspace?)")
    })
}

/// Every version of `name` in `Cargo.lock`.
fn locked(lock: &toml::Table, name: &str) -> Vec<String> {
    lock["package"]
        .as_array()
        .expect("Cargo.lock lists packages")
        .iter()
        .filter(|package| package["name"].as_str() == Some(name))
        .map(|package| package["version"].as_str().expect("a version").to_string())
        .collect()
}

/// What is wrong with `requirement` for a crate that `Cargo.lock` resolves to `locked`.
fn check(name: &str, requirement: &str, locked: &[String]) -> Result<(), String> {
    let [locked] = locked else {
        return Err(format!(
            "{name}: Cargo.lock holds {locked:?}, not exactly one version"
        ));
    };
    let Some(exact) = requirement.trim().strip_prefix('=') else {
        return Err(format!(
            "{name}: requirement {requirement:?} is not exact; write \"={locked}\""
        ));
    };
    // `=0.15` would accept 0.15.2: the version must be complete, and the one locked.
    if exact.trim() != locked {
        return Err(format!(
            "{name}: requirement {requirement:?} is not Cargo.lock's {locked}; write \"={locked}\""
        ));
    }
    Ok(())
}

#[test]
fn the_generators_are_pinned_to_the_locked_versions() {
    let manifest = read_toml("codegen/Cargo.toml");
    let dependencies = manifest["dependencies"]
        .as_table()
        .expect("codegen/Cargo.toml has dependencies");
    let lock = read_toml("Cargo.lock");
    let problems: Vec<String> = PINNED
        .iter()
        .filter_map(|name| {
            requirement(dependencies, name)
                .and_then(|req| check(name, &req, &locked(&lock, name)))
                .err()
        })
        .collect();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn a_loosened_requirement_is_refused() {
    let locked = ["0.15.1".to_string()];
    assert!(check("progenitor", "=0.15.1", &locked).is_ok());
    for loose in [
        "0.15.1", "^0.15.1", "~0.15.1", "=0.15", ">=0.15.1", "=0.15.2", "*",
    ] {
        let error = check("progenitor", loose, &locked).expect_err(loose);
        assert!(error.contains("\"=0.15.1\""), "{error}");
    }
    assert!(check("progenitor", "=0.15.1", &[]).is_err());
}
