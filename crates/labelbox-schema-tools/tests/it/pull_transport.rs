//! `pull` takes the SDK's HTTP path, over real HTTP on 127.0.0.1: redirects are not
//! followed (the key would travel with them), an endless answer stops at the response cap,
//! plain http off loopback is refused before anything is sent, and the request carries the
//! SDK's identification.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::routing::post;
use labelbox_emulator::{Emulator, EmulatorConfig};
use labelbox_schema_tools::{pull, pull_with_client, Error};
use secrecy::SecretString;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const KEY: &str = "pull-transport-key-77d0c4-very-secret";

/// Serves `router` at 127.0.0.1:0; returns the `/graphql` endpoint.
async fn serve(router: axum::Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    format!("http://{addr}/graphql")
}

fn key() -> SecretString {
    SecretString::from(KEY)
}

fn assert_no_key(error: &Error) {
    let text = format!("{error} {error:?}");
    assert!(!text.contains(KEY), "{text}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        assert!(!cause.to_string().contains(KEY), "{cause}");
        source = cause.source();
    }
}

/// A server that answers every request with a 200 whose body never ends (no length,
/// `connection: close`).
async fn endless_server() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                // Read the request head; the body is small and arrives with it or is
                // discarded with the connection.
                let mut seen = Vec::new();
                let mut chunk = [0u8; 4096];
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut chunk).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&chunk[..n]),
                    }
                }
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\
                            connection: close\r\n\r\n{\"data\": {\"__schema\": ";
                if stream.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let filler = vec![b' '; 64 * 1024];
                while stream.write_all(&filler).await.is_ok() {}
            });
        }
    });
    url
}

#[tokio::test]
async fn a_redirect_is_not_followed_and_named() {
    let reached = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&reached);
    let elsewhere = serve(axum::Router::new().route(
        "/graphql",
        post(move || {
            counter.fetch_add(1, Ordering::SeqCst);
            async { "{}" }
        }),
    ))
    .await;
    for status in [301u16, 302, 303, 307, 308] {
        let location = elsewhere.clone();
        let redirecting = serve(axum::Router::new().route(
            "/graphql",
            post(move || async move {
                (
                    StatusCode::from_u16(status).unwrap(),
                    [("location", location)],
                    "moved",
                )
            }),
        ))
        .await;
        let error = pull(&redirecting, &key()).await.unwrap_err();
        assert_no_key(&error);
        assert!(
            matches!(error, Error::Redirected { status: s, .. } if s == status),
            "{status}: {error:?}"
        );
        assert!(error.to_string().contains("not followed"), "{error}");
    }
    assert_eq!(
        reached.load(Ordering::SeqCst),
        0,
        "the redirect target never saw a request (nor the key)"
    );
}

#[tokio::test]
async fn an_endless_answer_stops_at_the_response_cap() {
    let endpoint = endless_server().await;
    // The default cap of `pull`, well before its 60 s timeout.
    let error = tokio::time::timeout(Duration::from_secs(30), pull(&endpoint, &key()))
        .await
        .expect("stopped at the cap, not at the timeout")
        .unwrap_err();
    assert_no_key(&error);
    match &error {
        Error::Http {
            source:
                labelbox_sdk::Error::Response(labelbox_sdk::ResponseError::ResponseTooLarge { limit }),
            ..
        } => assert_eq!(*limit, labelbox_sdk::DEFAULT_MAX_RESPONSE_BYTES),
        other => panic!("{other:?}"),
    }

    // A client's own cap: the emulator's introspection answer (tens of KiB) is over 4 KiB.
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = |cap: u64| {
        labelbox_sdk::Client::builder()
            .api_key(emulator.admin_key())
            .endpoint(emulator.endpoint())
            .max_response_bytes(cap)
            .build()
            .unwrap()
    };
    let error = pull_with_client(&client(4096)).await.unwrap_err();
    assert!(
        matches!(
            error,
            Error::Http {
                source: labelbox_sdk::Error::Response(
                    labelbox_sdk::ResponseError::ResponseTooLarge { limit: 4096 }
                ),
                ..
            }
        ),
        "{error:?}"
    );
    let pulled = pull_with_client(&client(labelbox_sdk::DEFAULT_MAX_RESPONSE_BYTES))
        .await
        .unwrap();
    assert!(pulled.sdl.contains("type ApiKey"));
    assert_eq!(pulled.provenance.endpoint, emulator.endpoint());
    emulator.shutdown().await;
}

#[tokio::test]
async fn plain_http_off_loopback_is_refused_before_anything_is_sent() {
    for endpoint in [
        "http://example.com/graphql",
        "http://10.0.0.1:8080/graphql",
        "ftp://example.com/graphql",
    ] {
        let error = pull(endpoint, &key()).await.unwrap_err();
        assert_no_key(&error);
        assert!(
            matches!(
                error,
                Error::Client {
                    source: labelbox_sdk::Error::Construction(
                        labelbox_sdk::ConstructionError::Configuration { .. }
                    ),
                    ..
                }
            ),
            "{endpoint}: {error:?}"
        );
    }
}

#[tokio::test]
async fn the_request_is_the_sdks() {
    let seen = Arc::new(std::sync::Mutex::new(None::<HeaderMap>));
    let store = Arc::clone(&seen);
    let endpoint = serve(axum::Router::new().route(
        "/graphql",
        post(move |headers: HeaderMap| {
            *store.lock().unwrap() = Some(headers);
            async { (StatusCode::UNAUTHORIZED, "no").into_response() }
        }),
    ))
    .await;
    let error = pull(&endpoint, &key()).await.unwrap_err();
    assert!(
        matches!(error, Error::HttpStatus { status: 401, .. }),
        "{error:?}"
    );
    let headers = seen.lock().unwrap().clone().expect("one request");
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    assert_eq!(header("authorization"), Some(&*format!("Bearer {KEY}")));
    assert!(
        header("x-user-agent").is_some_and(|v| v.starts_with("rust-sdk ")),
        "{headers:?}"
    );
    assert_eq!(header("x-sdk-method"), Some("Client:execute_unclassified"));
}
