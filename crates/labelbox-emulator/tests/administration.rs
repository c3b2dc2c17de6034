//! The emulator's own administration: the bootstrap admin key's lifecycle across restarts,
//! `/_emulator/*` restricted to it, and `--help` keeping the admin key seed secret.

mod common;

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
