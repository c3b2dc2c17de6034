use super::*;
use crate::classify::classify_http_answer;
use serde_json::json;

const KEY: &str = "client-api-key-0123456789";
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Inner {
    n: i64,
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Outer {
    items: Vec<Inner>,
}

#[test]
fn the_path_is_named_and_the_value_never_quoted() {
    for bad in [
        json!("secret-text"),
        json!(format!("a`b\"c`{KEY}")),
        json!(format!("\\\"{JWT}")),
        json!(u64::MAX),
        json!(1.5),
        json!([KEY]),
        json!({ "k": KEY }),
    ] {
        let error =
            decode::<Outer>("Op", json!({"items": [{"n": 1}, {"n": bad}]}), "").unwrap_err();
        let shown = format!("{error} {error:?}");
        match &error {
            Error::Response(ResponseError::Decode { path, message, .. }) => {
                assert_eq!(path, "items[1].n", "{shown}");
                assert!(message.contains("expected i64"), "{shown}");
            }
            other => panic!("unexpected {other:?}"),
        }
        for secret in ["secret-text", KEY, JWT, "18446744073709551615", "1.5"] {
            assert!(!shown.contains(secret), "{secret} in {shown}");
        }
    }
}

#[test]
fn missing_duplicate_and_length_errors_keep_their_field_names() {
    let error = decode::<Outer>("Op", json!({"items": [{}]}), "").unwrap_err();
    assert!(error.to_string().contains("missing field `n`"), "{error}");
    assert!(
        matches!(error, Error::Response(ResponseError::Decode { ref path, .. }) if path == "items[0].n")
    );
    let error = decode::<Outer>("Op", json!({}), "").unwrap_err();
    assert!(
        matches!(error, Error::Response(ResponseError::Decode { ref path, .. }) if path == "items")
    );
    let error = decode::<(i64, i64)>("Op", json!([1]), "").unwrap_err();
    assert!(error.to_string().contains("invalid length 1"), "{error}");
}

#[test]
fn unknown_variants_are_not_quoted() {
    #[derive(Debug, serde::Deserialize)]
    enum Kind {
        A,
    }
    let error = decode::<Kind>("Op", json!(JWT), "")
        .unwrap_err()
        .to_string();
    assert!(!error.contains(JWT), "{error}");
    assert!(
        error.contains("unknown variant, expected one of `A`"),
        "{error}"
    );
}

#[test]
fn custom_messages_are_scrubbed() {
    struct Echo;
    impl<'de> serde::Deserialize<'de> for Echo {
        fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let text = String::deserialize(d)?;
            Err(de::Error::custom(format!("bad: {text}")))
        }
    }
    let error = decode::<Echo>("Op", json!(format!("{KEY} {JWT}")), KEY)
        .err()
        .unwrap()
        .to_string();
    assert!(!error.contains(KEY) && !error.contains(JWT), "{error}");
    assert!(error.contains("[REDACTED]"), "{error}");
}

#[test]
fn decodes_like_serde_json() {
    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct All {
        a: Option<i64>,
        b: Option<String>,
        c: Vec<Option<bool>>,
        d: f64,
        e: u32,
        f: i64,
        g: std::collections::BTreeMap<String, Value>,
        h: Unit,
        i: (u8, String),
        kind: Kind,
        tagged: Tagged,
    }
    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Unit;
    #[derive(Debug, PartialEq, serde::Deserialize)]
    enum Kind {
        A,
        B(i64),
    }
    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(tag = "__typename")]
    enum Tagged {
        User { id: String },
    }
    let data = json!({
        "a": null, "b": "x", "c": [true, null], "d": 1, "e": 7, "f": -3,
        "g": {"k": [1, {"z": null}]}, "h": null, "i": [2, "y"], "kind": {"B": 4},
        "tagged": {"__typename": "User", "id": "u1"}, "ignored": {"deep": [1, 2]}
    });
    let ours: All = decode("Op", data.clone(), "").unwrap();
    let theirs: All = serde_json::from_value(data).unwrap();
    assert_eq!(ours, theirs);
    let kind: Kind = decode("Op", json!("A"), "").unwrap();
    assert_eq!(kind, Kind::A);
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Data {
    a: i64,
}

#[test]
fn one_pass_decoding_takes_only_plain_successes() {
    let fast = |status, body: &str| decode_success::<Data>(status, body.as_bytes());
    assert_eq!(fast(200, r#"{"data":{"a":1}}"#), Some(Data { a: 1 }));
    assert_eq!(
        fast(
            200,
            r#"{"extensions":{"cost":3},"errors":null,"data":{"a":1,"b":[{}]},"message":null}"#
        ),
        Some(Data { a: 1 })
    );
    // Escaped keys are the same keys.
    assert_eq!(fast(200, r#"{"data":{"a":2}}"#), Some(Data { a: 2 }));
    for (status, body) in [
        // Errors or a message, even empty or beside data: `classify` decides.
        (200, r#"{"data":{"a":1},"errors":[{"message":"no"}]}"#),
        (200, r#"{"data":{"a":1},"errors":[]}"#),
        (
            200,
            r#"{"data":{"a":1},"message":"You have exceeded the limit"}"#,
        ),
        (200, r#"{"data":{"a":1},"message":"hello"}"#),
        // Another status.
        (429, r#"{"data":{"a":1}}"#),
        (500, r#"{"data":{"a":1}}"#),
        (201, r#"{"data":{"a":1}}"#),
        // No usable data.
        (200, r#"{"data":null}"#),
        (200, "{}"),
        (200, r#"[{"a":1}]"#),
        (200, r#"{"data":{"a":"1"}}"#),
        (200, r#"{"data":{"a":1},"data":{"a":2}}"#),
        // Not JSON, or not UTF-8 in a field the decoding would skip.
        (200, r#"{"data":{"a":1}} x"#),
        (200, "<html>"),
    ] {
        assert_eq!(fast(status, body), None, "{status} {body}");
    }
    let mut latin1 = br#"{"data":{"a":1},"x":"caf"#.to_vec();
    latin1.extend_from_slice(b"\xe9\"}");
    assert_eq!(decode_success::<Data>(200, &latin1), None);
    assert!(classify_http_answer("Op", 200, None, &latin1, "").is_err());
}

#[test]
fn one_pass_and_value_decoding_agree() {
    for body in [
        r#"{"data":{"a":1}}"#,
        r#"{"errors":null,"data":{"a":-5,"z":{"q":[1,2.5,"s"]}}}"#,
    ] {
        let fast = decode_success::<Data>(200, body.as_bytes()).unwrap();
        let slow = decode::<Data>(
            "Op",
            classify_http_answer("Op", 200, None, body.as_bytes(), "").unwrap(),
            "",
        )
        .unwrap();
        assert_eq!(fast, slow, "{body}");
    }
}
