//! The schema crate's tests, in one test binary: a module per former test file
//! (linking one binary instead of one per file is most of what `cargo test` costs here).

mod generated;
mod operation_kinds;
mod redacted_debug;
