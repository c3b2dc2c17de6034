//! The generated `Debug` of a response that holds a secret (declared with
//! `Generator::redact_in_debug` in build.rs) never shows it.

use labelbox_schema::create_api_key::{CreateApiKeyCreateApiKey, ResponseData};

const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl";

fn response() -> ResponseData {
    serde_json::from_value(serde_json::json!({
        "createApiKey": {"id": "ck1", "jwt": JWT}
    }))
    .unwrap()
}

#[test]
fn the_created_keys_jwt_is_not_in_debug_output() {
    let data = response();
    assert_eq!(data.create_api_key.as_ref().unwrap().jwt, JWT);
    for text in [format!("{data:?}"), format!("{data:#?}")] {
        assert!(!text.contains(JWT), "{text}");
        assert!(!text.contains("eyJ"), "{text}");
        assert!(
            text.contains("ck1") && text.contains("[REDACTED]"),
            "{text}"
        );
    }
}

#[test]
fn the_nested_type_redacts_on_its_own_and_keeps_its_other_fields() {
    let key: CreateApiKeyCreateApiKey = response().create_api_key.unwrap();
    assert_eq!(
        format!("{key:?}"),
        r#"CreateApiKeyCreateApiKey { id: "ck1", jwt: "[REDACTED]" }"#
    );
    // The derived traits the build asked for are still there.
    assert_eq!(key.clone(), key);
}
