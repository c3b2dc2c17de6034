//! The listing's decoding straight into `ApiKey`s (`src/listing_data.rs`) on both decode
//! paths: the one-pass `serde_json` decoding of a plain success and the value-free `Value`
//! path. Over real HTTP, the keys of the emulator's answers (names with quotes,
//! backslashes, control characters and non-ASCII text, allowlists of addresses and networks
//! of both families, no allowlist, no creator) decode in one pass to what the `Value` path
//! gives, and `get_api_keys` returns them; another server's escapes, layout, field order and
//! extra fields list the same keys; invalid values fail with a value-free `ResponseError::Decode`
//! naming the field. Without a server: JSON's corners through both paths.

use crate::support;

use labelbox_sdk::__fuzz as sdk;
use labelbox_sdk::schema::list_api_keys;
use labelbox_sdk::KeyOrder;
use labelbox_sdk::ResponseError;
use labelbox_sdk::{ApiKey, CreateApiKeyRequest, Error, IpAllowlist, Validity};
use labelbox_sdk::{RoleRef, UserRef};
use support::{client, Reply, TestServer, CREATED_JWT, TEST_KEY};

const NAMES: [&str; 5] = [
    r#"he said "hi" \ back\slash /"#,
    "tab\tnew\nline\rcarriage\u{8}\u{c}\u{1}",
    "café ü 日本 😀 \u{7f}",
    "</script>&<b>",
    "plain",
];

#[tokio::test]
async fn the_emulator_s_answers_decode_in_one_pass_as_through_the_value_path() {
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
            UserRef::by_email(emulator.admin_email()),
            RoleRef::by_name("Labeler"),
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
    let (caller, read) = sdk::read_listing(answer.body()).expect("one-pass decoding declined");
    let by_value = sdk::decode_listing_by_value(200, answer.body()).unwrap();
    assert_eq!(read, by_value);
    assert_eq!(read.len(), NAMES.len() + 1);
    // The bootstrap key has no creator and no allowlist.
    let bootstrap = read
        .iter()
        .find(|key| key.id.as_str() == emulator.admin_key_id())
        .unwrap();
    assert_eq!(bootstrap.created_by_user_id, None);
    assert!(bootstrap.allowed_ip_cidrs.is_empty());
    assert_eq!(bootstrap.user_id, caller);

    let listed = admin
        .list_api_keys()
        .include_expired(true)
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap();
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
async fn escapes_layout_order_and_extra_fields_of_another_server_list_the_same_keys() {
    // JSON escapes the emulator does not write, pretty-printed, other users' keys first,
    // fields the operation does not select at every level.
    let own = key("k1", r#"caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \n"#).replace(
        r#"{"id""#,
        r#"{"__typename":"ApiKey","cost":[1,{"x":null}],"id""#,
    );
    let other = key("k2", "other");
    let body = format!(
        "{{\n  \"extensions\": {{\"cost\": 1e3}},\n  \"data\": {{\n    \"org\": null,\n    \"user\": {{\n      \"apiKeysOtherUsers\": [ {other} ],\n      \"id\": \"u1\",\n      \"email\": \"x\",\n      \"apiKeys\": [\n        {own}\n      ]\n    }}\n  }}\n}}\n"
    );
    assert!(sdk::read_listing(body.as_bytes()).is_some(), "{body}");
    let server = TestServer::always(Reply::text(200, &body)).await;
    let keys = client(&server.url)
        .list_api_keys()
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap();
    let names: Vec<&str> = keys.iter().map(|key| key.name.as_str()).collect();
    assert_eq!(names, ["café 😀 \"q\" \\ / \n", "other"]);
    assert_eq!(
        keys,
        sdk::decode_listing_by_value(200, body.as_bytes()).unwrap()
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
        (
            valid.replace(r#""userEmail":"a@example.com","#, ""),
            "user.apiKeysOtherUsers[0].userEmail",
        ),
        (
            valid.replace(r#""name":"ok""#, &format!(r#""name":["{TEST_KEY}"]"#)),
            "user.apiKeysOtherUsers[0].name",
        ),
    ];
    for (bad, path) in cases {
        let body = format!(
            r#"{{"data":{{"user":{{"id":"u1","apiKeys":[{valid}],"apiKeysOtherUsers":[{bad}]}}}}}}"#
        );
        assert!(sdk::read_listing(body.as_bytes()).is_none(), "{path}");
        assert!(
            sdk::decode_listing_by_value(200, body.as_bytes()).is_err(),
            "{path}"
        );
        let server = TestServer::always(Reply::text(200, &body)).await;
        let error = client(&server.url)
            .list_api_keys()
            .include_expired(true)
            .sort(KeyOrder::Server)
            .send()
            .await
            .unwrap_err();
        let shown = format!("{error} {error:?}");
        match &error {
            Error::Response(ResponseError::Decode { path: found, .. }) => {
                assert_eq!(found, path, "{shown}")
            }
            other => panic!("{path}: {other:?}"),
        }
        assert!(!shown.contains(TEST_KEY), "{shown}");
        assert!(!shown.contains(CREATED_JWT), "{shown}");
    }
}

const KEY: &str = r#"{"id":"k1","name":"ci","createdAt":"2026-11-30T12:34:56.690Z","updatedAt":"2026-11-30T12:34:57Z","revoked":false,"expiresAtEpoch":1798634096,"userId":"u1","userEmail":"a@example.com","createdByUserId":"u2","allowedIpCidrs":["127.0.0.1","10.0.0.0/8"]}"#;

fn body(own: &str, others: &str) -> String {
    format!(
        r#"{{"data":{{"user":{{"id":"u1","apiKeys":[{own}],"apiKeysOtherUsers":[{others}]}}}}}}"#
    )
}

/// Both paths on a status-200 `text`: the one-pass decoding's keys (`None` where it leaves
/// the body to the `Value` path) and the `Value` path's result, equal where both give keys;
/// the fuzz entry point's checks run too (they panic where the paths disagree).
fn both(text: &str) -> (Option<Vec<ApiKey>>, Result<Vec<ApiKey>, Error>) {
    let _ = sdk::decode("ListApiKeys", 200, text.as_bytes());
    let fast = sdk::read_listing(text.as_bytes()).map(|(_, keys)| keys);
    let slow = sdk::decode_listing_by_value(200, text.as_bytes());
    if let (Some(fast), Ok(slow)) = (&fast, &slow) {
        assert_eq!(fast, slow, "{text}");
    }
    (fast, slow)
}

#[test]
fn escapes_unicode_whitespace_and_any_field_order_decode_in_one_pass() {
    let escaped = KEY.replace(
        r#""name":"ci""#,
        r#""name":"q\"b\\s\/n\nt\tr\rb\bf\f \u00e9 \ud83d\ude00 é 😀 \u0000""#,
    );
    let reordered = r#"{"allowedIpCidrs":null,"createdByUserId":null,"userEmail":"b@example.com","userId":"u2","expiresAtEpoch":-5,"revoked":true,"updatedAt":"2026-11-26 08:56:16+02:00","createdAt":"2026-11-26","name":"","id":"k\u0033"}"#;
    let spaced = format!(
        " \n{{ \"data\" :\t{{\"user\":{{\"apiKeysOtherUsers\" : [ {reordered} ] ,\r\n \"id\":\"u1\",\"apiKeys\":[{escaped} ] }} }} , \"errors\" : null, \"message\":null }}\n "
    );
    let (keys, _) = both(&spaced);
    let keys = keys.expect("one-pass decoding declined");
    assert_eq!(
        keys[0].name,
        "q\"b\\s/n\nt\tr\rb\u{8}f\u{c} é 😀 é 😀 \u{0}"
    );
    assert_ne!(keys[0].created_at, keys[0].updated_at);
    assert_eq!(
        keys[0].created_by_user_id.as_ref().map(|id| id.as_str()),
        Some("u2")
    );
    // Own keys first, whatever the body's order.
    assert_eq!(keys[1].id.as_str(), "k3");
    assert!(keys[1].revoked);
    assert!(keys[1].allowed_ip_cidrs.is_empty());
    assert_eq!(keys[1].created_by_user_id, None);
}

#[test]
fn allowlists_of_both_families_decode_in_one_pass() {
    for (list, expected) in [
        (r#"[]"#, vec![]),
        (r#"["2001:db8::7"]"#, vec!["2001:db8::7"]),
        (
            r#"["::1","2001:DB8::/32","::ffff:10.0.0.1","192.168.1.5","10.0.0.0/8"]"#,
            vec![
                "::1",
                "2001:db8::/32",
                "::ffff:10.0.0.1",
                "192.168.1.5",
                "10.0.0.0/8",
            ],
        ),
    ] {
        let text = body(&KEY.replace(r#"["127.0.0.1","10.0.0.0/8"]"#, list), "");
        let (keys, _) = both(&text);
        let keys = keys.unwrap_or_else(|| panic!("declined: {list}"));
        let entries: Vec<String> = keys[0]
            .allowed_ip_cidrs
            .iter()
            .map(|e| e.to_string())
            .collect();
        assert_eq!(entries, expected, "{list}");
    }
    // Keys that share entries get the same values (each distinct text is parsed once).
    let text = body(&[KEY, KEY].join(","), &KEY.replace("k1", "k2"));
    let (keys, _) = both(&text);
    let keys = keys.unwrap();
    assert!(keys
        .iter()
        .all(|k| k.allowed_ip_cidrs == keys[0].allowed_ip_cidrs));
}

#[test]
fn extensions_of_any_value_and_unselected_fields_are_skipped_in_one_pass() {
    for value in [
        "{}",
        "null",
        r#"{"cost":{"requested":12.5,"limit":1e3},"trace":[null,true,"\u00e9 \ud83d\ude00 é",-0.0,[],{"errors":[1]}]}"#,
        r#" "x" "#,
        "-12345678901234567890123",
        "[[[[[]]]]]",
    ] {
        for text in [
            body(KEY, "").replace(r#"{"data":"#, &format!(r#"{{"extensions":{value},"data":"#)),
            body(KEY, "").replace(r#"}}}"#, &format!(r#"}}}},"extensions" : {value} }}"#)),
            body(KEY, "").replace(r#"{"data":"#, &format!(r#"{{"__typename":{value},"data":"#)),
            body(
                &KEY.replace(r#""id":"k1","#, &format!(r#""id":"k1","extra":{value},"#)),
                "",
            ),
            body(KEY, "").replace(r#""id":"u1","#, &format!(r#""id":"u1","org":{value},"#)),
        ] {
            let (keys, _) = both(&text);
            assert_eq!(keys.map(|k| k.len()), Some(1), "declined: {text}");
        }
    }
}

#[test]
fn what_the_one_pass_decoding_refuses_gets_the_value_path() {
    // A repeated field: the `Value` path keeps the last one, as for every operation.
    let repeated = body(&KEY.replace(r#""id":"k1","#, r#""id":"k1","id":"k9","#), "");
    let (fast, slow) = both(&repeated);
    assert_eq!(fast, None);
    assert_eq!(slow.unwrap()[0].id.as_str(), "k9");
    // A top-level message beside data: classification decides (here: not an error).
    let message = body(KEY, "").replace(r#"{"data":"#, r#"{"message":"slow down","data":"#);
    let (fast, slow) = both(&message);
    assert_eq!(fast, None);
    assert_eq!(slow.unwrap().len(), 1);
    // Errors, a message, a null user, a missing list, values of another kind or that the
    // domain refuses, strings JSON forbids, and what is not one JSON object: errors.
    let refused = [
        body(KEY, "").replace(r#"{"data":"#, r#"{"errors":[{"message":"no"}],"data":"#),
        r#"{"data":{"user":null}}"#.to_owned(),
        r#"{"data":null}"#.to_owned(),
        body(KEY, "").replace(r#","apiKeysOtherUsers":[]"#, ""),
        body(
            &KEY.replace(r#""createdAt":"2026-11-30T12:34:56.690Z","#, ""),
            "",
        ),
        body(&KEY.replace("1798634096", "-0"), ""),
        body(&KEY.replace("1798634096", "1.0"), ""),
        body(&KEY.replace("1798634096", "1e3"), ""),
        body(&KEY.replace("1798634096", "01"), ""),
        body(&KEY.replace("1798634096", "9223372036854775808"), ""),
        body(&KEY.replace("1798634096", "99999999999999"), ""),
        body(&KEY.replace("1798634096", "\"1\""), ""),
        body(&KEY.replace("false", "null"), ""),
        body(&KEY.replace("false", "0"), ""),
        body(&KEY.replace(r#""ci""#, "null"), ""),
        body(&KEY.replace(r#""u2""#, "7"), ""),
        body(&KEY.replace("2026-11-30T12:34:57Z", "soon"), ""),
        body(&KEY.replace("10.0.0.0/8", "nonsense"), ""),
        body(&KEY.replace(r#"["127.0.0.1","10.0.0.0/8"]"#, "[null]"), ""),
        body(
            &KEY.replace(r#"["127.0.0.1","10.0.0.0/8"]"#, r#""10.0.0.0/8""#),
            "",
        ),
        body(&KEY.replace(r#""ci""#, "\"c\ti\""), ""),
        body(&KEY.replace(r#""ci""#, r#""\ud83d""#), ""),
        body(&KEY.replace(r#""ci""#, r#""\ude00""#), ""),
        body(&KEY.replace(r#""ci""#, r#""\x41""#), ""),
        body(KEY, "") + " x",
        body(KEY, "") + "{}",
        body(KEY, "").replace("]}}}", "],}}}"),
        body(KEY, "")[..100].to_owned(),
        String::new(),
        "[]".to_owned(),
    ];
    for text in &refused {
        let (fast, slow) = both(text);
        assert_eq!(fast, None, "{text}");
        assert!(slow.is_err(), "{text}");
    }
    let mut latin1 = body(KEY, "").into_bytes();
    let at = latin1.iter().position(|&b| b == b'c').unwrap();
    latin1[at] = 0xe9;
    assert!(sdk::read_listing(&latin1).is_none());
    assert!(sdk::decode_listing_by_value(200, &latin1).is_err());
}

#[test]
fn the_caller_and_the_keys_of_one_user_share_one_id() {
    let text = body(&[KEY, KEY, KEY].join(","), "");
    let (caller, keys) = sdk::read_listing(text.as_bytes()).unwrap();
    for key in &keys {
        assert_eq!(key.user_id.as_str().as_ptr(), caller.as_str().as_ptr());
    }
}

#[tokio::test]
async fn expired_keys_are_filtered_on_both_paths() {
    let expired = key("k_old", "old").replace("4102444800", "1000");
    for own in [
        format!("{},{expired}", key("k1", "live")),
        // A repeated field: the `Value` path.
        format!(
            "{},{expired}",
            key("k1", "live").replace(r#""id":"k1","#, r#""id":"kx","id":"k1","#)
        ),
    ] {
        let text = body(&own, "");
        let server = TestServer::always(Reply::text(200, &text)).await;
        let client = client(&server.url);
        let ids = |keys: Vec<ApiKey>| {
            keys.into_iter()
                .map(|k| k.id.to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(client
                .list_api_keys()
                .sort(KeyOrder::Server)
                .send()
                .await
                .unwrap()),
            ["k1"],
            "{text}"
        );
        assert_eq!(
            ids(client
                .list_api_keys()
                .include_expired(true)
                .sort(KeyOrder::Server)
                .send()
                .await
                .unwrap()),
            ["k1", "k_old"],
            "{text}"
        );
    }
}
