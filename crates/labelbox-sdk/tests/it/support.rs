//! The SDK's scripted-server tests: the server (`labelbox_test_support::scripted`), a client
//! for it with the test key, and the answers of a well-behaved fake Labelbox.

#![allow(dead_code)] // a helper may serve no test for a while

use serde_json::Value;

pub use labelbox_test_support::scripted::{Recorded, Reply, TestServer};

/// The API key the test clients use (not a real secret, but tests check it never leaks).
pub const TEST_KEY: &str = "test-key-9f8e7d6c5b4a-do-not-print";

/// The JWT the fake server returns for a created key.
pub const CREATED_JWT: &str =
    "eyJhbGciOiJIUzI1NiJ9.eyJqdGkiOiJja19uZXcifQ.c2VjcmV0LXNpZ25hdHVyZS1ub3QtdG8tbGVhaw";

/// A client for `url` with the test key and retries that back off only a millisecond.
pub fn client(url: &str) -> labelbox_sdk::Client {
    client_builder(url).build().unwrap()
}

/// A builder for `url` with the test key and fast retries.
pub fn client_builder(url: &str) -> labelbox_sdk::ClientBuilder {
    labelbox_test_support::emulator::endpoint_client_builder(url, TEST_KEY)
}

/// A user as the server returns it.
pub fn user_json(id: &str, email: &str) -> Value {
    serde_json::json!({
        "createdAt": "2024-01-01T00:00:00.000Z",
        "email": email,
        "isExternalUser": false,
        "isViewer": false,
        "lastLoginAt": null,
        "nickname": null,
        "name": email.split('@').next().unwrap(),
        "picture": null,
        "id": id,
        "updatedAt": "2024-01-02T00:00:00.000Z"
    })
}

/// A key as the list query returns it, expiring at `expires` (Unix seconds).
pub fn key_json(id: &str, name: &str, user_id: &str, email: &str, expires: i64) -> Value {
    serde_json::json!({
        "id": id,
        "name": name,
        "createdAt": "2024-01-01T00:00:00.000Z",
        "updatedAt": "2024-01-01T00:00:00.000Z",
        "revoked": false,
        "expiresAtEpoch": expires,
        "userId": user_id,
        "userEmail": email,
        "createdByUserId": null,
        "allowedIpCidrs": ["10.0.0.0/8"]
    })
}

/// Unix seconds one day from now / one day ago.
pub fn tomorrow() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp() + 86_400
}

/// Unix seconds one day ago.
pub fn yesterday() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp() - 86_400
}

/// The roles with permissions the fake server knows; the caller holds `LABEL` and
/// `REVIEW` only, so it may grant `Labeler` and `Reviewer`.
pub fn roles_json() -> Value {
    serde_json::json!([
        {"id": "r0", "name": "None", "permissions": [], "organizationId": null},
        {"id": "r1", "name": "Labeler", "permissions": ["LABEL"], "organizationId": null},
        {"id": "r2", "name": "Reviewer", "permissions": ["LABEL", "REVIEW"], "organizationId": null},
        {"id": "r3", "name": "Team Manager", "permissions": ["LABEL", "REVIEW", "MANAGE"], "organizationId": null},
        {"id": "r4", "name": "Admin", "permissions": ["LABEL", "REVIEW", "MANAGE", "ADMIN"], "organizationId": null},
        {"id": "r5", "name": "Tenant Admin", "permissions": [], "organizationId": null}
    ])
}

/// A well-behaved fake Labelbox: answers each operation by name with fixed data. The
/// organization has `ada@example.com` (u1, the caller) and `bob@example.com` (u2).
pub fn fake_labelbox(request: &Recorded, _n: usize) -> Reply {
    let body = request.json();
    let users = [("u1", "ada@example.com"), ("u2", "bob@example.com")];
    let users_with = |email: &str| -> Value {
        users
            .iter()
            .filter(|(_, e)| e.eq_ignore_ascii_case(email))
            .map(|(id, e)| user_json(id, e))
            .collect()
    };
    let email = body["variables"]["email"].as_str().unwrap_or_default();
    match request.operation().as_str() {
        "ListApiKeys" => Reply::data(serde_json::json!({
            "user": {
                "id": "u1",
                "apiKeys": [
                    key_json("ck1", "active", "u1", "ada@example.com", tomorrow()),
                    key_json("ck2", "expired", "u1", "ada@example.com", yesterday()),
                ],
                "apiKeysOtherUsers": [
                    key_json("ck3", "bobs", "u2", "bob@example.com", tomorrow()),
                ]
            }
        })),
        "CreateApiKeyPreflight" => Reply::data(serde_json::json!({
            "organization": {"id": "o1", "users": users_with(email)},
            "organizationRole": {"permissions": ["LABEL", "REVIEW"]},
            "roles": roles_json(),
        })),
        "OrganizationUsersByEmail" => Reply::data(serde_json::json!({
            "organization": {"users": users_with(email)},
        })),
        "CreateApiKey" => Reply::data(serde_json::json!({
            "createApiKey": {"id": "ck_new", "jwt": CREATED_JWT}
        })),
        "RevokeApiKey" => Reply::data(serde_json::json!({
            "updateApiKey": {"id": body["variables"]["id"]}
        })),
        "Roles" => Reply::data(serde_json::json!({
            "roles": roles_json().as_array().unwrap().iter()
                .map(|r| serde_json::json!({"id": r["id"], "name": r["name"]}))
                .collect::<Vec<_>>()
        })),
        "RolesWithIdsAndPermissions" => Reply::data(serde_json::json!({ "roles": roles_json() })),
        // The caller holds LABEL and REVIEW; u2 is a Labeler; other ids have no role.
        "CallerPermissions" => {
            let permissions = match body["variables"]["userId"].as_str() {
                None | Some("u1") => serde_json::json!({"permissions": ["LABEL", "REVIEW"]}),
                Some("u2") => serde_json::json!({"permissions": ["LABEL"]}),
                Some(_) => Value::Null,
            };
            Reply::data(serde_json::json!({ "organizationRole": permissions }))
        }
        "CurrentUser" => {
            Reply::data(serde_json::json!({"user": user_json("u1", "ada@example.com")}))
        }
        "UserById" => {
            let id = body["variables"]["id"].as_str().unwrap_or_default();
            let user = users
                .iter()
                .find(|(uid, _)| *uid == id)
                .map(|(uid, e)| user_json(uid, e))
                .unwrap_or(Value::Null);
            Reply::data(serde_json::json!({ "user": user }))
        }
        "Organization" => Reply::data(serde_json::json!({
            "organization": {
                "createdAt": "2024-01-01T00:00:00.000Z",
                "name": "Acme",
                "id": "o1",
                "updatedAt": "2024-01-01T00:00:00.000Z"
            }
        })),
        other => Reply::status_json(
            200,
            serde_json::json!({"errors": [{"message": format!("unknown operation {other}"),
                "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}),
        ),
    }
}
