//! Cross-crate tests live in `tests/tests/`; this library holds no code.
//!
//! It carries the top-level `README.md` as doctests, so every Rust example a user copies from
//! it compiles (`cargo test --workspace` runs them; blocks that need a server are `no_run`).

/// The Rust code blocks of the top-level `README.md`, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
