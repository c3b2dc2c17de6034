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

// ---- Invitations (issue 21) ----

/// A fake Labelbox for the invitation operations: the caller u1 in organization o1, the
/// roles of [`support::roles_json`] (Labeler is r1), every address invited, and
/// `invites` pending invitations served 100 a page by cursor.
fn fake_invites(invites: usize) -> impl Fn(&Recorded, usize) -> Reply {
    move |request, _| {
        let body = request.json();
        let vars = &body["variables"];
        let invite = |i: usize, email: &str| {
            json!({"id": format!("i{i}"), "createdAt": "2026-01-01T00:00:00Z",
                   "organizationRoleName": "Labeler", "inviteeEmail": email, "projectInvites": []})
        };
        match request.operation().as_str() {
            "InvitePreflight" => Reply::data(json!({
                "user": {"id": "u1"}, "organization": {"id": "o1"}, "roles": support::roles_json()
            })),
            "Roles" => Reply::data(json!({"roles": support::roles_json()})),
            "Organization" => Reply::data(json!({"organization": {
                "id": "o1", "name": "Org", "createdAt": "2024-01-01T00:00:00Z",
                "updatedAt": "2024-01-01T00:00:00Z"
            }})),
            "CreateInvite" => {
                let mut created = invite(1, vars["data"][0]["inviteeEmail"].as_str().unwrap());
                created["inviter"] = user_json("u1", "ada@example.com");
                Reply::data(json!({"createInvites": [{"invite": created}]}))
            }
            "InviteMembers" => {
                let results: Vec<Value> = vars["data"]["emails"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| json!({"email": e, "status": "INVITED", "reason": null, "inviteId": "i9"}))
                    .collect();
                Reply::data(json!({"inviteMembers": {"results": results}}))
            }
            "InvitesLimit" => {
                Reply::data(json!({"invitesLimit": {"used": 3, "limit": 10, "remaining": 7}}))
            }
            "ListInvites" => {
                let from: usize = vars["from"].as_str().map_or(0, |c| c.parse().unwrap());
                let to = (from + 100).min(invites);
                let nodes: Vec<Value> = (from..to)
                    .map(|i| invite(i, &format!("p{i}@example.com")))
                    .collect();
                let next = (to < invites).then(|| to.to_string());
                Reply::data(json!({"organization": {"id": "o1", "invites": {
                    "nodes": nodes, "nextCursor": next
                }}}))
            }
            "CancelInvite" => Reply::data(json!({"cancelInvite": {"id": vars["where"]["id"]}})),
            other => panic!("unexpected operation {other}"),
        }
    }
}

/// The variables the official SDK sends for `call` (tests/fixtures, recorded with the same
/// placeholder ids the fake server uses: u1, o1, r1, i1).
fn official_variables(call: &str, operation_prefix: &str) -> Value {
    let path = labelbox_test_support::repo_path("tests/fixtures/official-python-sdk-invites.jsonl");
    std::fs::read_to_string(&path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|r| r["call"] == call && r["query"].as_str().unwrap().starts_with(operation_prefix))
        .unwrap_or_else(|| panic!("{call} is not recorded in {path}"))["variables"]
        .clone()
}

#[tokio::test]
async fn invitation_requests_send_the_official_sdks_variables() {
    let server = TestServer::start(fake_invites(1)).await;
    let client = client(&server.url);
    let labeler = RoleRef::by_name("Labeler");
    let invite = client
        .invite_member("b@x.com", &labeler)
        .await
        .unwrap()
        .expect("an invitation");
    assert_eq!(
        (invite.email.as_str(), invite.role_name.as_str()),
        ("b@x.com", "Labeler")
    );
    let results = client.invite_members(["b@x.com"], &labeler).await.unwrap();
    assert_eq!(results[0].status, labelbox_sdk::InviteStatus::Invited);
    assert_eq!(client.invites_limit().await.unwrap().remaining, 7);
    assert_eq!(client.list_invites().await.unwrap().len(), 1);
    client
        .cancel_invite(&labelbox_sdk::InviteId::from("i1"))
        .await
        .unwrap();
    let sent: Vec<(String, Value)> = server
        .requests()
        .iter()
        .map(|r| (r.operation(), r.json()["variables"].clone()))
        .collect();
    let of = |operation: &str| {
        sent.iter()
            .find(|(op, _)| op == operation)
            .map(|(_, vars)| vars.clone())
            .unwrap()
    };
    assert_eq!(
        of("CreateInvite"),
        official_variables("org.invite_user", "mutation")
    );
    assert_eq!(
        of("InviteMembers"),
        official_variables("org.invite_users", "mutation")
    );
    assert_eq!(
        of("InvitesLimit"),
        official_variables("org.invite_limit", "query")
    );
    assert_eq!(
        of("ListInvites"),
        official_variables("org.get_invites", "query")
    );
    assert_eq!(
        of("CancelInvite"),
        official_variables("invite.cancel", "mutation")
    );
    let operations: Vec<&str> = sent.iter().map(|(op, _)| op.as_str()).collect();
    assert_eq!(
        operations,
        [
            "InvitePreflight",
            "CreateInvite",
            "Roles",
            "InviteMembers",
            "Organization",
            "InvitesLimit",
            "ListInvites",
            "CancelInvite"
        ]
    );
}

#[tokio::test]
async fn invites_are_listed_one_request_per_page_of_a_hundred() {
    let server = TestServer::start(fake_invites(250)).await;
    let invites = client(&server.url).list_invites().await.unwrap();
    assert_eq!(invites.len(), 250);
    assert_eq!(invites[249].email, "p249@example.com");
    let cursors: Vec<Value> = server
        .requests()
        .iter()
        .map(|r| r.json()["variables"]["from"].clone())
        .collect();
    assert_eq!(cursors, [Value::Null, json!("100"), json!("200")]);
}

#[tokio::test]
async fn a_server_that_repeats_its_cursor_does_not_make_the_invite_listing_loop() {
    let server = TestServer::start(|_, _| {
        Reply::data(json!({"organization": {"id": "o1", "invites": {
            "nodes": [{"id": "i1", "createdAt": "2026-01-01T00:00:00Z",
                       "organizationRoleName": "Labeler", "inviteeEmail": "a@x.com",
                       "projectInvites": []}],
            "nextCursor": "again"
        }}}))
    })
    .await;
    let invites = client(&server.url).list_invites().await.unwrap();
    assert_eq!(invites.len(), 1);
    assert_eq!(server.request_count(), 2, "the second page added nothing");
}

#[tokio::test]
async fn bulk_invitations_answer_repeats_and_long_addresses_locally_and_send_a_hundred_a_request() {
    let server = TestServer::start(fake_invites(0)).await;
    let long = format!(
        "{}@example.com",
        "x".repeat(labelbox_sdk::MAX_INVITE_EMAIL_CHARS)
    );
    let mut emails: Vec<String> = (0..250).map(|i| format!("n{i}@example.com")).collect();
    emails.insert(3, "N1@EXAMPLE.COM".to_owned());
    emails.push(long.clone());
    let results = client(&server.url)
        .invite_members(&emails, &RoleRef::by_name("Labeler"))
        .await
        .unwrap();
    assert_eq!(
        results.len(),
        emails.len(),
        "one result per address, in order"
    );
    assert_eq!(results[3].status, labelbox_sdk::InviteStatus::Duplicate);
    assert_eq!(
        results[3].email, "n1@example.com",
        "named as its first occurrence"
    );
    assert_eq!(
        results[251].status,
        labelbox_sdk::InviteStatus::InvalidEmail
    );
    assert_eq!(results[251].email, long);
    let batches: Vec<usize> = server
        .requests()
        .iter()
        .filter(|r| r.operation() == "InviteMembers")
        .map(|r| {
            r.json()["variables"]["data"]["emails"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(
        batches,
        [100, 100, 50],
        "neither the repeat nor the long address is sent"
    );

    // Nothing to send: no request at all; the role None is refused before any request.
    let server = TestServer::start(fake_invites(0)).await;
    let local = client(&server.url)
        .invite_members([long.as_str(), long.as_str()], &RoleRef::by_name("Labeler"))
        .await
        .unwrap();
    assert_eq!(local[1].status, labelbox_sdk::InviteStatus::Duplicate);
    let error = client(&server.url)
        .invite_members(["a@example.com"], &RoleRef::by_name("None"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, Error::Construction(labelbox_sdk::ConstructionError::InvalidRole { requested, .. }) if requested == "None"),
        "{error:?}"
    );
    let operations: Vec<String> = server.requests().iter().map(Recorded::operation).collect();
    assert_eq!(operations, ["Roles"], "only the roles were read");
}

/// `cancel_invite` goes to `/_gql`: a bare TCP listener reads the request line.
#[tokio::test]
async fn cancel_invite_is_sent_to_the_experimental_endpoint() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}/graphql", listener.local_addr().unwrap());
    let answer = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") {
            stream.read_exact(&mut byte).await.unwrap();
            head.push(byte[0]);
        }
        let body = r#"{"data":{"cancelInvite":{"id":"i1"}}}"#;
        let reply = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(reply.as_bytes()).await.unwrap();
        String::from_utf8(head).unwrap()
    });
    client(&endpoint)
        .cancel_invite(&labelbox_sdk::InviteId::from("i1"))
        .await
        .unwrap();
    let head = answer.await.unwrap();
    // Only the request line and the method header are shown: the head carries the key.
    let request_line = head.lines().next().unwrap_or_default();
    assert_eq!(request_line, "POST /_gql HTTP/1.1");
    assert!(
        head.to_ascii_lowercase()
            .lines()
            .any(|l| l == "x-sdk-method: invite:cancel"),
        "no X-SDK-Method: Invite:cancel header"
    );
}

/// Labelbox's warning, end to end, for an invited member: invite, accept, a key for the
/// new member works; remove the member, the key is refused and no longer listed; a new
/// invitation for the same address can be accepted. The returning member gets a new user
/// id (the emulator's choice, documented on `AcceptedInvite::user_id`), and the old key
/// stays dead.
#[tokio::test]
async fn invite_accept_key_remove_and_invite_again() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let admin = client_with(&emulator, emulator.admin_key());
    let labeler = RoleRef::by_name("Labeler");
    let email = "contractor@example.com";
    assert!(admin.find_member(email).await.unwrap().is_none());

    let invite = admin
        .invite_member(email, &labeler)
        .await
        .unwrap()
        .expect("not a member yet");
    assert_eq!(invite.role_name, "Labeler");
    let listed = admin.list_invites().await.unwrap();
    assert!(listed.iter().any(|i| i.id == invite.id), "{listed:?}");
    let accepted = emulator.accept_invite(invite.id.as_str()).unwrap();
    let member = admin
        .find_member(email)
        .await
        .unwrap()
        .expect("a member now");
    assert_eq!(member.id.as_str(), accepted.user_id);
    assert_eq!(
        admin
            .get_user_org_role(&member.id)
            .await
            .unwrap()
            .unwrap()
            .name,
        "Labeler",
        "the invited role"
    );
    assert!(
        admin
            .list_invites()
            .await
            .unwrap()
            .iter()
            .all(|i| i.id != invite.id),
        "an accepted invitation is no longer pending"
    );

    let created = admin
        .create_api_key(CreateApiKeyRequest::new(
            "contractor-etl",
            UserRef::from(&member),
            labeler.clone(),
            Validity::new(7, TimeUnit::Day).unwrap(),
        ))
        .await
        .unwrap();
    let as_member = client_with(&emulator, created.secret().expose_secret());
    assert_eq!(as_member.get_user().await.unwrap().email, email);

    admin.remove_member(&member.id).await.unwrap();
    let refused = as_member.get_user().await.unwrap_err();
    assert!(
        matches!(refused, Error::Service(ServiceError::Authentication(_))),
        "{refused:?}"
    );
    let keys = admin
        .list_api_keys()
        .include_expired(true)
        .send()
        .await
        .unwrap();
    assert!(
        keys.iter().all(|k| &k.id != created.id()),
        "the removed member's key is not listed"
    );
    assert!(admin.find_member(email).await.unwrap().is_none());

    // Invited again and accepted: a member again, under a new id; the old key stays dead.
    let again = admin
        .invite_member(email, &labeler)
        .await
        .unwrap()
        .expect("no longer a member");
    let returned = emulator.accept_invite(again.id.as_str()).unwrap();
    let member_again = admin
        .find_member(email)
        .await
        .unwrap()
        .expect("a member again");
    assert_eq!(member_again.id.as_str(), returned.user_id);
    assert_ne!(
        member_again.id, member.id,
        "a returning member gets a new user id"
    );
    let still = as_member.get_user().await.unwrap_err();
    assert!(
        matches!(still, Error::Service(ServiceError::Authentication(_))),
        "the old key stays dead: {still:?}"
    );
    let keys = admin
        .list_api_keys()
        .include_expired(true)
        .send()
        .await
        .unwrap();
    assert!(keys.iter().all(|k| &k.id != created.id()));
}

/// Against the emulator: a second invitation for one address is accepted, the seats count
/// members and pending invitations, a cancelled invitation is gone (cancelled again: not
/// found), a member gets no invitation, and a bulk invitation reports each address.
#[tokio::test]
async fn invitations_against_the_emulator() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let admin = client_with(&emulator, emulator.admin_key());
    let reviewer = RoleRef::by_name("Reviewer");
    let members = admin.get_organization_members().await.unwrap().len() as i64;
    let first = admin
        .invite_member("twice@example.com", &reviewer)
        .await
        .unwrap()
        .unwrap();
    let second = admin
        .invite_member("twice@example.com", &reviewer)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(
        first.id, second.id,
        "several invitations may be pending for one address"
    );
    assert!(admin
        .invite_member("labeler@example.com", &reviewer)
        .await
        .unwrap()
        .is_none());
    let limit = admin.invites_limit().await.unwrap();
    assert_eq!(limit.used, members + 2);
    assert_eq!(limit.remaining, limit.limit - limit.used);

    admin.cancel_invite(&first.id).await.unwrap();
    let pending: Vec<_> = admin
        .list_invites()
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(pending, std::slice::from_ref(&second.id));
    let error = admin.cancel_invite(&first.id).await.unwrap_err();
    assert!(
        matches!(error, Error::Service(ServiceError::NotFound(_))),
        "{error:?}"
    );

    let results = admin
        .invite_members(
            [
                "fresh@example.com",
                "twice@example.com",
                "labeler@example.com",
                "FRESH@example.com",
            ],
            &reviewer,
        )
        .await
        .unwrap();
    let statuses: Vec<&str> = results.iter().map(|r| r.status.as_str()).collect();
    assert_eq!(
        statuses,
        ["INVITED", "ALREADY_INVITED", "ALREADY_MEMBER", "DUPLICATE"]
    );
    assert!(results[0].invite_id.is_some());
}

/// The listing reads 250 pending invitations over the emulator in three requests.
#[tokio::test]
async fn the_emulator_pages_invitations_by_cursor() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let admin = client_with(&emulator, emulator.admin_key());
    let emails: Vec<String> = (0..250).map(|i| format!("p{i}@example.com")).collect();
    let results = admin
        .invite_members(&emails, &RoleRef::by_name("Labeler"))
        .await
        .unwrap();
    assert!(results
        .iter()
        .all(|r| r.status == labelbox_sdk::InviteStatus::Invited));
    let before = emulator.request_count();
    let invites = admin.list_invites().await.unwrap();
    assert_eq!(
        emulator.request_count() - before,
        3,
        "one request per page of 100"
    );
    let mut listed: Vec<&str> = invites.iter().map(|i| i.email.as_str()).collect();
    listed.sort_unstable();
    let mut expected: Vec<&str> = emails.iter().map(String::as_str).collect();
    expected.sort_unstable();
    assert_eq!(listed, expected);
}
