//! The schema tools' tests, in one test binary: a module per former test file
//! (linking one binary instead of one per file is most of what `cargo test` costs here).

mod common;
mod diff;
mod operations;
mod pull;
mod pull_transport;
mod sdl;
