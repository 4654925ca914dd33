//! Generates the typed client from `openapi.yaml` into `$OUT_DIR/codegen.rs`, and with the
//! `httpmock` feature its typed mocks into `$OUT_DIR/mock.rs`.
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
    // The typed mocks (`kajabi_api::mock`) come from the same generator run as the client.
    let mocks = env::var_os("CARGO_FEATURE_HTTPMOCK").is_some();
    let generated = if mocks {
        kajabi_codegen::generate_with_mocks_from_yaml(&text).map(|(code, mock)| (code, Some(mock)))
    } else {
        kajabi_codegen::generate_from_yaml(&text).map(|code| (code, None))
    };
    let (code, mock) = match generated {
        Ok(generated) => generated,
        Err(e) => {
            return fail(&format!(
                "cannot generate the client from {}: {e}",
                spec.display()
            ))
        }
    };
    let out_dir = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let files = [("codegen.rs", Some(code)), ("mock.rs", mock)];
    for (name, code) in files {
        let Some(code) = code else { continue };
        let out = out_dir.join(name);
        if let Err(e) = fs::write(&out, code) {
            return fail(&format!("cannot write {}: {e}", out.display()));
        }
    }
    ExitCode::SUCCESS
}

/// One readable line instead of a panic backtrace.
fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::FAILURE
}
