//! Orphan reconciliation runs on the server's clock and touches only the caller's keys.
//!
//! A creation whose answer is lost after the key was committed is reconciled by listing
//! the target user's keys and revoking the lost one. The window is taken from the server's
//! `Date` (the emulator's follows its own clock, like the `createdAt` it writes), and only
//! keys the caller created are candidates, so neither a server clock behind ours (the
//! orphan would look too old) nor one ahead (another client's key would look new) goes
//! wrong.

use std::time::Duration;

use labelbox_emulator::{Emulator, EmulatorConfig, EmulatorHandle, Fault};
use labelbox_sdk::{Client, CreateApiKeyRequest, Validity};
use labelbox_sdk::{RoleRef, UserRef};

const USER: &str = "labeler@example.com";

fn client(emulator: &EmulatorHandle, key: &str) -> Client {
    labelbox_test_support::emulator::client_builder(emulator, key)
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

fn request(name: &str) -> CreateApiKeyRequest {
    CreateApiKeyRequest::new(
        name,
        UserRef::by_email(USER),
        RoleRef::by_name("Labeler"),
        Validity::MIN,
    )
}

/// Moves the emulator clock by `seconds` (negative: back) through its administration
/// endpoint, as the bootstrap admin; the handle's `advance_clock` only goes forward.
async fn move_server_clock(emulator: &EmulatorHandle, seconds: i64) {
    let url = emulator.endpoint().replace("/graphql", "/_emulator/clock");
    let response = reqwest::Client::new()
        .post(url)
        .bearer_auth(emulator.admin_key())
        .header("content-type", "application/json")
        .body(format!(r#"{{"advanceSeconds": {seconds}}}"#))
        .send()
        .await
        .unwrap();
    assert!(
        response.status().is_success(),
        "POST /_emulator/clock answered {}: this test moves the clock as the bootstrap \
         admin; if the endpoint now needs another credential, give it here",
        response.status()
    );
}

/// The keys named `name` for [`USER`], oldest first: (id, revoked).
fn keys_named(emulator: &EmulatorHandle, name: &str) -> Vec<(String, bool)> {
    emulator
        .keys()
        .into_iter()
        .filter(|k| k.name == name && k.user_email == USER)
        .map(|k| (k.id, k.revoked))
        .collect()
}

#[tokio::test]
async fn with_the_server_clock_a_minute_behind_a_lost_creation_leaves_no_live_orphan() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    move_server_clock(&emulator, -60).await;
    let behind = time::OffsetDateTime::now_utc() - emulator.now();
    assert!(behind >= time::Duration::seconds(59), "{behind}");

    let admin = client(&emulator, emulator.admin_key());
    // The first mutation is committed, then its answer is lost.
    emulator.faults().fail_next(1, Fault::CommitThenDrop);
    let created = admin
        .create_api_key(request("behind"))
        .await
        .expect("reconciled and created once more");

    let keys = keys_named(&emulator, "behind");
    assert_eq!(keys.len(), 2, "the lost key and the one we hold: {keys:?}");
    let live: Vec<_> = keys.iter().filter(|(_, revoked)| !revoked).collect();
    assert_eq!(live.len(), 1, "no live orphan: {keys:?}");
    assert_eq!(live[0].0, created.id().as_str(), "the live key is ours");
    emulator.shutdown().await;
}

#[tokio::test]
async fn with_the_server_clock_ahead_another_clients_key_of_the_same_name_is_spared() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    emulator.advance_clock(Duration::from_secs(60));

    // Another administrator creates a key of the same name for the same user, just before.
    let (_, other_key) = emulator
        .issue_key("admin2@example.com", "Admin", 3600, None)
        .unwrap();
    let theirs = client(&emulator, &other_key)
        .create_api_key(request("shared"))
        .await
        .unwrap();

    let admin = client(&emulator, emulator.admin_key());
    emulator.faults().fail_next(1, Fault::CommitThenDrop);
    let ours = admin
        .create_api_key(request("shared"))
        .await
        .expect("reconciled and created once more");

    let keys = keys_named(&emulator, "shared");
    assert_eq!(keys.len(), 3, "theirs, the lost one, ours: {keys:?}");
    let live: Vec<&str> = keys
        .iter()
        .filter(|(_, revoked)| !revoked)
        .map(|(id, _)| id.as_str())
        .collect();
    assert_eq!(
        live,
        [theirs.id().as_str(), ours.id().as_str()],
        "the other client's key is not revoked; only our lost one is: {keys:?}"
    );
    emulator.shutdown().await;
}
