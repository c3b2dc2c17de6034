//! State files survive restarts and SIGKILL; concurrent writes are neither lost nor doubled.

use crate::common;

use std::collections::HashSet;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use labelbox_emulator::{Emulator, EmulatorConfig};
use labelbox_test_support::started::Started;
use serde_json::json;

#[tokio::test]
async fn state_survives_a_restart() {
    let path = temp_path("restart");
    let config = EmulatorConfig::default()
        .admin_key_seed("persist")
        .state_file(&path);
    let emu = Emulator::start(config.clone()).await.unwrap();
    let ep = emu.endpoint();
    let admin = emu.admin_key().to_owned();
    let (kept, kept_key) = create_ok(
        &ep,
        &admin,
        "kept",
        "labeler@example.com",
        "Labeler",
        Some(vec!["127.0.0.1"]),
    )
    .await;
    let (gone, gone_key) = create_ok(
        &ep,
        &admin,
        "gone",
        "reviewer@example.com",
        "Reviewer",
        None,
    )
    .await;
    data(&revoke(&ep, &admin, &gone).await);
    let (_, issued) = emu
        .issue_key("admin2@example.com", "Admin", 3600, None)
        .unwrap();
    emu.shutdown().await;

    let text = std::fs::read_to_string(&path).unwrap();
    for secret in [&kept_key, &gone_key, &issued, &admin] {
        assert!(!text.contains(secret.as_str()), "a key was stored in clear");
    }

    let emu = Emulator::start(config).await.unwrap();
    let ep = emu.endpoint();
    assert_eq!(emu.admin_key(), admin, "the seeded admin key is stable");
    assert!(authenticates(&ep, &kept_key).await);
    assert!(authenticates(&ep, &issued).await);
    assert!(!authenticates(&ep, &gone_key).await);
    let (_, others) = list(&ep, &admin).await;
    let k = others.iter().find(|k| k["id"] == json!(kept)).unwrap();
    assert_eq!(k["allowedIpCidrs"], json!(["127.0.0.1"]));
    emu.shutdown().await;

    // Without a seed, a restarted emulator mints a new admin key and revokes the previous
    // one (tests/it/administration.rs has the details).
    let path2 = temp_path("restart-unseeded");
    let emu = Emulator::start(EmulatorConfig::default().state_file(&path2))
        .await
        .unwrap();
    let first_admin = emu.admin_key().to_owned();
    emu.shutdown().await;
    let emu = Emulator::start(EmulatorConfig::default().state_file(&path2))
        .await
        .unwrap();
    assert_ne!(emu.admin_key(), first_admin);
    assert!(!authenticates(&emu.endpoint(), &first_admin).await);
    assert!(authenticates(&emu.endpoint(), emu.admin_key()).await);
    emu.shutdown().await;

    // A different seed with an existing state file is refused.
    let err = Emulator::start(
        EmulatorConfig::default()
            .admin_key_seed("other")
            .state_file(&path),
    )
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains("different admin key seed"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_creates_and_revokes_lose_nothing() {
    let path = temp_path("concurrency");
    let config = EmulatorConfig::default()
        .admin_key_seed("conc")
        .state_file(&path);
    let emu = Emulator::start(config.clone()).await.unwrap();
    let ep = emu.endpoint();
    let admin = emu.admin_key().to_owned();

    let mut tasks = Vec::new();
    for i in 0..40 {
        let (ep, admin) = (ep.clone(), admin.clone());
        tasks.push(tokio::spawn(async move {
            let name = format!("c{i}");
            let (id, _) =
                create_ok(&ep, &admin, &name, "labeler@example.com", "Labeler", None).await;
            // Revoke every other key right away, concurrently with the other creations.
            if i % 2 == 0 {
                data(&revoke(&ep, &admin, &id).await);
            }
            (i, id)
        }));
    }
    let mut created = Vec::new();
    for t in tasks {
        created.push(t.await.unwrap());
    }
    let unique: HashSet<&String> = created.iter().map(|(_, id)| id).collect();
    assert_eq!(unique.len(), 40);

    let check = |keys: Vec<labelbox_emulator::KeyInfo>| {
        let ours: Vec<_> = keys.iter().filter(|k| k.name.starts_with('c')).collect();
        assert_eq!(ours.len(), 40, "lost or duplicated keys");
        for (i, id) in &created {
            let k = ours
                .iter()
                .find(|k| &k.id == id)
                .expect("created key present");
            assert_eq!(k.name, format!("c{i}"));
            assert_eq!(k.revoked, i % 2 == 0);
        }
    };
    check(emu.keys());
    let (_, others) = list(&ep, &admin).await;
    assert_eq!(others.len(), 20);
    emu.shutdown().await;
    let emu = Emulator::start(config).await.unwrap();
    check(emu.keys());
}

fn spawn_binary(state: &std::path::Path) -> Started {
    spawn_binary_with(&[
        "--admin-key-seed",
        "kill-test",
        "--state",
        state.to_str().unwrap(),
    ])
}

fn spawn_binary_with(args: &[&str]) -> Started {
    Started::spawn(
        Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
            .args(["--listen", "127.0.0.1:0"])
            .args(args)
            .stderr(Stdio::inherit()),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_mid_load_loses_no_acknowledged_key() {
    let path = temp_path("sigkill");
    let mut server = spawn_binary(&path);
    let acknowledged: Arc<Mutex<Vec<(String, String)>>> = Arc::default();
    let mut workers = Vec::new();
    for w in 0..6 {
        let (ep, admin, acked) = (
            server.endpoint(),
            server.admin_key(),
            Arc::clone(&acknowledged),
        );
        workers.push(tokio::spawn(async move {
            for i in 0.. {
                let body = json!({
                    "query": query("create_api_key"),
                    "variables": {"name": format!("w{w}-{i}"), "userEmail": "labeler@example.com",
                                  "role": "Labeler", "validitySeconds": 3600}
                })
                .to_string();
                let Ok((200, _, text)) = post_raw(&ep, Some(&admin), body).await else {
                    break;
                };
                let v: serde_json::Value = match serde_json::from_str(&text) {
                    Ok(v) => v,
                    Err(_) => break,
                };
                let d = &v["data"]["createApiKey"];
                acked.lock().unwrap().push((
                    d["id"].as_str().unwrap().to_owned(),
                    d["jwt"].as_str().unwrap().to_owned(),
                ));
            }
        }));
    }
    // Let the load run, then kill the process without warning.
    labelbox_test_support::eventually("40 creations acknowledged", async || {
        acknowledged.lock().unwrap().len() >= 40
    })
    .await;
    server.child.kill().unwrap(); // SIGKILL on Unix
    server.child.wait().unwrap();
    for w in workers {
        w.await.unwrap();
    }
    let acked = acknowledged.lock().unwrap().clone();
    assert!(acked.len() >= 40);

    let mut server = spawn_binary(&path);
    let ep = server.endpoint();
    let (_, others) = list(&ep, &server.admin_key()).await;
    let stored: HashSet<String> = ids(&others).into_iter().collect();
    for (id, jwt) in &acked {
        assert!(stored.contains(id), "acknowledged key {id} was lost");
        assert!(
            authenticates(&ep, jwt).await,
            "acknowledged key {id} no longer authenticates"
        );
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
}

#[tokio::test]
async fn binary_flags_configure_seed_faults_and_rate_limit() {
    let dir = temp_path("flags");
    let seed = dir.with_file_name("seed.json");
    std::fs::write(
        &seed,
        r#"{"organization": {"name": "Flag Org"},
            "users": [{"email": "boss@flags.test", "name": "Boss", "role": "Tenant Admin"},
                      {"email": "worker@flags.test", "name": "Worker", "role": "Labeler"}]}"#,
    )
    .unwrap();
    let mut server = spawn_binary_with(&[
        "--seed",
        seed.to_str().unwrap(),
        "--fault",
        "http500:2",
        "--fault",
        "upstream-503",
        "--rate-limit",
        "6/60",
    ]);
    let (ep, key) = (server.endpoint(), server.admin_key());
    let body = json!({"query": query("current_user")}).to_string();
    for expected in [500, 500, 503] {
        let (status, _, _) = post_raw(&ep, Some(&key), body.clone()).await.unwrap();
        assert_eq!(status, expected);
    }
    let me = op(&ep, &key, "current_user", json!(null)).await;
    assert_eq!(data(&me)["user"]["email"], "boss@flags.test");
    let org = op(&ep, &key, "organization", json!(null)).await;
    assert_eq!(data(&org)["organization"]["name"], "Flag Org");
    for _ in 0..4 {
        post_raw(&ep, Some(&key), body.clone()).await.unwrap();
    }
    let (status, _, _) = post_raw(&ep, Some(&key), body).await.unwrap();
    assert_eq!(status, 429);
    server.child.kill().unwrap();
    server.child.wait().unwrap();

    // A bad seed is refused with exit status 2.
    std::fs::write(
        &seed,
        r#"{"users": [{"email": "x@y.z", "name": "X", "role": "Emperor"}]}"#,
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
        .args(["--seed", seed.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("Emperor"));
}

#[tokio::test]
async fn the_state_file_cannot_re_mint_a_key() {
    let path = temp_path("re-mint");
    let emu = Emulator::start(
        EmulatorConfig::default()
            .admin_key_seed("re-mint")
            .state_file(&path),
    )
    .await
    .unwrap();
    let ep = emu.endpoint();
    let (id, key) = create_ok(
        &ep,
        emu.admin_key(),
        "target",
        "labeler@example.com",
        "Labeler",
        None,
    )
    .await;
    let (issued_id, issued) = emu
        .issue_key("reviewer@example.com", "Reviewer", 3600, None)
        .unwrap();

    // Everything the state file holds, signed again with the secret it holds.
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let hex = state["jwtSecret"].as_str().unwrap();
    let secret: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    for (id, real) in [(&id, &key), (&issued_id, &issued)] {
        let record = &state["keys"][id.as_str()];
        let created = time::OffsetDateTime::parse(
            record["createdAt"].as_str().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        // The emulator's claim order: jti, sub, org, iat, exp.
        #[derive(serde::Serialize)]
        struct Claims<'a> {
            jti: &'a str,
            sub: &'a str,
            org: &'a str,
            iat: i64,
            exp: i64,
        }
        let claims = Claims {
            jti: id,
            sub: record["userId"].as_str().unwrap(),
            org: state["organization"]["id"].as_str().unwrap(),
            iat: created.unix_timestamp(),
            exp: record["expiresAt"].as_i64().unwrap(),
        };
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256);
        header.kid = Some(id.clone());
        let forged = jsonwebtoken::encode(
            &header,
            &claims,
            &jsonwebtoken::EncodingKey::from_secret(&secret),
        )
        .unwrap();
        assert_ne!(&forged, real, "the state file re-mints key {id}");
        assert!(!authenticates(&ep, &forged).await);
        assert!(authenticates(&ep, real).await);
    }
    emu.shutdown().await;
}

/// A `<state>.lock` planted as a symlink is never followed: the emulator refuses to start
/// and the link's target is neither created nor opened.
#[cfg(unix)]
#[tokio::test]
async fn a_symlinked_lock_file_is_refused_and_its_target_untouched() {
    let path = temp_path("lock-symlink");
    let dir = path.parent().unwrap();
    let target = dir.join("victim");
    let lock = dir.join("state.json.lock");
    std::os::unix::fs::symlink(&target, &lock).unwrap();
    let started = Emulator::start(EmulatorConfig::default().state_file(&path)).await;
    let error = match started {
        Ok(emu) => {
            emu.shutdown().await;
            panic!("started with a symlinked lock file");
        }
        Err(e) => e.to_string(),
    };
    assert!(error.contains("lock file"), "{error}");
    assert!(
        target.symlink_metadata().is_err(),
        "the lock's symlink was followed: its target was created"
    );
}

/// A state file that is a symlink is refused: loading it never changes the mode of the
/// link's target (a file of someone else's that the emulator would tighten to 0600).
#[cfg(unix)]
#[tokio::test]
async fn a_symlinked_state_file_is_refused_and_its_target_mode_kept() {
    use std::os::unix::fs::PermissionsExt as _;
    let real = temp_path("state-symlink-real");
    let emu = Emulator::start(EmulatorConfig::default().state_file(&real))
        .await
        .unwrap();
    emu.shutdown().await;
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();

    let path = temp_path("state-symlink");
    std::os::unix::fs::symlink(&real, &path).unwrap();
    let started = Emulator::start(EmulatorConfig::default().state_file(&path)).await;
    let error = match started {
        Ok(emu) => {
            emu.shutdown().await;
            panic!("started with a symlinked state file");
        }
        Err(e) => e.to_string(),
    };
    assert!(error.contains("symlink"), "{error}");
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "the symlink's target had its mode changed");
    assert!(path.symlink_metadata().unwrap().file_type().is_symlink());
}

#[cfg(unix)]
#[tokio::test]
async fn a_fifo_or_a_hard_link_at_the_state_path_is_refused_at_once() {
    use std::os::unix::fs::PermissionsExt as _;
    // A FIFO: opening it for reading would wait for a writer forever (run as the binary,
    // so a hang is a timeout here, not a blocked test).
    let fifo = temp_path("state-fifo");
    let made = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
        .args(["--listen", "127.0.0.1:0", "--state"])
        .arg(&fifo)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Polled: std has no wait with a deadline (after it, the hung emulator is killed).
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("a FIFO at the state path hung the emulator's start");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut error = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut error).unwrap();
    assert!(!status.success(), "started with a FIFO as its state file");
    assert!(error.contains("not a regular file"), "{error}");

    // A hard link to another file: loading would tighten that file's mode.
    let real = temp_path("state-hardlink-real");
    let emu = Emulator::start(EmulatorConfig::default().state_file(&real))
        .await
        .unwrap();
    emu.shutdown().await;
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o644)).unwrap();
    let linked = temp_path("state-hardlink");
    std::fs::hard_link(&real, &linked).unwrap();
    let error = match Emulator::start(EmulatorConfig::default().state_file(&linked)).await {
        Ok(emu) => {
            emu.shutdown().await;
            panic!("started with a hard-linked state file");
        }
        Err(e) => format!("{e} {:?}", std::error::Error::source(&e)),
    };
    assert!(error.contains("more than one link"), "{error}");
    let mode = std::fs::metadata(&real).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o644, "the linked file had its mode changed");
}

/// `createInvites` for `email` as the bootstrap admin (who is `inviterId`).
async fn invite_one(ep: &str, admin: &str, email: &str) -> serde_json::Value {
    let org = op(ep, admin, "organization", json!(null)).await;
    let me = op(ep, admin, "current_user", json!(null)).await;
    op(
        ep,
        admin,
        "create_invite",
        json!({ "data": [{
            "inviterId": data(&me)["user"]["id"],
            "inviteeEmail": email,
            "organizationId": data(&org)["organization"]["id"],
            "organizationRoleId": labelbox_emulator::roles::role_by_name("Labeler").unwrap().id,
        }] }),
    )
    .await
}

/// Pending invites and accepted members survive a restart; a state file of version 1 (no
/// invites) still loads; the invite limit comes from the configuration at every start.
#[tokio::test]
async fn invites_survive_a_restart_and_version_1_files_load() {
    let path = temp_path("invites");
    let config = EmulatorConfig::default()
        .admin_key_seed("invites")
        .state_file(&path);
    let emu = Emulator::start(config.clone()).await.unwrap();
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let pending = invite_one(&ep, &admin, "pending@example.com").await;
    let pending = data(&pending)["createInvites"][0]["invite"]["id"].clone();
    let accepted = invite_one(&ep, &admin, "joined@example.com").await;
    let accepted = data(&accepted)["createInvites"][0]["invite"]["id"].clone();
    let member = emu.accept_invite(accepted.as_str().unwrap()).unwrap();
    emu.shutdown().await;
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("\"version\": 2"), "{text}");

    let emu = Emulator::start(config.clone().invite_limit(20))
        .await
        .unwrap();
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let body = op(&ep, &admin, "list_invites", json!({})).await;
    let nodes = &data(&body)["organization"]["invites"]["nodes"];
    assert_eq!(nodes.as_array().unwrap().len(), 1, "{body}");
    assert_eq!(nodes[0]["id"], pending);
    assert_eq!(emu.user_id("joined@example.com"), Some(member.user_id));
    let org = op(&ep, &admin, "organization", json!(null)).await;
    let body = op(
        &ep,
        &admin,
        "invites_limit",
        json!({ "organizationId": data(&org)["organization"]["id"] }),
    )
    .await;
    assert_eq!(
        data(&body)["invitesLimit"],
        json!({ "used": 10, "limit": 20, "remaining": 10 })
    );
    emu.shutdown().await;

    // The same file as version 1 wrote it: no invites, no invite counter.
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let object = state.as_object_mut().unwrap();
    object.remove("invites");
    object.remove("nextInviteSeq");
    object.insert("version".to_owned(), json!(1));
    std::fs::write(&path, state.to_string()).unwrap();
    let emu = Emulator::start(config.clone()).await.unwrap();
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let body = op(&ep, &admin, "list_invites", json!({})).await;
    assert_eq!(data(&body)["organization"]["invites"]["nodes"], json!([]));
    assert!(emu.user_id("joined@example.com").is_some());
    emu.shutdown().await;
    // A version this emulator does not know is refused.
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    state["version"] = json!(3);
    std::fs::write(&path, state.to_string()).unwrap();
    let refused = Emulator::start(config).await.unwrap_err();
    assert!(
        refused.to_string().contains("unsupported version 3"),
        "{refused}"
    );
}

#[tokio::test]
async fn the_binary_takes_an_invite_limit() {
    let mut server = spawn_binary_with(&["--invite-limit", "9"]);
    let (ep, key) = (server.endpoint(), server.admin_key());
    let org = op(&ep, &key, "organization", json!(null)).await;
    let body = op(
        &ep,
        &key,
        "invites_limit",
        json!({ "organizationId": data(&org)["organization"]["id"] }),
    )
    .await;
    assert_eq!(
        data(&body)["invitesLimit"],
        json!({ "used": 8, "limit": 9, "remaining": 1 })
    );
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
        .args(["--invite-limit", "3000000000"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
