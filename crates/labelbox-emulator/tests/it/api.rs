//! The emulator over real HTTP: authentication, allowlists, roles, validation, listing,
//! revocation, rate limits, GraphQL errors and faults.

use crate::common;

use std::time::{Duration, Instant};

use common::*;
use labelbox_emulator::{Emulator, EmulatorConfig, Fault, RateLimit};
use serde_json::json;

#[tokio::test]
async fn authentication_refuses_every_bad_key() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = emu.admin_key().to_owned();
    assert!(authenticates(&ep, &admin).await);

    // Missing.
    let body = gql(&ep, None, &query("current_user"), json!(null)).await;
    assert_eq!(code(&body), "AUTHENTICATION_ERROR");
    assert!(body["data"].is_null());

    // Malformed: not a JWT, wrong scheme, garbage in a JWT shape.
    for bad in ["not-a-jwt", "a.b.c", ""] {
        assert!(!authenticates(&ep, bad).await, "{bad:?} authenticated");
    }
    let (_, _, text) = post_raw(
        &ep,
        None,
        json!({"query": query("current_user")}).to_string(),
    )
    .await
    .unwrap();
    assert!(text.contains("AUTHENTICATION_ERROR"));
    let client = reqwest::Client::new();
    let text = client
        .post(&ep)
        .header("authorization", format!("Basic {admin}"))
        .body(json!({"query": query("current_user")}).to_string())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("AUTHENTICATION_ERROR"), "{text}");
    assert!(!text.contains(&admin), "the key leaked into an error");

    // Wrong signature: a key minted by an emulator with another secret.
    let other = Emulator::start(EmulatorConfig::default().admin_key_seed("another secret"))
        .await
        .unwrap();
    let body = op(&ep, other.admin_key(), "current_user", json!(null)).await;
    assert_eq!(code(&body), "AUTHENTICATION_ERROR");
    assert!(message(&body).contains("signature"), "{body}");

    // Unknown: correctly signed (same seed, so same secret) but never stored here.
    let twin = start().await;
    let (_, twin_key) = twin
        .issue_key("admin@example.com", "Admin", 3600, None)
        .unwrap();
    assert!(authenticates(&twin.endpoint(), &twin_key).await);
    let body = op(&ep, &twin_key, "current_user", json!(null)).await;
    assert_eq!(code(&body), "AUTHENTICATION_ERROR");
    assert!(message(&body).contains("does not exist"), "{body}");

    // Revoked.
    let (id, key) = create_ok(
        &ep,
        &admin,
        "to revoke",
        "labeler@example.com",
        "Labeler",
        None,
    )
    .await;
    assert!(authenticates(&ep, &key).await);
    data(&revoke(&ep, &admin, &id).await);
    let body = op(&ep, &key, "current_user", json!(null)).await;
    assert_eq!(code(&body), "AUTHENTICATION_ERROR");
    assert!(message(&body).contains("revoked"), "{body}");

    // Expired, on the emulator clock.
    let body = create(
        &ep,
        &admin,
        "short",
        "labeler@example.com",
        Some("Labeler"),
        120,
        None,
    )
    .await;
    let short = data(&body)["createApiKey"]["jwt"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(authenticates(&ep, &short).await);
    // 110 s, not 119: real time passes too, and a loaded machine can take a second or more
    // between the creation and this request.
    emu.advance_clock(Duration::from_secs(110));
    assert!(authenticates(&ep, &short).await);
    emu.advance_clock(Duration::from_secs(11));
    let body = op(&ep, &short, "current_user", json!(null)).await;
    assert_eq!(code(&body), "AUTHENTICATION_ERROR");
    assert!(message(&body).contains("expired"), "{body}");
    // The admin key is unaffected.
    assert!(authenticates(&ep, &admin).await);
}

#[tokio::test]
async fn allowlist_is_enforced_against_the_peer_address() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = emu.admin_key();
    let (_, only_10) = create_ok(
        &ep,
        admin,
        "ten",
        "labeler@example.com",
        "Labeler",
        Some(vec!["10.0.0.0/8"]),
    )
    .await;
    let body = op(&ep, &only_10, "current_user", json!(null)).await;
    assert_eq!(code(&body), "AUTHENTICATION_ERROR");
    assert!(message(&body).contains("IP address"), "{body}");

    let (_, loopback) = create_ok(
        &ep,
        admin,
        "loopback",
        "labeler@example.com",
        "Labeler",
        Some(vec!["127.0.0.1/32"]),
    )
    .await;
    assert!(authenticates(&ep, &loopback).await);
    let (_, mixed) = create_ok(
        &ep,
        admin,
        "mixed",
        "labeler@example.com",
        "Labeler",
        Some(vec!["::1", "10.0.0.0/8", "127.0.0.0/8"]),
    )
    .await;
    assert!(authenticates(&ep, &mixed).await);

    // issue_key applies the same allowlist.
    let (_, issued) = emu
        .issue_key(
            "reviewer@example.com",
            "Reviewer",
            600,
            Some(vec!["192.0.2.0/24".into()]),
        )
        .unwrap();
    assert!(!authenticates(&ep, &issued).await);
}

#[tokio::test]
async fn roles_and_permissions_govern_creation() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = emu.admin_key();
    let (_, labeler) = emu
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();

    // A labeler lacks the key-management permission.
    let perms = op(&ep, &labeler, "caller_permissions", json!({"userId": null})).await;
    let perms: Vec<&str> = data(&perms)["organizationRole"]["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap())
        .collect();
    assert!(perms.contains(&"LABEL_DATA"));
    assert!(!perms.contains(&"MANAGE_API_KEYS"));
    let body = create(
        &ep,
        &labeler,
        "nope",
        "labeler@example.com",
        Some("Labeler"),
        3600,
        None,
    )
    .await;
    assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{body}");

    // The admin's permissions; a user's role by id.
    let body = op(&ep, admin, "caller_permissions", json!({})).await;
    assert!(data(&body)["organizationRole"]["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("MANAGE_API_KEYS")));
    let reviewer_id = emu.user_id("reviewer@example.com").unwrap();
    let body = op(
        &ep,
        admin,
        "caller_permissions",
        json!({"userId": reviewer_id}),
    )
    .await;
    let reviewer_perms = data(&body)["organizationRole"]["permissions"].clone();
    assert!(reviewer_perms
        .as_array()
        .unwrap()
        .contains(&json!("REVIEW_LABELS")));
    assert!(!reviewer_perms
        .as_array()
        .unwrap()
        .contains(&json!("MANAGE_PROJECTS")));

    // Roles: every built-in, each containing the lower one's permissions.
    let body = op(&ep, admin, "roles_with_permissions", json!({})).await;
    let roles = data(&body)["roles"].as_array().unwrap().clone();
    let names: Vec<&str> = roles.iter().map(|r| r["name"].as_str().unwrap()).collect();
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
    for pair in roles.windows(2) {
        for p in pair[0]["permissions"].as_array().unwrap() {
            assert!(pair[1]["permissions"].as_array().unwrap().contains(p));
        }
    }
    let body = op(&ep, admin, "roles", json!({})).await;
    assert!(data(&body)["roles"][0]["id"].as_str().is_some());

    // Ungrantable roles.
    let allowed = "Invalid role specified. Allowed roles are: ['Labeler', 'Reviewer', 'Team Manager', 'Admin']";
    for role in ["Tenant Admin", "None"] {
        let body = create(
            &ep,
            admin,
            "k",
            "labeler@example.com",
            Some(role),
            3600,
            None,
        )
        .await;
        assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{body}");
        assert_eq!(message(&body), allowed);
    }
    // Names are exact.
    let body = create(
        &ep,
        admin,
        "k",
        "labeler@example.com",
        Some("LABELER"),
        3600,
        None,
    )
    .await;
    assert_eq!(code(&body), "MALFORMED_REQUEST", "{body}");
    assert_eq!(message(&body), allowed);
    // A Team Manager key (created by the admin) cannot create keys either.
    let (_, manager) = create_ok(
        &ep,
        admin,
        "tm",
        "manager@example.com",
        "Team Manager",
        None,
    )
    .await;
    let body = create(
        &ep,
        &manager,
        "k",
        "labeler@example.com",
        Some("Labeler"),
        3600,
        None,
    )
    .await;
    assert_eq!(code(&body), "AUTHORIZATION_ERROR");

    // Unknown target user.
    let body = create(
        &ep,
        admin,
        "k",
        "ghost@example.com",
        Some("Labeler"),
        3600,
        None,
    )
    .await;
    assert_eq!(code(&body), "MALFORMED_REQUEST");
    assert_eq!(
        message(&body),
        "User with email 'ghost@example.com' does not exist in the organization"
    );

    // An Admin key may be created for a labeler, but it acts within the user's role too
    // (the intersection; tests/it/authorization.rs has the whole table).
    let (_, labeler_as_admin) =
        create_ok(&ep, admin, "elevated", "labeler@example.com", "Admin", None).await;
    let body = op(&ep, &labeler_as_admin, "caller_permissions", json!({})).await;
    assert!(!data(&body)["organizationRole"]["permissions"]
        .as_array()
        .unwrap()
        .contains(&json!("MANAGE_API_KEYS")));
    // A null role means the target user's own role.
    let body = create(
        &ep,
        admin,
        "default role",
        "reviewer@example.com",
        None,
        3600,
        None,
    )
    .await;
    data(&body);
    let key = emu
        .keys()
        .into_iter()
        .find(|k| k.name == "default role")
        .unwrap();
    assert_eq!(key.role, "Reviewer");
}

/// The emulator's own rule: no control character in a new key's name over the API (the
/// names a terminal or an environment variable cannot hold); seeded and issued keys may
/// carry any name, and a test may turn the rule off.
#[tokio::test]
async fn create_refuses_control_characters_in_names() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = emu.admin_key();
    let before = emu.keys().len();
    for name in [
        "a\0b",
        "clip\u{1b}]52;c;aGk=\u{7}",
        "line\nbreak",
        "c1\u{9b}x",
        "tail\n",
        "del\u{7f}",
    ] {
        let body = create(
            &ep,
            admin,
            name,
            "labeler@example.com",
            Some("Labeler"),
            3600,
            None,
        )
        .await;
        assert_eq!(code(&body), "MALFORMED_REQUEST", "{name:?}: {body}");
        assert_eq!(
            message(&body),
            "name must not contain control characters (U+0000-U+001F, U+007F-U+009F; the \
             emulator's own rule)",
            "{name:?}"
        );
        assert!(body["data"]["createApiKey"].is_null());
    }
    assert_eq!(emu.keys().len(), before, "nothing was created");
    // Printable text, accents and bidi-free Unicode pass.
    data(
        &create(
            &ep,
            admin,
            "ci deploy é 名",
            "labeler@example.com",
            Some("Labeler"),
            3600,
            None,
        )
        .await,
    );
    // Issued keys take any name; with the rule off, so does the API.
    emu.issue_named_key("a\0b", "labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    emu.set_key_name_rule(false);
    data(
        &create(
            &ep,
            admin,
            "a\0b",
            "labeler@example.com",
            Some("Labeler"),
            3600,
            None,
        )
        .await,
    );
    assert_eq!(emu.keys().iter().filter(|k| k.name == "a\0b").count(), 2);
    emu.shutdown().await;
}

#[tokio::test]
async fn create_validates_input_server_side() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = emu.admin_key();
    let before = emu.keys().len();
    let cases: Vec<(&str, i64, Option<Vec<&str>>, &str)> = vec![
        ("", 3600, None, "name must be a non-empty string"),
        ("   ", 3600, None, "name must be a non-empty string"),
        ("k", 59, None, "Minimum validity period is 1 minute"),
        ("k", 0, None, "Minimum validity period is 1 minute"),
        ("k", -5, None, "validity must be a positive integer"),
        (
            "k",
            15_120_001,
            None,
            "Maximum validity period is 6 months (or 25 weeks)",
        ),
        ("k", 3600, Some(vec!["10.0.0.1/8"]), "host bits"),
        (
            "k",
            3600,
            Some(vec!["not-an-ip"]),
            "Invalid IP address or CIDR range",
        ),
        (
            "k",
            3600,
            Some(vec!["10.0.0.0/33"]),
            "Invalid IP address or CIDR range",
        ),
        ("k", 3600, Some(vec!["  "]), "must not be empty"),
    ];
    for (name, validity, allowed, expected) in cases {
        let body = create(
            &ep,
            admin,
            name,
            "labeler@example.com",
            Some("Labeler"),
            validity,
            allowed.clone(),
        )
        .await;
        assert_eq!(
            code(&body),
            "MALFORMED_REQUEST",
            "{name:?} {validity} {allowed:?}: {body}"
        );
        assert!(message(&body).contains(expected), "{body}");
        assert!(body["data"]["createApiKey"].is_null());
    }
    let many: Vec<String> = (0..51).map(|i| format!("10.0.{i}.0/24")).collect();
    let body = create(
        &ep,
        admin,
        "k",
        "labeler@example.com",
        Some("Labeler"),
        3600,
        Some(many.iter().map(String::as_str).collect()),
    )
    .await;
    assert!(message(&body).contains("50"), "{body}");
    assert_eq!(emu.keys().len(), before, "a refused creation stored a key");

    // Bounds are inclusive; allowlists are normalised.
    for validity in [60, 15_120_000] {
        data(
            &create(
                &ep,
                admin,
                "edge",
                "labeler@example.com",
                Some("Labeler"),
                validity,
                None,
            )
            .await,
        );
    }
    let fifty: Vec<String> = (0..50).map(|i| format!("10.0.{i}.0/24")).collect();
    data(
        &create(
            &ep,
            admin,
            "fifty",
            "labeler@example.com",
            Some("Labeler"),
            3600,
            Some(fifty.iter().map(String::as_str).collect()),
        )
        .await,
    );
    let (id, _) = create_ok(
        &ep,
        admin,
        " padded name ",
        "labeler@example.com",
        "Labeler",
        Some(vec![
            "10.0.0.0/8",
            " 10.0.0.0/8 ",
            "2001:0db8:0000::/32",
            "192.0.2.7",
        ]),
    )
    .await;
    let (_, others) = list(&ep, admin).await;
    let key = others.iter().find(|k| k["id"] == json!(id)).unwrap();
    assert_eq!(
        key["allowedIpCidrs"],
        json!(["10.0.0.0/8", "2001:db8::/32", "192.0.2.7"])
    );
    assert_eq!(key["name"], json!("padded name"));
    assert_eq!(emu.keys().len(), before + 4);
}

#[tokio::test]
async fn listing_shows_own_and_managed_live_keys() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = emu.admin_key();
    let (own, _) = create_ok(&ep, admin, "own", "admin@example.com", "Admin", None).await;
    let (for_labeler, labeler_key) = create_ok(
        &ep,
        admin,
        "for labeler",
        "labeler@example.com",
        "Labeler",
        None,
    )
    .await;
    let (for_admin2, _) = create_ok(
        &ep,
        admin,
        "for admin2",
        "admin2@example.com",
        "Admin",
        None,
    )
    .await;
    let (revoked, _) = create_ok(
        &ep,
        admin,
        "revoked",
        "reviewer@example.com",
        "Reviewer",
        None,
    )
    .await;
    data(&revoke(&ep, admin, &revoked).await);
    let body = create(
        &ep,
        admin,
        "expiring",
        "reviewer@example.com",
        Some("Reviewer"),
        60,
        None,
    )
    .await;
    let expiring = data(&body)["createApiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    emu.advance_clock(Duration::from_secs(61));

    let (mine, others) = list(&ep, admin).await;
    let mine_ids = ids(&mine);
    assert!(mine_ids.contains(&own));
    assert!(mine_ids.contains(&emu.admin_key_id().to_owned()));
    assert_eq!(mine_ids.len(), 2);
    let other_ids = ids(&others);
    assert_eq!(
        other_ids,
        vec![for_labeler.clone(), for_admin2.clone(), expiring.clone()]
    );
    assert!(!other_ids.contains(&revoked));

    // Every field, in the contract's types.
    let k = others
        .iter()
        .find(|k| k["id"] == json!(for_labeler))
        .unwrap();
    assert_eq!(k["userEmail"], "labeler@example.com");
    assert_eq!(
        k["userId"],
        json!(emu.user_id("labeler@example.com").unwrap())
    );
    assert_eq!(
        k["createdByUserId"],
        json!(emu.user_id("admin@example.com").unwrap())
    );
    assert_eq!(k["revoked"], json!(false));
    assert!(k["allowedIpCidrs"].is_null());
    let created = k["createdAt"].as_str().unwrap();
    assert!(created.ends_with('Z') && created.len() == 24, "{created}");
    assert!(k["expiresAtEpoch"].as_i64().unwrap() > 1_700_000_000);
    let bootstrap = mine
        .iter()
        .find(|k| k["id"] == json!(emu.admin_key_id()))
        .unwrap();
    assert!(bootstrap["createdByUserId"].is_null());

    // The labeler sees its own key only.
    let (mine, others) = list(&ep, &labeler_key).await;
    assert_eq!(ids(&mine), vec![for_labeler]);
    assert!(others.is_empty());

    // user(where: {id}) and the caller.
    let admin2 = emu.user_id("admin2@example.com").unwrap();
    let body = op(&ep, admin, "user_by_id", json!({"id": admin2})).await;
    assert_eq!(data(&body)["user"]["email"], "admin2@example.com");
    assert_eq!(data(&body)["user"]["isViewer"], false);
    let body = op(
        &ep,
        admin,
        "user_by_id",
        json!({"id": "cnotauser000000000000000"}),
    )
    .await;
    assert!(data(&body)["user"].is_null());
    let body = op(&ep, admin, "current_user", json!(null)).await;
    assert_eq!(data(&body)["user"]["isViewer"], true);
    assert_eq!(data(&body)["user"]["email"], emu.admin_email());

    // Organization users by email.
    let body = op(
        &ep,
        admin,
        "organization_users_by_email",
        json!({"email": "LABELER@example.com"}),
    )
    .await;
    let users = data(&body)["organization"]["users"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(users.len(), 1);
    assert_eq!(users[0]["email"], "labeler@example.com");
    let body = op(
        &ep,
        admin,
        "organization_users_by_email",
        json!({"email": "ghost@example.com"}),
    )
    .await;
    assert_eq!(data(&body)["organization"]["users"], json!([]));
    let body = op(&ep, admin, "organization", json!(null)).await;
    assert_eq!(data(&body)["organization"]["name"], "Example Org");
}

#[tokio::test]
async fn revoke_is_idempotent_and_checked() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = emu.admin_key();
    let (id, key) = create_ok(&ep, admin, "r", "labeler@example.com", "Labeler", None).await;
    for _ in 0..2 {
        let body = revoke(&ep, admin, &id).await;
        assert_eq!(data(&body)["updateApiKey"]["id"], json!(id));
    }
    assert!(!authenticates(&ep, &key).await);

    let body = revoke(&ep, admin, "cdoesnotexist000000000000").await;
    assert_eq!(code(&body), "RESOURCE_NOT_FOUND");

    // A labeler cannot revoke someone else's key, but can revoke its own.
    let (_, labeler) = emu
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    let body = revoke(&ep, &labeler, emu.admin_key_id()).await;
    assert_eq!(code(&body), "AUTHORIZATION_ERROR");
    assert!(authenticates(&ep, admin).await);
    let (own, _) = emu
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    data(&revoke(&ep, &labeler, &own).await);
    assert!(emu.keys().iter().any(|k| k.id == own && k.revoked));
}

#[tokio::test]
async fn rate_limit_answers_429_per_key() {
    let emu = start().await;
    let ep = emu.endpoint();
    let (limited_id, limited) = emu
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    emu.set_key_rate_limit(
        &limited_id,
        Some(RateLimit::new(3, Duration::from_secs(60))),
    );
    for _ in 0..3 {
        assert!(authenticates(&ep, &limited).await);
    }
    let body = json!({"query": query("current_user")}).to_string();
    let (status, headers, text) = post_raw(&ep, Some(&limited), body.clone()).await.unwrap();
    assert_eq!(status, 429);
    let parsed: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert!(
        parsed["message"]
            .as_str()
            .unwrap()
            .starts_with("You have exceeded"),
        "{text}"
    );
    assert!(parsed.get("errors").is_none());
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    // Other keys are not limited.
    for _ in 0..5 {
        assert!(authenticates(&ep, emu.admin_key()).await);
    }
    // A new window opens.
    emu.advance_clock(Duration::from_secs(61));
    assert!(authenticates(&ep, &limited).await);

    // The configured default applies to every key.
    let limited_all = Emulator::start(
        EmulatorConfig::default()
            .admin_key_seed("x")
            .rate_limit(RateLimit::new(1, Duration::from_secs(30))),
    )
    .await
    .unwrap();
    assert!(authenticates(&limited_all.endpoint(), limited_all.admin_key()).await);
    let (status, _, _) = post_raw(&limited_all.endpoint(), Some(limited_all.admin_key()), body)
        .await
        .unwrap();
    assert_eq!(status, 429);
}

#[tokio::test]
async fn graphql_errors_carry_codes() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = emu.admin_key();
    let body = gql(&ep, Some(admin), "query { user { id ", json!(null)).await;
    assert_eq!(code(&body), "GRAPHQL_PARSE_FAILED");
    assert!(body.get("data").is_none());
    let body = gql(
        &ep,
        Some(admin),
        "query { user { noSuchField } }",
        json!(null),
    )
    .await;
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED");
    assert!(body.to_string().contains("noSuchField"), "{body}");
    let body = gql(
        &ep,
        Some(admin),
        "query { user { id } } query Other { roles { id } }",
        json!(null),
    )
    .await;
    assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    // Variables of the wrong type.
    let body = op(&ep, admin, "user_by_id", json!({"id": {"nested": true}})).await;
    assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
    // Not a GraphQL request.
    let (status, _, text) = post_raw(&ep, Some(admin), "{not json".into())
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(text.contains("MALFORMED_REQUEST"), "{text}");
    // Unauthenticated requests are refused before parsing.
    let body = gql(&ep, None, "query { user { id ", json!(null)).await;
    assert_eq!(code(&body), "AUTHENTICATION_ERROR");
    // Every error has a code; operation names are counted.
    assert!(emu.operation_count("CurrentUser") == 0);
    op(&ep, admin, "current_user", json!(null)).await;
    assert_eq!(emu.operation_count("CurrentUser"), 1);
}

#[tokio::test]
async fn faults_fail_the_next_requests() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = emu.admin_key().to_owned();
    let body = json!({"query": query("current_user")}).to_string();
    let start_count = emu.request_count();

    emu.faults().fail_next(2, Fault::Http500);
    for _ in 0..2 {
        let (status, _, _) = post_raw(&ep, Some(&admin), body.clone()).await.unwrap();
        assert_eq!(status, 500);
    }
    assert!(authenticates(&ep, &admin).await);

    emu.faults().fail_next(1, Fault::BadGateway502Html);
    let (status, headers, text) = post_raw(&ep, Some(&admin), body.clone()).await.unwrap();
    assert_eq!(status, 502);
    assert!(headers["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/html"));
    assert!(text.contains("<html>"));

    emu.faults().fail_next(1, Fault::UpstreamConnect503);
    let (status, _, text) = post_raw(&ep, Some(&admin), body.clone()).await.unwrap();
    assert_eq!(status, 503);
    assert!(text.contains("upstream connect error or disconnect/reset before headers"));

    emu.faults().fail_next(1, Fault::DropConnection);
    assert!(post_raw(&ep, Some(&admin), body.clone()).await.is_err());
    assert!(authenticates(&ep, &admin).await);

    emu.faults()
        .fail_next(1, Fault::Delay(Duration::from_millis(400)));
    let t = Instant::now();
    assert!(authenticates(&ep, &admin).await);
    assert!(t.elapsed() >= Duration::from_millis(400));

    // Commit then drop: queries pass untouched, the mutation is stored but never answered.
    emu.faults().fail_next(1, Fault::CommitThenDrop);
    assert!(authenticates(&ep, &admin).await);
    assert_eq!(emu.faults().pending(), 1);
    let before = emu.keys().len();
    let create_body = json!({
        "query": query("create_api_key"),
        "variables": {"name": "lost", "userEmail": "labeler@example.com", "role": "Labeler", "validitySeconds": 3600}
    })
    .to_string();
    assert!(post_raw(&ep, Some(&admin), create_body).await.is_err());
    let keys = emu.keys();
    assert_eq!(keys.len(), before + 1);
    assert!(keys.iter().any(|k| k.name == "lost" && !k.revoked));
    assert_eq!(emu.faults().pending(), 0);

    assert_eq!(emu.request_count() - start_count, 10);
    // `Fault::parse` (the binary's `--fault`) is a unit test in `src/faults.rs`.
}

#[tokio::test]
async fn handle_debug_redacts_the_admin_key() {
    let emu = start().await;
    let debug = format!("{emu:?}");
    assert!(!debug.contains(emu.admin_key()));
    assert!(debug.contains("REDACTED"));
    let config = EmulatorConfig::default().admin_key_seed("secret-seed");
    assert!(!format!("{config:?}").contains("secret-seed"));
}

#[tokio::test]
async fn clock_control_needs_an_admin_key() {
    let emu = start().await;
    let url = emu.endpoint().replace("/graphql", "/_emulator/clock");
    let client = reqwest::Client::new();
    let send = |key: Option<String>| {
        let mut req = client
            .post(&url)
            .body(json!({"advanceSeconds": 3600}).to_string());
        if let Some(k) = key {
            req = req.header("authorization", format!("Bearer {k}"));
        }
        req.send()
    };
    assert_eq!(send(None).await.unwrap().status(), 401);
    let (_, labeler) = emu
        .issue_key("labeler@example.com", "Labeler", 7200, None)
        .unwrap();
    assert_eq!(send(Some(labeler.clone())).await.unwrap().status(), 403);
    let before = emu.now();
    let resp = send(Some(emu.admin_key().to_owned())).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(emu.now() - before >= time::Duration::seconds(3600));
    let (_, short) = emu
        .issue_key("labeler@example.com", "Labeler", 60, None)
        .unwrap();
    assert!(authenticates(&emu.endpoint(), &short).await);
    send(Some(emu.admin_key().to_owned())).await.unwrap();
    assert!(!authenticates(&emu.endpoint(), &short).await);
}

#[tokio::test]
async fn clock_control_refuses_an_out_of_range_move_and_keeps_serving() {
    let emu = start().await;
    let url = emu.endpoint().replace("/graphql", "/_emulator/clock");
    let client = reqwest::Client::new();
    for seconds in [9_000_000_000_000_000_i64, i64::MIN] {
        let resp = client
            .post(&url)
            .header("authorization", format!("Bearer {}", emu.admin_key()))
            .body(json!({ "advanceSeconds": seconds }).to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
    }
    assert!(authenticates(&emu.endpoint(), emu.admin_key()).await);
    // The in-process control saturates instead of overflowing.
    emu.advance_clock(Duration::MAX);
    emu.advance_clock(Duration::MAX);
    assert!(emu.now().year() > 2100);
    // The bootstrap key (valid until 2038) is now expired: answered, not a handler panic.
    let body = json!({ "query": query("current_user") }).to_string();
    let (status, _, text) = post_raw(&emu.endpoint(), Some(emu.admin_key()), body)
        .await
        .unwrap();
    assert_eq!(status, 200);
    assert!(text.contains("expired"), "{text}");
}

#[tokio::test]
async fn oversized_and_deeply_nested_bodies_are_refused_cleanly() {
    let emu = start().await;
    let ep = emu.endpoint();
    let big = format!("{{\"query\": \"{}\"}}", " ".repeat(3 * 1024 * 1024));
    let (status, _, _) = post_raw(&ep, Some(emu.admin_key()), big).await.unwrap();
    assert_eq!(status, 413);
    let nested = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let (status, _, text) = post_raw(&ep, Some(emu.admin_key()), nested).await.unwrap();
    assert_eq!(status, 200);
    assert!(text.contains("MALFORMED_REQUEST"), "{text}");
    assert!(authenticates(&ep, emu.admin_key()).await);
}

#[tokio::test]
async fn an_unauthenticated_request_is_refused_before_its_query_is_validated() {
    let emu = start().await;
    // Adversarial fixture: 200,000 identical selections take the validator seconds.
    let heavy = format!("{{ user {{{} }} }}", " id".repeat(200_000));
    let body = json!({ "query": heavy }).to_string();
    let started = Instant::now();
    let (status, _, text) = post_raw(&emu.endpoint(), None, body).await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(status, 200);
    assert!(text.contains("AUTHENTICATION_ERROR"), "{text}");
    assert!(
        elapsed < Duration::from_secs(2),
        "the unauthenticated query was validated ({elapsed:?})"
    );
}

/// A request body running `queries/<name>.graphql` under its `operationName`, as the SDK
/// sends it.
fn named(name: &str, operation: &str, variables: serde_json::Value) -> String {
    json!({ "query": query(name), "operationName": operation, "variables": variables }).to_string()
}

#[tokio::test]
async fn a_fault_aimed_at_one_operation_lets_the_others_through() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let create = || {
        named(
            "create_api_key",
            "CreateApiKey",
            json!({"name": "aimed", "userEmail": "labeler@example.com", "role": "Labeler",
                   "validitySeconds": 3600}),
        )
    };
    let current_user = || named("current_user", "CurrentUser", json!(null));

    // Other operations (and requests without a name) pass untouched and leave it pending.
    emu.faults()
        .fail_next_operation("CreateApiKey", 1, Fault::Http500);
    let (status, _, _) = post_raw(&ep, Some(&admin), current_user()).await.unwrap();
    assert_eq!(status, 200);
    assert!(authenticates(&ep, &admin).await);
    assert_eq!(emu.faults().pending(), 1);
    let (status, _, _) = post_raw(&ep, Some(&admin), create()).await.unwrap();
    assert_eq!(status, 500, "the aimed operation fails");
    assert_eq!(emu.faults().pending(), 0);
    let (status, _, text) = post_raw(&ep, Some(&admin), create()).await.unwrap();
    assert_eq!(status, 200, "once: {text}");

    // Commit then drop, aimed: the key is stored, the answer never sent.
    emu.faults()
        .fail_next_operation("CreateApiKey", 1, Fault::CommitThenDrop);
    let before = emu.keys().len();
    assert!(post_raw(&ep, Some(&admin), create()).await.is_err());
    assert_eq!(emu.keys().len(), before + 1);
    assert_eq!(emu.faults().pending(), 0);

    // A delayed request is counted in flight until it is answered.
    emu.faults()
        .fail_next_operation("CurrentUser", 1, Fault::Delay(Duration::from_millis(300)));
    assert_eq!(emu.faults().delayed_in_flight(), 0);
    let held = tokio::spawn({
        let (ep, admin) = (ep.clone(), admin.clone());
        async move { post_raw(&ep, Some(&admin), current_user()).await }
    });
    labelbox_test_support::eventually("the request held", async || {
        emu.faults().delayed_in_flight() == 1
    })
    .await;
    let (status, _, _) = held.await.unwrap().unwrap();
    assert_eq!(status, 200);
    assert_eq!(emu.faults().delayed_in_flight(), 0);
}
