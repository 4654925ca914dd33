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
