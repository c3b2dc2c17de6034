//! Helpers shared by the emulator's HTTP tests: raw GraphQL over HTTP from
//! `labelbox-test-support` (operation texts come from `queries/*.graphql`), an emulator with
//! a deterministic admin key, and a scratch state file.
#![allow(dead_code, unused_imports)]

use labelbox_emulator::{EmulatorConfig, EmulatorHandle};

pub use labelbox_test_support::graphql::*;

/// Starts an in-memory emulator with a deterministic admin key.
pub async fn start() -> EmulatorHandle {
    labelbox_test_support::emulator::start_with(
        EmulatorConfig::default().admin_key_seed("emulator-tests"),
    )
    .await
}

/// A fresh temporary path (not created), in a scratch folder of its own.
pub fn temp_path(name: &str) -> std::path::PathBuf {
    labelbox_test_support::temp_dir(&format!("emulator-{name}")).join("state.json")
}
