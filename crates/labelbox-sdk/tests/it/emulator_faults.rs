//! Under every fault the emulator can inject, aimed at the key-creation mutation (once, or
//! on every attempt), no duplicate and no orphaned live key remains: the caller ends with
//! exactly one live key of that name whose secret it holds, or with `CreationFailed` and
//! every key it caused revoked.
//!
//! The fault is aimed at the `CreateApiKey` operation by the emulator itself
//! ([`Faults::fail_next_operation`](labelbox_emulator::Faults::fail_next_operation)), so it
//! hits the mutation and not the preflight before it or the reconciliation after it.

use std::sync::Arc;
use std::time::Duration;

use labelbox_emulator::{Emulator, EmulatorConfig, EmulatorHandle, Fault};
use labelbox_sdk::{Client, CreateApiKeyRequest, Error, ExposeSecret, Validity};
use labelbox_sdk::{RoleRef, UserRef};

const TIMEOUT: Duration = Duration::from_millis(500);
const USER: &str = "labeler@example.com";
/// The operation the faults are aimed at.
const CREATE: &str = "CreateApiKey";

fn client(emulator: &EmulatorHandle, key: &str) -> Client {
    labelbox_test_support::emulator::client_builder(emulator, key)
        .timeout(TIMEOUT)
        .build()
        .unwrap()
}

fn faults() -> Vec<(&'static str, Fault)> {
    vec![
        ("http500", Fault::Http500),
        ("bad-gateway", Fault::BadGateway502Html),
        ("upstream-503", Fault::UpstreamConnect503),
        ("drop", Fault::DropConnection),
        ("delay", Fault::Delay(TIMEOUT * 3)),
        ("commit-then-drop", Fault::CommitThenDrop),
    ]
}

/// Creates a key named `name` with `fault` injected into the first `times` mutations, and
/// checks what is left at the emulator once any delayed request has finished.
async fn create_under(name: &str, fault: Fault, times: u32) -> Result<(), Error> {
    let emulator = Arc::new(Emulator::start(EmulatorConfig::default()).await.unwrap());
    let admin = client(&emulator, emulator.admin_key());
    emulator.faults().fail_next_operation(CREATE, times, fault);
    let outcome = tokio::time::timeout(
        Duration::from_secs(30),
        admin.create_api_key(CreateApiKeyRequest::new(
            name,
            UserRef::by_email(USER),
            RoleRef::by_name("Labeler"),
            Validity::MIN,
        )),
    )
    .await
    .unwrap_or_else(|_| panic!("{name}: hung"));
    // A delayed request may still be held after the client gave up: wait until the emulator
    // has finished it (served, or dropped with its connection) before counting the keys.
    let in_flight = format!("{name}: the delayed request finished");
    labelbox_test_support::eventually(&in_flight, async || {
        emulator.faults().delayed_in_flight() == 0
    })
    .await;
    assert_eq!(emulator.faults().pending(), 0, "{name}: the fault was used");
    let keys: Vec<_> = emulator
        .keys()
        .into_iter()
        .filter(|k| k.name == name && k.user_email == USER)
        .collect();
    let live: Vec<_> = keys.iter().filter(|k| !k.revoked).collect();
    let result = match outcome {
        Ok(created) => {
            assert_eq!(live.len(), 1, "{name}: exactly one live key: {keys:?}");
            assert_eq!(live[0].id, created.id().as_str(), "{name}: the one we hold");
            let as_user = client(&emulator, created.secret().expose_secret());
            assert_eq!(as_user.get_user().await.unwrap().email, USER, "{name}");
            Ok(())
        }
        Err(error) => {
            assert!(live.is_empty(), "{name}: no orphan left live: {keys:?}");
            if let Error::CreationFailed {
                orphans_revoked, ..
            } = &error
            {
                for key in &keys {
                    assert!(
                        orphans_revoked.iter().any(|id| id.as_str() == key.id),
                        "{name}: {} revoked and named in the error",
                        key.id
                    );
                }
            }
            Err(error)
        }
    };
    drop(admin);
    if let Ok(emulator) = Arc::try_unwrap(emulator) {
        emulator.shutdown().await;
    }
    result
}

#[tokio::test]
async fn one_fault_on_the_mutation_ends_with_exactly_one_live_key_we_hold() {
    for (name, fault) in faults() {
        let outcome = create_under(name, fault, 1).await;
        assert!(outcome.is_ok(), "{name}: {outcome:?}");
    }
}

#[tokio::test]
async fn a_fault_on_every_attempt_ends_in_creation_failed_with_no_live_key() {
    for (name, fault) in faults() {
        let error = create_under(name, fault, 2).await.unwrap_err();
        assert!(
            matches!(error, Error::CreationFailed { .. }),
            "{name}: {error:?}"
        );
        assert!(!error.is_retryable());
    }
}

/// A client's own earlier key of the same name and user is never taken for an orphan: a
/// batch rotation of two same-named keys, or two tasks creating alike, used to revoke the
/// first (handed over) key when the second creation's answer was lost.
#[tokio::test]
async fn reconciliation_spares_a_same_named_key_this_client_handed_over() {
    let emulator = Arc::new(Emulator::start(EmulatorConfig::default()).await.unwrap());
    let admin = client(&emulator, emulator.admin_key());
    let request = || {
        CreateApiKeyRequest::new(
            "deploy",
            UserRef::by_email(USER),
            RoleRef::by_name("Labeler"),
            Validity::MIN,
        )
    };
    let first = admin.create_api_key(request()).await.unwrap();

    // The second creation's answer is lost after the key was committed.
    emulator
        .faults()
        .fail_next_operation(CREATE, 1, Fault::CommitThenDrop);
    let second = admin.create_api_key(request()).await.unwrap();
    assert_eq!(emulator.faults().pending(), 0, "the fault was used");

    let live: Vec<String> = emulator
        .keys()
        .into_iter()
        .filter(|k| k.name == "deploy" && !k.revoked)
        .map(|k| k.id)
        .collect();
    assert!(
        live.iter().any(|id| id == first.id().as_str()),
        "the first key, handed over before, is still live: {live:?}"
    );
    assert!(live.iter().any(|id| id == second.id().as_str()), "{live:?}");
    assert_eq!(live.len(), 2, "the lost copy was revoked: {live:?}");
    let as_user = client(&emulator, first.secret().expose_secret());
    assert_eq!(as_user.get_user().await.unwrap().email, USER);
    drop(admin);
    if let Ok(emulator) = Arc::try_unwrap(emulator) {
        emulator.shutdown().await;
    }
}
