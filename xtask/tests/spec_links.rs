//! The spec lives in one file, the workspace's `openapi.yaml`. A package that reads it carries
//! `openapi.yaml` in its own directory as a **symlink** to that file (`cargo package` stores the
//! bytes it points to), so the build, `sync-spec` and every package see the same document and
//! no copy can fall behind. This test fails on a copy, a dangling link or a link elsewhere.

use std::fs;
use std::path::{Path, PathBuf};

/// The workspace root: xtask lives one level below it.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent directory")
        .to_path_buf()
}

/// Every `name` under `dir`, build output, dependencies and VCS data left out.
fn find(dir: &Path, name: &str, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a readable directory") {
        let entry = entry.expect("a directory entry");
        let path = entry.path();
        let file_name = entry.file_name();
        if file_name == name {
            found.push(path);
        } else if entry.file_type().expect("a file type").is_dir()
            && !matches!(
                file_name.to_str(),
                Some("target" | ".git" | "node_modules" | "python" | "node")
            )
        {
            find(&path, name, found);
        }
    }
}

#[test]
fn every_packaged_spec_is_a_link_to_the_root_file() {
    let root = root();
    let spec = root.join("openapi.yaml");
    assert!(
        !fs::symlink_metadata(&spec)
            .expect("the root openapi.yaml exists")
            .file_type()
            .is_symlink(),
        "the root openapi.yaml must be the real file"
    );
    let canonical = fs::canonicalize(&spec).expect("the root spec resolves");
    let mut found = Vec::new();
    find(&root, "openapi.yaml", &mut found);
    let links: Vec<&PathBuf> = found.iter().filter(|path| **path != spec).collect();
    // The sandbox embeds the spec: there is at least its link.
    assert!(
        links.contains(&&root.join("sandbox").join("openapi.yaml")),
        "sandbox/openapi.yaml is missing; found {links:?}"
    );
    for link in links {
        let meta = fs::symlink_metadata(link).expect("metadata");
        assert!(
            meta.file_type().is_symlink(),
            "{} is a copy; replace it with `ln -s ../openapi.yaml {}`",
            link.display(),
            link.display()
        );
        let target = fs::canonicalize(link)
            .unwrap_or_else(|e| panic!("{} does not resolve: {e}", link.display()));
        assert_eq!(
            target,
            canonical,
            "{} points elsewhere than the root openapi.yaml",
            link.display()
        );
    }
}
