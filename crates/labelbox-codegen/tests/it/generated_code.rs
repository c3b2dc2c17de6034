//! Snapshots of the Rust that labelbox-codegen generates for each operation in `queries/`
//! (formatted with prettyplease), so that a change of the generator or of an operation shows
//! in review as a diff of generated code. Snapshots:
//! `tests/it/snapshots/it__generated_code__*.snap`.
//!
//! The generator runs with the settings of `crates/labelbox-schema/build.rs` (the code that
//! ships), one operation document at a time; the repository root is written `<workspace>`.
//!
//! After an intended change (of the generator, its settings or `queries/`), re-accept:
//!
//! ```text
//! INSTA_UPDATE=always cargo test -p labelbox-codegen --test it generated_code
//! git add crates/labelbox-codegen/tests/it/snapshots   # and review the diff
//! ```
//!
//! (or `cargo insta test -p labelbox-codegen --test it --review` where
//! cargo-insta is installed). A new `.graphql` file without a snapshot fails (insta writes
//! a `.snap.new` beside it, or under `CI=true` writes nothing; both fail), and a snapshot
//! whose document is gone fails `every_snapshot_has_an_operation_document`: delete it.

use std::path::{Path, PathBuf};

use labelbox_codegen::Generator;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// The generated Rust for one operation document, as `labelbox-schema`'s build script
/// configures the generator.
fn generated(document: &Path) -> String {
    let root = workspace();
    let mut generator = Generator::new(root.join("schema/labelbox.graphql"))
        .query_file(document)
        .custom_scalars_module("crate::scalars")
        .schema_crate("crate");
    // The build script redacts the created key's JWT; a path that names nothing in the
    // document at hand fails the generation, so it goes only with that document.
    if document
        .file_stem()
        .is_some_and(|stem| stem == "create_api_key")
    {
        generator = generator.redact_in_debug("CreateApiKey.createApiKey.jwt");
    }
    let generated = generator
        .generate()
        .unwrap_or_else(|e| panic!("{}: {e}", document.display()));
    generated
        .code()
        .replace(&root.display().to_string(), "<workspace>")
}

#[test]
fn generated_code() {
    insta::glob!("../../../../queries", "*.graphql", |document| {
        insta::assert_snapshot!(generated(document));
    });
}

#[test]
fn every_snapshot_has_an_operation_document() {
    let snapshots = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots");
    let prefix = "it__generated_code__generated_code@";
    let mut stale = Vec::new();
    // No folder yet (a first run that writes them): nothing is stale.
    let entries = std::fs::read_dir(&snapshots).into_iter().flatten();
    for entry in entries {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        let Some(document) = name
            .strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(".snap"))
        else {
            continue;
        };
        if !workspace().join("queries").join(document).exists() {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "snapshots of operation documents that no longer exist in queries/ (delete them \
         from crates/labelbox-codegen/tests/it/snapshots): {stale:?}"
    );
}
