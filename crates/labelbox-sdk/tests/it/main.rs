//! The SDK's tests (against the emulator and a scripted server), in one test binary: a module per
//! former test file (one binary to compile and link instead of one per file).
//!
//! `tests/allocations.rs` keeps a binary of its own: its `#[global_allocator]` counts every
//! allocation of the process, so a neighbouring test would skew the guard.

mod adversarial;
mod created_with_errors;
mod empty_allowlist;
mod emulator;
mod emulator_faults;
mod error_mapping;
mod errors_doc;
mod fuzz_regressions;
mod listing_decline_log;
mod listing_decode;
mod members;
mod no_secrets;
mod operation_kind;
mod proxy;
mod reconcile_clock;
mod request_bodies;
mod response_size;
mod rotate_and_list;
mod support;
mod transport;
mod validation;
