//! The CLI's end-to-end tests, in one test binary: a module per former test file (one binary to
//! compile and link instead of one per file).
//!
//! Each test runs the built `labelbox` binary against an emulator of its own; shared setup
//! is in `labelbox-test-support` (`cli::CliEnv`), what only this crate needs in [`common`].

mod allowlist_input;
mod common;
mod console;
mod emulator_demo;
mod exit_codes;
mod handover;
mod keys;
mod proxy;
mod schema;
mod users;
mod whoami_roles;
mod workflows;
