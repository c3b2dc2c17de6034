//! The exact JSON body of every operation, captured by a recording server over real HTTP
//! and compared with committed insta snapshots (`tests/it/snapshots/`), plus the headers.

use crate::support;

use labelbox_sdk::schema::current_user;
use labelbox_sdk::KeyOrder;
use labelbox_sdk::ResponseError;
use labelbox_sdk::{
    ApiKeyExt, ApiKeyId, CreateApiKeyRequest, IpAllowlist, RoleId, TimeUnit, UserId, Validity,
};
use labelbox_sdk::{RoleRef, UserRef};
use serde_json::{json, Value};
use support::{client, fake_labelbox, Recorded, TestServer, TEST_KEY};

/// What a snapshot holds: the SDK method header and the body.
fn wire(request: &Recorded) -> Value {
    json!({
        "x-sdk-method": request.header("x-sdk-method"),
        "body": request.json(),
    })
}

#[tokio::test]
async fn list_api_keys_in_server_order() {
    let server = TestServer::start(fake_labelbox).await;
    let keys = client(&server.url)
        .list_api_keys()
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, ["ck1", "ck3"], "own keys first, expired dropped");
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    insta::assert_json_snapshot!(wire(&requests[0]));
}

#[tokio::test]
async fn list_api_keys_including_expired() {
    let server = TestServer::start(fake_labelbox).await;
    let keys = client(&server.url)
        .list_api_keys()
        .include_expired(true)
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap();
    let ids: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
    assert_eq!(ids, ["ck1", "ck2", "ck3"]);
    assert_eq!(keys[0].allowed_ip_cidrs[0].to_string(), "10.0.0.0/8");
    assert_eq!(keys[2].user_email, "bob@example.com");
}

#[tokio::test]
async fn get_api_key() {
    let server = TestServer::start(fake_labelbox).await;
    let client = client(&server.url);
    let found = client.get_api_key(&ApiKeyId::from("ck2")).await.unwrap();
    assert_eq!(
        found.unwrap().name,
        "expired",
        "expired keys are found by id"
    );
    assert!(client
        .get_api_key(&ApiKeyId::from("nope"))
        .await
        .unwrap()
        .is_none());
    insta::assert_json_snapshot!(wire(&server.requests()[0]));
}

#[tokio::test]
async fn revoke_api_key() {
    let server = TestServer::start(fake_labelbox).await;
    client(&server.url)
        .revoke_api_key(&ApiKeyId::from("ck_key_1"))
        .await
        .unwrap();
    insta::assert_json_snapshot!(wire(&server.requests()[0]));
}

#[tokio::test]
async fn api_key_revoke_convenience() {
    let server = TestServer::start(fake_labelbox).await;
    let client = client(&server.url);
    let key = client
        .list_api_keys()
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap()
        .remove(0);
    key.revoke(&client).await.unwrap();
    insta::assert_json_snapshot!(wire(&server.requests()[1]));
}

#[tokio::test]
async fn created_by_and_created_for() {
    let server = TestServer::start(fake_labelbox).await;
    let client = client(&server.url);
    let keys = client
        .list_api_keys()
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap();
    // createdByUserId is null: falls back to the key's user.
    let creator = client.created_by(&keys[1]).await.unwrap().unwrap();
    assert_eq!(creator.email, "bob@example.com");
    let owner = keys[1].created_for(&client).await.unwrap().unwrap();
    assert_eq!(owner.id, UserId::from("u2"));
    let requests = server.requests();
    insta::assert_json_snapshot!("created_by", wire(&requests[1]));
    insta::assert_json_snapshot!("created_for", wire(&requests[2]));
}

#[tokio::test]
async fn create_api_key_cold_then_warm() {
    let server = TestServer::start(fake_labelbox).await;
    let client = client(&server.url);
    let request = CreateApiKeyRequest::new(
        "ci",
        UserRef::by_email("ada@example.com"),
        RoleRef::by_name("Reviewer"),
        Validity::new(2, TimeUnit::Week).unwrap(),
    )
    .allowed_ips(IpAllowlist::new(["10.0.0.0/8", "192.168.1.5"]).unwrap());
    let created = client.create_api_key(request.clone()).await.unwrap();
    assert_eq!(created.id().as_str(), "ck_new");
    let requests = server.requests();
    assert_eq!(requests.len(), 2, "cold: preflight + mutation");
    insta::assert_json_snapshot!("create_preflight_cold", wire(&requests[0]));
    insta::assert_json_snapshot!("create_mutation", wire(&requests[1]));

    // Warm: the user lookup and the mutation; no allowlist is sent as null.
    let request = CreateApiKeyRequest::new(
        "ci2",
        UserRef::by_email("bob@example.com"),
        RoleRef::by_name("Labeler"),
        Validity::new(300, TimeUnit::Second).unwrap(),
    );
    client.create_api_key(request).await.unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 4, "warm: user lookup + mutation");
    insta::assert_json_snapshot!("create_preflight_warm", wire(&requests[2]));
    insta::assert_json_snapshot!("create_mutation_no_allowlist", wire(&requests[3]));

    // Clones share the cache; refresh_cache forgets it.
    let clone = client.clone();
    clone.refresh_cache();
    clone
        .create_api_key(CreateApiKeyRequest::new(
            "ci3",
            UserRef::by_email("ada@example.com"),
            RoleRef::by_name("Labeler"),
            Validity::MIN,
        ))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 6);
    assert_eq!(requests[4].operation(), "CreateApiKeyPreflight");
}

#[tokio::test]
async fn role_value_is_matched_by_normalised_name_and_sent_as_the_server_spells_it() {
    let server = TestServer::start(fake_labelbox).await;
    let role = labelbox_sdk::Role::new("REVIEWER");
    client(&server.url)
        .create_api_key(CreateApiKeyRequest::new(
            "ci",
            UserRef::by_email("ada@example.com"),
            role,
            Validity::MIN,
        ))
        .await
        .unwrap();
    assert_eq!(server.requests()[1].json()["variables"]["role"], "Reviewer");
}

#[tokio::test]
async fn get_roles() {
    let server = TestServer::start(fake_labelbox).await;
    let roles = client(&server.url).get_roles().await.unwrap();
    let names: Vec<String> = roles.iter().map(|r| r.normalized_name()).collect();
    assert_eq!(
        names,
        [
            "NONE",
            "LABELER",
            "REVIEWER",
            "TEAM_MANAGER",
            "ADMIN",
            "TENANT_ADMIN"
        ],
        "in the server's order"
    );
    assert_eq!(roles["TEAM_MANAGER"].name, "Team Manager");
    assert_eq!(roles["Team Manager"].id, roles["TEAM_MANAGER"].id);
    assert!(roles.get("Nonexistent").is_none());
    assert!(
        roles.iter().all(|r| r.permissions.is_empty()),
        "not selected"
    );
    insta::assert_json_snapshot!(wire(&server.requests()[0]));
}

#[tokio::test]
async fn get_roles_with_permissions() {
    let server = TestServer::start(fake_labelbox).await;
    let roles = client(&server.url)
        .get_roles_with_permissions()
        .await
        .unwrap();
    let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "None",
            "Labeler",
            "Reviewer",
            "Team Manager",
            "Admin",
            "Tenant Admin"
        ],
        "in the server's order"
    );
    assert_eq!(roles[2].id, Some(RoleId::from("r2")));
    assert_eq!(roles[2].permissions, ["LABEL", "REVIEW"]);
    // The same type as `get_roles`: looked up by normalised name.
    assert_eq!(roles["REVIEWER"].permissions, ["LABEL", "REVIEW"]);
    insta::assert_json_snapshot!(wire(&server.requests()[0]));
}

#[tokio::test]
async fn get_permissions() {
    let server = TestServer::start(fake_labelbox).await;
    let client = client(&server.url);
    assert_eq!(
        client.get_permissions(None).await.unwrap(),
        ["LABEL", "REVIEW"]
    );
    assert_eq!(
        client
            .get_permissions(Some(&UserId::from("u2")))
            .await
            .unwrap(),
        ["LABEL"]
    );
    let error = client
        .get_permissions(Some(&UserId::from("nobody")))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, labelbox_sdk::Error::Response(ResponseError::MissingData { field, .. }) if field == "organizationRole"),
        "{error:?}"
    );
    let requests = server.requests();
    insta::assert_json_snapshot!("get_permissions_caller", wire(&requests[0]));
    insta::assert_json_snapshot!("get_permissions_user", wire(&requests[1]));
}

#[tokio::test]
async fn get_user() {
    let server = TestServer::start(fake_labelbox).await;
    let user = client(&server.url).get_user().await.unwrap();
    assert_eq!(user.email, "ada@example.com");
    assert_eq!(user.created_at.year(), 2024);
    insta::assert_json_snapshot!(wire(&server.requests()[0]));
}

#[tokio::test]
async fn get_user_by_id() {
    let server = TestServer::start(fake_labelbox).await;
    let client = client(&server.url);
    let user = client.get_user_by_id(&UserId::from("u2")).await.unwrap();
    assert_eq!(user.unwrap().email, "bob@example.com");
    assert!(client
        .get_user_by_id(&UserId::from("u9"))
        .await
        .unwrap()
        .is_none());
    insta::assert_json_snapshot!(wire(&server.requests()[0]));
}

#[tokio::test]
async fn get_organization() {
    let server = TestServer::start(fake_labelbox).await;
    let org = client(&server.url).get_organization().await.unwrap();
    assert_eq!((org.id.as_str(), org.name.as_str()), ("o1", "Acme"));
    insta::assert_json_snapshot!(wire(&server.requests()[0]));
}

#[tokio::test]
async fn execute_any_operation() {
    let server = TestServer::start(fake_labelbox).await;
    let data = client(&server.url)
        .execute::<current_user::CurrentUser>(current_user::Variables)
        .await
        .unwrap();
    assert_eq!(data.user.unwrap().email, "ada@example.com");
    insta::assert_json_snapshot!(wire(&server.requests()[0]));
}

#[tokio::test]
async fn headers_of_every_request() {
    let server = TestServer::start(fake_labelbox).await;
    let client = support::client_builder(&server.url)
        .user_agent_suffix("my-tool/1.0")
        .build()
        .unwrap();
    client.get_user().await.unwrap();
    let request = &server.requests()[0];
    let expected_auth = format!("Bearer {TEST_KEY}");
    assert_eq!(
        request.header("authorization"),
        Some(expected_auth.as_str())
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(request.header("content-type"), Some("application/json"));
    assert_eq!(
        request.header("x-user-agent").unwrap(),
        format!("rust-sdk {} my-tool/1.0", env!("CARGO_PKG_VERSION"))
    );
    assert_eq!(request.header("x-sdk-method"), Some("Client:get_user"));
}
