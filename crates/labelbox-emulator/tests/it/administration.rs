//! The emulator's own administration: the bootstrap admin key's lifecycle across restarts,
//! `/_emulator/*` restricted to it, and `--help` keeping the admin key seed secret.

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
