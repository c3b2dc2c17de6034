//! The emulator's tests (over HTTP, as a client sees it), in one test binary: a module per former
//! test file (one binary to compile and link instead of one per file).
//!
//! Two tests keep a binary of their own, for a `#[global_allocator]` that would count every
//! other test's allocations too: `tests/document_cache_memory.rs` and
//! `tests/request_memory.rs`.

mod administration;
mod allowlist_empty;
mod api;
mod authorization;
mod common;
mod fast_path;
mod fast_path_work;
mod graphql_errors;
mod limits;
mod members;
mod persistence;
mod schema;
mod state_file;
