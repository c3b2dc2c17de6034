//! The generated modules: one per document of `queries/`, carrying the document text, with
//! variables that serialise to the wire names and responses that decode `DateTime` leniently.

use apollo_compiler::{ast, ExecutableDocument, Schema};
use labelbox_schema::{
    create_api_key, create_api_key_preflight, list_api_keys, revoke_api_key, GraphQLQuery,
    OPERATIONS, SCHEMA_SDL,
};
use serde_json::json;
use time::macros::datetime;

#[test]
fn every_document_of_queries_is_an_operation() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../queries");
    let documents = std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "graphql")
        })
        .count();
    assert_eq!(OPERATIONS.len(), documents, "{OPERATIONS:?}");
    for name in [
        "ListApiKeys",
        "CreateApiKey",
        "RevokeApiKey",
        "CreateApiKeyPreflight",
    ] {
        assert!(
            OPERATIONS.contains(&name),
            "{name} missing from {OPERATIONS:?}"
        );
    }
}

/// `QUERY` is the file's document without its `#` comments and layout: the same
/// definitions and selections, valid against the schema.
#[test]
fn the_query_text_is_the_document_without_comments() {
    let schema = Schema::parse_and_validate(SCHEMA_SDL, "labelbox.graphql").unwrap();
    for (file, operation, query) in [
        (
            include_str!("../../../../queries/create_api_key.graphql"),
            "CreateApiKey",
            create_api_key::QUERY,
        ),
        (
            include_str!("../../../../queries/list_api_keys.graphql"),
            "ListApiKeys",
            list_api_keys::QUERY,
        ),
        (
            include_str!("../../../../queries/create_api_key_preflight.graphql"),
            "CreateApiKeyPreflight",
            create_api_key_preflight::QUERY,
        ),
        (
            include_str!("../../../../queries/revoke_api_key.graphql"),
            "RevokeApiKey",
            revoke_api_key::QUERY,
        ),
    ] {
        assert!(file.contains('#'), "the fixture documents itself: {file}");
        assert!(!query.contains('#'), "a comment went into QUERY: {query}");
        assert!(!query.contains('\n'), "QUERY is one line: {query}");
        let written = ast::Document::parse(file, "file.graphql").unwrap();
        assert_eq!(query, written.serialize().no_indent().to_string());
        let sent = ExecutableDocument::parse_and_validate(&schema, query, "query.graphql")
            .unwrap_or_else(|e| panic!("{operation}: {e}"));
        assert!(sent.operations.get(Some(operation)).is_ok(), "{query}");
        // Same definitions and selections as the file: the parsed documents are equal.
        let reparsed = ast::Document::parse(query, "query.graphql").unwrap();
        assert_eq!(reparsed.definitions, written.definitions, "{operation}");
        assert!(query.len() < file.len(), "{operation}");
    }
}

#[test]
fn create_api_key_variables_use_the_wire_names() {
    let body = create_api_key::CreateApiKey::build_query(create_api_key::Variables {
        name: "ci".to_owned(),
        user_email: "admin@example.com".to_owned(),
        role: Some("Admin".to_owned()),
        validity_seconds: Some(1_209_600),
        allowed_ip_cidrs: Some(vec!["10.0.0.0/8".to_owned()]),
    });
    assert_eq!(body.operation_name, "CreateApiKey");
    assert_eq!(body.query, create_api_key::QUERY);
    assert_eq!(
        serde_json::to_value(&body.variables).unwrap(),
        json!({
            "name": "ci",
            "userEmail": "admin@example.com",
            "role": "Admin",
            "validitySeconds": 1_209_600,
            "allowedIpCidrs": ["10.0.0.0/8"],
        })
    );
}

#[test]
fn list_api_keys_response_decodes_with_lenient_dates() {
    let key = |id: &str, created: &str| {
        json!({
            "id": id, "name": "ci", "createdAt": created, "updatedAt": "2026-11-26T08:56:16Z",
            "revoked": false, "expiresAtEpoch": 1_800_000_000, "userId": "u1",
            "userEmail": "a@example.com", "createdByUserId": null, "allowedIpCidrs": null,
        })
    };
    let data: list_api_keys::ResponseData = serde_json::from_value(json!({
        "user": {
            "id": "u1",
            "apiKeys": [key("k1", "2026-11-26T08:56:16.000Z")],
            "apiKeysOtherUsers": [key("k2", "2026-11-26 08:56:16")],
        }
    }))
    .unwrap();
    let user = data.user.unwrap();
    let mine: &list_api_keys::ApiKeyFields = &user.api_keys[0];
    assert_eq!(mine.created_at.0, datetime!(2026-11-26 08:56:16 UTC));
    assert_eq!(
        user.api_keys_other_users[0].created_at.0,
        datetime!(2026-11-26 08:56:16 UTC)
    );
    assert_eq!(mine.expires_at_epoch, 1_800_000_000_i64);
    assert_eq!(mine.allowed_ip_cidrs, None);

    let bad = serde_json::from_value::<list_api_keys::ResponseData>(json!({
        "user": { "id": "u1", "apiKeys": [key("k1", "last tuesday")], "apiKeysOtherUsers": [] }
    }));
    // The error says what was expected, never the server's value (it could be a secret).
    let error = bad.unwrap_err().to_string();
    assert!(error.contains("not an ISO-8601 date-time"), "{error}");
    assert!(!error.contains("last tuesday"), "{error}");
}

#[test]
fn the_bundled_sdl_is_the_checked_in_schema() {
    assert_eq!(
        labelbox_schema::SCHEMA_SDL,
        include_str!("../../../../schema/labelbox.graphql")
    );
}
