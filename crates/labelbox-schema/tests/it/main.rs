//! The schema crate's tests, in one test binary: a module per former test file (one binary to
//! compile and link instead of one per file).

mod generated;
mod operation_kinds;
mod redacted_debug;
