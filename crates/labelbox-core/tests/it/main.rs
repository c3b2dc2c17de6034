//! The core crate's property and regression tests, in one test binary: a module per former test
//! file (one binary to compile and link instead of one per file).

mod properties;
mod regressions;
