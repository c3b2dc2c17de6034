//! An empty allowlist is refused, never stored as "no allowlist" (which would fail open);
//! null or an absent field still means no allowlist.

use crate::common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn create_refuses_an_empty_allowlist_and_null_means_none() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = emu.admin_key();
    let before = emu.keys().len();

    let body = create(
        &ep,
        admin,
        "nowhere",
        "labeler@example.com",
        Some("Labeler"),
        3600,
        Some(vec![]),
    )
    .await;
    assert_eq!(code(&body), "MALFORMED_REQUEST", "{body}");
    assert!(
        message(&body).contains("allowedIpCidrs must not be empty"),
        "{body}"
    );
    assert!(body["data"]["createApiKey"].is_null(), "{body}");
    assert_eq!(emu.keys().len(), before, "a key was stored");

    // Null, and a request without the field at all, mean no allowlist.
    let (null_id, _) = create_ok(&ep, admin, "null", "labeler@example.com", "Labeler", None).await;
    let absent = gql(
        &ep,
        Some(admin),
        r#"mutation { createApiKey(data: {name: "absent", targetUserEmailId: "labeler@example.com", role: "Labeler", validitySeconds: 3600}) { id } }"#,
        json!({}),
    )
    .await;
    let absent_id = data(&absent)["createApiKey"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, others) = list(&ep, admin).await;
    for id in [&null_id, &absent_id] {
        let key = others.iter().find(|k| k["id"] == json!(id)).unwrap();
        assert!(key["allowedIpCidrs"].is_null(), "{key}");
    }

    // The handle refuses it too.
    assert!(emu
        .issue_key("labeler@example.com", "Labeler", 3600, Some(vec![]))
        .is_err());
}
