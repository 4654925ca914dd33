//! Pins the whole method-name table of the vendored spec: a renamed method breaks every
//! caller, so any change here must be deliberate. `UPDATE_SNAPSHOTS=1 cargo test -p
//! kajabi-spec --test operation_names` rewrites the snapshot after such a decision.

use std::path::Path;

#[test]
fn operation_names_match_the_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("../openapi.yaml")).unwrap();
    let normalized = kajabi_spec::normalize(&kajabi_spec::load(&text).unwrap()).unwrap();
    let table: String = normalized
        .operations
        .iter()
        .map(|op| format!("{:<7}{:<52}{}\n", op.method, op.path, op.name))
        .collect();
    let snapshot = root.join("tests/snapshots/operation-names.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&snapshot, &table).unwrap();
    }
    let pinned = std::fs::read_to_string(&snapshot).unwrap();
    assert_eq!(
        table, pinned,
        "method names changed; see the comment at the top of this file"
    );
}

#[test]
fn descriptions_and_summaries_do_not_rename_anything() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("../openapi.yaml")).unwrap();
    let mut doc = kajabi_spec::load(&text).unwrap();
    for item in doc["paths"].as_object_mut().unwrap().values_mut() {
        for op in item
            .as_object_mut()
            .unwrap()
            .values_mut()
            .filter_map(|op| op.as_object_mut())
        {
            op.insert("summary".into(), "reworded".into());
            op.insert("description".into(), "reworded".into());
            op.insert("tags".into(), serde_json::json!(["Other"]));
        }
    }
    let names = |d: &serde_json::Value| -> Vec<String> {
        kajabi_spec::normalize(d)
            .unwrap()
            .operations
            .into_iter()
            .map(|o| o.name)
            .collect()
    };
    assert_eq!(names(&doc), names(&kajabi_spec::load(&text).unwrap()));
}
