//! Inputs the `response_decode` fuzz target found, replayed in the normal test run with the
//! target's own checks, and the same leak over real HTTP: a server value quoted in a decode
//! error must never carry a secret (the client's API key, a JWT) into an error's text. Also
//! the other server values an error repeats (role names in `InvalidRole`).

use crate::support;

use std::path::PathBuf;

use labelbox_sdk::__fuzz::{self as sdk, FUZZ_API_KEY};
use labelbox_sdk::{ConstructionError, ResponseError};
use labelbox_sdk::{CreateApiKeyRequest, Error, Validity};
use labelbox_sdk::{RoleRef, UserRef};
use serde_json::json;
use support::{client, user_json, Reply, TestServer, TEST_KEY};

/// The fuzz target's input format (planted JWT, operations by byte 0, statuses by byte 1).
const SECRET_JWT: &str = sdk::FUZZ_SECRET_JWT;
const OPERATION_NAMES: [&str; 20] = sdk::FUZZ_OPERATIONS;
const STATUSES: [u16; 12] = sdk::FUZZ_STATUSES;

fn fixtures() -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    let mut all: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    all.sort();
    all
}

/// The target's `sdk_decode` on one input; returns the operation and the error.
fn replay(input: &[u8]) -> Option<(&'static str, Error)> {
    let [op, status, body @ ..] = input else {
        return None;
    };
    let status = if status & 0x80 == 0 {
        200
    } else {
        STATUSES[usize::from(status & 0x7f) % STATUSES.len()]
    };
    let operation = *OPERATION_NAMES.get(usize::from(*op) % (OPERATION_NAMES.len() + 1))?;
    let error = sdk::decode(operation, status, body).err()?;
    assert!(
        !matches!(
            error,
            Error::Construction(ConstructionError::Configuration { .. })
        ),
        "{operation} not decodable: {error}"
    );
    Some((operation, error))
}

fn assert_no_secret(what: &str, error: &Error, secrets: &[&str]) {
    let mut shown = format!("{error}\n{error:?}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        shown.push_str(&format!("\n{cause}\n{cause:?}"));
        source = cause.source();
    }
    for secret in secrets {
        assert!(!shown.contains(secret), "{what}: secret in error: {shown}");
    }
}

#[test]
fn every_fuzz_finding_replays_without_a_secret_in_the_error() {
    let fixtures = fixtures();
    assert!(
        fixtures.len() >= 2,
        "the fuzz findings are missing from tests/fixtures/fuzz"
    );
    for (name, input) in &fixtures {
        let (operation, error) =
            replay(input).unwrap_or_else(|| panic!("{name}: no longer an error"));
        assert_no_secret(name, &error, &[FUZZ_API_KEY, SECRET_JWT]);
        assert!(
            matches!(error, Error::Response(ResponseError::Decode { .. })),
            "{name}: {operation}: {error:?}"
        );
    }
}

/// The committed seeds of the `response_decode` target (`fuzz/seeds/response_decode`, written
/// by `fuzz/make_seeds.py`) through the target's own checks, which panic where the one-pass
/// decoding and the `Value` path disagree; the listing seeds written for the one-pass
/// decoding (escapes, layout, `extensions`) must be decoded by it (else they check nothing
/// of it).
#[test]
fn every_response_decode_seed_replays_through_the_target_s_checks() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/response_decode");
    let mut seeds: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e} (the fuzz seeds are missing)", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    seeds.sort();
    assert!(
        seeds.len() >= 100,
        "only {} seeds in {}",
        seeds.len(),
        dir.display()
    );
    let mut read_in_one_pass = 0;
    for (name, input) in &seeds {
        if let Some((_, error)) = replay(input) {
            assert_no_secret(name, &error, &[FUZZ_API_KEY, SECRET_JWT]);
        }
        if name.starts_with("list_api_keys_one_pass") {
            assert!(
                sdk::read_listing(&input[2..]).is_some(),
                "{name}: the one-pass decoding declines it"
            );
            read_in_one_pass += 1;
        }
    }
    assert!(read_in_one_pass >= 4, "{read_in_one_pass} one-pass seeds");
}

#[test]
fn the_two_findings_are_decode_errors_at_created_at() {
    let fixtures = fixtures();
    let find = |name: &str| {
        let (_, input) = fixtures
            .iter()
            .find(|(n, _)| n == name)
            .unwrap_or_else(|| panic!("fixture {name} missing"));
        replay(input).unwrap()
    };
    let (operation, error) = find("response_decode-jwt-in-decode-error");
    assert_eq!(operation, "OrganizationUsersByEmail");
    assert!(
        matches!(&error, Error::Response(ResponseError::Decode { path, .. }) if path == "organization.users[0].createdAt"),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("not an ISO-8601 date-time"),
        "{error}"
    );
    let (operation, error) = find("response_decode-api-key-in-decode-error");
    assert_eq!(operation, "CurrentUser");
    assert!(
        matches!(&error, Error::Response(ResponseError::Decode { path, .. }) if path == "user.createdAt"),
        "{error:?}"
    );
}

/// A server echoing the client's API key (and a JWT) inside a malformed `user.createdAt`.
#[tokio::test]
async fn a_server_echoing_the_key_into_a_date_over_http_gets_no_secret_into_the_error() {
    let mut user = user_json("u1", "ada@example.com");
    user["createdAt"] = json!(format!("2026-11-26T08:56:16`{TEST_KEY}`{SECRET_JWT}Z"));
    let server = TestServer::always(Reply::data(json!({ "user": user }))).await;
    let error = client(&server.url).get_user().await.unwrap_err();
    assert!(
        matches!(&error, Error::Response(ResponseError::Decode { operation, path, .. })
            if operation == "CurrentUser" && path == "user.createdAt"),
        "{error:?}"
    );
    assert_no_secret("CurrentUser", &error, &[TEST_KEY, SECRET_JWT]);
}

/// The same through the creation preflight: a JWT in an organization user's `createdAt`,
/// and a value of the wrong type holding the key.
#[tokio::test]
async fn a_preflight_answer_with_secrets_in_bad_values_gets_none_into_the_error() {
    for bad in [
        json!(format!("20```T0m {SECRET_JWT}ders-26U08:T6:16.000Z")),
        json!({ "k": TEST_KEY }),
        json!([TEST_KEY, SECRET_JWT]),
    ] {
        let mut user = user_json("u1", "ada@example.com");
        user["createdAt"] = bad.clone();
        let server = TestServer::always(Reply::data(json!({
            "organization": {"id": "o1", "users": [user]},
            "organizationRole": {"permissions": ["LABEL"]},
            "roles": support::roles_json(),
        })))
        .await;
        let error = client(&server.url)
            .create_api_key(CreateApiKeyRequest::new(
                "ci",
                UserRef::by_email("ada@example.com"),
                RoleRef::by_name("Labeler"),
                Validity::MIN,
            ))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::Response(ResponseError::Decode { path, .. }) if path == "organization.users[0].createdAt"),
            "{bad}: {error:?}"
        );
        assert_no_secret(&bad.to_string(), &error, &[TEST_KEY, SECRET_JWT]);
    }
}

/// Role names come from the server and `InvalidRole` lists the grantable ones: a role name
/// holding the key or a JWT is scrubbed.
#[tokio::test]
async fn role_names_in_an_invalid_role_error_are_scrubbed() {
    let server = TestServer::always(Reply::data(json!({
        "organization": {"id": "o1", "users": [user_json("u1", "ada@example.com")]},
        "organizationRole": {"permissions": ["LABEL"]},
        "roles": [
            {"id": "r1", "name": format!("Labeler {TEST_KEY}"), "permissions": ["LABEL"], "organizationId": null},
            {"id": "r2", "name": format!("Viewer {SECRET_JWT}"), "permissions": [], "organizationId": null},
        ],
    })))
    .await;
    let error = client(&server.url)
        .create_api_key(CreateApiKeyRequest::new(
            "ci",
            UserRef::by_email("ada@example.com"),
            RoleRef::by_name("Admin"),
            Validity::MIN,
        ))
        .await
        .unwrap_err();
    match &error {
        Error::Construction(ConstructionError::InvalidRole { allowed, .. }) => assert_eq!(
            allowed,
            &[
                "Labeler [REDACTED]".to_owned(),
                "Viewer [REDACTED]".to_owned()
            ]
        ),
        other => panic!("{other:?}"),
    }
    assert_no_secret("InvalidRole", &error, &[TEST_KEY, SECRET_JWT]);
}
