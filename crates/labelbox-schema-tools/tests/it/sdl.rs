//! Introspection answer -> SDL: round trips, determinism, header, malformed answers.

use crate::common;

use common::{assert_same_schema, checked_in_schema, introspect};
use labelbox_schema_tools::{
    diff, introspection_to_sdl, introspection_to_sdl_body, sdl_body, Error, Provenance,
};
use time::macros::date;

fn provenance() -> Provenance {
    Provenance {
        endpoint: "http://127.0.0.1:4000/graphql".into(),
        date: date!(2026 - 11 - 26),
    }
}

fn rich() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/roundtrip/rich.graphql"),
    )
    .unwrap()
}

/// SDL -> introspection (apollo-compiler's executor) -> SDL -> parse: the same schema.
fn assert_round_trip(original: &str) -> String {
    let pulled = introspection_to_sdl(&introspect(original), &provenance()).unwrap();
    assert_same_schema(&pulled, original);
    let changes = diff(original, &pulled).unwrap();
    assert!(changes.is_empty(), "{changes}");
    pulled
}

#[test]
fn checked_in_schema_round_trips() {
    assert_round_trip(&checked_in_schema());
}

#[test]
fn every_construct_round_trips() {
    let pulled = assert_round_trip(&rich());
    // Spot-check the printing of what introspection carries.
    for expected in [
        "schema {\n  query: RootQuery\n  mutation: RootMutation\n}",
        "directive @cost(weight: Int = 1, tags: [String!] = [\"a\", \"b\"]) on FIELD_DEFINITION | OBJECT",
        "old: String @deprecated\n",
        "older: Int @deprecated(reason: \"Use `node` instead.\")",
        "type Thing implements Node & Named {",
        "interface Named implements Node {",
        "union SearchResult = Thing | Other",
        "C @deprecated(reason: \"Gone soon\")",
        "size: Int! = 20",
        "page: PageInput = {size: 10, after: null}",
        "matrix: [[Int!]]!",
    ] {
        assert!(pulled.contains(expected), "missing `{expected}` in:\n{pulled}");
    }
    // Built-ins are left out.
    for absent in [
        "scalar String",
        "__Schema",
        "directive @deprecated",
        "directive @skip",
    ] {
        assert!(!pulled.contains(absent), "`{absent}` printed in:\n{pulled}");
    }
}

#[test]
fn order_is_roots_then_types_by_name() {
    let pulled = introspection_to_sdl_body(&introspect(&rich())).unwrap();
    let heads: Vec<&str> = pulled
        .lines()
        .filter(|l| {
            [
                "schema",
                "directive",
                "type",
                "interface",
                "union",
                "enum",
                "input",
                "scalar",
            ]
            .iter()
            .any(|k| l.starts_with(&format!("{k} ")))
        })
        .map(|l| l.split([' ', '(']).take(2).last().unwrap())
        .collect();
    assert_eq!(
        heads,
        [
            "{",
            "@cost",
            "RootQuery",
            "RootMutation",
            "JSON",
            "Kind",
            "Named",
            "Node",
            "Other",
            "PageInput",
            "SearchResult",
            "Thing"
        ]
    );
}

#[test]
fn conversion_is_deterministic_and_a_fixpoint() {
    let json = introspect(&checked_in_schema());
    let first = introspection_to_sdl(&json, &provenance()).unwrap();
    let second = introspection_to_sdl(&json, &provenance()).unwrap();
    assert_eq!(first, second);

    // A server listing its types in another order yields the same SDL.
    let mut reversed = json.clone();
    reversed["data"]["__schema"]["types"]
        .as_array_mut()
        .unwrap()
        .reverse();
    assert_eq!(
        introspection_to_sdl(&reversed, &provenance()).unwrap(),
        first
    );

    // Re-pulling a schema that was itself pulled changes nothing: a zero diff.
    let again = introspection_to_sdl(&introspect(&first), &provenance()).unwrap();
    assert_eq!(again, first);
    let rich_once = introspection_to_sdl(&introspect(&rich()), &provenance()).unwrap();
    let rich_twice = introspection_to_sdl(&introspect(&rich_once), &provenance()).unwrap();
    assert_eq!(rich_once, rich_twice);
}

#[test]
fn accepts_the_response_its_data_or_the_schema_object() {
    let json = introspect(&checked_in_schema());
    let from_response = introspection_to_sdl_body(&json).unwrap();
    assert_eq!(
        introspection_to_sdl_body(&json["data"]).unwrap(),
        from_response
    );
    assert_eq!(
        introspection_to_sdl_body(&json["data"]["__schema"]).unwrap(),
        from_response
    );
}

#[test]
fn header_names_endpoint_date_and_how_to_update() {
    let sdl = introspection_to_sdl(&introspect(&checked_in_schema()), &provenance()).unwrap();
    assert!(sdl.starts_with(
        "# Pulled from http://127.0.0.1:4000/graphql on 2026-11-26 by `labelbox schema pull`.\n"
    ));
    assert!(sdl.contains("labelbox schema diff"));
    let body = sdl_body(&sdl);
    assert!(
        body.starts_with("\"\"\"") || body.starts_with("type Query"),
        "{body}"
    );
    assert_eq!(
        body,
        introspection_to_sdl_body(&introspect(&checked_in_schema())).unwrap()
    );

    // A line break in the endpoint cannot end the comment.
    let sneaky = Provenance {
        endpoint: "http://x/\ntype Evil { a: Int }".into(),
        date: date!(2026 - 01 - 02),
    };
    assert!(!sneaky.header().contains("\ntype Evil"));
}

#[test]
fn malformed_answers_are_errors() {
    let good = introspect(&checked_in_schema());
    let is_introspection_error = |json: serde_json::Value| {
        matches!(
            introspection_to_sdl_body(&json),
            Err(Error::Introspection(_))
        )
    };
    assert!(is_introspection_error(serde_json::json!({"data": null})));
    assert!(is_introspection_error(
        serde_json::json!({"hello": "world"})
    ));

    let mut no_query = good.clone();
    no_query["data"]["__schema"]["queryType"] = serde_json::Value::Null;
    assert!(is_introspection_error(no_query));

    let mut bad_kind = good.clone();
    bad_kind["data"]["__schema"]["types"][0]["kind"] = "TABLE".into();
    bad_kind["data"]["__schema"]["types"][0]["name"] = "Custom".into();
    assert!(is_introspection_error(bad_kind));

    // A NON_NULL reference cut short (a TypeRef fragment too shallow for the server).
    let mut cut = good.clone();
    let types = cut["data"]["__schema"]["types"].as_array_mut().unwrap();
    let user = types.iter_mut().find(|t| t["name"] == "User").unwrap();
    user["fields"][0]["type"]["ofType"] = serde_json::Value::Null;
    assert!(is_introspection_error(cut));

    // A default value is parsed by apollo-compiler, not pasted into the SDL.
    let mut injected = good.clone();
    let types = injected["data"]["__schema"]["types"]
        .as_array_mut()
        .unwrap();
    let org = types
        .iter_mut()
        .find(|t| t["name"] == "Organization")
        .unwrap();
    let users = org["fields"]
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .find(|f| f["name"] == "users")
        .unwrap();
    users["args"][1]["defaultValue"] = "1) evil: Int } type Evil { a(b: Int".into();
    assert!(is_introspection_error(injected));

    // A type referring to a type the answer does not define: not a valid schema.
    let mut dangling = good;
    let types = dangling["data"]["__schema"]["types"]
        .as_array_mut()
        .unwrap();
    types.retain(|t| t["name"] != "ApiKey");
    assert!(matches!(
        introspection_to_sdl_body(&dangling),
        Err(Error::InvalidSchema { .. })
    ));
}
