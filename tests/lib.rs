//! Empty: this crate holds the SDK's integration tests (`tests/`) and its benchmark
//! (`benches/`); see its `Cargo.toml`.
