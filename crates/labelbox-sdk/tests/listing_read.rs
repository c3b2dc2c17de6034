//! The listing's one-pass reader (`src/listing_read.rs`) over real HTTP: the keys it reads
//! from the emulator's answers (names with quotes, backslashes, control characters and
//! non-ASCII text, allowlists of addresses and networks of both families, no allowlist, no
//! creator) are the ones the typed paths read, and `get_api_keys` returns them; answers it
//! declines (escapes written by another server, other users' keys first, invalid values)
//! still list correctly or fail with a value-free `Error::Decode` naming the field.

mod support;

use labelbox_sdk::__fuzz as sdk;
use labelbox_sdk::schema::list_api_keys;
use labelbox_sdk::{CreateApiKeyRequest, Error, IpAllowlist, Validity};
use support::{client, Reply, TestServer, CREATED_JWT, TEST_KEY};

const NAMES: [&str; 5] = [
    r#"he said "hi" \ back\slash /"#,
    "tab\tnew\nline\rcarriage\u{8}\u{c}\u{1}",
    "café ü 日本 😀 \u{7f}",
    "</script>&<b>",
    "plain",
];

#[tokio::test]
async fn the_reader_reads_the_emulator_s_answers_as_the_typed_paths() {
    let emulator = labelbox_test_support::emulator::start().await;
    // Names with control characters, which `createApiKey` refuses by default.
    emulator.set_key_name_rule(false);
    let admin = labelbox_test_support::emulator::admin(&emulator);
    let allowlists = [
        Some(vec!["2001:db8::/32", "::1", "192.168.1.5"]),
        Some(vec!["10.0.0.0/8"]),
        None,
        Some(vec!["::ffff:10.0.0.1", "fe80::/10"]),
        None,
    ];
    for (name, allowlist) in NAMES.iter().zip(allowlists) {
        let mut request = CreateApiKeyRequest::new(
            *name,
            emulator.admin_email(),
            "Labeler",
            Validity::from_seconds(86_400).unwrap(),
        );
        if let Some(entries) = allowlist {
            request = request.allowed_ips(IpAllowlist::new(entries).unwrap());
        }
        admin.create_api_key(request).await.unwrap();
    }
    let answer = admin
        .execute_unclassified::<list_api_keys::ListApiKeys>(list_api_keys::Variables)
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let (caller, read) = sdk::read_listing(answer.body()).expect("the reader declined");
    let typed = sdk::decode_listing_typed(200, answer.body()).unwrap();
    assert_eq!(read, typed);
    assert_eq!(read.len(), NAMES.len() + 1);
    // The bootstrap key has no creator and no allowlist.
    let bootstrap = read
        .iter()
        .find(|key| key.id.as_str() == emulator.admin_key_id())
        .unwrap();
    assert_eq!(bootstrap.created_by_user_id, None);
    assert!(bootstrap.allowed_ip_cidrs.is_empty());
    assert_eq!(bootstrap.user_id, caller);

    let listed = admin.get_api_keys(true).await.unwrap();
    assert_eq!(listed, read);
    for name in NAMES {
        let key = listed.iter().find(|key| key.name == name).unwrap();
        assert_eq!(key.user_email, emulator.admin_email());
        assert_eq!(key.created_by_user_id.as_ref(), Some(&caller));
    }
    let with_v6 = listed.iter().find(|key| key.name == NAMES[0]).unwrap();
    let entries: Vec<String> = with_v6
        .allowed_ip_cidrs
        .iter()
        .map(|e| e.to_string())
        .collect();
    assert_eq!(entries, ["2001:db8::/32", "::1", "192.168.1.5"]);
    emulator.shutdown().await;
}

fn key(id: &str, name: &str) -> String {
    format!(
        r#"{{"id":"{id}","name":"{name}","createdAt":"2024-01-01T00:00:00.000Z","updatedAt":"2024-01-02T00:00:00Z","revoked":false,"expiresAtEpoch":4102444800,"userId":"u1","userEmail":"a@example.com","createdByUserId":null,"allowedIpCidrs":["10.0.0.0/8","::1"]}}"#
    )
}

#[tokio::test]
async fn escapes_layout_and_order_of_another_server_list_the_same_keys() {
    // JSON escapes the emulator does not write, pretty-printed, other users' keys first.
    let own = key("k1", r#"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n"#);
    let other = key("k2", "other");
    let body = format!(
        "{{\n  \"data\": {{\n    \"user\": {{\n      \"apiKeysOtherUsers\": [ {other} ],\n      \"id\": \"u1\",\n      \"apiKeys\": [\n        {own}\n      ]\n    }}\n  }}\n}}\n"
    );
    assert!(sdk::read_listing(body.as_bytes()).is_some());
    let server = TestServer::always(Reply::text(200, &body)).await;
    let keys = client(&server.url).get_api_keys(false).await.unwrap();
    let names: Vec<&str> = keys.iter().map(|key| key.name.as_str()).collect();
    assert_eq!(names, ["café 😀 \"q\" \\ / \n", "other"]);
    assert_eq!(
        keys,
        sdk::decode_listing_typed(200, body.as_bytes()).unwrap()
    );
}

#[tokio::test]
async fn invalid_values_are_value_free_decode_errors_naming_the_field() {
    let valid = key("k1", "ok");
    let cases = [
        (
            valid.replace(r#""::1""#, &format!(r#""{TEST_KEY}""#)),
            "user.apiKeysOtherUsers[0].allowedIpCidrs[1]",
        ),
        (
            valid.replace("2024-01-02T00:00:00Z", CREATED_JWT),
            "user.apiKeysOtherUsers[0].updatedAt",
        ),
        (
            valid.replace("4102444800", "99999999999999"),
            "user.apiKeysOtherUsers[0].expiresAtEpoch",
        ),
        (
            valid.replace(r#""revoked":false"#, &format!(r#""revoked":"{TEST_KEY}""#)),
            "user.apiKeysOtherUsers[0].revoked",
        ),
    ];
    for (bad, path) in cases {
        let body = format!(
            r#"{{"data":{{"user":{{"id":"u1","apiKeys":[{valid}],"apiKeysOtherUsers":[{bad}]}}}}}}"#
        );
        assert!(sdk::read_listing(body.as_bytes()).is_none(), "{path}");
        let server = TestServer::always(Reply::text(200, &body)).await;
        let error = client(&server.url).get_api_keys(true).await.unwrap_err();
        let shown = format!("{error} {error:?}");
        match &error {
            Error::Decode { path: found, .. } => assert_eq!(found, path, "{shown}"),
            other => panic!("{path}: {other:?}"),
        }
        assert!(!shown.contains(TEST_KEY), "{shown}");
        assert!(!shown.contains(CREATED_JWT), "{shown}");
    }
}
