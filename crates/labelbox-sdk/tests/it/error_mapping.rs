//! Each row of the contract's error table, produced by a test server over real HTTP,
//! yields the right `Error` variant; and what is retried, and what is not.

use crate::support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use labelbox_sdk::KeyOrder;
use labelbox_sdk::{ApiKeyId, Client, CreateApiKeyRequest, Error, RetryPolicy, Validity};
use labelbox_sdk::{Delivery, ResponseError, ServiceError};
use labelbox_sdk::{RoleRef, UserRef};
use serde_json::json;
use support::{client, client_builder, fake_labelbox, Reply, TestServer};

fn no_retries(url: &str) -> Client {
    client_builder(url)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

/// The error a query gets from a server that always answers `reply`, without retries.
async fn query_error(reply: Reply) -> Error {
    let server = TestServer::always(reply).await;
    no_retries(&server.url).get_user().await.unwrap_err()
}

fn graphql_error(code: &str, message: &str) -> Reply {
    Reply::json(json!({
        "data": null,
        "errors": [{"message": message, "path": ["user"], "extensions": {"code": code}}]
    }))
}

#[tokio::test]
async fn timeout() {
    let server = TestServer::always(Reply::Hang).await;
    let client = client_builder(&server.url)
        .timeout(Duration::from_millis(300))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.get_user().await.unwrap_err();
    assert!(
        matches!(error, Error::Timeout { after: Some(d), .. } if d == Duration::from_millis(300))
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(error.is_retryable());
    assert_eq!(error.delivery(), Delivery::Unknown, "the request was sent");
}

#[tokio::test]
async fn connection_refused_is_a_network_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    drop(listener);
    let error = no_retries(&url).get_user().await.unwrap_err();
    assert!(matches!(error, Error::Dispatch { .. }), "{error:?}");
    assert!(std::error::Error::source(&error).is_some());
    assert_eq!(error.delivery(), Delivery::NotSent);
    assert!(!error.may_have_been_delivered());
}

#[tokio::test]
async fn dropped_connection_is_a_network_error() {
    let error = query_error(Reply::Drop).await;
    assert!(matches!(error, Error::Dispatch { .. }), "{error:?}");
    assert_eq!(error.delivery(), Delivery::Unknown);
}

#[tokio::test]
async fn http_5xx_and_upstream_failures_are_internal_server_errors() {
    let error = query_error(Reply::text(500, "Internal Server Error")).await;
    assert!(matches!(
        error,
        Error::Service(ServiceError::InternalServer {
            status: Some(500),
            ..
        })
    ));
    let error = query_error(Reply::text(502, "<html><body>Bad Gateway</body></html>")).await;
    assert!(matches!(
        error,
        Error::Service(ServiceError::InternalServer {
            status: Some(502),
            ..
        })
    ));
    assert!(
        !error.to_string().contains("<html>"),
        "no raw body: {error}"
    );
    let upstream = "upstream connect error or disconnect/reset before headers. reset reason: connection termination";
    let error = query_error(Reply::text(503, upstream)).await;
    assert!(matches!(
        error,
        Error::Service(ServiceError::InternalServer {
            status: Some(503),
            ..
        })
    ));
    let error = query_error(Reply::text(200, upstream)).await;
    assert!(matches!(
        error,
        Error::Service(ServiceError::InternalServer { .. })
    ));
    // A JSON 5xx body without GraphQL errors is a server error too.
    let error = query_error(Reply::status_json(
        504,
        json!({"message": "gateway timeout"}),
    ))
    .await;
    assert!(
        matches!(error, Error::Service(ServiceError::InternalServer { status: Some(504), ref message, graphql_error: None }) if message.as_deref() == Some("gateway timeout"))
    );
}

#[tokio::test]
async fn non_json_below_500_is_invalid_json() {
    for status in [200, 400, 404] {
        let error = query_error(Reply::text(status, "<html>Not JSON at all</html>")).await;
        assert!(
            matches!(error, Error::Response(ResponseError::InvalidJson { .. })),
            "{status}: {error:?}"
        );
        assert_eq!(error.to_string(), "Failed to parse response as JSON");
    }
    let error = query_error(Reply::text(200, r#"{"data": {"user": "#)).await;
    assert!(
        matches!(error, Error::Response(ResponseError::InvalidJson { .. })),
        "truncated JSON"
    );
}

#[tokio::test]
async fn graphql_error_codes() {
    type Check = fn(&Error) -> bool;
    let cases: [(&str, &str, Check); 9] = [
        ("AUTHENTICATION_ERROR", "Invalid API key", |e| {
            matches!(e, Error::Service(ServiceError::Authentication(_)))
        }),
        ("AUTHORIZATION_ERROR", "Not allowed", |e| {
            matches!(e, Error::Service(ServiceError::Authorization(_)))
        }),
        ("GRAPHQL_VALIDATION_FAILED", "Cannot query field", |e| {
            matches!(e, Error::Service(ServiceError::InvalidQuery(_)))
        }),
        (
            "GRAPHQL_VALIDATION_FAILED",
            "Query complexity limit exceeded",
            |e| matches!(e, Error::Service(ServiceError::QueryComplexity(_))),
        ),
        ("GRAPHQL_PARSE_FAILED", "Syntax Error", |e| {
            matches!(e, Error::Service(ServiceError::InvalidQuery(_)))
        }),
        ("RESOURCE_NOT_FOUND", "No such key", |e| {
            matches!(e, Error::Service(ServiceError::NotFound(_)))
        }),
        ("RESOURCE_CONFLICT", "Already exists", |e| {
            matches!(e, Error::Service(ServiceError::Conflict(_)))
        }),
        ("MALFORMED_REQUEST", "Bad input", |e| {
            matches!(e, Error::Service(ServiceError::MalformedRequest(_)))
        }),
        ("OPERATION_NOT_ALLOWED", "Not now", |e| {
            matches!(e, Error::Service(ServiceError::OperationNotAllowed(_)))
        }),
    ];
    for (code, message, check) in cases {
        let error = query_error(graphql_error(code, message)).await;
        assert!(check(&error), "{code}: {error:?}");
        assert_eq!(error.code(), Some(code));
        assert!(
            error.to_string().contains(message),
            "server message kept: {error}"
        );
        assert_eq!(error.graphql_errors()[0].path_string(), "user");
    }
}

#[tokio::test]
async fn internal_server_error_by_exception_status() {
    let ise = |status: Option<u16>| {
        let mut extensions = json!({"code": "INTERNAL_SERVER_ERROR"});
        if let Some(status) = status {
            extensions["exception"] = json!({"status": status});
        }
        Reply::json(json!({"errors": [{"message": "boom", "extensions": extensions}]}))
    };
    assert!(matches!(
        query_error(ise(Some(400))).await,
        Error::Service(ServiceError::InvalidQuery(_))
    ));
    assert!(matches!(
        query_error(ise(Some(422))).await,
        Error::Service(ServiceError::UnprocessableEntity(_))
    ));
    assert!(matches!(
        query_error(ise(Some(426))).await,
        Error::Service(ServiceError::OperationNotAllowed(_))
    ));
    for status in [Some(500), None] {
        let error = query_error(ise(status)).await;
        assert!(
            matches!(
                error,
                Error::Service(ServiceError::InternalServer {
                    graphql_error: Some(_),
                    ..
                })
            ),
            "{error:?}"
        );
        assert!(!error.is_retryable(), "the generic error is not retried");
    }
    assert!(matches!(
        query_error(ise(Some(503))).await,
        Error::Service(ServiceError::InternalServer {
            status: Some(503),
            ..
        })
    ));
}

#[tokio::test]
async fn unknown_codes_list_each_error() {
    let error = query_error(Reply::json(json!({"errors": [
        {"message": "first", "extensions": {"code": "SOMETHING_NEW"}},
        {"message": "second"}
    ]})))
    .await;
    assert!(
        matches!(error, Error::Service(ServiceError::UnknownGraphQl(ref errors)) if errors.len() == 2)
    );
    assert_eq!(
        error.to_string(),
        "Unknown error: first (code SOMETHING_NEW); second (code none)"
    );
}

#[tokio::test]
async fn rate_limit_message_and_429_with_retry_after() {
    let error = query_error(Reply::json(
        json!({"message": "You have exceeded the API limit"}),
    ))
    .await;
    assert!(matches!(
        error,
        Error::Service(ServiceError::RateLimited {
            retry_after: None,
            ..
        })
    ));
    let error = query_error(
        Reply::status_json(
            429,
            json!({"message": "You have exceeded 100 requests per minute"}),
        )
        .with_header("Retry-After", "2"),
    )
    .await;
    assert!(
        matches!(error, Error::Service(ServiceError::RateLimited { retry_after: Some(d), .. }) if d == Duration::from_secs(2))
    );
    let error = query_error(Reply::text(429, "slow down").with_header("Retry-After", "1")).await;
    assert!(
        matches!(error, Error::Service(ServiceError::RateLimited { .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn non_200_without_graphql_errors_is_http_status() {
    let error = query_error(Reply::status_json(
        401,
        json!({"message": "API access is disabled"}),
    ))
    .await;
    assert!(matches!(
        error,
        Error::Service(ServiceError::HttpStatus { status: 401, .. })
    ));
    assert_eq!(error.to_string(), "HTTP status 401: API access is disabled");
    let error = query_error(Reply::status_json(403, json!({}))).await;
    assert!(matches!(
        error,
        Error::Service(ServiceError::HttpStatus {
            status: 403,
            message: None
        })
    ));
    // Redirects are not followed (the key would travel with them).
    let error =
        query_error(Reply::text(302, "").with_header("Location", "http://127.0.0.1:1/")).await;
    assert!(
        matches!(
            error,
            Error::Response(ResponseError::InvalidJson { .. })
                | Error::Service(ServiceError::HttpStatus { status: 302, .. })
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn missing_and_mistyped_fields_are_decode_errors_with_the_path() {
    let error = query_error(Reply::json(json!({"data": null}))).await;
    assert!(
        matches!(error, Error::Response(ResponseError::MissingData { ref field, .. }) if field == "data")
    );
    let error = query_error(Reply::data(json!({"user": null}))).await;
    assert!(
        matches!(error, Error::Response(ResponseError::MissingData { ref field, .. }) if field == "user")
    );

    let server = TestServer::always(Reply::data(json!({"user": {
        "id": "u1",
        "apiKeys": [{"id": "k", "name": "n", "createdAt": "2024-01-01T00:00:00Z",
                     "updatedAt": "2024-01-01T00:00:00Z", "revoked": false,
                     "expiresAtEpoch": "tomorrow", "userId": "u1", "userEmail": "a@b",
                     "createdByUserId": null, "allowedIpCidrs": null}],
        "apiKeysOtherUsers": []
    }})))
    .await;
    let error = no_retries(&server.url)
        .list_api_keys()
        .include_expired(true)
        .sort(KeyOrder::Server)
        .send()
        .await
        .unwrap_err();
    match &error {
        Error::Response(ResponseError::Decode {
            operation,
            path,
            message,
        }) => {
            assert_eq!(operation, "ListApiKeys");
            assert_eq!(path, "user.apiKeys[0].expiresAtEpoch");
            assert!(!message.contains("tomorrow"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    let server = TestServer::always(Reply::data(json!({"user": {"id": "u1"}}))).await;
    let error = no_retries(&server.url).get_user().await.unwrap_err();
    assert!(
        matches!(error, Error::Response(ResponseError::Decode { ref path, .. }) if path == "user.createdAt"),
        "{error:?}"
    );
    let server = TestServer::always(Reply::data(json!({"roles": "nope"}))).await;
    let error = no_retries(&server.url).get_roles().await.unwrap_err();
    assert!(
        matches!(error, Error::Response(ResponseError::Decode { ref path, .. }) if path == "roles"),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_user_the_server_reports_not_found_is_none() {
    let server = TestServer::always(graphql_error("RESOURCE_NOT_FOUND", "No such user")).await;
    let client = no_retries(&server.url);
    assert_eq!(client.get_user_by_id(&"nobody".into()).await.unwrap(), None);
    // Other errors still are errors.
    let server = TestServer::always(graphql_error("AUTHORIZATION_ERROR", "Not allowed")).await;
    let error = no_retries(&server.url)
        .get_user_by_id(&"nobody".into())
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Service(ServiceError::Authorization(_))),
        "{error:?}"
    );
}

#[tokio::test]
async fn revoke_without_update_api_key_id_is_an_error() {
    let server = TestServer::always(Reply::data(json!({"updateApiKey": null}))).await;
    let error = no_retries(&server.url)
        .revoke_api_key(&ApiKeyId::from("ck1"))
        .await
        .unwrap_err();
    assert!(
        matches!(error, Error::Response(ResponseError::MissingData { ref field, .. }) if field == "updateApiKey.id")
    );
}

#[tokio::test]
async fn queries_are_retried_on_transient_failures_then_succeed() {
    let server = TestServer::start(|request, n| match n {
        0 => Reply::text(500, "oops"),
        1 => Reply::Drop,
        _ => fake_labelbox(request, n),
    })
    .await;
    let user = client(&server.url).get_user().await.unwrap();
    assert_eq!(user.email, "ada@example.com");
    assert_eq!(server.request_count(), 3);
}

#[tokio::test]
async fn execute_retries_queries_but_never_resends_a_mutation_after_a_lost_answer() {
    use labelbox_sdk::schema::{create_api_key, current_user};

    let server = TestServer::start(|request, n| match n {
        0 => Reply::Drop,
        _ => fake_labelbox(request, n),
    })
    .await;
    let data = client(&server.url)
        .execute::<current_user::CurrentUser>(current_user::Variables)
        .await
        .unwrap();
    assert_eq!(data.user.unwrap().email, "ada@example.com");
    assert_eq!(server.request_count(), 2, "the query is retried");

    for fault in [Reply::Drop, Reply::text(503, "unavailable")] {
        let server = TestServer::start(move |request, n| match n {
            0 => fault.clone(),
            _ => fake_labelbox(request, n),
        })
        .await;
        let error = client(&server.url)
            .execute::<create_api_key::CreateApiKey>(create_api_key::Variables {
                name: "k".into(),
                user_email: "ada@example.com".into(),
                role: Some("Labeler".into()),
                validity_seconds: Some(3600),
                allowed_ip_cidrs: None,
            })
            .await
            .unwrap_err();
        assert!(error.is_retryable(), "{error:?}");
        assert!(error.may_have_been_delivered(), "{error:?}");
        assert_eq!(
            server.request_count(),
            1,
            "a mutation whose answer was lost is not sent again"
        );
    }

    // Rejected before processing (429): the mutation may be sent again.
    let server = TestServer::start(|request, n| match n {
        0 => Reply::status_json(429, json!({"message": "You have exceeded the limit"})),
        _ => fake_labelbox(request, n),
    })
    .await;
    let data = client(&server.url)
        .execute::<create_api_key::CreateApiKey>(create_api_key::Variables {
            name: "k".into(),
            user_email: "ada@example.com".into(),
            role: Some("Labeler".into()),
            validity_seconds: Some(3600),
            allowed_ip_cidrs: None,
        })
        .await
        .unwrap();
    assert!(data.create_api_key.is_some());
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn retries_stop_after_max_attempts_and_can_be_turned_off() {
    let server = TestServer::always(Reply::text(503, "unavailable")).await;
    assert!(client(&server.url).get_user().await.is_err());
    assert_eq!(server.request_count(), 3, "default: 3 attempts");

    let server = TestServer::always(Reply::text(503, "unavailable")).await;
    assert!(no_retries(&server.url).get_user().await.is_err());
    assert_eq!(server.request_count(), 1);

    // Errors that retrying cannot fix are not retried.
    let server = TestServer::always(graphql_error("AUTHENTICATION_ERROR", "Invalid API key")).await;
    assert!(client(&server.url).get_user().await.is_err());
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn revoke_is_retried() {
    let server = TestServer::start(|request, n| {
        if n == 0 {
            Reply::text(502, "<html>bad gateway</html>")
        } else {
            fake_labelbox(request, n)
        }
    })
    .await;
    client(&server.url)
        .revoke_api_key(&ApiKeyId::from("ck1"))
        .await
        .unwrap();
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let server = TestServer::start(|request, n| {
        if n == 0 {
            Reply::status_json(429, json!({"message": "You have exceeded"}))
                .with_header("Retry-After", "1")
        } else {
            fake_labelbox(request, n)
        }
    })
    .await;
    let started = Instant::now();
    client(&server.url).get_user().await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited for Retry-After"
    );
    assert_eq!(server.request_count(), 2);

    // A Retry-After longer than the policy accepts ends the call with the error.
    let server = TestServer::always(
        Reply::status_json(429, json!({"message": "You have exceeded"}))
            .with_header("Retry-After", "3600"),
    )
    .await;
    let error = client(&server.url).get_user().await.unwrap_err();
    assert_eq!(error.retry_after(), Some(Duration::from_secs(3600)));
    assert_eq!(server.request_count(), 1);
}

/// A server that answers the create preflight normally and the mutation with `mutation(n)`,
/// `n` counting mutations from 0; returns the server and the mutation counter.
async fn create_server(
    mutation: impl Fn(usize) -> Option<Reply> + Send + Sync + 'static,
) -> (TestServer, Arc<AtomicUsize>) {
    let mutations = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&mutations);
    let server = TestServer::start(move |request, n| {
        if request.operation() == "CreateApiKey" {
            let m = counter.fetch_add(1, Ordering::SeqCst);
            if let Some(reply) = mutation(m) {
                return reply;
            }
        }
        fake_labelbox(request, n)
    })
    .await;
    (server, mutations)
}

fn request() -> CreateApiKeyRequest {
    CreateApiKeyRequest::new(
        "ci",
        UserRef::by_email("ada@example.com"),
        RoleRef::by_name("Labeler"),
        Validity::MIN,
    )
}

#[tokio::test]
async fn create_after_an_ambiguous_failure_reconciles_then_tries_once_more() {
    for reply in [
        Reply::text(500, "oops"),
        Reply::text(
            503,
            "upstream connect error or disconnect/reset before headers",
        ),
        Reply::Drop,
    ] {
        let (server, mutations) = create_server(move |_| Some(reply.clone())).await;
        let error = client(&server.url)
            .create_api_key(request())
            .await
            .unwrap_err();
        // Never blindly retried: each resend follows a reconciliation (list, revoke orphans).
        assert_eq!(mutations.load(Ordering::SeqCst), 2, "{error:?}");
        let operations: Vec<String> = server.requests().iter().map(|r| r.operation()).collect();
        assert_eq!(
            operations,
            [
                "CreateApiKeyPreflight",
                "CreateApiKey",
                "ListApiKeys",
                "CreateApiKey",
                "ListApiKeys"
            ]
        );
        match &error {
            Error::CreationFailed {
                orphans_revoked,
                source,
                ..
            } => {
                assert!(
                    orphans_revoked.is_empty(),
                    "the fake server has no such key"
                );
                assert!(source.as_ref().unwrap().is_retryable());
            }
            other => panic!("{other:?}"),
        }
        assert!(!error.is_retryable());
    }
}

#[tokio::test]
async fn create_is_not_resent_when_reconciliation_fails() {
    let server = TestServer::start(|request, n| match request.operation().as_str() {
        "CreateApiKey" | "ListApiKeys" => Reply::text(500, "oops"),
        _ => fake_labelbox(request, n),
    })
    .await;
    let error = no_retries(&server.url)
        .create_api_key(request())
        .await
        .unwrap_err();
    assert!(matches!(error, Error::CreationFailed { .. }), "{error:?}");
    assert!(error.to_string().contains("may exist"), "{error}");
    let mutations = server
        .requests()
        .iter()
        .filter(|r| r.operation() == "CreateApiKey")
        .count();
    assert_eq!(mutations, 1);
}

#[tokio::test]
async fn create_after_a_timeout_reconciles_too() {
    let (server, mutations) = create_server(|_| Some(Reply::Hang)).await;
    let client = client_builder(&server.url)
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let error = client.create_api_key(request()).await.unwrap_err();
    assert!(matches!(error, Error::CreationFailed { .. }), "{error:?}");
    assert_eq!(mutations.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn create_is_retried_when_rate_limited() {
    let (server, mutations) = create_server(|m| {
        (m == 0).then(|| {
            Reply::status_json(429, json!({"message": "You have exceeded"}))
                .with_header("Retry-After", "0")
        })
    })
    .await;
    let created = client(&server.url).create_api_key(request()).await.unwrap();
    assert_eq!(created.id().as_str(), "ck_new");
    assert_eq!(mutations.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn create_definite_errors_are_returned_as_they_are() {
    let (server, mutations) =
        create_server(|_| Some(graphql_error("AUTHORIZATION_ERROR", "Cannot grant"))).await;
    let error = client(&server.url)
        .create_api_key(request())
        .await
        .unwrap_err();
    assert!(matches!(
        error,
        Error::Service(ServiceError::Authorization(_))
    ));
    assert_eq!(mutations.load(Ordering::SeqCst), 1);

    // `createApiKey: null` without errors says nothing about whether a key was made: it is
    // reconciled like a lost answer, and the error says so with the underlying cause.
    let (server, mutations) =
        create_server(|_| Some(Reply::data(json!({"createApiKey": null})))).await;
    let error = client(&server.url)
        .create_api_key(request())
        .await
        .unwrap_err();
    match &error {
        Error::CreationFailed { source, .. } => assert!(
            matches!(source.as_deref(), Some(Error::Response(ResponseError::MissingData { field, .. })) if field == "createApiKey"),
            "{error:?}"
        ),
        other => panic!("{other:?}"),
    }
    assert_eq!(mutations.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn two_lost_create_responses_end_in_an_error_naming_the_revoked_orphans() {
    use std::sync::Mutex;
    // A server that commits every creation, then drops the answer; lists and revokes honestly.
    let keys: Arc<Mutex<Vec<(String, bool)>>> = Arc::default();
    let state = Arc::clone(&keys);
    let server = TestServer::start(move |request, n| {
        let mut keys = state.lock().unwrap();
        match request.operation().as_str() {
            "CreateApiKey" => {
                let id = format!("orphan{}", keys.len());
                keys.push((id, false));
                Reply::Drop
            }
            "ListApiKeys" => {
                let now = time::OffsetDateTime::now_utc()
                    .format(&time::format_description::well_known::Rfc3339)
                    .unwrap();
                let listed: Vec<_> = keys
                    .iter()
                    .map(|(id, revoked)| {
                        let mut key = support::key_json(
                            id,
                            "ci",
                            "u1",
                            "ada@example.com",
                            support::tomorrow(),
                        );
                        key["createdAt"] = json!(now);
                        key["revoked"] = json!(revoked);
                        key
                    })
                    .collect();
                Reply::data(
                    json!({"user": {"id": "u1", "apiKeys": listed, "apiKeysOtherUsers": []}}),
                )
            }
            "RevokeApiKey" => {
                let id = request.json()["variables"]["id"]
                    .as_str()
                    .unwrap()
                    .to_owned();
                for key in keys.iter_mut().filter(|k| k.0 == id) {
                    key.1 = true;
                }
                Reply::data(json!({"updateApiKey": {"id": id}}))
            }
            _ => fake_labelbox(request, n),
        }
    })
    .await;
    let error = client(&server.url)
        .create_api_key(request())
        .await
        .unwrap_err();
    match &error {
        Error::CreationFailed {
            orphans_revoked, ..
        } => {
            let ids: Vec<&str> = orphans_revoked.iter().map(|id| id.as_str()).collect();
            assert_eq!(ids, ["orphan0", "orphan1"]);
        }
        other => panic!("{other:?}"),
    }
    assert!(error.to_string().contains("orphan0, orphan1"), "{error}");
    assert!(keys.lock().unwrap().iter().all(|k| k.1), "no live orphan");
}
