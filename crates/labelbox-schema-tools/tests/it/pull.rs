//! `pull` over real HTTP on 127.0.0.1: against the emulator, against a plain server that
//! answers introspection with apollo-compiler, and against servers that misbehave.

use crate::common;

use std::future::Future;

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use common::{assert_same_schema, checked_in_schema, introspect};
use labelbox_emulator::{Emulator, EmulatorConfig};
use labelbox_schema_tools::{introspection_to_sdl_body, pull, sdl_body, Error};
use secrecy::SecretString;

const KEY: &str = "test-key-0123456789-very-secret";

/// Serves `handler` on POST /graphql at 127.0.0.1:0; returns the endpoint.
async fn serve<H, T>(handler: H) -> String
where
    H: axum::handler::Handler<T, ()>,
    T: 'static,
{
    let app = axum::Router::new().route("/graphql", post(handler));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    format!("http://{addr}/graphql")
}

fn assert_no_key<E: std::fmt::Debug + std::fmt::Display>(e: &E) {
    assert!(!format!("{e}").contains(KEY));
    assert!(!format!("{e:?}").contains(KEY));
}

async fn pull_err(endpoint: &str) -> Error {
    let err = pull(endpoint, &SecretString::from(KEY)).await.unwrap_err();
    assert_no_key(&err);
    err
}

fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

#[test]
fn pull_from_the_emulator_reproduces_the_checked_in_schema() {
    block_on(async {
        let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
        let key = SecretString::from(emulator.admin_key().to_owned());
        let pulled = pull(&emulator.endpoint(), &key).await.unwrap();
        let checked_in = checked_in_schema();

        assert!(pulled
            .sdl
            .starts_with(&format!("# Pulled from {} on ", emulator.endpoint())));
        // The same schema, field for field, description for description.
        assert_same_schema(&pulled.sdl, &checked_in);
        // Printed exactly as the printer prints the checked-in schema.
        let canonical = introspection_to_sdl_body(&introspect(&checked_in)).unwrap();
        assert_eq!(sdl_body(&pulled.sdl), canonical);
        // schema/labelbox.graphql is kept in the printer's format: below its header comment,
        // a pull reproduces it byte for byte.
        assert_eq!(sdl_body(&pulled.sdl), sdl_body(&checked_in));
        // A second pull is a zero diff.
        let again = pull(&emulator.endpoint(), &key).await.unwrap();
        assert_eq!(sdl_body(&again.sdl), sdl_body(&pulled.sdl));
        emulator.shutdown().await;
    });
}

#[test]
fn a_wrong_key_is_refused_without_echoing_it() {
    block_on(async {
        let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
        let err = pull_err(&emulator.endpoint()).await;
        assert!(
            matches!(err, Error::GraphQl { .. } | Error::HttpStatus { .. }),
            "{err:?}"
        );
        emulator.shutdown().await;
    });
}

#[test]
fn pull_sends_the_standard_query_with_the_bearer_key() {
    block_on(async {
        let endpoint = serve(|headers: HeaderMap, body: String| async move {
            let auth = headers.get("authorization").and_then(|v| v.to_str().ok());
            if auth != Some(&format!("Bearer {KEY}")) {
                return (StatusCode::UNAUTHORIZED, "no").into_response();
            }
            let request: serde_json::Value = serde_json::from_str(&body).unwrap();
            assert_eq!(request["operationName"], "IntrospectionQuery");
            assert_eq!(
                request["query"].as_str().unwrap(),
                labelbox_schema_tools::INTROSPECTION_QUERY
            );
            let rich = std::fs::read_to_string(
                std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join("tests/fixtures/roundtrip/rich.graphql"),
            )
            .unwrap();
            axum::Json(introspect(&rich)).into_response()
        })
        .await;
        let pulled = pull(&endpoint, &SecretString::from(KEY)).await.unwrap();
        assert!(pulled.sdl.contains("union SearchResult = Thing | Other"));
        assert!(pulled.introspection["data"]["__schema"]["types"].is_array());
        assert_eq!(pulled.provenance.endpoint, endpoint);
    });
}

#[test]
fn misbehaving_servers_give_readable_errors() {
    block_on(async {
        let html =
            serve(|| async { (StatusCode::BAD_GATEWAY, "<html>upstream down</html>") }).await;
        match pull_err(&html).await {
            Error::HttpStatus {
                status,
                body_excerpt,
                ..
            } => {
                assert_eq!(status, 502);
                assert!(body_excerpt.contains("upstream down"));
            }
            other => panic!("{other:?}"),
        }

        let refused = serve(|| async {
            axum::Json(serde_json::json!({
                "errors": [{"message": "GraphQL introspection is not allowed"}]
            }))
        })
        .await;
        let err = pull_err(&refused).await;
        assert!(
            err.to_string().contains("introspection is not allowed"),
            "{err}"
        );

        let garbage = serve(|| async { "not json at all" }).await;
        assert!(matches!(pull_err(&garbage).await, Error::Introspection(_)));

        let wrong_shape = serve(|| async {
            axum::Json(serde_json::json!({"data": {"__schema": {"types": "nope"}}}))
        })
        .await;
        assert!(matches!(
            pull_err(&wrong_shape).await,
            Error::Introspection(_)
        ));

        // Nothing listens on port 9 of 127.0.0.1 (discard): a connection error.
        assert!(matches!(
            pull_err("http://127.0.0.1:9/graphql").await,
            Error::Http { .. }
        ));
    });
}

#[test]
fn a_server_echoing_the_key_does_not_put_it_in_the_error() {
    block_on(async {
        let echo_graphql = serve(|headers: HeaderMap| async move {
            let auth = headers["authorization"].to_str().unwrap().to_owned();
            axum::Json(serde_json::json!({
                "errors": [{"message": format!("key not valid: {auth}")}]
            }))
        })
        .await;
        let err = pull_err(&echo_graphql).await;
        assert!(err.to_string().contains("key not valid"), "{err}");

        let echo_status = serve(|headers: HeaderMap| async move {
            let auth = headers["authorization"].to_str().unwrap().to_owned();
            (StatusCode::UNAUTHORIZED, format!("refused {auth}"))
        })
        .await;
        let err = pull_err(&echo_status).await;
        assert!(err.to_string().contains("refused"), "{err}");

        // A JWT key echoed in part (here its first two segments) is scrubbed too.
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTEifQ.c2lnbmF0dXJlLW9mLXRoZS1rZXk";
        let echo_part = serve(|headers: HeaderMap| async move {
            let auth = headers["authorization"].to_str().unwrap().to_owned();
            let token = auth.trim_start_matches("Bearer ");
            let head = token.rsplit_once('.').unwrap().0.to_owned();
            axum::Json(serde_json::json!({ "errors": [{"message": format!("bad {head}")}] }))
        })
        .await;
        let err = pull(&echo_part, &SecretString::from(jwt))
            .await
            .unwrap_err();
        assert!(!err.to_string().contains("eyJzdWIiOiJ1c2VyLTEifQ"), "{err}");
        assert!(err.to_string().contains("[REDACTED]"), "{err}");
    });
}
