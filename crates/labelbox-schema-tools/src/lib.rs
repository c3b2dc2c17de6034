#![doc = include_str!("../README.md")]
//!
//! ## In detail
//!
//! The schema-update workflow of labelbox-rs, as a library the `labelbox` CLI calls:
//!
//! - [`pull`]: introspect a live endpoint and write deterministic SDL with a provenance header
//!   ([`introspection_to_sdl`] is the pure conversion). The request goes through
//!   `labelbox-sdk`'s client ([`pull_with_client`] takes one), so it obeys the SDK's transport
//!   rules: https or loopback http, no proxy for plain http, no redirects, a capped body;
//! - [`diff`] / [`diff_report`]: classify every change between two schemas as breaking,
//!   dangerous or safe (graphql-inspector's rules) and name the operations in `queries/` that
//!   the new schema breaks;
//! - [`check`]: validate operation documents against a schema with readable diagnostics.
//!
//! Parsing, validation and SDL printing are apollo-compiler's; this crate holds no GraphQL
//! parser and no query strings (the introspection query is `graphql/introspection.graphql`).
//! The workflow is described in `docs/schema-workflow.md`.
#![warn(missing_docs)]

mod diff;
mod error;
mod operations;
mod pull;
mod sdl;

pub use diff::{diff, diff_schemas, Change, ChangeKind, Criticality, SchemaDiff};
pub use error::Error;
pub use operations::{
    affected_operations, check, diff_report, load_queries, BrokenOperation, Diagnostic, DiffReport,
};
pub use pull::{pull, pull_with_client, PulledSchema};
pub use sdl::{
    introspection_to_sdl, introspection_to_sdl_body, sdl_body, Provenance, INTROSPECTION_QUERY,
};
