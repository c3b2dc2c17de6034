//! Checks every operation document in `queries/` against `schema/labelbox.graphql` and
//! generates their Rust modules into `$OUT_DIR/operations.rs`.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let manifest_dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    // `schema/` and `queries/` here are symlinks to the workspace's folders (cargo package
    // stores the files). Canonical, so that diagnostics name the real `/…/queries/x.graphql`.
    let canonical = |path: &str| manifest_dir.join(path).canonicalize().unwrap();
    let generated = labelbox_codegen::Generator::new(canonical("schema/labelbox.graphql"))
        .queries_dir(canonical("queries"))
        .custom_scalars_module("crate::scalars")
        .schema_crate("crate")
        // The response holds the new key's JWT: Debug prints [REDACTED] in its place.
        .redact_in_debug("CreateApiKey.createApiKey.jwt")
        .run_build_script("operations.rs");

    let mut names = String::from("&[");
    for operation in generated.operations() {
        let _ = write!(names, "{:?}, ", operation.name);
    }
    names.push(']');
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").unwrap());
    let path = out_dir.join("operation_names.rs");
    if std::fs::read_to_string(&path).ok().as_deref() != Some(names.as_str()) {
        std::fs::write(&path, names).unwrap();
    }
}
