//! The hand-over rule over HTTP: a replacement is revoked unless the user presses Done
//! (closed dialog, logout, idle expiry, console shutdown); Done revokes the old key. Plus
//! the create dialog's messages and the read-only key's refusal.

mod support;

use std::time::{Duration, Instant};

use serde_json::{json, Value};
use support::{authenticates, login, start, Browser};

const IDLE: Duration = Duration::from_secs(600);

async fn rotate(b: &Browser, id: &str) -> (String, String) {
    let answer = b
        .post(
            &format!("/api/keys/{id}/rotate"),
            json!({"amount": "1", "unit": "days", "role": ""}),
        )
        .await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let v: Value = answer.json().await.unwrap();
    assert_eq!(v["replaces"], json!(id));
    (
        v["id"].as_str().unwrap().to_owned(),
        v["secret"].as_str().unwrap().to_owned(),
    )
}

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test]
async fn done_revokes_the_old_key_only_then() {
    let s = start(IDLE).await;
    let endpoint = s.emulator.endpoint();
    let b = login(&s.console).await;
    let (old_id, old) = b.create("rotated").await;
    let (new_id, new) = rotate(&b, &old_id).await;
    assert!(
        authenticates(&endpoint, &old).await,
        "the old key works until Done"
    );
    assert!(authenticates(&endpoint, &new).await);
    let done = b.post("/api/hand-over/done", json!({"id": new_id})).await;
    assert_eq!(done.status(), 200);
    assert!(
        !authenticates(&endpoint, &old).await,
        "Done revoked the old key"
    );
    assert!(authenticates(&endpoint, &new).await);
}

#[tokio::test]
async fn a_closed_dialog_revokes_the_replacement_and_keeps_the_old_key() {
    let s = start(IDLE).await;
    let endpoint = s.emulator.endpoint();
    let b = login(&s.console).await;
    let (old_id, old) = b.create("kept").await;
    let (new_id, new) = rotate(&b, &old_id).await;
    let closed = b
        .post("/api/hand-over/abandon", json!({"id": new_id}))
        .await;
    assert_eq!(closed.status(), 200);
    assert!(
        !authenticates(&endpoint, &new).await,
        "the replacement is revoked"
    );
    assert!(authenticates(&endpoint, &old).await, "the old key is kept");
    // A plain new key is not revoked by closing its dialog: creating it was the request.
    let (created_id, created) = b.create("plain").await;
    b.post("/api/hand-over/abandon", json!({"id": created_id}))
        .await;
    assert!(authenticates(&endpoint, &created).await);
}

#[tokio::test]
async fn logout_abandons_an_open_rotation() {
    let s = start(IDLE).await;
    let endpoint = s.emulator.endpoint();
    let b = login(&s.console).await;
    let (old_id, old) = b.create("logout").await;
    let (_, new) = rotate(&b, &old_id).await;
    assert_eq!(b.post("/logout", json!({})).await.status(), 200);
    assert!(!authenticates(&endpoint, &new).await);
    assert!(authenticates(&endpoint, &old).await);
}

#[tokio::test]
async fn an_expired_session_abandons_its_rotation_even_if_the_browser_never_returns() {
    let s = start(Duration::from_secs(3)).await;
    let endpoint = s.emulator.endpoint();
    let b = login(&s.console).await;
    let (old_id, old) = b.create("expiry").await;
    let (_, new) = rotate(&b, &old_id).await;
    // No request from the browser: the console's sweeper ends the session.
    eventually("the replacement revoked", async || {
        !authenticates(&endpoint, &new).await
    })
    .await;
    assert_eq!(s.console.session_count(), 0);
    assert!(authenticates(&endpoint, &old).await, "the old key is kept");
}

#[tokio::test]
async fn stopping_the_console_abandons_an_open_rotation() {
    let s = start(IDLE).await;
    let endpoint = s.emulator.endpoint();
    let b = login(&s.console).await;
    let (old_id, old) = b.create("shutdown").await;
    let (_, new) = rotate(&b, &old_id).await;
    s.console.shutdown().await;
    assert!(!authenticates(&endpoint, &new).await);
    assert!(authenticates(&endpoint, &old).await);
}

#[tokio::test]
async fn the_create_dialog_gets_the_contracts_and_the_sdks_messages() {
    let s = start(IDLE).await;
    let b = login(&s.console).await;
    let create = |amount: &str, unit: &str, role: &str, ips: &str, name: &str| {
        json!({"name": name, "amount": amount, "unit": unit, "role": role,
               "user": "labeler@example.com", "allowed_ips": ips})
    };
    let cases = [
        (
            create("0", "minutes", "Labeler", "", "n"),
            "validity",
            "Minimum validity period is 1 minute",
        ),
        (
            create("26", "weeks", "Labeler", "", "n"),
            "validity",
            "Maximum validity period is 6 months (or 25 weeks)",
        ),
        (
            create("1", "days", "Labeler", "", " "),
            "name",
            "name must be a non-empty string",
        ),
        (
            create("1", "days", "Labeler", "10.0.0.1/8", "n"),
            "allowed_ips",
            "allowed_ip_cidrs[0]: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?",
        ),
    ];
    for (body, field, message) in cases {
        let answer = b.post("/api/keys", body).await;
        assert_eq!(answer.status(), 422);
        let v: Value = answer.json().await.unwrap();
        assert_eq!(v["fields"][field], json!(message), "{v}");
    }
    // The SDK's own message for a role the caller may not grant.
    let answer = b
        .post("/api/keys", create("1", "days", "Tenant Admin", "", "n"))
        .await;
    assert!(answer.status().is_client_error());
    let v: Value = answer.json().await.unwrap();
    assert!(
        v["message"].as_str().unwrap().contains("Allowed roles are"),
        "{v}"
    );
    // The inline check while typing.
    let v: Value = b
        .get("/api/validity?amount=30&unit=seconds")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["message"], json!("Minimum validity period is 1 minute"));
    assert!(
        s.emulator.keys().iter().all(|k| k.name != "n"),
        "nothing was created"
    );
}

#[tokio::test]
async fn a_read_only_key_is_refused_with_the_servers_message() {
    let emulator = support::emulator().await;
    let (_, key) = emulator
        .issue_key("labeler@example.com", "Labeler", 86_400, None)
        .unwrap();
    let client = support::client(&emulator.endpoint(), &key);
    let console = labelbox_console::Console::start(labelbox_console::ConsoleConfig::new(client))
        .await
        .unwrap();
    let b = login(&console).await;
    let page = b.get("/").await.text().await.unwrap();
    assert!(page.contains("Read-only"), "the page says why");
    assert!(!page.contains("create-open"), "no Create button");
    let answer = b
        .post("/api/keys", json!({"name": "x", "amount": "1", "unit": "days", "role": "Labeler", "user": "labeler@example.com"}))
        .await;
    assert_eq!(answer.status(), 403);
    let v: Value = answer.json().await.unwrap();
    assert!(!v["message"].as_str().unwrap().is_empty(), "{v}");
}
