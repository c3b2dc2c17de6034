//! Syntax and validation errors are worded as graphql-js words them: one test per row of
//! the table below, each sending the document over HTTP and reading the first error.

use crate::common;

use common::*;
use serde_json::{json, Value};

/// Sends `query` as the admin; the errors, checking that there is no `data`.
async fn errors_of(query: &str) -> Vec<Value> {
    let emu = start().await;
    let body = gql(&emu.endpoint(), Some(emu.admin_key()), query, json!({})).await;
    assert!(body.get("data").is_none(), "{body}");
    body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors: {body}"))
        .clone()
}

/// The first error has exactly `message` and `code`.
async fn first_error(query: &str, code: &str, message: &str) -> Vec<Value> {
    let errors = errors_of(query).await;
    assert_eq!(errors[0]["message"], message, "{query}: {errors:?}");
    assert_eq!(errors[0]["extensions"]["code"], code, "{query}: {errors:?}");
    errors
}

const PARSE: &str = "GRAPHQL_PARSE_FAILED";
const VALIDATION: &str = "GRAPHQL_VALIDATION_FAILED";

#[tokio::test]
async fn syntax_error() {
    let errors = first_error("asda", PARSE, r#"Syntax Error: Unexpected Name "asda"."#).await;
    assert_eq!(errors[0]["locations"], json!([{"line": 1, "column": 1}]));
    assert_eq!(
        errors.len(),
        1,
        "graphql-js stops at the first syntax error"
    );
}

#[tokio::test]
async fn syntax_error_at_the_end_and_on_a_punctuator() {
    first_error("{ user { id }", PARSE, "Syntax Error: Unexpected <EOF>.").await;
    first_error(
        "{ user { id } } }",
        PARSE,
        r#"Syntax Error: Unexpected "}"."#,
    )
    .await;
}

#[tokio::test]
async fn unknown_field() {
    first_error(
        "{ bbb }",
        VALIDATION,
        r#"Cannot query field "bbb" on type "Query"."#,
    )
    .await;
}

#[tokio::test]
async fn unknown_argument() {
    first_error(
        "{ user(foo: 1) { id } }",
        VALIDATION,
        r#"Unknown argument "foo" on field "Query.user"."#,
    )
    .await;
}

#[tokio::test]
async fn unknown_type() {
    first_error(
        "query Q($x: Foo) { user(where: $x) { id } }",
        VALIDATION,
        r#"Unknown type "Foo"."#,
    )
    .await;
}

#[tokio::test]
async fn missing_required_argument() {
    first_error(
        "mutation { updateApiKey(data: {revoked: true}) { id } }",
        VALIDATION,
        r#"Field "updateApiKey" argument "where" of type "WhereUniqueIdInput!" is required, but it was not provided."#,
    )
    .await;
}

#[tokio::test]
async fn variable_type_mismatch() {
    first_error(
        "query Q($id: String!) { user(where: {id: $id}) { id } }",
        VALIDATION,
        r#"Variable "$id" of type "String!" used in position expecting type "ID!"."#,
    )
    .await;
    // As an argument itself rather than inside an input object.
    first_error(
        "query Q($u: Int) { organizationRole(userId: $u) { permissions } }",
        VALIDATION,
        r#"Variable "$u" of type "Int" used in position expecting type "ID"."#,
    )
    .await;
}

#[tokio::test]
async fn missing_selection_set() {
    first_error(
        "{ user }",
        VALIDATION,
        r#"Field "user" of type "User" must have a selection of subfields. Did you mean "user { ... }"?"#,
    )
    .await;
}

#[tokio::test]
async fn an_unknown_field_is_reported_as_unknown_not_as_a_missing_selection_set() {
    let errors = first_error(
        "{ user { bbb } }",
        VALIDATION,
        r#"Cannot query field "bbb" on type "User"."#,
    )
    .await;
    assert!(
        errors.iter().all(|e| !e["message"]
            .as_str()
            .unwrap()
            .contains("selection of subfields")),
        "{errors:?}"
    );
    // With a real mistake besides, the unknown name still comes first.
    let errors = first_error(
        "{ organization { users } user { bbb } }",
        VALIDATION,
        r#"Cannot query field "bbb" on type "User"."#,
    )
    .await;
    assert!(
        errors.iter().any(|e| e["message"]
            .as_str()
            .unwrap()
            .contains(r#"Field "users" of type "[User!]!" must have a selection"#)),
        "{errors:?}"
    );
}
