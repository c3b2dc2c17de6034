//! The schema tools' tests, in one test binary: a module per former test file (one binary to
//! compile and link instead of one per file).

mod common;
mod diff;
mod operations;
mod pull;
mod pull_transport;
mod sdl;
