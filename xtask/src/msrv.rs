//! `cargo xtask msrv`: every published crate declares a `rust-version` its resolved tree can
//! build with.
//!
//! CI's machine has one toolchain and rustup cannot fetch another there, so the declared
//! version is not built with. Instead each published crate's `rust-version` is compared with
//! the highest `rust-version` among the packages it depends on, as `cargo metadata` reports
//! them for the workspace's `Cargo.lock`: normal and build dependencies, transitively, with
//! every feature and for every platform (a user may enable any of them), dev-dependencies
//! left out (users do not build them). A crate that declares less than its tree needs fails.
//! What the crate's own code needs beyond its dependencies is not checked here.

use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::process::{Command, ExitCode};

use serde_json::Value;

/// A Rust version as `rust-version` writes it: `1.88` or `1.88.0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RustVersion(u64, u64, u64);

impl RustVersion {
    fn parse(text: &str) -> Option<Self> {
        let mut parts = text.trim().split('.').map(|part| part.parse::<u64>().ok());
        let major = parts.next()??;
        let minor = parts.next().unwrap_or(Some(0))?;
        let patch = parts.next().unwrap_or(Some(0))?;
        parts.next().is_none().then_some(Self(major, minor, patch))
    }
}

impl fmt::Display for RustVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.0, self.1)?;
        if self.2 != 0 {
            write!(f, ".{}", self.2)?;
        }
        Ok(())
    }
}

/// One published crate: what it declares and what its tree needs.
#[derive(Debug, PartialEq, Eq)]
pub struct Finding {
    /// The crate's name.
    pub name: String,
    /// Its `rust-version`, if it declares one.
    pub declared: Option<RustVersion>,
    /// The highest `rust-version` in its dependency tree, and the package (`name version`)
    /// that declares it.
    pub needed: Option<(RustVersion, String)>,
}

impl Finding {
    /// Whether the declaration covers the tree.
    pub fn is_ok(&self) -> bool {
        match (&self.declared, &self.needed) {
            (None, _) => false,
            (Some(_), None) => true,
            (Some(declared), Some((needed, _))) => declared >= needed,
        }
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.is_ok() { "ok" } else { "error" };
        write!(f, "{verdict}: {} declares ", self.name)?;
        match &self.declared {
            Some(declared) => write!(f, "rust-version {declared}")?,
            None => f.write_str("no rust-version")?,
        }
        match &self.needed {
            Some((needed, by)) => write!(f, "; its tree needs {needed} ({by})"),
            None => f.write_str("; no dependency declares one"),
        }
    }
}

/// Runs `cargo metadata` on the workspace and checks every published crate; exits 1 if one
/// declares less than its tree needs, 2 if the metadata cannot be read.
pub fn run() -> ExitCode {
    let root = match crate::workspace_root() {
        Ok(root) => root,
        Err(e) => return fail(&e),
    };
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .current_dir(root)
        .args([
            "metadata",
            "--format-version",
            "1",
            "--locked",
            "--all-features",
        ])
        .output();
    let metadata = match output {
        Ok(output) if output.status.success() => {
            match serde_json::from_slice::<Value>(&output.stdout) {
                Ok(metadata) => metadata,
                Err(e) => return fail(&format!("cargo metadata printed no JSON: {e}")),
            }
        }
        Ok(output) => {
            return fail(&format!(
                "cargo metadata failed: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ))
        }
        Err(e) => return fail(&format!("cannot run cargo metadata: {e}")),
    };
    let findings = match check(&metadata) {
        Ok(findings) => findings,
        Err(e) => return fail(&e),
    };
    for finding in &findings {
        println!("{finding}");
    }
    if findings.iter().all(Finding::is_ok) {
        ExitCode::SUCCESS
    } else {
        eprintln!("error: raise the rust-version of the crates above to what their tree needs");
        ExitCode::from(1)
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(2)
}

/// What each published workspace member declares and needs, from `cargo metadata`'s JSON,
/// sorted by name.
///
/// # Errors
/// A one-line reason when the JSON lacks what `cargo metadata --format-version 1` prints.
pub fn check(metadata: &Value) -> Result<Vec<Finding>, String> {
    let packages: HashMap<&str, &Value> = metadata["packages"]
        .as_array()
        .ok_or("no packages in the metadata")?
        .iter()
        .filter_map(|package| Some((package["id"].as_str()?, package)))
        .collect();
    let nodes: HashMap<&str, &Value> = metadata["resolve"]["nodes"]
        .as_array()
        .ok_or("no resolve graph in the metadata")?
        .iter()
        .filter_map(|node| Some((node["id"].as_str()?, node)))
        .collect();
    let members = metadata["workspace_members"]
        .as_array()
        .ok_or("no workspace members in the metadata")?;
    let mut findings = Vec::new();
    for member in members.iter().filter_map(Value::as_str) {
        let package = packages
            .get(member)
            .ok_or_else(|| format!("workspace member {member} is not in the packages"))?;
        // `"publish": []` is `publish = false`; `null` publishes anywhere.
        if package["publish"].as_array().is_some_and(Vec::is_empty) {
            continue;
        }
        let needed = tree(member, &nodes)?
            .into_iter()
            .filter_map(|id| {
                let package = packages.get(id)?;
                let version = RustVersion::parse(package["rust_version"].as_str()?)?;
                let by = format!(
                    "{} {}",
                    package["name"].as_str()?,
                    package["version"].as_str()?
                );
                Some((version, by))
            })
            .max_by(|a, b| a.0.cmp(&b.0).then_with(|| b.1.cmp(&a.1)));
        findings.push(Finding {
            name: package["name"].as_str().unwrap_or(member).to_string(),
            declared: package["rust_version"]
                .as_str()
                .and_then(RustVersion::parse),
            needed,
        });
    }
    findings.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(findings)
}

/// The ids of every package `root` depends on through normal and build dependencies,
/// transitively, without `root` itself.
fn tree<'a>(
    root: &'a str,
    nodes: &HashMap<&'a str, &'a Value>,
) -> Result<BTreeSet<&'a str>, String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![root];
    while let Some(id) = todo.pop() {
        let node = nodes
            .get(id)
            .ok_or_else(|| format!("{id} is not in the resolve graph"))?;
        for dep in node["deps"].as_array().into_iter().flatten() {
            let used = dep["dep_kinds"]
                .as_array()
                .into_iter()
                .flatten()
                .any(|kind| kind["kind"].as_str() != Some("dev"));
            if let Some(pkg) = dep["pkg"].as_str() {
                if used && pkg != root && seen.insert(pkg) {
                    todo.push(pkg);
                }
            }
        }
    }
    Ok(seen)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn package(id: &str, rust_version: Option<&str>, publish: Value) -> Value {
        json!({
            "id": id, "name": id, "version": "1.0.0",
            "rust_version": rust_version, "publish": publish,
        })
    }

    fn dep(pkg: &str, kind: Option<&str>) -> Value {
        json!({ "pkg": pkg, "dep_kinds": [{ "kind": kind, "target": null }] })
    }

    /// `sdk` (declares `declared`) → `lib` (1.80) → `deep` (1.89, through a build
    /// dependency); `sdk` → `tester` (1.95, a dev-dependency); `tool` is not published.
    fn metadata(declared: Option<&str>) -> Value {
        json!({
            "packages": [
                package("sdk", declared, Value::Null),
                package("lib", Some("1.80"), Value::Null),
                package("deep", Some("1.89.0"), Value::Null),
                package("tester", Some("1.95"), Value::Null),
                package("tool", Some("1.60"), json!([])),
            ],
            "workspace_members": ["sdk", "tool"],
            "resolve": { "nodes": [
                { "id": "sdk", "deps": [dep("lib", None), dep("tester", Some("dev"))] },
                { "id": "lib", "deps": [dep("deep", Some("build"))] },
                { "id": "deep", "deps": [] },
                { "id": "tester", "deps": [] },
                { "id": "tool", "deps": [dep("tester", None)] },
            ] },
        })
    }

    #[test]
    fn a_declaration_below_the_tree_fails_and_names_the_package() {
        let findings = check(&metadata(Some("1.88"))).unwrap();
        assert_eq!(findings.len(), 1, "the unpublished tool is not checked");
        let finding = &findings[0];
        assert!(!finding.is_ok());
        assert_eq!(
            finding.to_string(),
            "error: sdk declares rust-version 1.88; its tree needs 1.89 (deep 1.0.0)"
        );
    }

    #[test]
    fn a_declaration_that_covers_the_tree_passes_and_dev_dependencies_do_not_count() {
        for declared in ["1.89", "1.89.0", "1.90"] {
            let findings = check(&metadata(Some(declared))).unwrap();
            assert!(findings[0].is_ok(), "{}", findings[0]);
        }
    }

    #[test]
    fn a_published_crate_without_a_declaration_fails() {
        let findings = check(&metadata(None)).unwrap();
        assert!(!findings[0].is_ok());
    }

    #[test]
    fn versions_compare_by_number() {
        let v = |s| RustVersion::parse(s).unwrap();
        assert!(v("1.100") > v("1.89"));
        assert_eq!(v("1.88"), v("1.88.0"));
        assert_eq!(RustVersion::parse("1.x"), None);
        assert_eq!(RustVersion::parse("1.88.0.1"), None);
    }
}
