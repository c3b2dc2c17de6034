//! The SDK against the Labelbox emulator over loopback HTTP: the whole key lifecycle, round
//! trips per creation, permissions, expiry and injected faults.

use labelbox_emulator::Fault;
use labelbox_sdk::KeyOrder;
use labelbox_sdk::{
    ApiKeyExt, CreateApiKeyRequest, Error, ExposeSecret, IpAllowlist, TimeUnit, UserId, Validity,
};
use labelbox_sdk::{ConstructionError, ResponseError, ServiceError};
use labelbox_sdk::{RoleRef, UserRef};
use labelbox_test_support::emulator::{admin, client as client_with, start};

#[tokio::test]
async fn create_list_authenticate_revoke_refused() {
    let emulator = start().await;
    let admin = admin(&emulator);

    let me = admin.get_user().await.unwrap();
    assert_eq!(me.email, emulator.admin_email());
    let org = admin.get_organization().await.unwrap();
    assert!(!org.name.is_empty());
    let roles = admin.get_roles().await.unwrap();
    assert!(roles.get("LABELER").is_some() && roles.get("TEAM_MANAGER").is_some());

    let created = admin
        .create_api_key(
            CreateApiKeyRequest::new(
                "sdk-integration",
                UserRef::by_email("labeler@example.com"),
                RoleRef::by_name("Labeler"),
                Validity::new(1, TimeUnit::Hour).unwrap(),
            )
            .allowed_ips(IpAllowlist::new(["127.0.0.1", "::1"]).unwrap()),
        )
        .await
        .unwrap();

    let listed = admin.get_api_key(created.id()).await.unwrap().unwrap();
    assert_eq!(listed.name, "sdk-integration");
    assert_eq!(listed.user_email, "labeler@example.com");
    assert!(!listed.revoked && !listed.is_expired());
    let allowlist: Vec<String> = listed
        .allowed_ip_cidrs
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(allowlist, ["127.0.0.1", "::1"]);
    assert!(admin
        .list_api_keys()
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap()
        .iter()
        .any(|k| k.id == *created.id()));
    assert_eq!(
        admin.created_by(&listed).await.unwrap().unwrap().email,
        emulator.admin_email()
    );
    assert_eq!(
        listed.created_for(&admin).await.unwrap().unwrap().email,
        "labeler@example.com"
    );

    // The new key authenticates as its user.
    let labeler = client_with(&emulator, created.secret().expose_secret());
    assert_eq!(
        labeler.get_user().await.unwrap().email,
        "labeler@example.com"
    );

    // Revoked, it is refused at once.
    listed.revoke(&admin).await.unwrap();
    let error = labeler.get_user().await.unwrap_err();
    assert!(
        matches!(error, Error::Service(ServiceError::Authentication(_))),
        "{error:?}"
    );
    assert!(admin.get_api_key(created.id()).await.unwrap().is_none());
    emulator.shutdown().await;
}

/// The emulator's permissions of a built-in role, sorted.
fn emulator_permissions(role: &str) -> Vec<String> {
    let mut permissions: Vec<String> = labelbox_emulator::roles::role_by_name(role)
        .unwrap()
        .permissions
        .iter()
        .map(|p| (*p).to_owned())
        .collect();
    permissions.sort();
    permissions
}

fn sorted(mut permissions: Vec<String>) -> Vec<String> {
    permissions.sort();
    permissions
}

#[tokio::test]
async fn roles_with_permissions_and_users_permissions() {
    let emulator = start().await;
    let admin = admin(&emulator);

    let roles = admin.get_roles_with_permissions().await.unwrap();
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
        ]
    );
    let by_id = admin.get_roles().await.unwrap();
    for role in &roles {
        assert_eq!(
            sorted(role.permissions.clone()),
            emulator_permissions(&role.name)
        );
        assert!(role.id.is_some(), "{role:?}");
        assert_eq!(role.id, by_id[&role.normalized_name()].id, "{}", role.name);
    }
    assert!(roles[0].permissions.is_empty());
    assert!(roles[1].permissions.len() < roles[4].permissions.len());

    // The caller's permissions are its key's role's (the bootstrap key is Admin's).
    let mine = admin.get_permissions(None).await.unwrap();
    assert_eq!(sorted(mine), emulator_permissions("Admin"));
    // Another user's are their organization role's.
    let labeler_id = UserId::from(emulator.user_id("labeler@example.com").unwrap());
    let theirs = admin.get_permissions(Some(&labeler_id)).await.unwrap();
    assert_eq!(sorted(theirs), emulator_permissions("Labeler"));
    // A key with the Labeler role reports the Labeler's permissions as its own.
    let created = admin
        .create_api_key(CreateApiKeyRequest::new(
            "permissions",
            UserRef::by_email("labeler@example.com"),
            RoleRef::by_name("Labeler"),
            Validity::new(1, TimeUnit::Hour).unwrap(),
        ))
        .await
        .unwrap();
    let labeler = client_with(&emulator, created.secret().expose_secret());
    assert_eq!(
        sorted(labeler.get_permissions(None).await.unwrap()),
        emulator_permissions("Labeler")
    );

    // An unknown user has no organization role.
    let error = admin
        .get_permissions(Some(&UserId::from("no-such-user")))
        .await
        .unwrap_err();
    match &error {
        Error::Response(ResponseError::MissingData { operation, field }) => {
            assert_eq!(
                (operation.as_str(), field.as_str()),
                ("CallerPermissions", "organizationRole")
            );
        }
        other => panic!("unexpected error {other:?}"),
    }
    assert_eq!(emulator.operation_count("RolesWithIdsAndPermissions"), 1);
    assert_eq!(emulator.operation_count("CallerPermissions"), 4);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_creation_takes_two_round_trips_cold_and_warm() {
    let emulator = start().await;
    let admin = admin(&emulator);
    let request = |name: &str| {
        CreateApiKeyRequest::new(
            name,
            UserRef::by_email("reviewer@example.com"),
            RoleRef::by_name("Reviewer"),
            Validity::MIN,
        )
    };

    let before = emulator.request_count();
    admin.create_api_key(request("cold")).await.unwrap();
    assert_eq!(emulator.request_count() - before, 2, "cold");

    let before = emulator.request_count();
    admin.create_api_key(request("warm")).await.unwrap();
    assert_eq!(emulator.request_count() - before, 2, "warm");

    // A clone shares the cache; a fresh client does not (no process-wide cache).
    let before = emulator.request_count();
    admin
        .clone()
        .create_api_key(request("clone"))
        .await
        .unwrap();
    assert_eq!(emulator.request_count() - before, 2);
    assert_eq!(emulator.operation_count("CreateApiKeyPreflight"), 1);
    let fresh = self::admin(&emulator);
    fresh.create_api_key(request("fresh")).await.unwrap();
    assert_eq!(emulator.operation_count("CreateApiKeyPreflight"), 2);
    emulator.shutdown().await;
}

#[tokio::test]
async fn refusals_before_the_mutation() {
    let emulator = start().await;
    let admin = admin(&emulator);

    let error = admin
        .create_api_key(CreateApiKeyRequest::new(
            "x",
            UserRef::by_email("ghost@example.com"),
            RoleRef::by_name("Labeler"),
            Validity::MIN,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "User with email 'ghost@example.com' does not exist in the organization"
    );
    let error = admin
        .create_api_key(CreateApiKeyRequest::new(
            "x",
            UserRef::by_email("labeler@example.com"),
            RoleRef::by_name("Tenant Admin"),
            Validity::MIN,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Construction(ConstructionError::InvalidRole { ref allowed, .. }) if allowed.contains(&"Labeler".to_owned()) && !allowed.contains(&"Tenant Admin".to_owned())),
        "{error:?}"
    );

    // A labeler's key may grant only what its permissions cover.
    let (_, jwt) = emulator
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    let labeler = client_with(&emulator, &jwt);
    let error = labeler
        .create_api_key(CreateApiKeyRequest::new(
            "x",
            UserRef::by_email("labeler@example.com"),
            RoleRef::by_name("Admin"),
            Validity::MIN,
        ))
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Construction(ConstructionError::InvalidRole { .. })
        ),
        "{error:?}"
    );
    assert_eq!(
        emulator.operation_count("CreateApiKey"),
        0,
        "no mutation sent"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn expired_keys_are_listed_only_on_request() {
    let emulator = start().await;
    let admin = admin(&emulator);
    let (expired, _) = emulator
        .issue_key("reviewer@example.com", "Reviewer", -10, None)
        .unwrap();
    let active = admin
        .list_api_keys()
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap();
    assert!(!active.iter().any(|k| k.id.as_str() == expired));
    let all = admin
        .list_api_keys()
        .include_expired(true)
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap();
    assert!(all
        .iter()
        .any(|k| k.id.as_str() == expired && k.is_expired()));
    assert!(admin
        .get_api_key(&expired.as_str().into())
        .await
        .unwrap()
        .is_some());
    emulator.shutdown().await;
}

#[tokio::test]
async fn transient_faults_are_retried_for_queries() {
    let emulator = start().await;
    let admin = admin(&emulator);
    emulator.faults().fail_next(1, Fault::Http500);
    emulator.faults().fail_next(1, Fault::BadGateway502Html);
    let before = emulator.request_count();
    admin
        .list_api_keys()
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap();
    assert_eq!(emulator.request_count() - before, 3);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_lost_create_response_leaves_one_key_and_no_orphan() {
    let emulator = start().await;
    let admin = admin(&emulator);
    emulator.faults().fail_next(1, Fault::CommitThenDrop);
    let created = admin
        .create_api_key(CreateApiKeyRequest::new(
            "lost",
            UserRef::by_email("labeler@example.com"),
            RoleRef::by_name("Labeler"),
            Validity::MIN,
        ))
        .await
        .unwrap();
    assert_eq!(emulator.operation_count("CreateApiKey"), 2);
    let keys: Vec<_> = emulator
        .keys()
        .into_iter()
        .filter(|k| k.name == "lost")
        .collect();
    assert_eq!(keys.len(), 2);
    let live: Vec<_> = keys.iter().filter(|k| !k.revoked).collect();
    assert_eq!(live.len(), 1, "exactly one live key");
    assert_eq!(
        live[0].id,
        created.id().as_str(),
        "and it is the one we hold"
    );
    let labeler = client_with(&emulator, created.secret().expose_secret());
    assert_eq!(
        labeler.get_user().await.unwrap().email,
        "labeler@example.com"
    );
    emulator.shutdown().await;
}

#[tokio::test]
async fn lost_create_and_lost_revoke_responses_still_leave_one_key() {
    let emulator = start().await;
    let admin = admin(&emulator);
    // A key created earlier for the same user must survive reconciliation.
    let (older, _) = emulator
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    // Mutations in order: the create (answer lost), the orphan's revoke (answer lost, so
    // retried: revoking is idempotent), the create again.
    emulator.faults().fail_next(2, Fault::CommitThenDrop);
    let created = admin
        .create_api_key(CreateApiKeyRequest::new(
            "lost twice",
            UserRef::by_email("labeler@example.com"),
            RoleRef::by_name("Labeler"),
            Validity::MIN,
        ))
        .await
        .unwrap();
    let keys = emulator.keys();
    let named: Vec<_> = keys.iter().filter(|k| k.name == "lost twice").collect();
    assert_eq!(named.len(), 2);
    let live: Vec<_> = named.iter().filter(|k| !k.revoked).collect();
    assert_eq!(live.len(), 1);
    assert_eq!(live[0].id, created.id().as_str());
    assert!(keys.iter().any(|k| k.id == older && !k.revoked));
    emulator.shutdown().await;
}
