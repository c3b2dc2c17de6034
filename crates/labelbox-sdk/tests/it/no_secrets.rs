//! No API key and no created JWT appears in `Debug` or `Display` of any public type that
//! holds one, in any error, or in the SDK's logs at TRACE level.

use crate::support;

use labelbox_sdk::KeyOrder;
use labelbox_sdk::{
    ApiKeyId, Client, CreateApiKeyRequest, Error, ExposeSecret, RetryPolicy, SecretString, Validity,
};
use labelbox_sdk::{RoleRef, UserRef};
use labelbox_test_support::capture::Capture;
use serde_json::json;
use support::{client, client_builder, fake_labelbox, Reply, TestServer, CREATED_JWT, TEST_KEY};

fn assert_clean(text: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(!text.contains(secret), "secret found in: {text}");
    }
    // No fragment of the key or of the JWT's signature either.
    assert!(!text.contains("9f8e7d6c5b4a"), "key fragment in: {text}");
    assert!(
        !text.contains("c2VjcmV0LXNpZ25hdHVyZS"),
        "JWT fragment in: {text}"
    );
}

#[tokio::test]
async fn debug_and_display_of_secret_holders_and_errors_show_no_secret() {
    let capture = Capture::default();
    let _guard = capture.set_default();

    let mut shown = Vec::new();
    let builder = client_builder("http://127.0.0.1:1/graphql");
    shown.push(format!("{builder:?} {builder:#?}"));
    let builder = Client::builder().api_key(SecretString::from(TEST_KEY));
    shown.push(format!("{builder:?}"));

    let server = TestServer::start(fake_labelbox).await;
    let client = client(&server.url);
    shown.push(format!("{client:?} {client:#?}"));

    let created = client
        .create_api_key(CreateApiKeyRequest::new(
            "ci",
            UserRef::by_email("ada@example.com"),
            RoleRef::by_name("Labeler"),
            Validity::MIN,
        ))
        .await
        .unwrap();
    assert_eq!(created.secret().expose_secret(), CREATED_JWT);
    shown.push(format!("{created:?} {created:#?} {:?}", created.secret()));
    client
        .list_api_keys()
        .include_expired(true)
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap();
    client.revoke_api_key(created.id()).await.unwrap();

    // Errors of every kind, with the key in flight.
    let mut errors: Vec<Error> = vec![
        Client::builder().build().unwrap_err(),
        Client::builder()
            .api_key(format!("{TEST_KEY}\n"))
            .endpoint("http://example.com/graphql")
            .build()
            .unwrap_err(),
        Client::builder()
            .api_key(format!("bad\u{7f}{TEST_KEY}"))
            .build()
            .unwrap_err(),
    ];
    let replies = [
        Reply::text(500, TEST_KEY),
        Reply::text(200, &format!("<html>{CREATED_JWT}</html>")),
        Reply::json(
            json!({"errors": [{"message": "Invalid API key", "extensions": {"code": "AUTHENTICATION_ERROR"}}]}),
        ),
        Reply::data(json!({"createApiKey": {"id": 5, "jwt": CREATED_JWT}})),
        Reply::data(json!({"createApiKey": {"id": CREATED_JWT, "jwt": 5}})),
        Reply::data(json!({"user": {"id": "u1", "createdAt": CREATED_JWT}})),
        Reply::status_json(401, json!({"detail": TEST_KEY})),
        Reply::Drop,
    ];
    for reply in replies {
        let server = TestServer::always(reply).await;
        let no_retry = client_builder(&server.url)
            .retry_policy(RetryPolicy::none())
            .build()
            .unwrap();
        errors.push(no_retry.get_user().await.unwrap_err());
        errors.push(
            no_retry
                .revoke_api_key(&ApiKeyId::from("ck1"))
                .await
                .unwrap_err(),
        );
    }
    // A create whose mutation answer is garbage containing the JWT.
    let server = TestServer::start(|request, n| {
        if request.operation() == "CreateApiKey" {
            Reply::text(502, CREATED_JWT)
        } else {
            fake_labelbox(request, n)
        }
    })
    .await;
    errors.push(
        support::client(&server.url)
            .create_api_key(CreateApiKeyRequest::new(
                "ci",
                UserRef::by_email("ada@example.com"),
                RoleRef::by_name("Labeler"),
                Validity::MIN,
            ))
            .await
            .unwrap_err(),
    );
    assert!(errors.len() > 15);
    for error in &errors {
        let mut text = format!("{error} {error:?} {error:#?}");
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            text.push_str(&format!(" {cause} {cause:?}"));
            source = cause.source();
        }
        shown.push(text);
    }

    let logs = capture.text();
    assert!(
        logs.contains("labelbox.operation"),
        "spans were captured: {logs}"
    );
    assert!(logs.contains("CreateApiKey"));
    shown.push(logs);
    for text in &shown {
        assert_clean(text, &[TEST_KEY, CREATED_JWT]);
    }
}

/// The whole flow against the emulator at TRACE level, a reconciled creation included
/// (the first mutation commits and its answer is lost, so the orphan is listed and revoked
/// and the mutation sent again): the logs hold one span per operation with its name,
/// attempt, HTTP status and duration, and no API key, no JWT and no fragment of one.
#[tokio::test]
async fn trace_logs_of_a_reconciled_creation_hold_spans_and_no_secret() {
    use labelbox_emulator::{Emulator, EmulatorConfig, Fault};

    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let capture = Capture::default();
    let _guard = capture.set_default();
    let admin = client_builder(&emulator.endpoint())
        .api_key(emulator.admin_key())
        .build()
        .unwrap();
    admin
        .list_api_keys()
        .include_expired(true)
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap();
    emulator.faults().fail_next(1, Fault::CommitThenDrop);
    let created = admin
        .create_api_key(CreateApiKeyRequest::new(
            "traced",
            UserRef::by_email("labeler@example.com"),
            RoleRef::by_name("Labeler"),
            Validity::MIN,
        ))
        .await
        .unwrap();
    assert_eq!(emulator.operation_count("CreateApiKey"), 2, "reconciled");
    let orphan = emulator
        .keys()
        .into_iter()
        .find(|k| k.name == "traced" && k.revoked)
        .expect("the orphan was revoked");
    let as_labeler = client_builder(&emulator.endpoint())
        .api_key(created.secret().expose_secret())
        .build()
        .unwrap();
    as_labeler.get_user().await.unwrap();
    admin.revoke_api_key(created.id()).await.unwrap();
    let error = as_labeler.get_user().await.unwrap_err();
    let error_text = format!("{error} {error:?}");

    let logs = capture.text();
    // One span per operation, naming it, with attempt, status and duration recorded.
    for operation in [
        "ListApiKeys",
        "CreateApiKeyPreflight",
        "CreateApiKey",
        "RevokeApiKey",
    ] {
        assert!(
            logs.contains(&format!("span labelbox.operation: operation={operation}")),
            "{operation} span in: {logs}"
        );
    }
    for field in [" attempt=", " status=200", " duration_ms="] {
        assert!(logs.contains(field), "{field} in: {logs}");
    }
    assert!(
        logs.contains(orphan.id.as_str()),
        "the revoked orphan is named"
    );
    for text in [&logs, &error_text] {
        for secret in [
            emulator.admin_key(),
            created.secret().expose_secret(),
            TEST_KEY,
        ] {
            assert!(!text.contains(secret), "secret in: {text}");
            // Nor its signature, the part that makes it a credential.
            let signature = secret.rsplit('.').next().unwrap();
            assert!(!text.contains(signature), "signature in: {text}");
        }
        assert!(!text.contains("eyJ"), "JWT-like text in: {text}");
        assert!(!text.to_ascii_lowercase().contains("bearer"), "{text}");
    }
    emulator.shutdown().await;
}
