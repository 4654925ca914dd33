//! What the SDK's integration tests (`tests/`) and its benchmark (`benches/`) share; the
//! tests themselves live there (see this crate's `Cargo.toml`).

/// The SDK's own version, from its manifest (this crate has its own): what the SDK's default
/// `User-Agent` carries.
pub fn sdk_version() -> String {
    let manifest: toml::Table = include_str!("../Cargo.toml")
        .parse()
        .expect("the SDK's manifest parses");
    // `version.workspace = true` takes the workspace's version.
    let version = match &manifest["package"]["version"] {
        toml::Value::String(version) => version.as_str(),
        _ => manifest["workspace"]["package"]["version"]
            .as_str()
            .expect("a version"),
    };
    version.to_string()
}
