//! Setup shared by the CLI's end-to-end test files: the built `labelbox` binary and an
//! emulator for it (from `labelbox-test-support`), under the names the tests use.
// Each test binary uses a different part of this module.
#![allow(dead_code, unused_imports)]

use std::ops::Deref;

pub use labelbox_test_support::cli::{assert_fails, assert_ok, is_jwt, stderr, stdout, CliEnv};
pub use labelbox_test_support::{repo_path, temp_dir};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_labelbox");

/// An emulator running on its own runtime while the test thread runs [`BIN`]
/// ([`CliEnv`] for this crate's binary).
pub struct Env(CliEnv);

impl Env {
    /// Starts an emulator with the default seed.
    pub fn start() -> Env {
        Env(CliEnv::start(BIN))
    }
}

impl Deref for Env {
    type Target = CliEnv;

    fn deref(&self) -> &CliEnv {
        &self.0
    }
}
