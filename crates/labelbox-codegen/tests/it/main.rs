//! The code generator's tests, in one test binary: a module per former test file (one binary to
//! compile and link instead of one per file).

mod emitted;
mod generated_code;
mod generator;
