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

/// A fresh temporary path (not created).
pub fn temp_path(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "labelbox-emulator-tests-{}-{}",
        std::process::id(),
        name
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("state.json")
}
