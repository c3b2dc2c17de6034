//! A `createApiKey` answer carrying both `errors` and a created key (id and JWT): the key
//! is live, so it is never silently dropped. The SDK revokes it (its settings cannot be
//! trusted when the server reports errors) and fails with `CreationFailed` naming it; the
//! server receives the revocation, and the JWT appears in no error text and no log.

use crate::support;

use labelbox_sdk::{CreateApiKeyRequest, Error, Validity};
use labelbox_sdk::{RoleRef, UserRef};
use labelbox_test_support::capture::Capture;
use serde_json::json;
use support::{client, fake_labelbox, Recorded, Reply, TestServer, CREATED_JWT, TEST_KEY};

const ID: &str = "ck_partial";

fn request() -> CreateApiKeyRequest {
    CreateApiKeyRequest::new(
        "ci",
        UserRef::by_email("bob@example.com"),
        RoleRef::by_name("Labeler"),
        Validity::MIN,
    )
}

/// The created key beside an error with `code`.
fn created_with_error(code: &str) -> Reply {
    Reply::json(json!({
        "data": {"createApiKey": {"id": ID, "jwt": CREATED_JWT}},
        "errors": [{
            "message": format!("allowlist not stored for {CREATED_JWT}"),
            "path": ["createApiKey", "allowedIpCidrs"],
            "extensions": {"code": code}
        }]
    }))
}

fn texts(error: &Error) -> String {
    let mut shown = format!("{error}\n{error:?}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        shown.push_str(&format!("\n{cause}\n{cause:?}"));
        source = cause.source();
    }
    shown
}

fn operations(server: &TestServer, name: &str) -> Vec<Recorded> {
    server
        .requests()
        .into_iter()
        .filter(|r| r.operation() == name)
        .collect()
}

#[tokio::test]
async fn a_key_created_beside_errors_is_revoked_and_named() {
    // One code the SDK reads as "may have happened" and one it reads as a definite answer.
    for code in [
        "INTERNAL_SERVER_ERROR",
        "AUTHORIZATION_ERROR",
        "SOMETHING_NEW",
    ] {
        let server = TestServer::start(move |request, n| match request.operation().as_str() {
            "CreateApiKey" => created_with_error(code),
            _ => fake_labelbox(request, n),
        })
        .await;
        let capture = Capture::default();
        let error = {
            let _guard = capture.set_default();
            client(&server.url)
                .create_api_key(request())
                .await
                .expect_err("a creation with errors fails")
        };
        match &error {
            Error::CreationFailed {
                orphans_revoked,
                source,
                ..
            } => {
                let ids: Vec<&str> = orphans_revoked.iter().map(|id| id.as_str()).collect();
                assert_eq!(ids, [ID], "{code}: the created key is named as revoked");
                assert!(source.is_some(), "{code}: the server's error is the source");
            }
            other => panic!("{code}: {other:?}"),
        }
        let revokes = operations(&server, "RevokeApiKey");
        assert_eq!(
            revokes.len(),
            1,
            "{code}: the server received one revocation"
        );
        assert_eq!(revokes[0].json()["variables"]["id"], ID, "{code}");
        assert_eq!(
            operations(&server, "CreateApiKey").len(),
            1,
            "{code}: not created again"
        );
        let shown = texts(&error);
        assert!(shown.contains("revoked"), "{code}: {shown}");
        for secret in [CREATED_JWT, TEST_KEY] {
            assert!(!shown.contains(secret), "{code}: secret in error: {shown}");
            assert!(
                !capture.text().contains(secret),
                "{code}: secret in logs: {}",
                capture.text()
            );
        }
    }
}

#[tokio::test]
async fn when_the_revocation_fails_the_error_names_the_live_key() {
    let server = TestServer::start(|request, n| match request.operation().as_str() {
        "CreateApiKey" => created_with_error("INTERNAL_SERVER_ERROR"),
        "RevokeApiKey" => Reply::json(json!({
            "data": null,
            "errors": [{"message": "no", "extensions": {"code": "AUTHORIZATION_ERROR"}}]
        })),
        _ => fake_labelbox(request, n),
    })
    .await;
    let error = client(&server.url)
        .create_api_key(request())
        .await
        .unwrap_err();
    match &error {
        Error::CreationFailed {
            orphans_revoked,
            message,
            ..
        } => {
            assert!(orphans_revoked.is_empty(), "{error:?}");
            assert!(
                message.contains(ID) && message.contains("revoke it"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(operations(&server, "RevokeApiKey").len(), 1);
    let shown = texts(&error);
    assert!(!shown.contains(CREATED_JWT), "{shown}");
}
