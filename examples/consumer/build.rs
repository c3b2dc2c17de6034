//! Checks `graphql/*.graphql` against the Labelbox schema bundled in labelbox-codegen and
//! generates their Rust modules into `$OUT_DIR/operations.rs`. A misspelt field fails
//! `cargo build` with a message naming the file, the operation and the field.

fn main() {
    labelbox_codegen::Generator::bundled()
        .queries_dir("graphql")
        .run_build_script("operations.rs");
}
