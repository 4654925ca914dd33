//! Generates the typed client from `openapi.yaml` into `$OUT_DIR/codegen.rs`.
//!
//! The path: `openapi.yaml` → `kajabi_codegen::load` (YAML) → `normalize` (3.1 → 3.0, names,
//! media types; see codegen/src/normalize.rs) → progenitor → `kajabi-api/generated.rs`.
//! Only the spec is watched: the codegen crate is a build-dependency, so a change to it
//! rebuilds this script anyway, and a no-op `cargo build` never regenerates.

use std::{env, fs, path::PathBuf, process::ExitCode};

fn main() -> ExitCode {
    println!("cargo:rerun-if-changed=openapi.yaml");
    println!("cargo:rerun-if-changed=build.rs");
    let manifest =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let spec = manifest.join("openapi.yaml");
    let text = match fs::read_to_string(&spec) {
        Ok(text) => text,
        Err(e) => return fail(&format!("cannot read {}: {e}", spec.display())),
    };
    let code = match kajabi_codegen::generate_from_yaml(&text) {
        Ok(code) => code,
        Err(e) => {
            return fail(&format!(
                "cannot generate the client from {}: {e}",
                spec.display()
            ))
        }
    };
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("codegen.rs");
    if let Err(e) = fs::write(&out, code) {
        return fail(&format!("cannot write {}: {e}", out.display()));
    }
    ExitCode::SUCCESS
}

/// One readable line instead of a panic backtrace.
fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}
