//! The client progenitor generates from `openapi.yaml` at build time (see `build.rs`).
//!
//! Never edited by hand: change the normalizer (`codegen/src/normalize.rs`) or the generator
//! settings (`codegen/src/generate.rs`) instead.
#![allow(
    missing_docs,
    unused_imports,
    clippy::all,
    clippy::pedantic,
    rustdoc::bare_urls,
    rustdoc::broken_intra_doc_links,
    rustdoc::invalid_html_tags
)]

include!(concat!(env!("OUT_DIR"), "/codegen.rs"));

/// The client compiled here is the one `kajabi-codegen` pins (`codegen/tests/generated.rs`), so
/// what this crate's suites prove of it holds for what the generator is tested to write.
#[cfg(test)]
#[test]
fn the_compiled_client_is_the_pinned_one() {
    let pinned = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("codegen/tests/snapshots/codegen.rs.snap");
    let pinned = std::fs::read_to_string(&pinned).expect("kajabi-codegen's snapshot");
    assert!(
        pinned == include_str!(concat!(env!("OUT_DIR"), "/codegen.rs")),
        "the client built from openapi.yaml is not codegen/tests/snapshots/codegen.rs.snap; \
         run `UPDATE_SNAPSHOTS=1 cargo test -p kajabi-codegen --test generated`"
    );
}
