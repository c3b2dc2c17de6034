//! One adversarial server over loopback HTTP answers, in turn, every kind of bad answer the
//! issue lists (5xx text and HTML, the Envoy upstream failure, non-JSON 200s, truncated
//! JSON, `{"data": null}`, fields of the wrong type, an unknown error code, a GraphQL error
//! for every code of the contract's table, 429 with `Retry-After`, no answer at all, a
//! dropped connection, a body cut short, a create that commits then drops its response).
//!
//! For each answer, to a query and to a key creation: the right typed error or a correct
//! retry, no panic, no hang (every call runs under a deadline), no secret in any error's
//! `Display`, `Debug` or source chain, and, after the creation, exactly one live key with
//! its name whose secret the caller holds, or none and an error.

use crate::support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use labelbox_sdk::{Client, CreateApiKeyRequest, Error, ExposeSecret, RetryPolicy, Validity};
use labelbox_sdk::{ResponseError, ServiceError};
use labelbox_sdk::{RoleRef, UserRef};
use serde_json::{json, Value};
use support::{client_builder, fake_labelbox, Recorded, Reply, TestServer, CREATED_JWT, TEST_KEY};

/// The client's overall timeout in this test.
const TIMEOUT: Duration = Duration::from_millis(400);
/// What a call may take beyond its timeouts before the test calls it a hang.
const MARGIN: Duration = Duration::from_secs(2);
/// The deadline of any one call.
const DEADLINE: Duration = Duration::from_secs(20);
/// A JWT that a misbehaving server puts in its error texts.
const LEAKED_JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJsZWFrIn0.bGVha2VkLXNpZ25hdHVyZQ";
/// The name of the keys this test creates.
const NAME: &str = "adversarial";

/// Which request a fault applies to.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Target {
    /// `CurrentUser` (`Client::get_user`), a query.
    Query,
    /// `CreateApiKey`, the mutation.
    Create,
}

/// One injected misbehaviour.
struct Fault {
    reply: Reply,
    /// For the mutation: the key is created before the answer goes wrong.
    commits: bool,
}

/// The adversarial server's state: a key store (creation, listing and revocation work
/// honestly) and the fault to inject next.
#[derive(Default)]
struct Shared {
    /// (id, name, revoked)
    keys: Mutex<Vec<(String, String, bool)>>,
    fault: Mutex<Option<(Target, Fault)>>,
    queries: AtomicUsize,
    mutations: AtomicUsize,
    lists: AtomicUsize,
}

fn answer(shared: &Shared, request: &Recorded, n: usize) -> Reply {
    let operation = request.operation();
    let target = match operation.as_str() {
        "CurrentUser" => {
            shared.queries.fetch_add(1, Ordering::SeqCst);
            Some(Target::Query)
        }
        "CreateApiKey" => {
            shared.mutations.fetch_add(1, Ordering::SeqCst);
            Some(Target::Create)
        }
        "ListApiKeys" => {
            shared.lists.fetch_add(1, Ordering::SeqCst);
            None
        }
        _ => None,
    };
    let mut keys = shared.keys.lock().unwrap();
    let mut create = || {
        let id = format!("ck_{}", keys.len());
        let name = request.json()["variables"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        keys.push((id.clone(), name, false));
        id
    };
    if let Some(target) = target {
        let mut fault = shared.fault.lock().unwrap();
        if fault.as_ref().is_some_and(|(t, _)| *t == target) {
            let (_, fault) = fault.take().unwrap();
            if target == Target::Create && fault.commits {
                create();
            }
            return fault.reply;
        }
    }
    match operation.as_str() {
        "CreateApiKey" => {
            let id = create();
            Reply::data(json!({"createApiKey": {"id": id, "jwt": CREATED_JWT}}))
        }
        "ListApiKeys" => {
            let now = time::OffsetDateTime::now_utc()
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            let listed: Vec<Value> = keys
                .iter()
                .map(|(id, name, revoked)| {
                    let mut key =
                        support::key_json(id, name, "u1", "ada@example.com", support::tomorrow());
                    key["createdAt"] = json!(now);
                    key["revoked"] = json!(revoked);
                    key
                })
                .collect();
            Reply::data(json!({"user": {"id": "u1", "apiKeys": listed, "apiKeysOtherUsers": []}}))
        }
        "RevokeApiKey" => {
            let id = request.json()["variables"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            for key in keys.iter_mut().filter(|k| k.0 == id) {
                key.2 = true;
            }
            Reply::data(json!({"updateApiKey": {"id": id}}))
        }
        _ => fake_labelbox(request, n),
    }
}

fn graphql_error(code: &str, message: &str) -> Reply {
    Reply::json(json!({
        "data": null,
        "errors": [{"message": message, "path": ["user"], "extensions": {"code": code}}]
    }))
}

fn internal_error(status: u16) -> Reply {
    Reply::json(json!({"errors": [{
        "message": format!("boom for {TEST_KEY}"),
        "extensions": {"code": "INTERNAL_SERVER_ERROR", "exception": {"status": status}}
    }]}))
}

type Check = fn(&Error) -> bool;

/// One row: the misbehaviour (for a query and for the mutation), the error a query gets
/// without retries, whether a retrying query recovers, and whether a creation recovers.
struct Case {
    name: &'static str,
    fault: fn(Target) -> Fault,
    query_error: Check,
    query_recovers: bool,
    create_recovers: bool,
}

fn plain(reply: Reply) -> Fault {
    Fault {
        reply,
        commits: false,
    }
}

fn committed(reply: Reply) -> Fault {
    Fault {
        reply,
        commits: true,
    }
}

fn cases() -> Vec<Case> {
    let mut cases = vec![
        Case {
            name: "HTTP 500 text",
            fault: |_| {
                plain(Reply::text(
                    500,
                    &format!("Internal Server Error ({TEST_KEY})"),
                ))
            },
            query_error: |e| {
                matches!(
                    e,
                    Error::Service(ServiceError::InternalServer {
                        status: Some(500),
                        ..
                    })
                )
            },
            query_recovers: true,
            create_recovers: true,
        },
        Case {
            name: "502 HTML page",
            fault: |_| {
                plain(Reply::text(
                    502,
                    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>",
                ))
            },
            query_error: |e| {
                matches!(
                    e,
                    Error::Service(ServiceError::InternalServer {
                        status: Some(502),
                        ..
                    })
                )
            },
            query_recovers: true,
            create_recovers: true,
        },
        Case {
            name: "503 upstream connect error",
            fault: |_| {
                plain(Reply::text(
                    503,
                    "upstream connect error or disconnect/reset before headers. reset reason: connection failure",
                ))
            },
            query_error: |e| {
                matches!(
                    e,
                    Error::Service(ServiceError::InternalServer {
                        status: Some(503),
                        ..
                    })
                )
            },
            query_recovers: true,
            create_recovers: true,
        },
        Case {
            name: "200 non-JSON page",
            fault: |_| {
                committed(Reply::text(
                    200,
                    &format!("<html><body>Maintenance {LEAKED_JWT}</body></html>"),
                ))
            },
            query_error: |e| matches!(e, Error::Response(ResponseError::InvalidJson { .. })),
            query_recovers: false,
            create_recovers: true,
        },
        Case {
            name: "truncated JSON",
            fault: |target| {
                committed(Reply::text(
                    200,
                    match target {
                        Target::Query => r#"{"data": {"user": {"id": "u1", "email": "ada@"#,
                        Target::Create => {
                            r#"{"data": {"createApiKey": {"id": "ck_0", "jwt": "eyJhbGciOiJIUzI1NiJ9.eyJqdGki"#
                        }
                    },
                ))
            },
            query_error: |e| matches!(e, Error::Response(ResponseError::InvalidJson { .. })),
            query_recovers: false,
            create_recovers: true,
        },
        Case {
            name: "data null",
            fault: |_| committed(Reply::json(json!({"data": null}))),
            query_error: |e| matches!(e, Error::Response(ResponseError::MissingData { field, .. }) if field == "data"),
            query_recovers: false,
            create_recovers: true,
        },
        Case {
            name: "fields of the wrong type",
            fault: |target| {
                committed(Reply::data(match target {
                    Target::Query => json!({"user": {"id": 7, "email": LEAKED_JWT}}),
                    Target::Create => json!({"createApiKey": {"id": LEAKED_JWT, "jwt": 42}}),
                }))
            },
            query_error: |e| matches!(e, Error::Response(ResponseError::Decode { .. })),
            query_recovers: false,
            create_recovers: true,
        },
        Case {
            name: "unknown error code",
            fault: |_| {
                plain(graphql_error(
                    "SOMETHING_NEW",
                    &format!("new failure for {TEST_KEY} {LEAKED_JWT}"),
                ))
            },
            query_error: |e| matches!(e, Error::Service(ServiceError::UnknownGraphQl(errors)) if errors[0].code.as_deref() == Some("SOMETHING_NEW")),
            query_recovers: false,
            create_recovers: true,
        },
        Case {
            name: "429 with Retry-After",
            fault: |_| {
                plain(
                    Reply::status_json(429, json!({"message": "You have exceeded the limit"}))
                        .with_header("Retry-After", "1"),
                )
            },
            query_error: |e| matches!(e, Error::Service(ServiceError::RateLimited { retry_after: Some(d), .. }) if *d == Duration::from_secs(1)),
            query_recovers: true,
            create_recovers: true,
        },
        Case {
            name: "rate-limit message",
            fault: |_| {
                plain(Reply::json(
                    json!({"message": "You have exceeded 100 requests"}),
                ))
            },
            query_error: |e| matches!(e, Error::Service(ServiceError::RateLimited { .. })),
            query_recovers: true,
            create_recovers: true,
        },
        Case {
            name: "no answer at all",
            fault: |_| plain(Reply::Hang),
            query_error: |e| matches!(e, Error::Timeout { after: Some(d), .. } if *d == TIMEOUT),
            query_recovers: true,
            create_recovers: true,
        },
        Case {
            name: "headers, then a body that never comes",
            fault: |_| {
                plain(Reply::Raw {
                    bytes: "HTTP/1.1 200 OK\r\ncontent-length: 200\r\n\r\n{\"data\"".into(),
                    hang: true,
                })
            },
            query_error: |e| matches!(e, Error::Timeout { .. }),
            query_recovers: true,
            create_recovers: true,
        },
        Case {
            name: "dropped connection",
            fault: |_| plain(Reply::Drop),
            query_error: |e| matches!(e, Error::Dispatch { .. }),
            query_recovers: true,
            create_recovers: true,
        },
        Case {
            name: "body cut short",
            fault: |_| {
                committed(Reply::Raw {
                    bytes: format!(
                        "HTTP/1.1 200 OK\r\ncontent-length: 500\r\n\r\n{{\"data\": {{\"createApiKey\": {{\"jwt\": \"{}",
                        &CREATED_JWT[..20]
                    ),
                    hang: false,
                })
            },
            query_error: |e| matches!(e, Error::Dispatch { .. }),
            query_recovers: true,
            create_recovers: true,
        },
        Case {
            name: "not HTTP at all",
            fault: |_| {
                plain(Reply::Raw {
                    bytes: format!("SSH-2.0-{TEST_KEY}\r\n\r\n"),
                    hang: false,
                })
            },
            query_error: |e| matches!(e, Error::Dispatch { .. }),
            query_recovers: true,
            create_recovers: true,
        },
        Case {
            name: "commits then drops its response",
            fault: |_| committed(Reply::Drop),
            query_error: |e| matches!(e, Error::Dispatch { .. }),
            query_recovers: true,
            create_recovers: true,
        },
        Case {
            name: "401 without GraphQL errors",
            fault: |_| {
                plain(Reply::status_json(
                    401,
                    json!({"message": format!("API access is disabled for {TEST_KEY}")}),
                ))
            },
            query_error: |e| {
                matches!(
                    e,
                    Error::Service(ServiceError::HttpStatus { status: 401, .. })
                )
            },
            query_recovers: false,
            create_recovers: false,
        },
    ];
    // A GraphQL error for every code of the contract's table; the message echoes the key
    // and a JWT, which must not reach the error.
    macro_rules! code {
        ($code:literal, $message:literal, $check:expr, $create_recovers:expr) => {
            Case {
                name: $code,
                fault: |_| {
                    plain(graphql_error(
                        $code,
                        &format!("{} ({TEST_KEY}, {LEAKED_JWT})", $message),
                    ))
                },
                query_error: $check,
                query_recovers: false,
                create_recovers: $create_recovers,
            }
        };
    }
    cases.extend([
        code!(
            "AUTHENTICATION_ERROR",
            "Invalid API key",
            |e| matches!(e, Error::Service(ServiceError::Authentication(_))),
            false
        ),
        code!(
            "AUTHORIZATION_ERROR",
            "Not allowed",
            |e| matches!(e, Error::Service(ServiceError::Authorization(_))),
            false
        ),
        code!(
            "GRAPHQL_VALIDATION_FAILED",
            "Cannot query field",
            |e| matches!(e, Error::Service(ServiceError::InvalidQuery(_))),
            false
        ),
        code!(
            "GRAPHQL_PARSE_FAILED",
            "Syntax Error",
            |e| matches!(e, Error::Service(ServiceError::InvalidQuery(_))),
            false
        ),
        code!(
            "RESOURCE_NOT_FOUND",
            "No such thing",
            |e| matches!(e, Error::Service(ServiceError::NotFound(_))),
            false
        ),
        code!(
            "RESOURCE_CONFLICT",
            "Already exists",
            |e| matches!(e, Error::Service(ServiceError::Conflict(_))),
            false
        ),
        code!(
            "MALFORMED_REQUEST",
            "Bad input",
            |e| matches!(e, Error::Service(ServiceError::MalformedRequest(_))),
            false
        ),
        code!(
            "OPERATION_NOT_ALLOWED",
            "Not now",
            |e| matches!(e, Error::Service(ServiceError::OperationNotAllowed(_))),
            false
        ),
    ]);
    cases.push(Case {
        name: "GRAPHQL_VALIDATION_FAILED complexity",
        fault: |_| {
            plain(graphql_error(
                "GRAPHQL_VALIDATION_FAILED",
                "Query complexity limit exceeded",
            ))
        },
        query_error: |e| matches!(e, Error::Service(ServiceError::QueryComplexity(_))),
        query_recovers: false,
        create_recovers: false,
    });
    let statuses: [(u16, Check, bool, bool); 5] = [
        (
            400,
            |e| matches!(e, Error::Service(ServiceError::InvalidQuery(_))),
            false,
            false,
        ),
        (
            422,
            |e| matches!(e, Error::Service(ServiceError::UnprocessableEntity(_))),
            false,
            false,
        ),
        (
            426,
            |e| matches!(e, Error::Service(ServiceError::OperationNotAllowed(_))),
            false,
            false,
        ),
        // The generic server error: not retried for a query; for a creation, what happened
        // is unknown, so it is reconciled and sent once more.
        (
            500,
            |e| {
                matches!(
                    e,
                    Error::Service(ServiceError::InternalServer {
                        graphql_error: Some(_),
                        ..
                    })
                ) && !e.is_retryable()
            },
            false,
            true,
        ),
        (
            503,
            |e| {
                matches!(
                    e,
                    Error::Service(ServiceError::InternalServer {
                        status: Some(503),
                        ..
                    })
                )
            },
            true,
            true,
        ),
    ];
    for (status, check, query_recovers, create_recovers) in statuses {
        cases.push(Case {
            name: match status {
                400 => "INTERNAL_SERVER_ERROR 400",
                422 => "INTERNAL_SERVER_ERROR 422",
                426 => "INTERNAL_SERVER_ERROR 426",
                500 => "INTERNAL_SERVER_ERROR 500",
                _ => "INTERNAL_SERVER_ERROR 503",
            },
            fault: match status {
                400 => |_| plain(internal_error(400)),
                422 => |_| plain(internal_error(422)),
                426 => |_| plain(internal_error(426)),
                500 => |_| plain(internal_error(500)),
                _ => |_| plain(internal_error(503)),
            },
            query_error: check,
            query_recovers,
            create_recovers,
        });
    }
    cases
}

/// Every text an error shows: `Display`, `Debug`, pretty `Debug`, and its source chain.
fn texts(error: &Error) -> String {
    let mut text = format!("{error} | {error:?} | {error:#?}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        text.push_str(&format!(" | {cause} | {cause:?}"));
        source = cause.source();
    }
    text
}

fn assert_no_secret(case: &str, error: &Error) {
    let text = texts(error);
    for secret in [TEST_KEY, CREATED_JWT, LEAKED_JWT, "9f8e7d6c5b4a", "eyJ"] {
        assert!(
            !text.contains(secret),
            "{case}: secret {secret:?} in error: {text}"
        );
    }
}

fn retrying(url: &str) -> Client {
    client_builder(url).timeout(TIMEOUT).build().unwrap()
}

fn once(url: &str) -> Client {
    client_builder(url)
        .timeout(TIMEOUT)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
}

async fn bounded<T>(case: &str, what: &str, call: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(DEADLINE, call)
        .await
        .unwrap_or_else(|_| panic!("{case}: {what} hung"))
}

#[tokio::test]
async fn every_misbehaviour_gets_a_typed_error_or_a_correct_retry_and_never_a_secret() {
    let shared = Arc::new(Shared::default());
    let state = Arc::clone(&shared);
    let server = TestServer::start(move |request, n| answer(&state, request, n)).await;
    let cases = cases();
    assert!(cases.len() >= 30, "{} cases", cases.len());

    for case in &cases {
        let name = case.name;
        let set = |target: Target| {
            *shared.fault.lock().unwrap() = Some((target, (case.fault)(target)));
        };
        let reset = || {
            shared.queries.store(0, Ordering::SeqCst);
            shared.mutations.store(0, Ordering::SeqCst);
            shared.lists.store(0, Ordering::SeqCst);
        };

        // 1. A query without retries gets the right typed error, within its timeout.
        reset();
        set(Target::Query);
        let started = Instant::now();
        let error = bounded(name, "query", once(&server.url).get_user())
            .await
            .expect_err(name);
        assert!(started.elapsed() < TIMEOUT + MARGIN, "{name}: too slow");
        assert!((case.query_error)(&error), "{name}: {error:?}");
        assert_no_secret(name, &error);
        assert_eq!(shared.queries.load(Ordering::SeqCst), 1, "{name}");

        // 2. With the default policy, a query is retried exactly when retrying can help.
        reset();
        set(Target::Query);
        let started = Instant::now();
        let outcome = bounded(name, "retried query", retrying(&server.url).get_user()).await;
        let queries = shared.queries.load(Ordering::SeqCst);
        if case.query_recovers {
            let user = outcome.unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert_eq!(user.email, "ada@example.com");
            assert_eq!(queries, 2, "{name}: one retry");
        } else {
            let error = outcome.expect_err(name);
            assert!((case.query_error)(&error), "{name}: {error:?}");
            assert_no_secret(name, &error);
            assert_eq!(queries, 1, "{name}: not retried");
        }
        // Bounded: three attempts' timeouts (or a one-second Retry-After) plus backoff.
        assert!(started.elapsed() < TIMEOUT * 3 + MARGIN, "{name}: too slow");

        // 3. A creation whose mutation meets the misbehaviour once.
        reset();
        set(Target::Create);
        let outcome = bounded(
            name,
            "create",
            retrying(&server.url).create_api_key(CreateApiKeyRequest::new(
                NAME,
                UserRef::by_email("ada@example.com"),
                RoleRef::by_name("Labeler"),
                Validity::MIN,
            )),
        )
        .await;
        let live: Vec<String> = shared
            .keys
            .lock()
            .unwrap()
            .iter()
            .filter(|(_, n, revoked)| n == NAME && !revoked)
            .map(|(id, _, _)| id.clone())
            .collect();
        let mutations = shared.mutations.load(Ordering::SeqCst);
        match outcome {
            Ok(created) => {
                assert!(case.create_recovers, "{name}: created {created:?}");
                assert_eq!(created.secret().expose_secret(), CREATED_JWT);
                assert_eq!(live, [created.id().as_str()], "{name}: one live key, ours");
                assert_eq!(mutations, 2, "{name}: sent once more, never blindly");
                let rejected_before_processing = name.contains("429") || name.contains("rate");
                let lists = shared.lists.load(Ordering::SeqCst);
                if rejected_before_processing {
                    assert_eq!(lists, 0, "{name}: a rejection needs no reconciliation");
                } else {
                    assert!(lists >= 1, "{name}: reconciled before sending again");
                }
                // Clean up for the next row.
                for key in shared.keys.lock().unwrap().iter_mut() {
                    key.2 = true;
                }
            }
            Err(error) => {
                assert!(!case.create_recovers, "{name}: {error:?}");
                assert!(live.is_empty(), "{name}: no live key left: {live:?}");
                assert_eq!(mutations, 1, "{name}: a definite refusal is not resent");
                assert!((case.query_error)(&error), "{name}: {error:?}");
                assert_no_secret(name, &error);
            }
        }
    }
}

/// When the answers stay bad, a creation ends in `CreationFailed` naming every orphan it
/// revoked, with no live key and no secret in the error.
#[tokio::test]
async fn a_creation_that_keeps_getting_unusable_answers_leaves_no_live_key() {
    for (name, reply) in [
        ("non-JSON", Reply::text(200, "<html>oops</html>")),
        (
            "wrong types",
            Reply::data(json!({"createApiKey": {"id": 1, "jwt": CREATED_JWT}})),
        ),
        ("drop", Reply::Drop),
    ] {
        let shared = Arc::new(Shared::default());
        let state = Arc::clone(&shared);
        let server = TestServer::start(move |request, n| {
            if request.operation() == "CreateApiKey" {
                // Every mutation commits, then answers badly.
                *state.fault.lock().unwrap() = Some((Target::Create, committed(reply.clone())));
            }
            answer(&state, request, n)
        })
        .await;
        let error = bounded(
            name,
            "create",
            retrying(&server.url).create_api_key(CreateApiKeyRequest::new(
                NAME,
                UserRef::by_email("ada@example.com"),
                RoleRef::by_name("Labeler"),
                Validity::MIN,
            )),
        )
        .await
        .expect_err(name);
        match &error {
            Error::CreationFailed {
                orphans_revoked, ..
            } => {
                let ids: Vec<&str> = orphans_revoked.iter().map(|id| id.as_str()).collect();
                assert_eq!(ids, ["ck_0", "ck_1"], "{name}");
            }
            other => panic!("{name}: {other:?}"),
        }
        assert_no_secret(name, &error);
        assert!(
            shared.keys.lock().unwrap().iter().all(|k| k.2),
            "{name}: no live key"
        );
    }
}
