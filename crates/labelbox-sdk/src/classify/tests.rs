use super::*;
use crate::ConstructionError;
use serde_json::json;

fn run(status: u16, body: &str) -> Result<Value, Failure> {
    classify_http_answer("Op", status, None, body.as_bytes(), "")
}

fn coded(message: &str, code: &str) -> GraphQlError {
    GraphQlError::new(message).with_code(code)
}

/// The GraphQL half of the table alone, for a non-empty list of errors.
fn classify(errors: Vec<GraphQlError>) -> Error {
    error_from_graphql_errors(errors, None)
        .unwrap_or(Error::Service(ServiceError::UnknownGraphQl(Vec::new())))
}

#[test]
fn data_is_returned_from_a_200() {
    assert_eq!(run(200, r#"{"data":{"a":1}}"#).unwrap(), json!({"a": 1}));
}

#[test]
fn null_or_missing_data_is_missing_data() {
    for body in [r#"{"data":null}"#, "{}", "[1]", "\"text\""] {
        let failure = run(200, body).unwrap_err();
        assert!(
            matches!(failure.error, Error::Response(ResponseError::MissingData { ref field, .. }) if field == "data"),
            "{body}"
        );
    }
}

#[test]
fn non_json_bodies() {
    let f = run(200, "<html>oops</html>").unwrap_err();
    assert!(matches!(
        f.error,
        Error::Response(ResponseError::InvalidJson { .. })
    ));
    assert_eq!(f.error.to_string(), "Failed to parse response as JSON");
    let f = run(502, "<html>Bad gateway</html>").unwrap_err();
    assert!(matches!(
        f.error,
        Error::Service(ServiceError::InternalServer {
            status: Some(502),
            ..
        })
    ));
    assert_eq!(f.error.delivery(), Delivery::Unknown);
    let f = run(
        200,
        "upstream connect error or disconnect/reset before headers. reset reason: overflow",
    )
    .unwrap_err();
    assert!(matches!(
        f.error,
        Error::Service(ServiceError::InternalServer { .. })
    ));
    assert!(!f.error.to_string().contains("overflow"));
}

#[test]
fn rate_limit_keeps_retry_after() {
    let f = classify_http_answer(
        "Op",
        429,
        Some(Duration::from_secs(3)),
        br#"{"message":"You have exceeded the limit"}"#,
        "",
    )
    .unwrap_err();
    assert_eq!(f.error.delivery(), Delivery::Rejected);
    assert_eq!(f.error.retry_after(), Some(Duration::from_secs(3)));
    assert!(f.error.to_string().contains("You have exceeded the limit"));
}

#[test]
fn server_text_is_scrubbed_of_the_key_and_jwts_but_data_is_not() {
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    let body = format!(
        r#"{{"message":"You have exceeded, key my-secret-key-1234","errors":[{{"message":"token {jwt}","extensions":{{"code":"{jwt}"}}}}]}}"#
    );
    let f =
        classify_http_answer("Op", 429, None, body.as_bytes(), "my-secret-key-1234").unwrap_err();
    let text = format!("{} {:?}", f.error, f.error);
    assert!(
        !text.contains("my-secret-key-1234") && !text.contains("eyJ"),
        "{text}"
    );
    assert!(text.contains("[REDACTED]"), "{text}");

    let body = format!(r#"{{"data":{{"createApiKey":{{"id":"k","jwt":"{jwt}"}}}}}}"#);
    let data = classify_http_answer("Op", 200, None, body.as_bytes(), "k").unwrap();
    assert_eq!(data["createApiKey"]["jwt"], jwt, "data is the caller's");
}

#[test]
fn redirects_are_refused_with_their_status() {
    for (status, body) in [(307, ""), (301, "<html>moved</html>"), (308, "{}")] {
        let f = run(status, body).unwrap_err();
        assert!(
            matches!(f.error, Error::Service(ServiceError::HttpStatus { status: s, .. }) if s == status),
            "{status}: {:?}",
            f.error
        );
        assert!(f.error.to_string().contains("redirect"));
    }
}

#[test]
fn errors_beside_data_keep_the_data_out_of_sight() {
    let body = r#"{"data":{"createApiKey":{"id":"k","jwt":"eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln"}},
        "errors":[{"message":"partly failed","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#;
    let f = run(200, body).unwrap_err();
    let data = f.partial_data.as_ref().expect("the data is kept");
    assert_eq!(data.0["createApiKey"]["id"], "k");
    assert!(!format!("{f:?}").contains("eyJ"), "{f:?}");
    let f = run(200, r#"{"data":null,"errors":[{"message":"no"}]}"#).unwrap_err();
    assert!(f.partial_data.is_none());
}

#[test]
fn each_code_row_maps_to_its_variant() {
    assert!(matches!(
        classify(vec![coded("bad key", "AUTHENTICATION_ERROR")]),
        Error::Service(ServiceError::Authentication(_))
    ));
    assert!(matches!(
        classify(vec![coded("no", "AUTHORIZATION_ERROR")]),
        Error::Service(ServiceError::Authorization(_))
    ));
    assert!(matches!(
        classify(vec![coded(
            "Cannot query field",
            "GRAPHQL_VALIDATION_FAILED"
        )]),
        Error::Service(ServiceError::InvalidQuery(_))
    ));
    assert!(matches!(
        classify(vec![coded(
            "Query complexity limit exceeded",
            "GRAPHQL_VALIDATION_FAILED"
        )]),
        Error::Service(ServiceError::QueryComplexity(_))
    ));
    assert!(matches!(
        classify(vec![coded("Syntax Error", "GRAPHQL_PARSE_FAILED")]),
        Error::Service(ServiceError::InvalidQuery(_))
    ));
    assert!(matches!(
        classify(vec![coded("gone", "RESOURCE_NOT_FOUND")]),
        Error::Service(ServiceError::NotFound(_))
    ));
    assert!(matches!(
        classify(vec![coded("dup", "RESOURCE_CONFLICT")]),
        Error::Service(ServiceError::Conflict(_))
    ));
    assert!(matches!(
        classify(vec![coded("bad", "MALFORMED_REQUEST")]),
        Error::Service(ServiceError::MalformedRequest(_))
    ));
    assert!(matches!(
        classify(vec![coded("nope", "OPERATION_NOT_ALLOWED")]),
        Error::Service(ServiceError::OperationNotAllowed(_))
    ));
    assert!(
        matches!(classify(vec![coded("odd", "SOMETHING_ELSE")]), Error::Service(ServiceError::UnknownGraphQl(ref v)) if v.len() == 1)
    );
    assert!(matches!(
        classify(vec![GraphQlError::new("no code")]),
        Error::Service(ServiceError::UnknownGraphQl(_))
    ));
}

#[test]
fn internal_server_error_by_status() {
    let ise = |status: Option<u16>| {
        let e = coded("boom", "INTERNAL_SERVER_ERROR");
        classify(vec![match status {
            Some(s) => e.with_status(s),
            None => e,
        }])
    };
    assert!(matches!(
        ise(Some(400)),
        Error::Service(ServiceError::InvalidQuery(_))
    ));
    assert!(matches!(
        ise(Some(422)),
        Error::Service(ServiceError::UnprocessableEntity(_))
    ));
    assert!(matches!(
        ise(Some(426)),
        Error::Service(ServiceError::OperationNotAllowed(_))
    ));
    for generic in [ise(Some(500)), ise(None)] {
        assert!(
            matches!(generic, Error::Service(ServiceError::InternalServer { graphql_error: Some(ref e), .. }) if e.message == "boom"),
            "{generic:?}"
        );
        assert!(!generic.is_retryable(), "{generic:?}");
        assert_eq!(generic.code(), Some("INTERNAL_SERVER_ERROR"));
    }
    assert_eq!(
        ise(None).to_string(),
        "Internal server error: boom [INTERNAL_SERVER_ERROR]"
    );
    let other = ise(Some(503));
    assert!(matches!(
        other,
        Error::Service(ServiceError::InternalServer {
            status: Some(503),
            ..
        })
    ));
    assert!(other.is_retryable());
    assert_eq!(
        other.to_string(),
        "Internal server error (status 503): boom [INTERNAL_SERVER_ERROR]"
    );
}

#[test]
fn order_follows_the_reference_client() {
    // Authentication wins over everything, whatever the position.
    let e = classify(vec![
        coded("gone", "RESOURCE_NOT_FOUND"),
        coded("bad key", "AUTHENTICATION_ERROR"),
    ]);
    assert!(
        matches!(e, Error::Service(ServiceError::Authentication(ref g)) if g.message == "bad key")
    );
    // Rate limiting sits after parse errors and before not-found.
    let e = error_from_graphql_errors(
        vec![coded("gone", "RESOURCE_NOT_FOUND")],
        Some("You have exceeded 100 requests"),
    );
    assert!(matches!(
        e,
        Some(Error::Service(ServiceError::RateLimited { .. }))
    ));
    let e = error_from_graphql_errors(
        vec![coded("Syntax", "GRAPHQL_PARSE_FAILED")],
        Some("You have exceeded 100 requests"),
    );
    assert!(matches!(
        e,
        Some(Error::Service(ServiceError::InvalidQuery(_)))
    ));
    assert!(error_from_graphql_errors(vec![], Some("hello")).is_none());
}

#[test]
fn display_carries_the_server_message() {
    let e = classify(vec![coded(
        "Not allowed to create keys",
        "AUTHORIZATION_ERROR",
    )
    .with_path(["createApiKey"])]);
    assert_eq!(
        e.to_string(),
        "Not authorized: Not allowed to create keys [AUTHORIZATION_ERROR] at createApiKey"
    );
    let e = classify(vec![coded("Token expired", "AUTHENTICATION_ERROR")]);
    assert_eq!(
        e.to_string(),
        "Invalid API key: Token expired [AUTHENTICATION_ERROR]"
    );
    let e = classify(vec![coded(
        "Invalid API key: the key has been revoked",
        "AUTHENTICATION_ERROR",
    )]);
    assert_eq!(
        e.to_string(),
        "Invalid API key: the key has been revoked [AUTHENTICATION_ERROR]"
    );
    let e = classify(vec![coded("a", "X_ONE"), GraphQlError::new("b")]);
    assert_eq!(
        e.to_string(),
        "Unknown error: a (code X_ONE); b (code none)"
    );
    assert_eq!(e.graphql_errors().len(), 2);
}

#[test]
fn wire_errors_are_read_leniently() {
    let e = graphql_error_from_json(&json!({
        "message": "boom",
        "path": ["user", "apiKeys", 3, "id"],
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "exception": {"status": "422"}}
    }));
    assert_eq!(e.status, Some(422));
    assert_eq!(e.path_string(), "user.apiKeys.3.id");
    assert!(matches!(
        classify(vec![e]),
        Error::Service(ServiceError::UnprocessableEntity(_))
    ));

    let e =
        graphql_error_from_json(&json!({"extensions": {"code": 5, "exception": {"status": "x"}}}));
    assert_eq!(e, GraphQlError::new("(no message)"));
    let e = graphql_error_from_json(&json!("not an object"));
    assert_eq!(e.message, "(no message)");
    assert_eq!(e.status, None);
}

#[test]
fn accessors() {
    let e = classify(vec![coded("x", "RESOURCE_NOT_FOUND").with_status(404)]);
    assert_eq!(e.code(), Some("RESOURCE_NOT_FOUND"));
    assert_eq!(e.status(), Some(404));
    assert_eq!(
        Error::Service(ServiceError::HttpStatus {
            status: 401,
            message: None
        })
        .status(),
        Some(401)
    );
    assert_eq!(
        Error::Construction(ConstructionError::MissingApiKey).code(),
        None
    );
    assert!(Error::Construction(ConstructionError::MissingApiKey)
        .graphql_errors()
        .is_empty());
    let limited = Error::Service(ServiceError::RateLimited {
        message: "x".into(),
        retry_after: Some(Duration::from_millis(1500)),
    });
    assert_eq!(limited.retry_after(), Some(Duration::from_millis(1500)));
    assert_eq!(
        limited.to_string(),
        "API rate limit exceeded: x (retry after 1.5s)"
    );
}

#[test]
fn generic_server_errors_are_not_retried_but_other_statuses_are() {
    assert!(!classify(vec![coded("x", "AUTHENTICATION_ERROR")]).is_retryable());
    assert!(!classify(vec![coded("x", "INTERNAL_SERVER_ERROR")]).is_retryable());
    assert!(classify(vec![coded("x", "INTERNAL_SERVER_ERROR").with_status(503)]).is_retryable());
}
