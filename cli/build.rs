//! Generates the command table from the spec: `$OUT_DIR/commands.rs` (the static table the
//! binary interprets) and `$OUT_DIR/commands.txt` (the table for people, pinned by
//! `tests/command_table.rs`).

use std::{env, fs, path::PathBuf};

/// The spec the commands are generated from, relative to this crate's manifest directory.
const SPEC: &str = "openapi.yaml";

fn main() {
    let manifest = PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("set by cargo"));
    let spec = manifest.join(SPEC);
    println!("cargo::rerun-if-changed={}", spec.display());
    println!("cargo::rerun-if-changed=build.rs");
    if let Err(message) = generate(&spec, &out) {
        // One line naming the spec and what is wrong (both operations for a collision).
        println!("cargo::error={}: {message}", spec.display());
    }
}

fn generate(spec: &PathBuf, out: &std::path::Path) -> Result<(), String> {
    let text = fs::read_to_string(spec).map_err(|e| e.to_string())?;
    let document = kajabi_spec::load(&text).map_err(|e| e.to_string())?;
    let normalized = kajabi_spec::normalize(&document).map_err(|e| e.to_string())?;
    let table = kajabi_codegen::cli::command_table(&normalized).map_err(|e| e.to_string())?;
    let write = |name: &str, text: String| {
        fs::write(out.join(name), text).map_err(|e| format!("cannot write {name}: {e}"))
    };
    write("commands.rs", kajabi_codegen::cli::render_rust(&table))?;
    write("commands.txt", kajabi_codegen::cli::render_text(&table))
}
