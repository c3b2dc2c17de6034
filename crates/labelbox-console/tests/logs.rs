//! Secrets never reach the logs: every span and event of a whole console session, at every
//! level, captured and searched for the API key, the created keys' secrets, the login
//! tokens (printed and minted) and the session secrets.
//!
//! A test binary of its own, outside `tests/it/` (the crate's one test binary): the
//! subscriber is the process's global one (the console's tasks run on every worker thread,
//! which a thread's own `set_default` would not see), so in a shared binary it would
//! capture the other tests' logs, and it can be installed only once per process.

#[path = "it/support/mod.rs"]
mod support;

use std::time::Duration;

use labelbox_sdk::ExposeSecret;
use labelbox_test_support::capture::Capture;
use serde_json::{json, Value};
use support::{login, login_token, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_logs_no_secret() {
    let capture = Capture::default();
    tracing::subscriber::set_global_default(capture.clone()).unwrap();

    let s = start(Duration::from_secs(600)).await;
    let login_url = s.console.login_url().expose_secret().to_owned();
    let token = login_token(&login_url);
    let b = login(&s.console).await;
    let minted: Value = b
        .post("/api/login-link", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let minted = login_token(minted["path"].as_str().unwrap());
    let tab = support::exchange(&b.base, &minted).await.unwrap();
    let (id, secret) = b.create("logged").await;
    let rotated: Value = b
        .post(
            &format!("/api/keys/{id}/rotate"),
            json!({"amount": "1", "unit": "days"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let replacement = rotated["secret"].as_str().unwrap().to_owned();
    b.post("/api/hand-over/done", json!({"id": rotated["id"]}))
        .await;
    let abandoned: Value = b
        .post(
            &format!("/api/keys/{}/rotate", rotated["id"].as_str().unwrap()),
            json!({"amount": "1", "unit": "days"}),
        )
        .await
        .json()
        .await
        .unwrap();
    let abandoned_secret = abandoned["secret"].as_str().unwrap().to_owned();
    b.post("/api/hand-over/abandon", json!({"id": abandoned["id"]}))
        .await;
    b.post(
        &format!("/api/keys/{}/delete", rotated["id"].as_str().unwrap()),
        json!({}),
    )
    .await;
    b.post("/logout", json!({})).await;
    s.console.shutdown().await;

    let logs = capture.text();
    assert!(
        logs.contains("console listening"),
        "the console logged: {logs}"
    );
    assert!(logs.contains("rotation completed"), "{logs}");
    let secrets = [
        ("the console's API key", s.emulator.admin_key().to_owned()),
        ("a created key", secret),
        ("a replacement", replacement),
        ("an abandoned replacement", abandoned_secret),
        ("the login token", token),
        ("a minted login token", minted),
        ("the session secret", b.session.clone()),
        ("a second tab's session secret", tab),
    ];
    for (what, value) in secrets {
        assert!(value.len() > 20);
        assert!(!logs.contains(&value), "{what} was logged");
    }
}
