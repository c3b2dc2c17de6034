//! The console's tests, in one test binary: a module per former test file (one binary to compile
//! and link instead of one per file).
//!
//! `tests/logs.rs` keeps a binary of its own: it installs a global `tracing` subscriber
//! (the console's tasks run on every worker thread), which would capture every other test's
//! logs and can be installed once per process.

mod browser;
mod hand_over;
mod security;
mod server_limits;
mod support;
