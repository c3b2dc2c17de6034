//! A member's organization role and organization, and the organization's member listing:
//! against the emulator over loopback HTTP, and their exact request bodies (insta snapshots
//! in `tests/it/snapshots/`, captured by a recording server).

use crate::support;

use labelbox_emulator::{Emulator, EmulatorConfig, EmulatorHandle, Seed, SeedUser};
use labelbox_sdk::{
    Client, CreateApiKeyRequest, Error, ExposeSecret, RoleId, TimeUnit, UserId, Validity,
};
use labelbox_sdk::{ResponseError, ServiceError};
use labelbox_sdk::{RoleRef, UserRef};
use serde_json::{json, Value};
use support::{client, user_json, Recorded, Reply, TestServer};

fn client_with(emulator: &EmulatorHandle, key: &str) -> Client {
    labelbox_test_support::emulator::client(emulator, key)
}

/// A key of `role` for the seeded user `email`, valid an hour.
fn key_for(emulator: &EmulatorHandle, email: &str, role: &str) -> Client {
    let (_, jwt) = emulator.issue_key(email, role, 3600, None).unwrap();
    client_with(emulator, &jwt)
}

#[tokio::test]
async fn org_role_of_each_seeded_user_and_none_when_unknown_or_invisible() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let admin = client_with(&emulator, emulator.admin_key());
    let roles = admin.get_roles().await.unwrap();
    for (email, role) in [
        ("admin@example.com", "Admin"),
        ("labeler@example.com", "Labeler"),
        ("manager@example.com", "Team Manager"),
        ("tenant-admin@example.com", "Tenant Admin"),
        ("nobody@example.com", "None"),
    ] {
        let id = UserId::from(emulator.user_id(email).unwrap());
        let found = admin.get_user_org_role(&id).await.unwrap().unwrap();
        assert_eq!(found.name, role, "{email}");
        assert_eq!(
            found.id,
            roles[&found.normalized_name()].id,
            "{email}: the id of the role named {role}"
        );
        assert!(found.permissions.is_empty(), "not selected");
    }
    assert_eq!(
        admin
            .get_user_org_role(&UserId::from("cnosuchuser0000000000000"))
            .await
            .unwrap(),
        None
    );

    // A Labeler sees its own role, not another user's (as if that user did not exist).
    let labeler = key_for(&emulator, "labeler@example.com", "Labeler");
    let me = labeler.get_user().await.unwrap();
    assert_eq!(
        labeler
            .get_user_org_role(&me.id)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Labeler"
    );
    let admin_id = UserId::from(emulator.user_id("admin@example.com").unwrap());
    assert_eq!(labeler.get_user_org_role(&admin_id).await.unwrap(), None);

    // The user's role, not the key's: a Labeler key of an Admin reads "Admin"; a role
    // change shows at the next request.
    let scoped = key_for(&emulator, "admin2@example.com", "Labeler");
    let admin2 = UserId::from(emulator.user_id("admin2@example.com").unwrap());
    assert_eq!(
        scoped
            .get_user_org_role(&admin2)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Admin"
    );
    emulator
        .set_user_role("admin2@example.com", "Reviewer")
        .unwrap();
    assert_eq!(
        admin
            .get_user_org_role(&admin2)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Reviewer"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn user_organization_is_the_callers_and_none_when_unknown() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let admin = client_with(&emulator, emulator.admin_key());
    let org = admin.get_organization().await.unwrap();
    let labeler_id = UserId::from(emulator.user_id("labeler@example.com").unwrap());
    assert_eq!(
        admin.get_user_organization(&labeler_id).await.unwrap(),
        Some(org.clone())
    );
    assert_eq!(
        admin
            .get_user_organization(&UserId::from("cnosuchuser0000000000000"))
            .await
            .unwrap(),
        None
    );
    let labeler = key_for(&emulator, "labeler@example.com", "Labeler");
    assert_eq!(
        labeler.get_user_organization(&labeler_id).await.unwrap(),
        Some(org)
    );
    let admin_id = UserId::from(emulator.user_id("admin@example.com").unwrap());
    assert_eq!(
        labeler.get_user_organization(&admin_id).await.unwrap(),
        None
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn members_are_read_page_by_page_to_the_last() {
    // 242 users: pages of 100, 100 and 42.
    let mut seed = Seed::default();
    for i in 0..234 {
        seed.users.push(SeedUser {
            id: None,
            email: format!("member{i:03}@example.com"),
            name: format!("Member {i}"),
            role: "Labeler".to_owned(),
            nickname: None,
            picture: None,
            is_external_user: false,
        });
    }
    let expected: Vec<String> = seed.users.iter().map(|u| u.email.clone()).collect();
    assert_eq!(expected.len(), 242);
    let emulator = Emulator::start(EmulatorConfig::default().seed(seed))
        .await
        .unwrap();
    let admin = client_with(&emulator, emulator.admin_key());
    let before = emulator.request_count();
    let members = admin.get_organization_members().await.unwrap();
    let emails: Vec<String> = members.iter().map(|u| u.email.clone()).collect();
    assert_eq!(emails, expected);
    assert_eq!(emulator.request_count() - before, 3, "three pages");
    assert_eq!(emulator.operation_count("OrganizationMembers"), 1);
    assert_eq!(emulator.operation_count("OrganizationMembersPage"), 2);

    // With roles: the same members in the same three requests, each with its role.
    let with_roles = admin.get_organization_members_with_roles().await.unwrap();
    let emails: Vec<String> = with_roles.iter().map(|(u, _)| u.email.clone()).collect();
    assert_eq!(emails, expected);
    assert_eq!(emulator.operation_count("OrganizationMembersWithRoles"), 3);
    let role_of = |email: &str| {
        with_roles
            .iter()
            .find(|(u, _)| u.email == email)
            .and_then(|(_, r)| r.as_ref())
            .map(|r| r.name.clone())
    };
    assert_eq!(role_of("admin@example.com").as_deref(), Some("Admin"));
    assert_eq!(role_of("member233@example.com").as_deref(), Some("Labeler"));

    // A key without VIEW_MEMBERS sees only its own user.
    let labeler = key_for(&emulator, "labeler@example.com", "Labeler");
    let seen: Vec<String> = labeler
        .get_organization_members()
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.email)
        .collect();
    assert_eq!(seen, ["labeler@example.com"]);

    // The overview: its one request brings the first 100 members, and the other 142 take
    // one more request per further page.
    let before = emulator.request_count();
    let overview = admin.overview().await.unwrap();
    let emails: Vec<String> = overview.members.iter().map(|u| u.email.clone()).collect();
    assert_eq!(emails, expected);
    assert_eq!(
        emulator.request_count() - before,
        3,
        "the overview, then two pages"
    );
    assert_eq!(emulator.operation_count("Overview"), 1);
    assert_eq!(emulator.operation_count("OrganizationMembersPage"), 4);
    emulator.shutdown().await;
}

/// What the console's page shows, in one request: the same as the seven separate calls.
#[tokio::test]
async fn the_overview_is_one_request_with_what_seven_calls_read() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    // A key of a lower role than its user's; the admin's keys list a labeler's key too.
    let (_, scoped) = emulator
        .issue_key("admin@example.com", "Reviewer", 3600, None)
        .unwrap();
    emulator
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    for key in [emulator.admin_key().to_owned(), scoped] {
        let client = client_with(&emulator, &key);
        let before = emulator.request_count();
        let overview = client.overview().await.unwrap();
        assert_eq!(emulator.request_count() - before, 1, "one request");
        assert!(!overview.keys.is_empty() && !overview.members.is_empty());
        let me = client.get_user().await.unwrap();
        assert_eq!(overview.user, me);
        assert_eq!(
            overview.org_role,
            client.get_user_org_role(&me.id).await.unwrap()
        );
        assert_eq!(
            overview.permissions,
            client.get_permissions(None).await.unwrap()
        );
        assert_eq!(
            overview.roles,
            client.get_roles_with_permissions().await.unwrap()
        );
        assert_eq!(
            overview.organization,
            client.get_organization().await.unwrap()
        );
        assert_eq!(
            overview.members,
            client.get_organization_members().await.unwrap()
        );
        assert_eq!(
            overview.keys,
            client
                .list_api_keys()
                .include_expired(true)
                .sort(labelbox_sdk::KeyOrder::Server)
                .send()
                .await
                .unwrap()
        );
    }
    emulator.shutdown().await;
}

#[tokio::test]
async fn exactly_one_hundred_members_take_a_second_request_that_comes_back_empty() {
    let mut seed = Seed::default();
    let base = seed.users.len();
    for i in 0..(100 - base) {
        seed.users.push(SeedUser {
            id: None,
            email: format!("member{i:03}@example.com"),
            name: format!("Member {i}"),
            role: "Reviewer".to_owned(),
            nickname: None,
            picture: None,
            is_external_user: false,
        });
    }
    let emulator = Emulator::start(EmulatorConfig::default().seed(seed))
        .await
        .unwrap();
    let admin = client_with(&emulator, emulator.admin_key());
    assert_eq!(admin.get_organization_members().await.unwrap().len(), 100);
    assert_eq!(emulator.operation_count("OrganizationMembersPage"), 1);
    emulator.shutdown().await;
}

#[tokio::test]
async fn set_role_and_remove_member_end_to_end() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let admin = client_with(&emulator, emulator.admin_key());
    let roles = admin.get_roles().await.unwrap();
    let reviewer_role = roles["REVIEWER"].id.clone().unwrap();
    let labeler = UserId::from(emulator.user_id("labeler@example.com").unwrap());

    let role = admin
        .set_user_org_role(&labeler, &reviewer_role)
        .await
        .unwrap();
    assert_eq!(role.name, "Reviewer");
    assert_eq!(role.id.as_ref(), Some(&reviewer_role));
    assert_eq!(
        admin
            .get_user_org_role(&labeler)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Reviewer"
    );
    // Never grantable: refused, unchanged.
    let tenant_role = roles["TENANT_ADMIN"].id.clone().unwrap();
    let error = admin
        .set_user_org_role(&labeler, &tenant_role)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Service(ServiceError::Authorization(_))),
        "{error:?}"
    );

    // A key of the member stops at removal, and the member leaves every listing.
    let created = admin
        .create_api_key(CreateApiKeyRequest::new(
            "member key",
            UserRef::by_email("labeler@example.com"),
            RoleRef::by_name("Reviewer"),
            Validity::new(1, TimeUnit::Hour).unwrap(),
        ))
        .await
        .unwrap();
    let member = client_with(&emulator, created.secret().expose_secret());
    member.get_user().await.unwrap();
    admin.remove_member(&labeler).await.unwrap();
    let error = member.get_user().await.unwrap_err();
    assert!(
        matches!(error, Error::Service(ServiceError::Authentication(_))),
        "{error:?}"
    );
    assert!(!admin
        .get_organization_members()
        .await
        .unwrap()
        .iter()
        .any(|u| u.id == labeler));
    assert!(admin.get_api_key(created.id()).await.unwrap().is_none());
    assert_eq!(admin.get_user_by_id(&labeler).await.unwrap(), None);
    assert_eq!(admin.get_user_org_role(&labeler).await.unwrap(), None);
    let error = admin.remove_member(&labeler).await.unwrap_err();
    assert!(
        matches!(error, Error::Service(ServiceError::NotFound(_))),
        "{error:?}"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_last_admin_is_kept() {
    let seed = Seed::from_json(
        r#"{"users": [
            {"email": "boss@example.com", "name": "Boss", "role": "Admin"},
            {"email": "lee@example.com", "name": "Lee", "role": "Labeler"}
        ]}"#,
    )
    .unwrap();
    let emulator = Emulator::start(EmulatorConfig::default().seed(seed))
        .await
        .unwrap();
    let admin = client_with(&emulator, emulator.admin_key());
    let me = admin.get_user().await.unwrap();
    let labeler_role = admin.get_roles().await.unwrap()["LABELER"]
        .id
        .clone()
        .unwrap();
    let error = admin
        .set_user_org_role(&me.id, &labeler_role)
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Service(ServiceError::OperationNotAllowed(_))),
        "{error:?}"
    );
    let error = admin.remove_member(&me.id).await.unwrap_err();
    assert!(
        matches!(error, Error::Service(ServiceError::OperationNotAllowed(_))),
        "{error:?}"
    );
    assert_eq!(
        admin.get_user_org_role(&me.id).await.unwrap().unwrap().name,
        "Admin"
    );
    emulator.shutdown().await;
}

// --- Request bodies -------------------------------------------------------------------

/// What a snapshot holds: the SDK method header and the body.
fn wire(request: &Recorded) -> Value {
    json!({
        "x-sdk-method": request.header("x-sdk-method"),
        "body": request.json(),
    })
}

/// Answers the member operations: u1 is an Admin of "Acme"; the member listing has
/// `members` users in all (ignoring `skip` when `ignore_skip`).
fn fake_members(members: usize, ignore_skip: bool) -> impl Fn(&Recorded, usize) -> Reply {
    move |request, _| {
        let body = request.json();
        let id = body["variables"]["id"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let page = |skip: usize| -> Value {
            let skip = if ignore_skip { 0 } else { skip };
            (skip..members.min(skip + 100))
                .map(|i| user_json(&format!("u{i}"), &format!("m{i}@example.com")))
                .collect()
        };
        match request.operation().as_str() {
            "UserOrgRole" => Reply::data(json!({
                "user": (id == "u1").then(|| json!({"orgRole": {"name": "Admin", "id": "r4"}}))
            })),
            "UserOrganization" => Reply::data(json!({
                "user": (id == "u1").then(|| json!({"organization": {
                    "createdAt": "2024-01-01T00:00:00.000Z",
                    "name": "Acme",
                    "id": "o1",
                    "updatedAt": "2024-01-01T00:00:00.000Z"
                }}))
            })),
            "OrganizationMembers" => Reply::data(json!({"organization": {"users": page(0)}})),
            "SetUserOrgRole" => Reply::data(json!({
                "setOrganizationRole": {"id": body["variables"]["roleId"], "name": "Reviewer"}
            })),
            "RemoveMember" => Reply::data(json!({
                "updateUser": {"id": body["variables"]["userId"], "deleted": id != "u9"}
            })),
            "OrganizationMembersWithRoles" => {
                let skip = body["variables"]["skip"].as_u64().unwrap() as usize;
                let users: Vec<Value> = page(skip)
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|u| {
                        let mut u = u.clone();
                        u["orgRole"] = json!({"id": "r1", "name": "Labeler"});
                        u
                    })
                    .collect();
                Reply::data(json!({"organization": {"users": users}}))
            }
            "OrganizationMembersPage" => {
                let skip = body["variables"]["skip"].as_u64().unwrap() as usize;
                Reply::data(json!({"organization": {"users": page(skip)}}))
            }
            other => panic!("unexpected operation {other}"),
        }
    }
}

#[tokio::test]
async fn get_user_org_role_body() {
    let server = TestServer::start(fake_members(0, false)).await;
    let client = client(&server.url);
    let role = client
        .get_user_org_role(&UserId::from("u1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(role.name, "Admin");
    assert_eq!(role.id, Some(RoleId::from("r4")));
    assert_eq!(
        client.get_user_org_role(&UserId::from("u9")).await.unwrap(),
        None
    );
    insta::assert_json_snapshot!(wire(&server.requests()[0]));
}

#[tokio::test]
async fn get_user_organization_body() {
    let server = TestServer::start(fake_members(0, false)).await;
    let client = client(&server.url);
    let org = client
        .get_user_organization(&UserId::from("u1"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(org.name, "Acme");
    assert_eq!(
        client
            .get_user_organization(&UserId::from("u9"))
            .await
            .unwrap(),
        None
    );
    insta::assert_json_snapshot!(wire(&server.requests()[0]));
}

#[tokio::test]
async fn get_organization_members_bodies() {
    let server = TestServer::start(fake_members(150, false)).await;
    let members = client(&server.url)
        .get_organization_members()
        .await
        .unwrap();
    assert_eq!(members.len(), 150);
    assert_eq!(members[149].email, "m149@example.com");
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    insta::assert_json_snapshot!("organization_members_first_page", wire(&requests[0]));
    insta::assert_json_snapshot!("organization_members_next_page", wire(&requests[1]));
}

#[tokio::test]
async fn a_server_that_ignores_skip_does_not_make_the_listing_loop() {
    let server = TestServer::start(fake_members(500, true)).await;
    let members = client(&server.url)
        .get_organization_members()
        .await
        .unwrap();
    assert_eq!(members.len(), 100, "the repeated page adds no one");
    assert_eq!(server.request_count(), 2);
}

/// A server that keeps sending full pages of new members is stopped at
/// `MAX_MEMBERS` (100,000) with an error, not read until memory runs out.
#[tokio::test]
async fn an_endless_member_listing_stops_with_an_error() {
    let server = TestServer::start(fake_members(usize::MAX, false)).await;
    let error = client(&server.url)
        .get_organization_members()
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Response(ResponseError::Decode { ref message, .. }) if message.contains("100000")),
        "{error:?}"
    );
    assert_eq!(
        server.request_count(),
        1_000,
        "100 members a page, then stop"
    );
}

#[tokio::test]
async fn set_user_org_role_body() {
    let server = TestServer::start(fake_members(0, false)).await;
    let role = client(&server.url)
        .set_user_org_role(&UserId::from("u2"), &RoleId::from("r2"))
        .await
        .unwrap();
    assert_eq!(
        (role.id, role.name.as_str()),
        (Some(RoleId::from("r2")), "Reviewer")
    );
    insta::assert_json_snapshot!(wire(&server.requests()[0]));
}

#[tokio::test]
async fn remove_member_body() {
    let server = TestServer::start(fake_members(0, false)).await;
    client(&server.url)
        .remove_member(&UserId::from("u2"))
        .await
        .unwrap();
    insta::assert_json_snapshot!(wire(&server.requests()[0]));
}

#[tokio::test]
async fn a_removal_answered_as_not_deleted_is_an_error() {
    let server = TestServer::always(Reply::data(
        json!({"updateUser": {"id": "u2", "deleted": false}}),
    ))
    .await;
    let error = client(&server.url)
        .remove_member(&UserId::from("u2"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Response(ResponseError::Decode { ref path, .. }) if path == "updateUser.deleted"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_role_change_is_retried_after_a_5xx_but_a_removal_is_not() {
    let failing_once = || {
        let fake = fake_members(0, false);
        move |request: &Recorded, n: usize| {
            if n == 0 {
                Reply::status_json(503, json!({"message": "unavailable"}))
            } else {
                fake(request, n)
            }
        }
    };
    let server = TestServer::start(failing_once()).await;
    client(&server.url)
        .set_user_org_role(&UserId::from("u2"), &RoleId::from("r2"))
        .await
        .unwrap();
    assert_eq!(
        server.request_count(),
        2,
        "setting a role again is harmless"
    );

    let server = TestServer::start(failing_once()).await;
    let error = client(&server.url)
        .remove_member(&UserId::from("u2"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Service(ServiceError::InternalServer { .. })),
        "{error:?}"
    );
    assert_eq!(
        server.request_count(),
        1,
        "a second removal would answer NotFound for a removal that may have succeeded"
    );
}

#[tokio::test]
async fn get_organization_members_with_roles_bodies() {
    let server = TestServer::start(fake_members(120, false)).await;
    let members = client(&server.url)
        .get_organization_members_with_roles()
        .await
        .unwrap();
    assert_eq!(members.len(), 120);
    assert_eq!(
        members[119].1.as_ref().map(|r| r.name.as_str()),
        Some("Labeler")
    );
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    insta::assert_json_snapshot!(
        "organization_members_with_roles_first_page",
        wire(&requests[0])
    );
    insta::assert_json_snapshot!(
        "organization_members_with_roles_next_page",
        wire(&requests[1])
    );
}

#[tokio::test]
async fn find_member_returns_the_member_with_that_email_or_none() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let admin = client_with(&emulator, emulator.admin_key());
    let found = admin
        .find_member("labeler@example.com")
        .await
        .unwrap()
        .expect("a seeded member");
    assert_eq!(found.email, "labeler@example.com");
    assert_eq!(
        found.id,
        UserId::from(emulator.user_id("labeler@example.com").unwrap())
    );
    assert!(admin
        .find_member("ghost@example.com")
        .await
        .unwrap()
        .is_none());
    assert_eq!(
        emulator.operation_count("OrganizationUsersByEmail"),
        2,
        "one request each, over the query the create preflight uses"
    );
}
