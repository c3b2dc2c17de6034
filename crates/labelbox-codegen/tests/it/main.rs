//! The code generator's tests, in one test binary: a module per former test file
//! (linking one binary instead of one per file is most of what `cargo test` costs here).

mod emitted;
mod generated_code;
mod generator;
