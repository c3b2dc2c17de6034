//! The hand-over rule over HTTP: a replacement is revoked unless the user presses Done
//! (closed dialog, logout, idle expiry, console shutdown); Done revokes the old key. Plus
//! the create dialog's messages and the read-only key's refusal.

use crate::support;

use std::time::Duration;

use labelbox_emulator::Fault;
use serde_json::{json, Value};
use support::{authenticates, create_body, eventually, live_keys_named, login, start, Browser};

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
    let mut body = create("1", "days", "Tenant Admin", "", "n");
    body["dialog"] = json!(b.create_dialog().await);
    let answer = b.post("/api/keys", body).await;
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
    let page = b.get("/api/page").await.text().await.unwrap();
    assert!(page.contains("Read-only"), "the page says why");
    assert!(!page.contains("create-open"), "no Create button");
    let dialog = b.create_dialog().await;
    let answer = b.post("/api/keys", create_body("x", &dialog)).await;
    assert_eq!(answer.status(), 403);
    let v: Value = answer.json().await.unwrap();
    assert!(!v["message"].as_str().unwrap().is_empty(), "{v}");
}

/// Tab A rotates X while tab B creates a key: A's Done still completes A's rotation. In one
/// session (a duplicated tab copies `sessionStorage`, so both send the same secret) and in
/// two (a second login).
#[tokio::test]
async fn each_rotation_has_its_own_hand_over_in_one_session_and_across_two() {
    let s = start(IDLE).await;
    let endpoint = s.emulator.endpoint();
    let a = login(&s.console).await;
    let duplicate = Browser {
        http: support::http(),
        base: a.base.clone(),
        session: a.session.clone(),
    };
    let second = a.new_tab().await;
    for (what, b) in [
        ("a duplicated tab", &duplicate),
        ("a second login", &second),
    ] {
        let (x, x_secret) = a.create(&format!("x {what}")).await;
        let (new_id, new_secret) = rotate(&a, &x).await;
        // Tab B opens its own hand-overs meanwhile: a created key and a rotation.
        let (_, b_created) = b.create(&format!("b {what}")).await;
        let (y, y_secret) = b.create(&format!("y {what}")).await;
        let (y_new, y_new_secret) = rotate(b, &y).await;
        let done = a.post("/api/hand-over/done", json!({"id": new_id})).await;
        assert_eq!(done.status(), 200, "{what}");
        assert!(
            !authenticates(&endpoint, &x_secret).await,
            "{what}: Done revoked X"
        );
        assert!(
            authenticates(&endpoint, &new_secret).await,
            "{what}: A's replacement is live"
        );
        assert!(authenticates(&endpoint, &b_created).await, "{what}");
        // B's rotation is still open, and its Done completes it.
        assert!(
            authenticates(&endpoint, &y_secret).await,
            "{what}: Y works until B's Done"
        );
        let done = b.post("/api/hand-over/done", json!({"id": y_new})).await;
        assert_eq!(done.status(), 200, "{what}");
        assert!(!authenticates(&endpoint, &y_secret).await, "{what}");
        assert!(authenticates(&endpoint, &y_new_secret).await, "{what}");
    }
    // Another login cannot settle A's rotation.
    let (z, z_secret) = a.create("z").await;
    let (z_new, z_new_secret) = rotate(&a, &z).await;
    second
        .post("/api/hand-over/done", json!({"id": z_new}))
        .await;
    assert!(
        authenticates(&endpoint, &z_secret).await,
        "another session's Done did nothing"
    );
    assert!(authenticates(&endpoint, &z_new_secret).await);
}

#[tokio::test]
async fn done_for_a_discarded_replacement_is_an_error_saying_the_old_key_is_live() {
    let s = start(IDLE).await;
    let endpoint = s.emulator.endpoint();
    let a = login(&s.console).await;
    let b = a.new_tab().await;
    let (x, x_secret) = a.create("discarded").await;
    let (new_id, new_secret) = rotate(&a, &x).await;
    // Tab B deletes the replacement from the list: the rotation is abandoned.
    let deleted = b
        .post(&format!("/api/keys/{new_id}/delete"), json!({}))
        .await;
    assert_eq!(deleted.status(), 200);
    assert!(!authenticates(&endpoint, &new_secret).await);
    let done = a.post("/api/hand-over/done", json!({"id": new_id})).await;
    assert_eq!(done.status(), 409);
    let v: Value = done.json().await.unwrap();
    assert_eq!(
        v["message"],
        json!(format!(
            "This replacement was revoked; {x} is still live. Rotate it again for a new replacement."
        ))
    );
    assert!(authenticates(&endpoint, &x_secret).await, "X is still live");
    // Closing the dialog (abandon) says the same on a later Done.
    let (again, _) = rotate(&a, &x).await;
    a.post("/api/hand-over/abandon", json!({"id": again})).await;
    let done = a.post("/api/hand-over/done", json!({"id": again})).await;
    assert_eq!(done.status(), 409);
    assert!(authenticates(&endpoint, &x_secret).await);
}

#[tokio::test]
async fn a_repeated_create_submission_creates_one_key() {
    let s = start(IDLE).await;
    let b = login(&s.console).await;
    let dialog = b.create_dialog().await;
    let body = create_body("double", &dialog);
    let (first, second) = tokio::join!(
        b.post("/api/keys", body.clone()),
        b.post("/api/keys", body.clone())
    );
    let mut statuses = [first.status().as_u16(), second.status().as_u16()];
    statuses.sort();
    assert_eq!(statuses, [200, 409], "one creates, the repeat is refused");
    let again = b.post("/api/keys", body).await;
    assert_eq!(again.status(), 409, "a later repeat too");
    let v: Value = again.json().await.unwrap();
    assert!(
        v["message"].as_str().unwrap().contains("already submitted"),
        "{v}"
    );
    assert_eq!(live_keys_named(&s.emulator, "double").len(), 1);
    assert_eq!(
        s.emulator
            .keys()
            .iter()
            .filter(|k| k.name == "double")
            .count(),
        1,
        "nothing else was created"
    );
    // A form with errors does not spend the token.
    let dialog = b.create_dialog().await;
    let mut invalid = create_body("fixed", &dialog);
    invalid["amount"] = json!("0");
    assert_eq!(b.post("/api/keys", invalid).await.status(), 422);
    assert_eq!(
        b.post("/api/keys", create_body("fixed", &dialog))
            .await
            .status(),
        200
    );
}

/// Signs in and submits a Create of `name` while Labelbox answers slowly; the browser gives
/// up (the tab closed) before the answer.
async fn close_a_create_mid_mutation(s: &support::Setup, name: &str) {
    let b = login(&s.console).await;
    let dialog = b.create_dialog().await;
    s.emulator
        .faults()
        .fail_next(1, Fault::Delay(Duration::from_millis(1500)));
    let closed = b
        .http
        .post(format!("{}/api/keys", b.base))
        .headers(b.headers())
        .json(&create_body(name, &dialog))
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(closed.unwrap_err().is_timeout());
}

#[tokio::test]
async fn a_create_request_closed_mid_mutation_leaves_no_live_key() {
    let s = start(IDLE).await;
    close_a_create_mid_mutation(&s, "orphan").await;
    eventually("the key created, then revoked", async || {
        s.emulator.keys().iter().any(|k| k.name == "orphan")
            && live_keys_named(&s.emulator, "orphan").is_empty()
    })
    .await;
    assert_eq!(
        s.emulator
            .keys()
            .iter()
            .filter(|k| k.name == "orphan")
            .count(),
        1
    );
}

#[tokio::test]
async fn an_unacknowledged_key_is_revoked_at_logout_and_an_acknowledged_one_stays() {
    let s = start(IDLE).await;
    let endpoint = s.emulator.endpoint();
    let b = login(&s.console).await;
    let (_, unseen) = b.create_unacknowledged("unseen").await;
    let (_, seen) = b.create("seen").await;
    assert!(authenticates(&endpoint, &unseen).await);
    assert_eq!(b.post("/logout", json!({})).await.status(), 200);
    assert!(
        !authenticates(&endpoint, &unseen).await,
        "never shown: revoked"
    );
    assert!(authenticates(&endpoint, &seen).await, "acknowledged: kept");
}

#[tokio::test]
async fn an_unacknowledged_key_is_revoked_when_the_console_stops_or_the_session_expires() {
    let s = start(Duration::from_secs(2)).await;
    let endpoint = s.emulator.endpoint();
    let b = login(&s.console).await;
    let tab = b.new_tab().await;
    let (_, expiring) = tab.create_unacknowledged("expiring").await;
    // `b` stays active; the tab goes idle and the sweeper ends its session.
    eventually("the idle tab's key revoked", async || {
        b.get("/api/validity?amount=1&unit=days").await;
        !authenticates(&endpoint, &expiring).await
    })
    .await;
    let (_, unseen) = b.create_unacknowledged("stopping").await;
    let (_, seen) = b.create("stays").await;
    s.console.shutdown().await;
    assert!(
        !authenticates(&endpoint, &unseen).await,
        "never shown: revoked"
    );
    assert!(authenticates(&endpoint, &seen).await, "acknowledged: kept");
}

#[tokio::test]
async fn a_creation_in_flight_when_the_console_stops_is_revoked_before_shutdown_returns() {
    let s = start(IDLE).await;
    close_a_create_mid_mutation(&s, "in flight at shutdown").await;
    s.console.shutdown().await;
    // Once shutdown returns (the process may exit now), the key exists and is revoked.
    let named = s
        .emulator
        .keys()
        .into_iter()
        .filter(|k| k.name == "in flight at shutdown")
        .count();
    assert_eq!(
        named, 1,
        "the creation ran to its end before shutdown returned"
    );
    assert!(
        live_keys_named(&s.emulator, "in flight at shutdown").is_empty(),
        "a secret nobody received is revoked before shutdown returns"
    );
}
