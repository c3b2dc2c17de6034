//! One contract table: the emulator keeps its own copy of the contract's limits and codes
//! (it never depends on `labelbox-core`, by design), and this test proves that copy equal to
//! the client's (`labelbox_core::contract`, re-exported by the SDK).

use labelbox_emulator::contract as emulator;
use labelbox_sdk::contract as client;
use labelbox_sdk::{IpAllowlist, Validity};

#[test]
fn validity_bounds_are_the_same() {
    assert_eq!(emulator::MIN_VALIDITY_SECONDS, client::MIN_VALIDITY_SECONDS);
    assert_eq!(emulator::MAX_VALIDITY_SECONDS, client::MAX_VALIDITY_SECONDS);
    // And `Validity` enforces exactly the client's table.
    assert_eq!(Validity::MIN.as_seconds(), client::MIN_VALIDITY_SECONDS);
    assert_eq!(Validity::MAX.as_seconds(), client::MAX_VALIDITY_SECONDS);
    assert!(Validity::from_seconds(client::MIN_VALIDITY_SECONDS - 1).is_err());
    assert!(Validity::from_seconds(client::MAX_VALIDITY_SECONDS + 1).is_err());
}

#[test]
fn allowlist_limit_is_the_same() {
    assert_eq!(
        emulator::MAX_ALLOWLIST_ENTRIES,
        client::MAX_ALLOWLIST_ENTRIES
    );
    let entries = |n: usize| (0..n).map(|i| format!("10.0.{}.{}", i / 256, i % 256));
    assert!(IpAllowlist::new(entries(client::MAX_ALLOWLIST_ENTRIES)).is_ok());
    assert!(IpAllowlist::new(entries(client::MAX_ALLOWLIST_ENTRIES + 1)).is_err());
}

#[test]
fn never_grantable_roles_are_the_same() {
    assert_eq!(
        emulator::NEVER_GRANTABLE_ROLES,
        client::NEVER_GRANTABLE_ROLES
    );
}

#[test]
fn classification_messages_are_the_same() {
    assert_eq!(
        emulator::QUERY_COMPLEXITY_MESSAGE,
        client::QUERY_COMPLEXITY_MESSAGE
    );
    assert_eq!(
        emulator::RATE_LIMIT_MESSAGE_PREFIX,
        client::RATE_LIMIT_MESSAGE_PREFIX
    );
}

#[test]
fn every_code_the_emulator_sends_is_in_the_clients_table() {
    use emulator::codes::*;
    // The codes the emulator sends, spelled by its own constants.
    let sent = [
        AUTHENTICATION_ERROR,
        AUTHORIZATION_ERROR,
        GRAPHQL_PARSE_FAILED,
        GRAPHQL_VALIDATION_FAILED,
        RESOURCE_NOT_FOUND,
        MALFORMED_REQUEST,
        INTERNAL_SERVER_ERROR,
    ];
    for code in sent {
        assert!(client::codes::ALL.contains(&code), "{code}");
    }
    // Apollo Server's code for variables of the wrong type: not a row of the contract, so
    // the client reports it as an unknown GraphQL error (with its code kept).
    assert!(!client::codes::ALL.contains(&BAD_USER_INPUT));
}
