//! The emulator's own administration: the bootstrap admin key's lifecycle across restarts,
//! `/_emulator/*` restricted to it (moving the clock, accepting an invite), and `--help`
//! keeping the admin key seed secret.

use crate::common;

use std::process::Command;

use common::*;
use labelbox_emulator::{Emulator, EmulatorConfig};
use serde_json::{json, Value};

const BIN: &str = env!("CARGO_BIN_EXE_labelbox-emulator");

#[tokio::test]
async fn each_start_with_a_state_file_revokes_the_previous_bootstrap_key() {
    let path = temp_path("bootstrap-rotation");
    let config = EmulatorConfig::default().state_file(&path);

    let emu = Emulator::start(config.clone()).await.unwrap();
    let first = emu.admin_key().to_owned();
    let first_id = emu.admin_key_id().to_owned();
    // A key the first bootstrap key created is an ordinary key: it survives restarts.
    let (_, created) = create_ok(
        &emu.endpoint(),
        &first,
        "ordinary",
        "admin2@example.com",
        "Admin",
        None,
    )
    .await;
    emu.shutdown().await;

    let emu = Emulator::start(config.clone()).await.unwrap();
    let ep = emu.endpoint();
    let second = emu.admin_key().to_owned();
    assert_ne!(second, first);
    let body = op(&ep, &first, "current_user", json!(null)).await;
    assert_eq!(code(&body), "AUTHENTICATION_ERROR", "{body}");
    assert_eq!(message(&body), "Invalid API key: the key has been revoked");
    assert!(authenticates(&ep, &second).await);
    assert!(authenticates(&ep, &created).await);
    assert!(emu.keys().iter().any(|k| k.id == first_id && k.revoked));
    emu.shutdown().await;

    // However many starts, one live bootstrap key: the current one.
    let emu = Emulator::start(config).await.unwrap();
    assert!(!authenticates(&emu.endpoint(), &second).await);
    let live: Vec<String> = emu
        .keys()
        .into_iter()
        .filter(|k| k.name == "Emulator bootstrap admin key" && !k.revoked)
        .map(|k| k.id)
        .collect();
    assert_eq!(live, vec![emu.admin_key_id().to_owned()]);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_seeded_restart_keeps_its_one_bootstrap_key() {
    let path = temp_path("bootstrap-seeded");
    let config = EmulatorConfig::default()
        .admin_key_seed("administration")
        .state_file(&path);
    let emu = Emulator::start(config.clone()).await.unwrap();
    let key = emu.admin_key().to_owned();
    emu.shutdown().await;
    let emu = Emulator::start(config).await.unwrap();
    assert_eq!(emu.admin_key(), key);
    assert!(authenticates(&emu.endpoint(), &key).await);
    emu.shutdown().await;
}

/// POSTs `{"advanceSeconds": seconds}` to `/_emulator/clock`; status and JSON body.
async fn move_clock(
    emu: &labelbox_emulator::EmulatorHandle,
    key: Option<&str>,
    seconds: i64,
) -> (u16, Value) {
    let url = emu.endpoint().replace("/graphql", "/_emulator/clock");
    let (status, _, text) = post_raw(&url, key, json!({ "advanceSeconds": seconds }).to_string())
        .await
        .unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

#[tokio::test]
async fn only_the_bootstrap_admin_key_administers_the_emulator() {
    let emu = start().await;
    let ep = emu.endpoint();
    // Ordinary Admin keys made over HTTP: for another Admin, and for the bootstrap user itself.
    let (_, other_admin) = create_ok(
        &ep,
        emu.admin_key(),
        "admin2",
        "admin2@example.com",
        "Admin",
        None,
    )
    .await;
    let (_, same_user) = create_ok(
        &ep,
        emu.admin_key(),
        "admin's second key",
        "admin@example.com",
        "Admin",
        None,
    )
    .await;
    // A key that expires in a minute: moving the clock back must not be possible for them.
    let (_, short) = emu
        .issue_key("labeler@example.com", "Labeler", 60, None)
        .unwrap();
    let before = emu.now();
    for key in [&other_admin, &same_user] {
        let (status, body) = move_clock(&emu, Some(key), -3600).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{body}");
        assert!(message(&body).contains("bootstrap admin key"), "{body}");
    }
    let (status, body) = move_clock(&emu, None, -3600).await;
    assert_eq!(status, 401, "{body}");
    assert_eq!(code(&body), "AUTHENTICATION_ERROR", "{body}");
    let (status, body) = move_clock(&emu, Some("not.a.key"), -3600).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        (emu.now() - before).whole_seconds().abs() < 60,
        "a refused request moved the clock"
    );

    // The emulator's administration: the bootstrap admin key.
    let (status, body) = move_clock(&emu, Some(emu.admin_key()), 120).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["now"].as_str().is_some(), "{body}");
    assert!(!authenticates(&ep, &short).await);
}

#[test]
fn help_never_shows_the_admin_key_seed() {
    let seed = "do-not-print-this-seed-3f9a";
    for flag in ["--help", "-h"] {
        let out = Command::new(BIN)
            .arg(flag)
            .env("LABELBOX_EMULATOR_ADMIN_KEY_SEED", seed)
            .output()
            .expect("run labelbox-emulator");
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{flag}: {stderr}");
        assert!(
            stdout.contains("LABELBOX_EMULATOR_ADMIN_KEY_SEED"),
            "{flag} should still name the variable: {stdout}"
        );
        assert!(
            !stdout.contains(seed) && !stderr.contains(seed),
            "{flag} printed the seed"
        );
    }
    let out = Command::new(BIN).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&out.stdout);
    assert!(
        help.contains("/_emulator/") && help.contains("bootstrap admin key"),
        "--help documents who may administer the emulator: {help}"
    );
}

/// `GET` or `DELETE` on `/_emulator/journal`; status and JSON body.
async fn journal_http(
    emu: &labelbox_emulator::EmulatorHandle,
    method: reqwest::Method,
    key: Option<&str>,
) -> (u16, Value) {
    let url = emu.endpoint().replace("/graphql", "/_emulator/journal");
    let mut request = reqwest::Client::new().request(method, url);
    if let Some(key) = key {
        request = request.bearer_auth(key);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

/// The journal as `GET /_emulator/journal` answers it with the bootstrap admin key, checked
/// equal to the handle's, serialized.
async fn journal(emu: &labelbox_emulator::EmulatorHandle) -> Value {
    let (status, body) = journal_http(emu, reqwest::Method::GET, Some(emu.admin_key())).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body, serde_json::to_value(emu.journal()).unwrap());
    body
}

#[tokio::test]
async fn the_journal_records_each_graphql_request_as_received() {
    let emu = start().await;
    let ep = emu.endpoint();
    let (labeler_id, labeler) = emu
        .issue_key("labeler@example.com", "Labeler", 3 * 86_400, None)
        .unwrap();
    emu.advance_clock(std::time::Duration::from_secs(86_400));
    let day_later = emu.now();

    // A named query with its operation name, as a client sends it.
    let listing = query("list_api_keys");
    let body = json!({ "query": listing, "variables": {}, "operationName": "ListApiKeys" });
    let (status, _, _) = post_raw(&ep, Some(emu.admin_key()), body.to_string())
        .await
        .unwrap();
    assert_eq!(status, 200);
    // A mutation with variables, from another key; its refusal is recorded too.
    let created = create(
        &ep,
        &labeler,
        "mine",
        "labeler@example.com",
        None,
        600,
        None,
    )
    .await;
    assert_eq!(code(&created), "AUTHORIZATION_ERROR", "{created}");
    // A document that does not validate: the operation name sent is kept.
    let bad = json!({ "query": "query Nope { nope }", "operationName": "Nope" });
    post_raw(&ep, Some(emu.admin_key()), bad.to_string())
        .await
        .unwrap();
    // Not recorded: no key, a bad key, a body that is not a GraphQL request.
    post_raw(&ep, None, body.to_string()).await.unwrap();
    post_raw(&ep, Some("not.a.key"), body.to_string())
        .await
        .unwrap();
    post_raw(&ep, Some(emu.admin_key()), "{not json".into())
        .await
        .unwrap();

    let journal = journal(&emu).await;
    let entries = journal["entries"].as_array().unwrap();
    assert_eq!(journal["dropped"], 0);
    assert_eq!(entries.len(), 3, "{journal}");
    let sequences: Vec<u64> = entries
        .iter()
        .map(|e| e["sequence"].as_u64().unwrap())
        .collect();
    assert_eq!(sequences, [1, 2, 3]);
    assert_eq!(entries[0]["keyId"], emu.admin_key_id());
    assert_eq!(entries[0]["operationName"], "ListApiKeys");
    assert_eq!(entries[0]["query"], listing.as_str());
    assert_eq!(entries[0]["variables"], json!({}));
    assert_eq!(entries[1]["keyId"], labeler_id.as_str());
    assert_eq!(entries[1]["operationName"], "CreateApiKey");
    assert_eq!(entries[1]["query"], query("create_api_key").as_str());
    assert_eq!(
        entries[1]["variables"],
        json!({ "name": "mine", "userEmail": "labeler@example.com", "role": null,
                "validitySeconds": 600, "allowedIpCidrs": null })
    );
    assert_eq!(entries[2]["operationName"], "Nope");
    assert_eq!(entries[2]["query"], "query Nope { nope }");
    assert_eq!(entries[2]["variables"], Value::Null);
    // Times on the emulator clock, which was moved a day ahead.
    let received = entries[0]["receivedAt"].as_str().unwrap();
    let received =
        time::OffsetDateTime::parse(received, &time::format_description::well_known::Rfc3339)
            .unwrap();
    assert!(
        (received - day_later).whole_seconds().abs() < 60,
        "{received}"
    );
    assert_eq!(emu.journal().entries[1].key_id, labeler_id);
}

#[tokio::test]
async fn only_the_bootstrap_admin_key_reads_or_clears_the_journal() {
    let emu = start().await;
    let ep = emu.endpoint();
    let (_, other_admin) = create_ok(
        &ep,
        emu.admin_key(),
        "admin2",
        "admin2@example.com",
        "Admin",
        None,
    )
    .await;
    for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
        let (status, body) = journal_http(&emu, method.clone(), None).await;
        assert_eq!(status, 401, "{body}");
        assert_eq!(code(&body), "AUTHENTICATION_ERROR", "{body}");
        let (status, body) = journal_http(&emu, method.clone(), Some(&other_admin)).await;
        assert_eq!(status, 403, "{body}");
        assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{body}");
    }
    assert_eq!(
        emu.journal().entries.len(),
        1,
        "the refused calls cleared nothing"
    );

    let (status, body) = journal_http(&emu, reqwest::Method::DELETE, Some(emu.admin_key())).await;
    assert_eq!((status, body), (200, json!({ "cleared": 1 })));
    assert!(journal(&emu).await["entries"]
        .as_array()
        .unwrap()
        .is_empty());
    // Cleared from the handle too; sequence numbers go on.
    assert!(authenticates(&ep, &other_admin).await);
    assert_eq!(emu.journal().entries[0].sequence, 2);
    assert_eq!(emu.clear_journal(), 1);
    assert!(emu.journal().entries.is_empty());
}

#[tokio::test]
async fn the_journal_keeps_the_newest_1000_entries_within_8_mib() {
    let emu = start().await;
    let ep = emu.endpoint();
    let small = json!({ "query": query("current_user") }).to_string();
    let client = reqwest::Client::new();
    for _ in 0..labelbox_emulator::MAX_JOURNAL_ENTRIES + 5 {
        let response = client
            .post(&ep)
            .bearer_auth(emu.admin_key())
            .body(small.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
    }
    let journal = emu.journal();
    assert_eq!(journal.entries.len(), 1_000);
    assert_eq!(journal.dropped, 5);
    assert_eq!(journal.entries[0].sequence, 6);
    assert_eq!(journal.entries[999].sequence, 1_005);

    // Documents of 1 MiB (a query and a long comment): seven fit in 8 MiB, not eight.
    assert_eq!(emu.clear_journal(), 1_000);
    let big = format!("{{ user {{ id }} }} #{}", "x".repeat(1024 * 1024));
    let body = json!({ "query": big }).to_string();
    for _ in 0..9 {
        let (status, _, text) = post_raw(&ep, Some(emu.admin_key()), body.clone())
            .await
            .unwrap();
        assert_eq!(status, 200, "{text}");
    }
    let journal = emu.journal();
    assert_eq!((journal.entries.len(), journal.dropped), (7, 2));
    assert_eq!(journal.entries[0].sequence, 1_008);
    assert!(journal.entries.iter().all(|e| e.query == big));
    let kept = emu.probe().journal_bytes;
    assert!(
        kept <= labelbox_emulator::MAX_JOURNAL_BYTES && kept > 7 * 1024 * 1024,
        "{kept}"
    );
}

#[tokio::test]
async fn no_secret_reaches_the_journal() {
    let emu = start().await;
    let ep = emu.endpoint();
    let (_, created) = create_ok(
        &ep,
        emu.admin_key(),
        "planted",
        "admin2@example.com",
        "Admin",
        None,
    )
    .await;
    let (_, issued) = emu
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    // Keys as callers, and planted where a careless client might put one: in the
    // document, in a variable's value, in a variable named like a secret.
    assert!(authenticates(&ep, &created).await);
    assert!(authenticates(&ep, &issued).await);
    let document = format!("query Me {{ user {{ id }} }} # {issued}");
    let body = json!({
        "query": document,
        "variables": { "note": format!("copy of {created}"), "token": "opaque-1234" },
    });
    post_raw(&ep, Some(&created), body.to_string())
        .await
        .unwrap();
    create(
        &ep,
        emu.admin_key(),
        &format!("key {issued}"),
        "admin@example.com",
        None,
        600,
        None,
    )
    .await;

    let journal = journal(&emu).await;
    let text = journal.to_string();
    assert_eq!(journal["entries"].as_array().unwrap().len(), 5, "{journal}");
    // The failure messages never print the journal: it would hold the secret.
    let secrets = [emu.admin_key(), &created, &issued, "opaque-1234"];
    for (i, secret) in secrets.into_iter().enumerate() {
        assert!(!text.contains(secret), "secret #{i} is in the journal");
    }
    assert!(!text.contains("eyJ"), "JWT-shaped text is in the journal");
    assert!(text.contains("[REDACTED]"), "{journal}");
    let (_, cleared) = journal_http(&emu, reqwest::Method::DELETE, Some(emu.admin_key())).await;
    assert_eq!(cleared["cleared"], 5);
}

/// `POST /_emulator/invites/accept`: only the bootstrap admin key; the invitee becomes a
/// member with the invited role; an id no pending invite has is 404.
#[tokio::test]
async fn the_bootstrap_admin_key_accepts_an_invite_over_http() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = emu.admin_key();
    let org = op(&ep, admin, "organization", json!(null)).await;
    let me = op(&ep, admin, "current_user", json!(null)).await;
    let body = op(
        &ep,
        admin,
        "create_invite",
        json!({ "data": [{
            "inviterId": data(&me)["user"]["id"],
            "inviteeEmail": "guest@example.com",
            "organizationId": data(&org)["organization"]["id"],
            "organizationRoleId": labelbox_emulator::roles::role_by_name("None").unwrap().id,
        }] }),
    )
    .await;
    let invite = data(&body)["createInvites"][0]["invite"]["id"].clone();
    let url = ep.replace("/graphql", "/_emulator/invites/accept");
    let accept = |key: Option<String>, id: Value| {
        let url = url.clone();
        async move {
            let (status, _, text) =
                post_raw(&url, key.as_deref(), json!({ "inviteId": id }).to_string())
                    .await
                    .unwrap();
            let body: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
            (status, body)
        }
    };
    let (_, other_admin) =
        create_ok(&ep, admin, "admin2", "admin2@example.com", "Admin", None).await;
    let (status, body) = accept(Some(other_admin), invite.clone()).await;
    assert_eq!(
        (status, code(&body)),
        (403, "AUTHORIZATION_ERROR"),
        "{body}"
    );
    let (status, body) = accept(None, invite.clone()).await;
    assert_eq!(
        (status, code(&body)),
        (401, "AUTHENTICATION_ERROR"),
        "{body}"
    );
    assert_eq!(emu.user_id("guest@example.com"), None);

    let (status, body) = accept(Some(admin.to_owned()), invite.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["email"], "guest@example.com");
    assert_eq!(body["role"], "None");
    assert_eq!(
        body["userId"],
        json!(emu.user_id("guest@example.com").unwrap())
    );
    let (status, body) = accept(Some(admin.to_owned()), invite).await;
    assert_eq!((status, code(&body)), (404, "RESOURCE_NOT_FOUND"), "{body}");
    let (status, _, text) = post_raw(&url, Some(admin), "{}".to_owned()).await.unwrap();
    assert_eq!(status, 400, "{text}");
}

/// `labelbox-emulator ARGS` until its ready line (`labelbox_test_support::started`).
fn start_binary(args: &[&str]) -> labelbox_test_support::started::Started {
    labelbox_test_support::started::Started::spawn(Command::new(BIN).args(args))
}

#[tokio::test]
async fn the_binary_announces_one_ready_line_and_a_private_ready_file() {
    use labelbox_test_support::started::{assert_ready_file, assert_ready_shape};
    let dir = labelbox_test_support::temp_dir("ready-file");
    let ready_path = dir.join("ready.json");
    // A stale file from an earlier run is gone before the new one is written.
    std::fs::write(&ready_path, "stale").unwrap();
    // No --listen: the default is a free loopback port (no more 8080).
    let started = start_binary(&[
        "--admin-key-seed",
        "ready",
        "--ready-file",
        ready_path.to_str().unwrap(),
    ]);
    assert_ready_shape(&started.ready, started.child.id());
    assert!(
        !started.endpoint().contains(":8080/"),
        "{}",
        started.endpoint()
    );
    assert_eq!(started.ready["admin_email"], "admin@example.com");
    assert_ready_file(&ready_path, &started.line);
    // Written after the socket was bound: the endpoint serves the key at once.
    assert!(authenticates(&started.endpoint(), &started.admin_key()).await);
    let status = started.stop();
    assert!(status.success(), "{status}");
    assert!(!ready_path.exists(), "the ready file outlived the emulator");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_port_in_use_fails_with_exit_1_and_is_never_moved() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = labelbox_test_support::temp_dir("port-in-use");
    let ready_path = dir.join("ready.json");
    let out = labelbox_test_support::started::Started::expect_failure(
        Command::new(BIN)
            .args(["--listen", &addr, "--ready-file"])
            .arg(&ready_path),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "cannot listen on {addr}: the address is already in use"
        )),
        "{stderr}"
    );
    assert!(!ready_path.exists(), "a ready file for a failed start");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[cfg(unix)]
#[test]
fn a_ready_file_in_a_directory_others_may_write_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = labelbox_test_support::temp_dir("ready-open-dir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o777)).unwrap();
    let ready_path = dir.join("ready.json");
    let out = labelbox_test_support::started::Started::expect_failure(
        Command::new(BIN).arg("--ready-file").arg(&ready_path),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("writable by other users"), "{stderr}");
    assert!(!ready_path.exists());

    // Sticky, as /tmp is: others may not replace this user's file there.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let started = start_binary(&["--ready-file", ready_path.to_str().unwrap()]);
    labelbox_test_support::started::assert_ready_file(&ready_path, &started.line);
    assert!(started.stop().success());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `METHOD /_emulator/PATH` with `key` and a JSON body: the status and the JSON answer.
async fn admin_call(
    emu: &labelbox_emulator::EmulatorHandle,
    method: &str,
    path: &str,
    key: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let url = emu
        .endpoint()
        .replace("/graphql", &format!("/_emulator/{path}"));
    let client = reqwest::Client::new();
    let mut request = match method {
        "GET" => client.get(&url),
        _ => client.post(&url),
    };
    if let Some(key) = key {
        request = request.header("authorization", format!("Bearer {key}"));
    }
    if let Some(body) = body {
        request = request
            .header("content-type", "application/json")
            .body(body.to_string());
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}")),
    )
}

/// Each member's organization role, by email.
async fn member_roles(emu: &labelbox_emulator::EmulatorHandle) -> Vec<(String, String)> {
    let body = op(
        &emu.endpoint(),
        emu.admin_key(),
        "organization_members_with_roles",
        json!({ "skip": 0 }),
    )
    .await;
    data(&body)["organization"]["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["email"].as_str().unwrap().to_owned(),
                u["orgRole"]["name"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn seeding_routes_add_members_set_roles_issue_keys_and_queue_faults() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = Some(emu.admin_key());

    let (status, user) = admin_call(
        &emu,
        "POST",
        "users",
        admin,
        Some(json!({ "email": "nia@example.com", "name": "Nia New", "role": "Reviewer" })),
    )
    .await;
    assert_eq!(status, 200, "{user}");
    assert_eq!(
        user["id"].as_str(),
        emu.user_id("nia@example.com").as_deref()
    );
    assert_eq!(user["role"], "Reviewer");
    assert!(member_roles(&emu)
        .await
        .contains(&("nia@example.com".into(), "Reviewer".into())));

    let (status, key) = admin_call(
        &emu,
        "POST",
        "keys",
        admin,
        Some(json!({
            "email": "nia@example.com", "role": "Reviewer", "validitySeconds": 60,
            "name": "seeded", "allowedIpCidrs": ["127.0.0.1"],
        })),
    )
    .await;
    assert_eq!(status, 200, "{key}");
    let (id, jwt) = (key["id"].as_str().unwrap(), key["jwt"].as_str().unwrap());
    let me = op(&ep, jwt, "current_user", json!(null)).await;
    assert_eq!(data(&me)["user"]["email"], "nia@example.com");

    // The listing is the handle's `keys()`, and holds no key.
    let (status, listing) = admin_call(&emu, "GET", "keys", admin, None).await;
    assert_eq!(status, 200, "{listing}");
    let listed = listing["keys"].as_array().unwrap();
    assert_eq!(listed.len(), emu.keys().len());
    let seeded = listed.iter().find(|k| k["id"] == id).expect("listed");
    assert_eq!(seeded["name"], "seeded");
    assert_eq!(seeded["userEmail"], "nia@example.com");
    assert_eq!(seeded["role"], "Reviewer");
    assert_eq!(seeded["allowedIpCidrs"], json!(["127.0.0.1"]));
    assert_eq!(seeded["revoked"], false);
    let text = listing.to_string();
    assert!(!text.contains(jwt) && !text.contains(emu.admin_key()));

    let (status, body) = admin_call(
        &emu,
        "POST",
        "users/role",
        admin,
        Some(json!({ "email": "NIA@example.com", "role": "Labeler" })),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(member_roles(&emu)
        .await
        .contains(&("nia@example.com".into(), "Labeler".into())));

    // The clock expires the seeded key.
    let (status, _) = move_clock(&emu, admin, 61).await;
    assert_eq!(status, 200);
    assert!(!authenticates(&ep, jwt).await);

    // A queued fault answers the next GraphQL request.
    let (status, body) = admin_call(
        &emu,
        "POST",
        "faults",
        admin,
        Some(json!({ "fault": "http500" })),
    )
    .await;
    assert_eq!((status, &body["queued"]), (200, &json!(1)), "{body}");
    let body = json!({ "query": query("current_user") }).to_string();
    assert_eq!(post_raw(&ep, admin, body).await.unwrap().0, 500);

    // One implementation behind the handle and the routes: each sees the other's members.
    let err = emu
        .add_user("Nia@Example.com", "Again", "Labeler")
        .unwrap_err();
    assert!(err.to_string().contains("exists"), "{err}");
    let id = emu.add_user("ode@example.com", "Ode", "None").unwrap();
    assert_eq!(emu.user_id("ode@example.com"), Some(id));
    let (status, body) = admin_call(
        &emu,
        "POST",
        "users",
        admin,
        Some(json!({ "email": "ODE@example.com", "name": "Ode", "role": "Labeler" })),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(code(&body), "MALFORMED_REQUEST");
}

#[tokio::test]
async fn seeding_routes_refuse_bad_input_and_change_nothing() {
    let emu = start().await;
    let admin = Some(emu.admin_key());
    let members = member_roles(&emu).await;
    let keys = emu.keys();
    let refused = [
        (
            "users",
            json!({ "email": "x@example.com", "name": "X", "role": "Emperor" }),
            "unknown role",
        ),
        (
            "users",
            json!({ "email": "no-at-sign", "name": "X", "role": "Labeler" }),
            "invalid email",
        ),
        (
            "users",
            json!({ "email": "admin@example.com", "name": "X", "role": "Admin" }),
            "exists",
        ),
        (
            "users",
            json!({ "email": "x@example.com", "name": "X", "role": "Admin", "id": "u1" }),
            "unknown field",
        ),
        (
            "users/role",
            json!({ "email": "ghost@example.com", "role": "Admin" }),
            "no user",
        ),
        (
            "users/role",
            json!({ "email": "labeler@example.com", "role": "Emperor" }),
            "unknown role",
        ),
        (
            "keys",
            json!({ "email": "ghost@example.com", "role": "Admin", "validitySeconds": 60 }),
            "no user",
        ),
        (
            "keys",
            json!({ "email": "labeler@example.com", "role": "Labeler" }),
            "validitySeconds",
        ),
        (
            "keys",
            json!({ "email": "labeler@example.com", "role": "Labeler", "validitySeconds": 60, "allowedIpCidrs": [] }),
            "must not be empty",
        ),
        ("faults", json!({ "fault": "meteor" }), "unknown fault"),
        ("users", json!("not an object"), "expected"),
    ];
    for (path, body, needle) in refused {
        let (status, answer) = admin_call(&emu, "POST", path, admin, Some(body.clone())).await;
        assert_eq!(status, 400, "{path} {body}: {answer}");
        assert_eq!(code(&answer), "MALFORMED_REQUEST", "{answer}");
        assert!(message(&answer).contains(needle), "{path} {body}: {answer}");
    }
    assert_eq!(member_roles(&emu).await, members);
    assert_eq!(emu.keys(), keys);
}

#[tokio::test]
async fn seeding_routes_accept_only_the_bootstrap_admin_key() {
    let emu = start().await;
    let ep = emu.endpoint();
    let (_, other_admin) = create_ok(
        &ep,
        emu.admin_key(),
        "admin2",
        "admin2@example.com",
        "Admin",
        None,
    )
    .await;
    let members = member_roles(&emu).await;
    let keys = emu.keys();
    let calls = [
        (
            "POST",
            "users",
            Some(json!({ "email": "x@example.com", "name": "X", "role": "Admin" })),
        ),
        (
            "POST",
            "users/role",
            Some(json!({ "email": "labeler@example.com", "role": "Admin" })),
        ),
        (
            "POST",
            "keys",
            Some(json!({ "email": "admin@example.com", "role": "Admin", "validitySeconds": 60 })),
        ),
        ("GET", "keys", None),
        ("POST", "faults", Some(json!({ "fault": "http500" }))),
    ];
    for (method, path, body) in calls {
        let (status, answer) = admin_call(&emu, method, path, None, body.clone()).await;
        assert_eq!(status, 401, "{method} {path}: {answer}");
        assert_eq!(code(&answer), "AUTHENTICATION_ERROR");
        let (status, answer) =
            admin_call(&emu, method, path, Some(&other_admin), body.clone()).await;
        assert_eq!(status, 403, "{method} {path}: {answer}");
        assert_eq!(code(&answer), "AUTHORIZATION_ERROR");
    }
    assert_eq!(member_roles(&emu).await, members);
    assert_eq!(emu.keys(), keys, "a refused call issued a key");
    assert!(
        authenticates(&ep, emu.admin_key()).await,
        "a refused call queued a fault"
    );
}

#[cfg(unix)]
#[test]
fn a_sigterm_right_after_the_ready_line_stops_the_emulator_in_order() {
    // The signal handlers are installed before the line is printed: a script that stops the
    // emulator as soon as it reads the line gets exit 0 and no ready file left behind.
    let dir = labelbox_test_support::temp_dir("ready-sigterm");
    let ready_path = dir.join("ready.json");
    for _ in 0..20 {
        let started = start_binary(&["--ready-file", ready_path.to_str().unwrap()]);
        let status = started.stop();
        assert!(status.success(), "{status}");
        assert!(!ready_path.exists(), "the ready file outlived the emulator");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
