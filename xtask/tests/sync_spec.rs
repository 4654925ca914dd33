//! `cargo xtask sync-spec`, driven as a binary against temporary copies of the vendored
//! document. No test touches the network or the workspace's own `openapi.yaml`.

use std::fs;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use httpmock::MockServer;
use serde_json::{json, Value};
use tempfile::TempDir;

/// The workspace's vendored document (read only).
fn vendored() -> Vec<u8> {
    fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../openapi.yaml"))
        .expect("the workspace's openapi.yaml is readable")
}

fn vendored_value() -> Value {
    let text = String::from_utf8(vendored()).expect("the vendored document is UTF-8");
    kajabi_spec::load(&text).expect("the vendored document parses")
}

/// The vendored document after `edit`, as JSON text (JSON is YAML).
fn variant(edit: impl FnOnce(&mut Value)) -> Vec<u8> {
    let mut doc = vendored_value();
    edit(&mut doc);
    serde_json::to_vec_pretty(&doc).expect("a JSON value serializes")
}

/// A temporary directory holding a copy of the vendored document, the target of each test.
struct Workspace {
    dir: TempDir,
    original: Vec<u8>,
}

impl Workspace {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let original = vendored();
        fs::write(dir.path().join("openapi.yaml"), &original).expect("the copy is written");
        Workspace { dir, original }
    }

    fn spec(&self) -> PathBuf {
        self.dir.path().join("openapi.yaml")
    }

    /// Runs `xtask sync-spec --spec <copy> <args>`.
    fn sync(&self, args: &[&str]) -> Output {
        let spec = self.spec();
        let mut all = vec![
            "sync-spec",
            "--spec",
            spec.to_str().expect("temporary paths are UTF-8"),
        ];
        all.extend_from_slice(args);
        xtask(&all)
    }

    /// Asserts the target is byte-identical to what the test started with and that no
    /// temporary file is left beside it.
    fn assert_untouched(&self) {
        assert!(
            fs::read(self.spec()).expect("the target still exists") == self.original,
            "the vendored copy changed"
        );
        assert_eq!(self.listing(), ["openapi.yaml"]);
    }

    fn listing(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(self.dir.path())
            .expect("the directory lists")
            .map(|e| {
                e.expect("an entry")
                    .file_name()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        names.sort();
        names
    }
}

fn xtask(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .output()
        .expect("the xtask binary runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes `bytes` to a file in its own temporary directory, for `--from <PATH>`.
fn source_file(bytes: &[u8]) -> (TempDir, String) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("upstream.yaml");
    fs::write(&path, bytes).expect("the source is written");
    let path = path
        .to_str()
        .expect("temporary paths are UTF-8")
        .to_string();
    (dir, path)
}

fn add_widgets(doc: &mut Value) {
    doc["paths"]["/v1/widgets"] = doc["paths"]["/v1/sites"].clone();
}

fn remove_get_blog_post(doc: &mut Value) {
    let item = doc["paths"]["/v1/blog_posts/{id}"]
        .as_object_mut()
        .expect("the spec has /v1/blog_posts/{id}");
    item.remove("get")
        .expect("the spec has GET /v1/blog_posts/{id}");
}

fn rename_title_filter(doc: &mut Value) {
    let param = doc["paths"]["/v1/sites"]["get"]["parameters"]
        .as_array_mut()
        .and_then(|ps| ps.iter_mut().find(|p| p["name"] == "filter[title_cont]"))
        .expect("GET /v1/sites has filter[title_cont]");
    param["name"] = json!("filter[name_cont]");
}

fn bump_version(doc: &mut Value) {
    doc["info"]["version"] = json!("1.2.0");
}

fn change_sites_attributes(doc: &mut Value) {
    doc["components"]["schemas"]["sites_attributes"]["properties"]["subdomain"]["type"] =
        json!("integer");
}

/// Every synthetic change at once.
fn all_changes() -> Vec<u8> {
    variant(|doc| {
        add_widgets(doc);
        remove_get_blog_post(doc);
        rename_title_filter(doc);
        bump_version(doc);
        change_sites_attributes(doc);
    })
}

/// The report for [`all_changes`], from the line after the header to the summary.
const ALL_CHANGES_REPORT: &str = r#"operations added (1):
  + GET /v1/widgets (list_widgets)
operations removed (1):
  - GET /v1/blog_posts/{id} (get_blog_post)
operations changed (2):
  ~ GET /v1/sites (list_sites)
      parameter removed: `filter[title_cont]` (query, optional, schema {"type":"string"})
      parameter added: `filter[name_cont]` (query, optional, schema {"type":"string"})
      response 200 schema changed:
        /properties/data/items/properties/attributes/properties/subdomain/type: "string" -> "integer"
  ~ GET /v1/sites/{id} (get_site)
      response 200 schema changed:
        /properties/data/properties/attributes/properties/subdomain/type: "string" -> "integer"
component schemas changed (1):
  ~ sites_attributes
      /properties/subdomain/type: "string" -> "integer"
version: 1.1.0 -> 1.2.0
summary: 1 operation added, 1 removed, 2 changed; component schemas: 0 added, 0 removed, 1 changed; version 1.1.0 -> 1.2.0
"#;

#[test]
fn a_local_file_replaces_the_vendored_one_and_the_report_names_each_change() {
    let ws = Workspace::new();
    let new = all_changes();
    let (_dir, from) = source_file(&new);
    let out = ws.sync(&["--from", &from]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        fs::read(ws.spec()).expect("the target exists") == new,
        "the target is not the source byte for byte"
    );
    assert!(
        stdout(&out).contains(ALL_CHANGES_REPORT),
        "{}",
        stdout(&out)
    );
    assert!(stdout(&out).contains("updated "), "{}", stdout(&out));
    assert_eq!(
        ws.listing(),
        ["openapi.yaml"],
        "a temporary file was left behind"
    );
}

#[cfg(unix)]
#[test]
fn the_replacement_keeps_the_vendored_files_mode() {
    use std::os::unix::fs::PermissionsExt;
    let ws = Workspace::new();
    fs::set_permissions(ws.spec(), fs::Permissions::from_mode(0o444)).expect("chmod");
    let (_dir, from) = source_file(&variant(bump_version));
    let out = ws.sync(&["--from", &from]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mode = fs::metadata(ws.spec())
        .expect("the target exists")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o444);
}

#[test]
fn a_url_source_is_downloaded_and_vendored() {
    let server = MockServer::start();
    let new = variant(bump_version);
    let mock = server.mock(|when, then| {
        when.method("GET")
            .path("/Kajabi/public_api_docs/main/openapi.yaml");
        then.status(200)
            .header("content-type", "text/plain; charset=utf-8")
            .body(&new);
    });
    let ws = Workspace::new();
    let out = ws.sync(&[
        "--from",
        &server.url("/Kajabi/public_api_docs/main/openapi.yaml"),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    mock.assert();
    assert!(fs::read(ws.spec()).expect("the target exists") == new);
    assert!(
        stdout(&out).contains("summary: no operation changes; version 1.1.0 -> 1.2.0\n"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_source_equal_to_the_vendored_file_changes_nothing() {
    let ws = Workspace::new();
    let (_dir, from) = source_file(&ws.original);
    let out = ws.sync(&["--from", &from]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("matches the source byte for byte"),
        "{}",
        stdout(&out)
    );
    ws.assert_untouched();
}

#[test]
fn check_exits_0_on_a_match() {
    let ws = Workspace::new();
    let (_dir, from) = source_file(&ws.original);
    let out = ws.sync(&["--from", &from, "--check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    ws.assert_untouched();
}

#[test]
fn check_exits_1_on_a_difference_prints_the_report_and_writes_nothing() {
    let ws = Workspace::new();
    let (_dir, from) = source_file(&all_changes());
    let out = ws.sync(&["--check", "--from", &from]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stdout(&out).contains(ALL_CHANGES_REPORT),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).contains("differs from the source"),
        "{}",
        stdout(&out)
    );
    ws.assert_untouched();
}

#[test]
fn check_reports_a_text_only_difference_as_the_same_api() {
    let ws = Workspace::new();
    let new = variant(|doc| {
        doc["info"]["description"] = json!("Reworded.");
        doc["paths"]["/v1/sites"]["get"]["summary"] = json!("List every site");
    });
    let (_dir, from) = source_file(&new);
    let out = ws.sync(&["--check", "--from", &from]);
    // The bytes differ, so --check fails, but the report says no caller is affected.
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let report = stdout(&out);
    assert!(
        report.contains("the text differs from the vendored file, but the API is the same"),
        "{report}"
    );
    assert!(report.contains("summary: no API changes\n"), "{report}");
    ws.assert_untouched();
}

#[test]
fn a_missing_vendored_file_is_created_and_every_operation_listed_as_added() {
    let ws = Workspace::new();
    fs::remove_file(ws.spec()).expect("rm");
    let (_dir, from) = source_file(&ws.original);
    let out = ws.sync(&["--from", &from]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(fs::read(ws.spec()).expect("the target exists") == ws.original);
    assert!(
        stdout(&out).contains("operations added (77):"),
        "{}",
        stdout(&out)
    );
    assert_eq!(ws.listing(), ["openapi.yaml"]);
    // A new file gets an ordinary file's mode, not the temporary file's private 0600.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(ws.spec())
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o644, "{mode:o}");
    }
}

/// Runs a sync that must be refused: exit 2, the message on stderr, the target untouched.
fn assert_refused(ws: &Workspace, from: &str, expected: &[&str]) {
    let out = ws.sync(&["--from", from]);
    let message = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(2),
        "stdout: {}\nstderr: {message}",
        stdout(&out)
    );
    for part in expected {
        assert!(message.contains(part), "{part:?} not in: {message}");
    }
    assert!(message.contains("was left unchanged."), "{message}");
    assert_eq!(
        message.trim_end().lines().count(),
        1,
        "not one paragraph: {message}"
    );
    ws.assert_untouched();
}

fn refused_file(bytes: &[u8], expected: &[&str]) {
    let ws = Workspace::new();
    let (_dir, from) = source_file(bytes);
    assert_refused(
        &ws,
        &from,
        &[
            &["refused the document fetched from ", from.as_str()],
            expected,
        ]
        .concat(),
    );
}

#[test]
fn a_refused_connection_leaves_the_file() {
    // A port that was free a moment ago: nothing listens there.
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let url = format!("http://127.0.0.1:{port}/openapi.yaml");
    assert_refused(
        &Workspace::new(),
        &url,
        &["could not download", &url, "onnection refused"],
    );
}

#[test]
fn a_404_leaves_the_file() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/openapi.yaml");
        then.status(404).body("404: Not Found");
    });
    let url = server.url("/openapi.yaml");
    assert_refused(&Workspace::new(), &url, &[&url, "HTTP 404 Not Found"]);
}

#[test]
fn an_html_page_served_with_200_leaves_the_file() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/openapi.yaml");
        then.status(200)
            .header("content-type", "text/html; charset=utf-8")
            .body("<!DOCTYPE html><html><body>Sign in to continue</body></html>");
    });
    let url = server.url("/openapi.yaml");
    assert_refused(&Workspace::new(), &url, &[&url, "HTML page"]);
}

#[test]
fn an_html_file_without_a_content_type_leaves_the_file() {
    refused_file(
        b"\n<html><head><title>Oops</title></head></html>\n",
        &["HTML page"],
    );
}

#[test]
fn yaml_that_is_not_openapi_leaves_the_file() {
    refused_file(
        b"name: kajabi\nitems: [1, 2, 3]\n",
        &["not an OpenAPI document", "no `openapi` field"],
    );
}

#[test]
fn text_that_is_not_yaml_leaves_the_file() {
    refused_file(b"paths: [\n  {", &["not valid YAML"]);
}

#[test]
fn openapi_2_0_leaves_the_file() {
    let text = String::from_utf8(vendored()).expect("UTF-8");
    let old = text
        .lines()
        .find(|l| l.starts_with("openapi:"))
        .expect("the document has an openapi line");
    let new = text.replacen(old, "openapi: \"2.0\"", 1);
    refused_file(
        new.as_bytes(),
        &["normalizer the build uses rejects it", "2.0"],
    );
}

#[test]
fn a_parameter_repeated_with_different_definitions_leaves_the_file() {
    // The normalizer rejects this even though old and new are otherwise the same API.
    let new = variant(|doc| {
        let params = doc["paths"]["/v1/sites"]["get"]["parameters"]
            .as_array_mut()
            .expect("GET /v1/sites has parameters");
        params.push(json!({"name": "sort", "in": "query", "schema": {"type": "integer"}}));
    });
    refused_file(
        &new,
        &[
            "normalizer the build uses rejects it",
            "GET /v1/sites",
            "`sort`",
            "more than once",
        ],
    );
}

#[test]
fn a_document_past_the_size_cap_is_refused_unread() {
    let ws = Workspace::new();
    let dir = tempfile::tempdir().expect("a temporary directory");
    let path = dir.path().join("huge.yaml");
    // Sparse: 21 MiB on paper, nothing on disk.
    fs::File::create(&path)
        .and_then(|f| f.set_len(21 * 1024 * 1024))
        .expect("a sparse file");
    assert_refused(
        &ws,
        path.to_str().expect("UTF-8"),
        &["larger than the 20 MiB limit"],
    );
}

#[test]
fn a_missing_local_source_leaves_the_file() {
    let ws = Workspace::new();
    let missing = ws.dir.path().join("nowhere.yaml");
    assert_refused(
        &ws,
        missing.to_str().expect("UTF-8"),
        &["could not read", "nowhere.yaml"],
    );
}

/// Runs `xtask sync-spec --spec <target>` from a source holding the vendored document.
fn sync_upstream_to(target: &Path) -> Output {
    let (_src, from) = source_file(&vendored());
    xtask(&[
        "sync-spec",
        "--from",
        &from,
        "--spec",
        target.to_str().expect("UTF-8"),
    ])
}

#[test]
fn a_target_in_a_missing_directory_is_a_write_error() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let target = dir.path().join("no/such/dir/openapi.yaml");
    let out = sync_upstream_to(&target);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stderr(&out).contains("cannot write"), "{}", stderr(&out));
    assert!(!Path::new(&target).exists());
}

#[test]
fn usage_errors_exit_2_and_help_exits_0() {
    let out = xtask(&["sync-spec", "--bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unexpected argument '--bogus'"),
        "{}",
        stderr(&out)
    );
    let out = xtask(&["sync-spec", "--from", "ftp://example.com/openapi.yaml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unsupported URL scheme `ftp`"),
        "{}",
        stderr(&out)
    );
    let out = xtask(&["sync-spec", "--from"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("a value is required for '--from <URL|PATH>'"),
        "{}",
        stderr(&out)
    );
    let out = xtask(&["sync-spec", "--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stdout(&out).contains("Usage: cargo xtask sync-spec [OPTIONS]"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn a_vendored_path_that_cannot_be_read_is_a_read_error_and_nothing_is_fetched_or_written() {
    // A directory where the vendored file should be: reading it fails with an error other
    // than "not found" (root reads any file, so a mode cannot make one unreadable here).
    let dir = tempfile::tempdir().expect("a temporary directory");
    let target = dir.path().join("openapi.yaml");
    fs::create_dir(&target).expect("a directory in the file's place");
    let out = sync_upstream_to(&target);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(
        stderr(&out).contains("cannot read the vendored document"),
        "{}",
        stderr(&out)
    );
    // It stops before the source is read: no report, no temporary file beside the target.
    assert!(!stdout(&out).contains("source:"), "{}", stdout(&out));
    let names: Vec<_> = fs::read_dir(dir.path())
        .expect("the directory lists")
        .map(|e| e.expect("an entry").file_name())
        .collect();
    assert_eq!(names, ["openapi.yaml"]);
}

#[test]
fn a_relative_spec_path_is_written_in_the_working_directory() {
    // `--spec openapi.yaml`, run from the directory that holds it: the temporary file goes
    // beside it (a path with no directory part is in ".").
    let ws = Workspace::new();
    let (_src, from) = source_file(&variant(add_widgets));
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(["sync-spec", "--from", &from, "--spec", "openapi.yaml"])
        .current_dir(ws.dir.path())
        .output()
        .expect("the xtask binary runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(fs::read(ws.spec()).expect("the target exists") == variant(add_widgets));
    assert_eq!(ws.listing(), ["openapi.yaml"]);
}

#[cfg(target_os = "linux")]
#[test]
fn the_temporary_file_is_written_beside_the_target_not_in_the_working_directory() {
    // Run from /proc, where nothing can be created: the sync still succeeds, because the new
    // document is written next to the target and renamed over it (a rename is atomic only
    // within one file system, so the working directory is no place for it).
    let ws = Workspace::new();
    let (_src, from) = source_file(&variant(add_widgets));
    let spec = ws.spec();
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args([
            "sync-spec",
            "--from",
            &from,
            "--spec",
            spec.to_str().expect("UTF-8"),
        ])
        .current_dir("/proc")
        .output()
        .expect("the xtask binary runs");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(fs::read(ws.spec()).expect("the target exists") == variant(add_widgets));
    assert_eq!(ws.listing(), ["openapi.yaml"]);
}
