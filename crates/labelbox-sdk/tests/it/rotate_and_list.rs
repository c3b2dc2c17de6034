//! The SDK's key workflows against the emulator over loopback HTTP: rotation
//! (`Client::rotate_api_key`: success, failed hand-over, failed revoke of the old key, of
//! the new key), the listing builder (`Client::list_api_keys`) and batch rotation over it
//! (`ListApiKeys::rotate_each`).

use std::sync::{Arc, Mutex};
use std::time::Duration;

use labelbox_emulator::{EmulatorHandle, Fault, KeyInfo};
use labelbox_sdk::RoleRef;
use labelbox_sdk::ServiceError;
use labelbox_sdk::{
    ApiKeyId, Client, Error, ExposeSecret, KeyOrder, RetryPolicy, RotateOptions, RotateOutcome,
    TimeUnit, UserId, Validity,
};

const DAY: i64 = 86_400;

async fn start() -> EmulatorHandle {
    labelbox_test_support::emulator::start().await
}

/// A client that never retries, so one injected fault fails one request.
fn client_with(emulator: &EmulatorHandle, key: &str) -> Client {
    labelbox_test_support::emulator::client_builder(emulator, key)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

fn admin(emulator: &EmulatorHandle) -> Client {
    client_with(emulator, emulator.admin_key())
}

fn stored(emulator: &EmulatorHandle, id: &str) -> KeyInfo {
    emulator
        .keys()
        .into_iter()
        .find(|k| k.id == id)
        .unwrap_or_else(|| panic!("no key {id}"))
}

async fn authenticates(emulator: &EmulatorHandle, secret: &str) -> bool {
    client_with(emulator, secret).get_user().await.is_ok()
}

#[tokio::test]
async fn rotation_hands_over_before_revoking_and_copies_name_user_allowlist() {
    let emulator = start().await;
    let admin = admin(&emulator);
    let allow = Some(vec!["127.0.0.1".to_owned(), "::1".to_owned()]);
    let (old, old_secret) = emulator
        .issue_key("labeler@example.com", "Labeler", 3 * DAY, allow)
        .unwrap();

    let handed: Arc<Mutex<Option<(String, String)>>> = Arc::default();
    let outcome = admin
        .rotate_api_key(&ApiKeyId::from(old.as_str()), RotateOptions::new(), |new| {
            let handed = Arc::clone(&handed);
            let emulator = &emulator;
            let old = old.clone();
            async move {
                // At hand-over time the new key exists and the old one is still live.
                assert!(!stored(emulator, &old).revoked, "old key revoked too early");
                assert!(!stored(emulator, new.created.id().as_str()).revoked);
                assert_eq!(new.old.id.as_str(), old);
                assert_eq!(new.role, "Labeler");
                *handed.lock().unwrap() = Some((
                    new.created.id().to_string(),
                    new.created.secret().expose_secret().to_owned(),
                ));
                Ok::<(), std::io::Error>(())
            }
        })
        .await
        .unwrap();
    let (new_id, new_secret) = handed.lock().unwrap().clone().unwrap();
    assert!(outcome.is_rotated(), "{outcome:?}");
    assert_eq!(outcome.new_id().as_str(), new_id);
    assert!(!outcome.old_key_live() && outcome.new_key_live());

    let (old_info, new_info) = (stored(&emulator, &old), stored(&emulator, &new_id));
    assert!(old_info.revoked && !new_info.revoked);
    assert_eq!(new_info.name, old_info.name);
    assert_eq!(new_info.user_email, "labeler@example.com");
    assert_eq!(new_info.role, "Labeler", "the user's organization role");
    // Read as `user.orgRole`, in one request; no guessing from permission sets.
    assert_eq!(emulator.operation_count("UserOrgRole"), 1);
    assert_eq!(emulator.operation_count("CallerPermissions"), 0);
    assert_eq!(emulator.operation_count("RolesWithIdsAndPermissions"), 0);
    assert_eq!(new_info.allowed_ip_cidrs, old_info.allowed_ip_cidrs);
    // The old key's lifetime (3 days), within a minute of slack.
    let lifetime = new_info.expires_at_epoch - emulator.now().unix_timestamp();
    assert!((3 * DAY - 60..=3 * DAY).contains(&lifetime), "{lifetime}");
    assert!(authenticates(&emulator, &new_secret).await);
    assert!(!authenticates(&emulator, &old_secret).await);
    emulator.shutdown().await;
}

#[tokio::test]
async fn options_choose_role_and_validity_and_a_long_lifetime_is_clamped() {
    let emulator = start().await;
    let admin = admin(&emulator);
    let (old, _) = emulator
        .issue_key("manager@example.com", "Team Manager", 40 * 7 * DAY, None)
        .unwrap();
    let outcome = admin
        .rotate_api_key(
            &ApiKeyId::from(old.as_str()),
            RotateOptions::new(),
            |_| async { Ok::<(), ()>(()) },
        )
        .await
        .unwrap();
    let new = stored(&emulator, outcome.new_id().as_str());
    let lifetime = new.expires_at_epoch - emulator.now().unix_timestamp();
    let max = Validity::MAX.as_seconds();
    assert!((max - 60..=max).contains(&lifetime), "{lifetime}");
    assert_eq!(new.role, "Team Manager");

    let outcome = admin
        .rotate_api_key(
            outcome.new_id(),
            RotateOptions::new()
                .role(RoleRef::by_name("Labeler"))
                .validity(Validity::new(2, TimeUnit::Hour).unwrap()),
            |_| async { Ok::<(), ()>(()) },
        )
        .await
        .unwrap();
    let new = stored(&emulator, outcome.new_id().as_str());
    assert_eq!(new.role, "Labeler");

    // Without --role after the user's role changed: the user's current role.
    emulator
        .set_user_role("manager@example.com", "Reviewer")
        .unwrap();
    let outcome = admin
        .rotate_api_key(outcome.new_id(), RotateOptions::new(), |_| async {
            Ok::<(), ()>(())
        })
        .await
        .unwrap();
    assert_eq!(
        stored(&emulator, outcome.new_id().as_str()).role,
        "Reviewer"
    );
    let lifetime = new.expires_at_epoch - emulator.now().unix_timestamp();
    assert!((7_200 - 60..=7_200).contains(&lifetime), "{lifetime}");
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_failed_hand_over_revokes_the_new_key_and_keeps_the_old() {
    let emulator = start().await;
    let admin = admin(&emulator);
    let (old, old_secret) = emulator
        .issue_key("labeler@example.com", "Labeler", 3 * DAY, None)
        .unwrap();
    let outcome = admin
        .rotate_api_key(
            &ApiKeyId::from(old.as_str()),
            RotateOptions::new().role(RoleRef::by_name("Labeler")),
            |_| async { Err("disk full") },
        )
        .await
        .unwrap();
    let RotateOutcome::HandOverFailed {
        new,
        hand_over_error,
        ..
    } = &outcome
    else {
        panic!("{outcome:?}");
    };
    assert_eq!(*hand_over_error, "disk full");
    assert!(outcome.old_key_live() && !outcome.new_key_live() && !outcome.handed_over());
    assert!(stored(&emulator, new.as_str()).revoked);
    assert!(!stored(&emulator, &old).revoked);
    assert!(authenticates(&emulator, &old_secret).await);

    // The hand-over fails and so does the revoke of the new key: both are live, and the
    // outcome says so.
    let outcome = admin
        .rotate_api_key(
            &ApiKeyId::from(old.as_str()),
            RotateOptions::new().role(RoleRef::by_name("Labeler")),
            |_| async {
                emulator.faults().fail_next(1, Fault::Http500);
                Err("disk full")
            },
        )
        .await
        .unwrap();
    let RotateOutcome::NewKeyUnheld { new, .. } = &outcome else {
        panic!("{outcome:?}");
    };
    assert!(outcome.old_key_live() && outcome.new_key_live() && !outcome.handed_over());
    assert!(!stored(&emulator, new.as_str()).revoked);
    assert!(!stored(&emulator, &old).revoked);
    emulator.shutdown().await;
}

#[tokio::test]
async fn a_failed_revoke_of_the_old_key_leaves_both_live() {
    let emulator = start().await;
    let admin = admin(&emulator);
    let (old, old_secret) = emulator
        .issue_key("labeler@example.com", "Labeler", 3 * DAY, None)
        .unwrap();
    let secret = Arc::new(Mutex::new(String::new()));
    let outcome = admin
        .rotate_api_key(
            &ApiKeyId::from(old.as_str()),
            RotateOptions::new().role(RoleRef::by_name("Labeler")),
            |new| {
                let secret = Arc::clone(&secret);
                let emulator = &emulator;
                async move {
                    *secret.lock().unwrap() = new.created.secret().expose_secret().to_owned();
                    // The next request (the revoke of the old key) fails.
                    emulator.faults().fail_next(1, Fault::Http500);
                    Ok::<(), ()>(())
                }
            },
        )
        .await
        .unwrap();
    let RotateOutcome::OldKeyNotRevoked { new, error, .. } = &outcome else {
        panic!("{outcome:?}");
    };
    assert!(
        matches!(error, Error::Service(ServiceError::InternalServer { .. })),
        "{error:?}"
    );
    assert!(outcome.old_key_live() && outcome.new_key_live() && outcome.handed_over());
    assert!(!stored(&emulator, &old).revoked && !stored(&emulator, new.as_str()).revoked);
    assert!(authenticates(&emulator, &old_secret).await);
    let new_secret = secret.lock().unwrap().clone();
    assert!(authenticates(&emulator, &new_secret).await);
    emulator.shutdown().await;
}

#[tokio::test]
async fn an_unknown_or_revoked_key_creates_nothing() {
    let emulator = start().await;
    let admin = admin(&emulator);
    let called = Mutex::new(false);
    let error = admin
        .rotate_api_key(&ApiKeyId::from("no-such-key"), RotateOptions::new(), |_| {
            *called.lock().unwrap() = true;
            async { Ok::<(), ()>(()) }
        })
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Service(ServiceError::NotFound(_))),
        "{error:?}"
    );
    let (old, _) = emulator
        .issue_key("labeler@example.com", "Labeler", 3 * DAY, None)
        .unwrap();
    admin
        .revoke_api_key(&ApiKeyId::from(old.as_str()))
        .await
        .unwrap();
    let error = admin
        .rotate_api_key(
            &ApiKeyId::from(old.as_str()),
            RotateOptions::new(),
            |_| async { Ok::<(), ()>(()) },
        )
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Service(ServiceError::NotFound(_))),
        "{error:?}"
    );
    assert!(!*called.lock().unwrap());
    assert_eq!(emulator.operation_count("CreateApiKey"), 0);
    emulator.shutdown().await;
}

#[tokio::test]
async fn the_listing_builder_filters_sorts_and_never_lists_revoked_keys() {
    let emulator = start().await;
    let admin = admin(&emulator);
    let issue =
        |email: &str, secs: i64| emulator.issue_key(email, "Labeler", secs, None).unwrap().0;
    let later = issue("labeler@example.com", 10 * DAY);
    let soon = issue("labeler@example.com", 2 * DAY);
    let soon_other = issue("reviewer@example.com", DAY);
    let expired = issue("labeler@example.com", -60);
    let revoked = issue("labeler@example.com", DAY);
    admin
        .revoke_api_key(&ApiKeyId::from(revoked.as_str()))
        .await
        .unwrap();
    let ids = |keys: Vec<labelbox_sdk::ApiKey>| -> Vec<String> {
        keys.into_iter()
            .map(|k| k.id.to_string())
            .filter(|id| id != emulator.admin_key_id())
            .collect()
    };

    // Default: no expired, no revoked, soonest expiry first (the bootstrap key, in 2038,
    // comes last and is left out by `ids`).
    let all = admin.list_api_keys().send().await.unwrap();
    assert_eq!(all.last().unwrap().id.as_str(), emulator.admin_key_id());
    assert_eq!(ids(all), [soon_other.clone(), soon.clone(), later.clone()]);
    let with_expired = admin.list_api_keys().include_expired(true).send().await;
    assert_eq!(
        ids(with_expired.unwrap()),
        [
            expired.clone(),
            soon_other.clone(),
            soon.clone(),
            later.clone()
        ]
    );
    let within = Duration::from_secs(3 * DAY as u64);
    let soon_keys = admin.list_api_keys().expiring_within(within).send().await;
    assert_eq!(ids(soon_keys.unwrap()), [soon_other.clone(), soon.clone()]);
    let labeler = UserId::from(emulator.user_id("labeler@example.com").unwrap());
    let theirs = admin
        .list_api_keys()
        .expiring_within(within)
        .include_expired(true)
        .for_user(labeler)
        .send()
        .await;
    assert_eq!(ids(theirs.unwrap()), [expired.clone(), soon.clone()]);
    let by_name = admin
        .list_api_keys()
        .sort(KeyOrder::NameThenId)
        .send()
        .await;
    assert!(by_name.unwrap().windows(2).all(|w| w[0].name <= w[1].name));
    emulator.shutdown().await;
}

#[tokio::test]
async fn batch_rotation_rotates_each_expiring_key_and_reports_each_outcome() {
    let emulator = start().await;
    let admin = admin(&emulator);
    let (far, _) = emulator
        .issue_key("labeler@example.com", "Labeler", 30 * DAY, None)
        .unwrap();
    let (a, _) = emulator
        .issue_key("labeler@example.com", "Labeler", DAY, None)
        .unwrap();
    let (b, b_secret) = emulator
        .issue_key("reviewer@example.com", "Reviewer", 2 * DAY, None)
        .unwrap();
    let mut progress = Vec::new();
    let results = admin
        .list_api_keys()
        .expiring_within(Duration::from_secs(14 * DAY as u64))
        .rotate_each(
            RotateOptions::new(),
            |new| {
                // The second key's hand-over fails; the batch goes on.
                let fail = new.old.user_email == "reviewer@example.com";
                async move {
                    if fail {
                        Err("vault unavailable")
                    } else {
                        Ok(())
                    }
                }
            },
            |done, total, rotation| progress.push((done, total, rotation.key.id.to_string())),
        )
        .await
        .unwrap();
    assert_eq!(progress, [(1, 2, a.clone()), (2, 2, b.clone())]);
    assert_eq!(results.len(), 2);
    let first = results[0].result.as_ref().unwrap();
    assert!(first.is_rotated(), "{first:?}");
    assert!(stored(&emulator, &a).revoked);
    assert_eq!(stored(&emulator, first.new_id().as_str()).role, "Labeler");
    let second = results[1].result.as_ref().unwrap();
    assert!(
        matches!(second, RotateOutcome::HandOverFailed { .. }),
        "{second:?}"
    );
    assert!(authenticates(&emulator, &b_secret).await);
    assert!(stored(&emulator, second.new_id().as_str()).revoked);
    assert!(!stored(&emulator, &far).revoked, "a key outside the window");
    emulator.shutdown().await;
}

/// A secret over `MAX_SECRET_BYTES` is a malformed answer: the new key is revoked and the
/// creation (or rotation, which creates through it) fails naming it, with no secret in the
/// error; one at the limit is accepted.
#[tokio::test]
async fn a_secret_over_the_cap_is_refused_and_its_key_revoked() {
    use labelbox_sdk::{CreateApiKeyRequest, UserRef, MAX_SECRET_BYTES};
    const USER: &str = "labeler@example.com";
    let emulator = start().await;
    let admin = admin(&emulator);
    let request = || {
        CreateApiKeyRequest::new(
            "capped",
            UserRef::by_email(USER),
            RoleRef::by_name("Labeler"),
            Validity::MIN,
        )
    };

    emulator
        .faults()
        .fail_next(1, Fault::OversizedSecret(MAX_SECRET_BYTES));
    let at_limit = admin.create_api_key(request()).await.unwrap();
    assert_eq!(at_limit.secret().expose_secret().len(), MAX_SECRET_BYTES);

    emulator
        .faults()
        .fail_next(1, Fault::OversizedSecret(MAX_SECRET_BYTES + 1));
    let error = admin.create_api_key(request()).await.unwrap_err();
    let Error::CreationFailed {
        orphans_revoked, ..
    } = &error
    else {
        panic!("{error:?}");
    };
    let text = error.to_string();
    assert!(text.contains("over the 16384-byte limit"), "{text}");
    assert!(!text.contains("AAAAAAAA") && !format!("{error:?}").contains("AAAAAAAA"));
    let [revoked] = orphans_revoked.as_slice() else {
        panic!("{error:?}");
    };
    let key = |id: &str| emulator.keys().into_iter().find(|k| k.id == id).unwrap();
    assert!(key(revoked.as_str()).revoked);

    let (old, _) = emulator.issue_key(USER, "Labeler", 3600, None).unwrap();
    emulator
        .faults()
        .fail_next(1, Fault::OversizedSecret(70_000));
    let rotated = admin
        .rotate_api_key(&old.as_str().into(), RotateOptions::new(), |_| async {
            Ok::<(), ()>(())
        })
        .await;
    assert!(
        matches!(rotated, Err(Error::CreationFailed { .. })),
        "{rotated:?}"
    );
    assert!(!key(&old).revoked, "the old key was kept");
    let live = emulator
        .keys()
        .into_iter()
        .filter(|k| !k.revoked && k.name.starts_with("issued"))
        .count();
    assert_eq!(live, 1, "only the old key is live");
    emulator.shutdown().await;
}
