//! `docs/errors.md` is the one wire-to-error table, and it stays true: every row of its
//! answer halves and its transport rows is produced by a real server for a real client, and
//! the kind the client returns is the one the row names (and its retryability and delivery
//! the ones the row states).

use crate::support;

use labelbox_sdk::contract::codes;
use labelbox_sdk::{Error, RetryPolicy};
use serde_json::json;
use support::{client_builder, Reply, TestServer};

const DOC: &str = include_str!("../../../../docs/errors.md");

/// The error a query gets from a server that always answers `reply`, without retries.
async fn query_error(reply: Reply) -> Error {
    let server = TestServer::always(reply).await;
    client_builder(&server.url)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
        .get_user()
        .await
        .unwrap_err()
}

/// The kind's name and, for a kind that wraps an enum, the variant's, from its Debug
/// (`Service(Authorization(GraphQlError { .. }))` gives `Service(Authorization`,
/// `Timeout { .. }` gives `Timeout`).
fn variant(error: &Error) -> String {
    let debug = format!("{error:?}");
    let mut names = debug.split(|c: char| !c.is_alphanumeric());
    let kind = names.next().unwrap();
    if debug[kind.len()..].starts_with('(') {
        format!("{kind}({}", names.next().unwrap())
    } else {
        kind.to_owned()
    }
}

/// The one row of the table that starts with `start` and contains `needle`.
fn row(start: &str, needle: &str) -> &'static str {
    let rows: Vec<&str> = DOC
        .lines()
        .filter(|line| line.starts_with(start) && line.contains(needle))
        .collect();
    assert_eq!(rows.len(), 1, "rows for {start} / {needle}: {rows:?}");
    rows[0]
}

fn assert_row_names(row: &str, error: &Error) {
    let name = variant(error);
    assert!(
        row.contains(&format!("`{name}")),
        "the row names another variant than {name}: {row}"
    );
    let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
    let [.., retryable, delivery] = cells[..] else {
        panic!("a row without retryable and delivery cells: {row}");
    };
    assert_eq!(
        error.is_retryable(),
        retryable == "yes",
        "retryability of {error:?} against: {row}"
    );
    assert_eq!(
        format!("{:?}", error.delivery()),
        delivery,
        "delivery of {error:?} against: {row}"
    );
}

#[tokio::test]
async fn the_transport_rows_are_what_the_client_does() {
    let server = TestServer::always(Reply::Hang).await;
    let error = client_builder(&server.url)
        .timeout(std::time::Duration::from_millis(200))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
        .get_user()
        .await
        .unwrap_err();
    assert_row_names(row("| the request timed out after", ""), &error);

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    drop(listener);
    let error = client_builder(&url)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
        .get_user()
        .await
        .unwrap_err();
    assert_row_names(row("| the connection could not be established", ""), &error);

    let error = query_error(Reply::Drop).await;
    assert_row_names(row("| the connection dropped", ""), &error);

    let server = TestServer::always(Reply::json(json!({"data": {"user": null}}))).await;
    let error = client_builder(&server.url)
        .max_response_bytes(8)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
        .get_user()
        .await
        .unwrap_err();
    assert_row_names(row("| the body is larger than", ""), &error);
}

#[tokio::test]
async fn every_graphql_row_is_what_the_client_does() {
    let cases: [(&str, Option<u16>, &str, &str); 15] = [
        (codes::AUTHENTICATION_ERROR, None, "bad key", ""),
        (codes::AUTHORIZATION_ERROR, None, "no", ""),
        (
            codes::GRAPHQL_VALIDATION_FAILED,
            None,
            "Query complexity limit exceeded",
            "Query complexity",
        ),
        (
            codes::GRAPHQL_VALIDATION_FAILED,
            None,
            "Cannot query field",
            "other messages",
        ),
        (codes::GRAPHQL_PARSE_FAILED, None, "Syntax Error", ""),
        (codes::RESOURCE_NOT_FOUND, None, "gone", ""),
        (codes::RESOURCE_CONFLICT, None, "dup", ""),
        (codes::MALFORMED_REQUEST, None, "bad", ""),
        (
            codes::INTERNAL_SERVER_ERROR,
            Some(400),
            "boom",
            "status 400",
        ),
        (
            codes::INTERNAL_SERVER_ERROR,
            Some(422),
            "boom",
            "status 422",
        ),
        (
            codes::INTERNAL_SERVER_ERROR,
            Some(426),
            "boom",
            "status 426",
        ),
        (
            codes::INTERNAL_SERVER_ERROR,
            Some(500),
            "boom",
            "status 500 or none",
        ),
        (
            codes::INTERNAL_SERVER_ERROR,
            None,
            "boom",
            "status 500 or none",
        ),
        (
            codes::INTERNAL_SERVER_ERROR,
            Some(503),
            "boom",
            "any other status",
        ),
        (codes::OPERATION_NOT_ALLOWED, None, "nope", ""),
    ];
    for (code, status, message, needle) in cases {
        let mut extensions = json!({ "code": code });
        if let Some(status) = status {
            extensions["exception"] = json!({ "status": status });
        }
        let error = query_error(Reply::json(json!({
            "data": null,
            "errors": [{"message": message, "extensions": extensions}]
        })))
        .await;
        assert_row_names(row(&format!("| `{code}`"), needle), &error);
    }
    // Every code of the client's table has a row.
    for code in codes::ALL {
        assert!(DOC.contains(&format!("| `{code}`")), "{code} has no row");
    }

    let error = query_error(Reply::json(json!({
        "data": null,
        "errors": [{"message": "odd", "extensions": {"code": "SOMETHING_ELSE"}}]
    })))
    .await;
    assert_row_names(row("| any other errors", ""), &error);

    let error = query_error(Reply::status_json(
        429,
        json!({"message": "You have exceeded the limit"}),
    ))
    .await;
    assert_row_names(row("| top-level `message`", "You have exceeded"), &error);
}

#[tokio::test]
async fn the_http_rows_are_what_the_client_does() {
    for (reply, start, needle) in [
        (
            Reply::text(502, "<html>bad gateway</html>"),
            "| body not JSON, status ≥ 500",
            "",
        ),
        (
            Reply::text(
                200,
                "upstream connect error or disconnect/reset before headers",
            ),
            "| body not JSON, containing",
            "",
        ),
        (
            Reply::text(429, "slow down"),
            "| body not JSON, status 429",
            "",
        ),
        (
            Reply::text(200, "<html>"),
            "| body not JSON, any other status",
            "",
        ),
        (
            Reply::status_json(503, json!({})),
            "| JSON, status ≥ 500",
            "",
        ),
        (
            Reply::status_json(401, json!({"message": "disabled"})),
            "| JSON, any other status",
            "",
        ),
        (
            Reply::json(json!({"data": null})),
            "| 200 with `data` null",
            "",
        ),
        (
            Reply::json(json!({"data": {"user": {"id": 5}}})),
            "| 200 with `data` that does not fit",
            "",
        ),
    ] {
        let error = query_error(reply).await;
        assert_row_names(row(start, needle), &error);
    }
}
