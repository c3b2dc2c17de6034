//! The one-pass decoding of a listing over real HTTP: a server that adds a top-level
//! `extensions` or fields the operation does not select is still decoded in one pass, and a
//! status-200 answer the one-pass decoding refuses (here a repeated field, which the `Value`
//! path reads) is decoded by the `Value` path and logged as one `debug` event that carries
//! no value of the body, so that a server changing its answers' shape shows in the logs
//! instead of only in the client's CPU time.

use crate::support;

use labelbox_sdk::KeyOrder;
use labelbox_test_support::capture::Capture;
use serde_json::{json, Value};
use support::{client, key_json, tomorrow, Reply, TestServer};

const DECLINED: &str = "one-pass decoding declined a status-200 answer; Value path used";

fn listing() -> Value {
    json!({
        "user": {
            "id": "u1",
            "apiKeys": [key_json("ck_own", "secret-looking-name", "u1", "ada@example.com", tomorrow())],
            "apiKeysOtherUsers": [key_json("ck_other", "other-name", "u2", "bob@example.com", tomorrow())],
        }
    })
}

/// The ids of the keys `get_api_keys` returns for `body`, and the logs of the call.
async fn list(body: Value) -> (Vec<String>, String) {
    list_text(&body.to_string()).await
}

async fn list_text(body: &str) -> (Vec<String>, String) {
    let server = TestServer::always(Reply::text(200, body)).await;
    let capture = Capture::default();
    let _guard = capture.set_default();
    let keys = client(&server.url)
        .list_api_keys()
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap();
    let ids = keys.iter().map(|k| k.id.as_str().to_owned()).collect();
    (ids, capture.text())
}

#[tokio::test]
async fn a_plain_listing_and_one_with_extensions_are_read_without_a_decline() {
    for body in [
        json!({ "data": listing() }),
        json!({ "data": listing(), "extensions": {"cost": {"requested": 3, "limit": 1e3}, "trace": [null, "é"]} }),
        json!({ "extensions": null, "data": listing() }),
        json!({ "__typename": "QueryRootMarker", "data": listing() }),
    ] {
        let (ids, logs) = list(body.clone()).await;
        assert_eq!(ids, ["ck_own", "ck_other"], "{body}");
        // The logs are captured (the operation's span), and say nothing of a decline.
        assert!(
            logs.contains("labelbox.operation"),
            "nothing captured: {logs}"
        );
        assert!(!logs.contains(DECLINED), "{body}: {logs}");
    }
}

#[tokio::test]
async fn a_declined_listing_is_decoded_by_the_value_path_and_logged_without_values() {
    // `data` twice: the one-pass decoding refuses a repeated field, a `Value` map keeps the
    // last one.
    let listing = listing().to_string();
    let body = format!(r#"{{"data":{{"user":"QueryRootMarker"}},"data":{listing}}}"#);
    let (ids, logs) = list_text(&body).await;
    assert_eq!(ids, ["ck_own", "ck_other"]);
    let declines: Vec<&str> = logs
        .lines()
        .filter(|line| line.contains(DECLINED))
        .collect();
    assert_eq!(declines.len(), 1, "{logs}");
    assert!(declines[0].starts_with("event DEBUG "), "{logs}");
    assert!(declines[0].contains("operation=ListApiKeys"), "{logs}");
    for value in [
        "QueryRootMarker",
        "ck_own",
        "ck_other",
        "secret-looking-name",
        "ada@example.com",
        "10.0.0.0/8",
    ] {
        assert!(!logs.contains(value), "{value} in the logs: {logs}");
    }
}
