//! Change classification: one fixture pair per change class under tests/fixtures/diff/<class>/
//! ({old,new}.graphql and expected.txt: one `CRITICALITY KIND path` line per change, in the
//! order `diff` reports them).

use crate::common;

use std::path::{Path, PathBuf};

use labelbox_schema_tools::{diff, Criticality, Error};

fn fixture_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

fn name_of<T: serde::Serialize>(v: T) -> String {
    serde_json::to_value(v)
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned()
}

fn classify(dir: &Path) -> Vec<String> {
    let read = |f: &str| std::fs::read_to_string(dir.join(f)).unwrap();
    diff(&read("old.graphql"), &read("new.graphql"))
        .unwrap()
        .changes
        .iter()
        .map(|c| {
            assert!(!c.message.is_empty());
            format!("{} {} {}", name_of(c.criticality), name_of(c.kind), c.path)
        })
        .collect()
}

#[test]
fn every_fixture_pair_is_classified_as_expected() {
    let dirs = fixture_dirs();
    assert!(dirs.len() >= 10, "fixtures missing: {dirs:?}");
    for dir in dirs {
        let expected: Vec<String> = std::fs::read_to_string(dir.join("expected.txt"))
            .unwrap()
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_owned)
            .collect();
        assert_eq!(classify(&dir), expected, "fixture {}", dir.display());
    }
}

#[test]
fn fixtures_cover_every_change_kind_and_criticality() {
    let all: Vec<String> = fixture_dirs().iter().flat_map(|d| classify(d)).collect();
    for kind in [
        "SCHEMA_ROOT_TYPE_CHANGED",
        "TYPE_REMOVED",
        "TYPE_ADDED",
        "TYPE_KIND_CHANGED",
        "DESCRIPTION_CHANGED",
        "DEPRECATION_ADDED",
        "DEPRECATION_REMOVED",
        "DEPRECATION_REASON_CHANGED",
        "FIELD_REMOVED",
        "FIELD_ADDED",
        "FIELD_TYPE_CHANGED",
        "FIELD_ARGUMENT_REMOVED",
        "FIELD_ARGUMENT_ADDED",
        "FIELD_ARGUMENT_TYPE_CHANGED",
        "FIELD_ARGUMENT_DEFAULT_CHANGED",
        "INPUT_FIELD_REMOVED",
        "INPUT_FIELD_ADDED",
        "INPUT_FIELD_TYPE_CHANGED",
        "INPUT_FIELD_DEFAULT_CHANGED",
        "ENUM_VALUE_REMOVED",
        "ENUM_VALUE_ADDED",
        "UNION_MEMBER_REMOVED",
        "UNION_MEMBER_ADDED",
        "INTERFACE_IMPLEMENTATION_REMOVED",
        "INTERFACE_IMPLEMENTATION_ADDED",
        "DIRECTIVE_REMOVED",
        "DIRECTIVE_ADDED",
        "DIRECTIVE_ARGUMENT_REMOVED",
        "DIRECTIVE_ARGUMENT_ADDED",
        "DIRECTIVE_ARGUMENT_TYPE_CHANGED",
        "DIRECTIVE_ARGUMENT_DEFAULT_CHANGED",
        "DIRECTIVE_LOCATION_REMOVED",
        "DIRECTIVE_LOCATION_ADDED",
        "DIRECTIVE_REPEATABLE_CHANGED",
    ] {
        assert!(
            all.iter().any(|l| l.split(' ').nth(1) == Some(kind)),
            "no fixture exercises {kind}"
        );
    }
    for criticality in ["BREAKING", "DANGEROUS", "SAFE"] {
        assert!(all.iter().any(|l| l.starts_with(criticality)));
    }
}

#[test]
fn identical_schemas_have_no_changes() {
    let schema = common::checked_in_schema();
    let d = diff(&schema, &schema).unwrap();
    assert!(d.is_empty());
    assert_eq!(d.to_string(), "No changes.\n");
}

#[test]
fn a_removed_field_of_the_real_schema_is_breaking() {
    let old = common::checked_in_schema();
    let new = common::without_field(&old, "ApiKey", "expiresAtEpoch");
    let d = diff(&old, &new).unwrap();
    assert!(d.has_breaking());
    let change = &d.changes[0];
    assert_eq!(change.criticality, Criticality::Breaking);
    assert_eq!(change.path, "ApiKey.expiresAtEpoch");
    assert_eq!(
        change.message,
        "Field `expiresAtEpoch` was removed from `ApiKey`"
    );
    assert_eq!(
        d.to_string(),
        "Breaking changes (1):\n  ApiKey.expiresAtEpoch: Field `expiresAtEpoch` was removed from `ApiKey`\n"
    );
    assert_eq!(
        serde_json::to_value(&d).unwrap(),
        serde_json::json!({"changes": [{
            "criticality": "BREAKING",
            "kind": "FIELD_REMOVED",
            "path": "ApiKey.expiresAtEpoch",
            "message": "Field `expiresAtEpoch` was removed from `ApiKey`",
        }]})
    );
}

#[test]
fn invalid_schemas_are_errors_naming_the_side() {
    let good = common::checked_in_schema();
    let err = diff(&good, "type Query { a: Missing }").unwrap_err();
    match &err {
        Error::InvalidSchema { name, diagnostics } => {
            assert_eq!(name, "new schema");
            assert!(diagnostics.contains("Missing"), "{diagnostics}");
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        diff("type Query {", &good),
        Err(Error::InvalidSchema { name, .. }) if name == "old schema"
    ));
}
