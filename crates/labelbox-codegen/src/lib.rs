#![doc = include_str!("../README.md")]
//!
//! ## In detail
//!
//! Build-time checking and code generation of Labelbox GraphQL operations.
//!
//! Operation documents (`.graphql` files) are first validated against a schema with
//! [apollo-compiler](https://docs.rs/apollo-compiler), so that a misspelt field, a variable of
//! the wrong type or an unknown argument fails the build with a message naming the file, the
//! operation and the bad name. Valid documents are then turned into Rust modules by
//! graphql_client's code generator (whose panics are caught and reported the same way).
//!
//! Use it from a build script:
//!
//! ```no_run
//! // build.rs (its `fn main`) of a crate with its own operations in graphql/*.graphql
//! labelbox_codegen::Generator::bundled()
//!     .queries_dir("graphql")
//!     .run_build_script("operations.rs");
//! ```
//!
//! and include the result: `include!(concat!(env!("OUT_DIR"), "/operations.rs"));`.
#![warn(missing_docs)]

mod diagnostics;
mod error;
mod generator;
mod panic_guard;
mod redact;
mod schema_source;
mod validate;

pub use diagnostics::{Diagnostic, Diagnostics};
pub use error::CodegenError;
pub use generator::{
    check, GeneratedOperation, GeneratedOperations, Generator, DEFAULT_CUSTOM_SCALARS_MODULE,
    DEFAULT_DERIVES, DEFAULT_SCHEMA_CRATE,
};
pub use schema_source::SchemaSource;

/// The SDL of the Labelbox API surface this workspace uses (`schema/labelbox.graphql`).
///
/// `schema/` in this crate is a symlink to the workspace's `schema/` (the one source of
/// truth); `cargo package` stores the file itself, so the published crate carries it.
pub const BUNDLED_SCHEMA: &str = include_str!("../schema/labelbox.graphql");

/// Where [`BUNDLED_SCHEMA`] was read from when this crate was built; diagnostics name it.
pub const BUNDLED_SCHEMA_PATH: &str =
    concat!(env!("CARGO_MANIFEST_DIR"), "/schema/labelbox.graphql");
