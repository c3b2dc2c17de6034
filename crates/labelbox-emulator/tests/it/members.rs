//! Members over HTTP: a member's role and organization as the official SDK reads them, the
//! paged member listing, changing a member's role and removing a member (their keys stop at
//! once and for good), and the last Admin rule.

use crate::common;

use common::*;
use labelbox_emulator::{roles, Emulator, EmulatorConfig, Seed, SeedUser};
use serde_json::{json, Value};

fn role_id(name: &str) -> &'static str {
    roles::role_by_name(name).unwrap().id
}

async fn set_role(ep: &str, key: &str, user_id: &str, role: &str) -> Value {
    op(
        ep,
        key,
        "set_user_org_role",
        json!({ "userId": user_id, "roleId": role_id(role) }),
    )
    .await
}

async fn remove(ep: &str, key: &str, user_id: &str) -> Value {
    op(ep, key, "remove_member", json!({ "userId": user_id })).await
}

async fn member_emails(ep: &str, key: &str) -> Vec<String> {
    let body = gql(
        ep,
        Some(key),
        "query { organization { users(skip: 0 first: 100) { email } } }",
        json!({}),
    )
    .await;
    data(&body)["organization"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap().to_owned())
        .collect()
}

/// The official SDK's member reads, as recorded (tests/fixtures/official-python-sdk-members.jsonl),
/// with the ids replaced by the emulator's.
#[tokio::test]
async fn the_official_sdks_member_reads_answer() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let labeler = emu.user_id("labeler@example.com").unwrap();
    let body = gql(
        &ep,
        Some(&admin),
        "query GetUserOrgRolePyApi($param_0: ID!){user(where: {id: $param_0}){orgRole{name id}}}",
        json!({ "param_0": labeler }),
    )
    .await;
    assert_eq!(
        data(&body)["user"]["orgRole"],
        json!({ "name": "Labeler", "id": role_id("Labeler") })
    );
    let body = gql(
        &ep,
        Some(&admin),
        "query GetUserOrganizationPyApi($param_0: ID!){user(where: {id: $param_0}){organization{createdAt name id updatedAt}}}",
        json!({ "param_0": labeler }),
    )
    .await;
    let org = &data(&body)["user"]["organization"];
    assert_eq!(org["name"], "Example Org");
    assert!(org["id"].as_str().unwrap().starts_with('c'));
    let body = gql(
        &ep,
        Some(&admin),
        "query GetOrganizationUsersPyApi{organization{users(skip: 0 first: 100){createdAt email isExternalUser isViewer lastLoginAt nickname name picture id updatedAt}}}",
        json!({}),
    )
    .await;
    let users = data(&body)["organization"]["users"].as_array().unwrap();
    assert_eq!(users.len(), Seed::default().users.len());
    // The official SDK reads the next page until one comes back empty.
    let body = gql(
        &ep,
        Some(&admin),
        "query GetOrganizationUsersPyApi{organization{users(skip: 100 first: 100){id}}}",
        json!({}),
    )
    .await;
    assert_eq!(data(&body)["organization"]["users"], json!([]));
}

#[tokio::test]
async fn members_are_paged_by_skip_and_first() {
    let mut seed = Seed::default();
    for i in 0..150 {
        seed.users.push(SeedUser {
            id: None,
            email: format!("m{i:03}@example.com"),
            name: format!("M {i}"),
            role: "Labeler".to_owned(),
            nickname: None,
            picture: None,
            is_external_user: false,
        });
    }
    let every: Vec<String> = seed.users.iter().map(|u| u.email.clone()).collect();
    let emu = Emulator::start(
        EmulatorConfig::default()
            .seed(seed)
            .admin_key_seed("members"),
    )
    .await
    .unwrap();
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let mut read = Vec::new();
    for skip in [0, 100, 200] {
        let body = gql(
            &ep,
            Some(&admin),
            "query P($s: Int) { organization { users(skip: $s, first: 100) { email } } }",
            json!({ "s": skip }),
        )
        .await;
        let page = data(&body)["organization"]["users"]
            .as_array()
            .unwrap()
            .clone();
        assert!(page.len() <= 100);
        read.extend(page.iter().map(|u| u["email"].as_str().unwrap().to_owned()));
    }
    assert_eq!(read, every);
}

#[tokio::test]
async fn a_role_change_follows_the_grant_rule_and_applies_to_the_members_keys() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let labeler = emu.user_id("labeler@example.com").unwrap();
    // A Team Manager key of the manager may list members but not change them.
    let (_, manager_key) = emu
        .issue_key("manager@example.com", "Team Manager", 3600, None)
        .unwrap();
    let body = set_role(&ep, &manager_key, &labeler, "Reviewer").await;
    assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{body}");
    // An Admin cannot give Tenant Admin or None (never grantable).
    for role in ["Tenant Admin", "None"] {
        let body = set_role(&ep, &admin, &labeler, role).await;
        assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{role}: {body}");
        assert!(message(&body).contains("Allowed roles are"), "{body}");
    }
    // An unknown role id is malformed; an unknown user not found.
    let body = op(
        &ep,
        &admin,
        "set_user_org_role",
        json!({ "userId": labeler, "roleId": "cnosuchrole" }),
    )
    .await;
    assert_eq!(code(&body), "MALFORMED_REQUEST", "{body}");
    let body = set_role(&ep, &admin, "cnosuchuser", "Reviewer").await;
    assert_eq!(code(&body), "RESOURCE_NOT_FOUND", "{body}");

    // An Admin key of the labeler acts as a Labeler; promoted to Admin, it manages keys.
    let (_, labelers_admin_key) = emu
        .issue_key("labeler@example.com", "Admin", 3600, None)
        .unwrap();
    let body = create(
        &ep,
        &labelers_admin_key,
        "k",
        "reviewer@example.com",
        Some("Labeler"),
        3600,
        None,
    )
    .await;
    assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{body}");
    let body = set_role(&ep, &admin, &labeler, "Admin").await;
    assert_eq!(
        data(&body)["setOrganizationRole"],
        json!({ "id": role_id("Admin"), "name": "Admin" })
    );
    let body = create(
        &ep,
        &labelers_admin_key,
        "k",
        "reviewer@example.com",
        Some("Labeler"),
        3600,
        None,
    )
    .await;
    assert!(data(&body)["createApiKey"]["jwt"].is_string());
    // Demoted to Reviewer, the same key no longer may.
    set_role(&ep, &admin, &labeler, "Reviewer").await;
    let body = create(
        &ep,
        &labelers_admin_key,
        "k",
        "reviewer@example.com",
        Some("Labeler"),
        3600,
        None,
    )
    .await;
    assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{body}");
}

#[tokio::test]
async fn the_last_admin_can_be_neither_demoted_nor_removed() {
    let seed = Seed::from_json(
        r#"{"users": [
            {"email": "boss@example.com", "name": "Boss", "role": "Admin"},
            {"email": "tia@example.com", "name": "Tia", "role": "Tenant Admin"},
            {"email": "lee@example.com", "name": "Lee", "role": "Labeler"}
        ]}"#,
    )
    .unwrap();
    let emu = Emulator::start(EmulatorConfig::default().seed(seed).admin_key_seed("last"))
        .await
        .unwrap();
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let boss = emu.user_id("boss@example.com").unwrap();
    // Neither by themselves nor by a Tenant Admin.
    let (_, tenant) = emu
        .issue_key("tia@example.com", "Tenant Admin", 3600, None)
        .unwrap();
    for key in [&admin, &tenant] {
        let body = set_role(&ep, key, &boss, "Team Manager").await;
        assert_eq!(code(&body), "OPERATION_NOT_ALLOWED", "{body}");
        assert!(message(&body).contains("last Admin"), "{body}");
        let body = remove(&ep, key, &boss).await;
        assert_eq!(code(&body), "OPERATION_NOT_ALLOWED", "{body}");
    }
    // Setting the role it already has is no change, so allowed.
    let body = set_role(&ep, &admin, &boss, "Admin").await;
    assert_eq!(data(&body)["setOrganizationRole"]["name"], "Admin");
    // With a second Admin, the first may step down.
    let lee = emu.user_id("lee@example.com").unwrap();
    set_role(&ep, &admin, &lee, "Admin").await;
    let body = set_role(&ep, &admin, &boss, "Reviewer").await;
    assert_eq!(data(&body)["setOrganizationRole"]["name"], "Reviewer");
    assert!(
        authenticates(&ep, &admin).await,
        "a Reviewer still authenticates"
    );
}

#[tokio::test]
async fn a_removed_members_keys_stop_at_once_and_for_good() {
    let path = temp_path("removed-member");
    let config = || {
        EmulatorConfig::default()
            .state_file(&path)
            .admin_key_seed("removal")
    };
    let emu = Emulator::start(config()).await.unwrap();
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let reviewer = emu.user_id("reviewer@example.com").unwrap();
    let (reviewer_key_id, reviewer_key) =
        create_ok(&ep, &admin, "rev", "reviewer@example.com", "Reviewer", None).await;
    assert!(authenticates(&ep, &reviewer_key).await);

    // Only with MANAGE_MEMBERS: the reviewer cannot remove itself.
    let body = remove(&ep, &reviewer_key, &reviewer).await;
    assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{body}");

    let body = remove(&ep, &admin, &reviewer).await;
    assert_eq!(
        data(&body)["updateUser"],
        json!({ "id": reviewer, "deleted": true })
    );
    let body = op(&ep, &reviewer_key, "current_user", json!(null)).await;
    assert_eq!(code(&body), "AUTHENTICATION_ERROR", "{body}");
    assert!(message(&body).contains("removed"), "{body}");

    // Left out of every listing; not found by id; no new key for them; not again.
    assert!(!member_emails(&ep, &admin)
        .await
        .contains(&"reviewer@example.com".to_owned()));
    let (_, others) = list(&ep, &admin).await;
    assert!(!ids(&others).contains(&reviewer_key_id));
    let body = op(&ep, &admin, "user_by_id", json!({ "id": reviewer })).await;
    assert_eq!(data(&body)["user"], Value::Null);
    let body = op(
        &ep,
        &admin,
        "caller_permissions",
        json!({ "userId": reviewer }),
    )
    .await;
    assert_eq!(data(&body)["organizationRole"], Value::Null);
    let body = create(
        &ep,
        &admin,
        "again",
        "reviewer@example.com",
        Some("Reviewer"),
        3600,
        None,
    )
    .await;
    assert_eq!(code(&body), "MALFORMED_REQUEST", "{body}");
    assert!(message(&body).contains("does not exist"), "{body}");
    let body = remove(&ep, &admin, &reviewer).await;
    assert_eq!(code(&body), "RESOURCE_NOT_FOUND", "{body}");
    let body = gql(
        &ep,
        Some(&admin),
        "mutation U($id: ID!) { updateUser(where: {id: $id}, data: {deleted: false}) { id deleted } }",
        json!({ "id": reviewer }),
    )
    .await;
    assert_eq!(
        code(&body),
        "RESOURCE_NOT_FOUND",
        "nothing brings them back: {body}"
    );
    assert!(emu
        .issue_key("reviewer@example.com", "Reviewer", 3600, None)
        .is_err());
    emu.shutdown().await;

    // Persisted: after a restart on the same state file the key is still refused.
    let emu = Emulator::start(config()).await.unwrap();
    let ep = emu.endpoint();
    let body = op(&ep, &reviewer_key, "current_user", json!(null)).await;
    assert_eq!(code(&body), "AUTHENTICATION_ERROR", "{body}");
    assert!(!member_emails(&ep, emu.admin_key())
        .await
        .contains(&"reviewer@example.com".to_owned()));
    emu.shutdown().await;
}

#[tokio::test]
async fn an_admin_can_neither_demote_nor_remove_a_tenant_admin() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let tenant = emu.user_id("tenant-admin@example.com").unwrap();
    let body = remove(&ep, &admin, &tenant).await;
    assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{body}");
    let body = set_role(&ep, &admin, &tenant, "Labeler").await;
    assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{body}");
    assert!(emu.user_id("tenant-admin@example.com").is_some());
}
