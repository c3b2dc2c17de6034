//! An in-process emulator, and (feature `sdk`) an SDK client for it.

use labelbox_emulator::{Emulator, EmulatorConfig, EmulatorHandle};

/// Starts an in-memory emulator with the default seed on `127.0.0.1:0`.
pub async fn start() -> EmulatorHandle {
    start_with(EmulatorConfig::default()).await
}

/// Starts an emulator with `config`.
pub async fn start_with(config: EmulatorConfig) -> EmulatorHandle {
    Emulator::start(config).await.expect("emulator starts")
}

/// A client builder for the emulator with `key`, and retries that back off only a
/// millisecond (so tests of retrying stay fast).
#[cfg(feature = "sdk")]
pub fn client_builder(emulator: &EmulatorHandle, key: &str) -> labelbox_sdk::ClientBuilder {
    endpoint_client_builder(&emulator.endpoint(), key)
}

/// [`client_builder`] for any endpoint (a scripted server's, a console's emulator's).
#[cfg(feature = "sdk")]
pub fn endpoint_client_builder(endpoint: &str, key: &str) -> labelbox_sdk::ClientBuilder {
    use std::time::Duration;
    labelbox_sdk::Client::builder()
        .api_key(key)
        .endpoint(endpoint)
        .retry_policy(
            labelbox_sdk::RetryPolicy::default()
                .initial_backoff(Duration::from_millis(1))
                .max_backoff(Duration::from_millis(5)),
        )
}

/// [`client_builder`], built.
#[cfg(feature = "sdk")]
pub fn client(emulator: &EmulatorHandle, key: &str) -> labelbox_sdk::Client {
    client_builder(emulator, key)
        .build()
        .expect("client builds")
}

/// A client for the emulator's bootstrap admin.
#[cfg(feature = "sdk")]
pub fn admin(emulator: &EmulatorHandle) -> labelbox_sdk::Client {
    client(emulator, emulator.admin_key())
}
