//! The response cap over real HTTP on loopback: a server that streams an endless body, one
//! that declares a body larger than the cap, one whose body is longer than it declares, and
//! the emulator with a cap below its answers. The cap holds while reading, so a hostile
//! server gets a typed error, never the client's memory.

use crate::support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use labelbox_emulator::{Emulator, EmulatorConfig};
use labelbox_sdk::schema::current_user;
use labelbox_sdk::ResponseError;
use labelbox_sdk::{Error, RetryPolicy, DEFAULT_MAX_RESPONSE_BYTES};
use support::{client_builder, Reply, TestServer, TEST_KEY};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// How a [`Streamer`] answers.
#[derive(Debug, Clone, Copy)]
enum Body {
    /// No length, `connection: close`: the body ends when the connection does (never).
    Endless,
    /// `transfer-encoding: chunked`, chunk after chunk, never the last one.
    EndlessChunked,
    /// `content-length: N`, then nothing: the connection stays open.
    Declared(u64),
    /// `content-length: N`, then an endless stream of bytes.
    LongerThanDeclared(u64),
}

/// A server that answers every request with a 200 whose body is [`Body`], counting the
/// bytes of body it managed to write.
struct Streamer {
    url: String,
    written: Arc<AtomicUsize>,
}

impl Streamer {
    async fn start(body: Body) -> Streamer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/graphql", listener.local_addr().unwrap());
        let written = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&written);
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(stream_body(stream, body, Arc::clone(&counter)));
            }
        });
        Streamer { url, written }
    }

    fn written(&self) -> usize {
        self.written.load(Ordering::SeqCst)
    }
}

async fn stream_body(mut stream: TcpStream, body: Body, written: Arc<AtomicUsize>) {
    // Read the request head and body (its content-length) before answering.
    let mut request = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(at) = request.windows(4).position(|w| w == b"\r\n\r\n") {
            break at + 4;
        }
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&request[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while request.len() < head_end + length {
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => request.extend_from_slice(&chunk[..n]),
        }
    }
    let head = match body {
        Body::Endless => "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n".to_owned(),
        Body::EndlessChunked => "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n".to_owned(),
        Body::Declared(n) | Body::LongerThanDeclared(n) => {
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {n}\r\n\r\n")
        }
    };
    if stream.write_all(head.as_bytes()).await.is_err() {
        return;
    }
    // A JSON-looking start, then whitespace for ever.
    let filler = vec![b' '; 64 * 1024];
    let start = b"{\"data\": {\"user\": ";
    match body {
        Body::Declared(_) => std::future::pending::<()>().await,
        Body::EndlessChunked => {
            let mut first = true;
            loop {
                let piece: &[u8] = if first { start } else { &filler };
                first = false;
                let frame = [format!("{:x}\r\n", piece.len()).as_bytes(), piece, b"\r\n"].concat();
                if stream.write_all(&frame).await.is_err() {
                    return;
                }
                written.fetch_add(piece.len(), Ordering::SeqCst);
            }
        }
        Body::Endless | Body::LongerThanDeclared(_) => {
            if stream.write_all(start).await.is_err() {
                return;
            }
            written.fetch_add(start.len(), Ordering::SeqCst);
            loop {
                if stream.write_all(&filler).await.is_err() {
                    return;
                }
                written.fetch_add(filler.len(), Ordering::SeqCst);
            }
        }
    }
}

/// `get_user` against `url` with `builder`'s settings, under a deadline well below the
/// client's own timeout (so a read that waits for the end of an endless body fails here).
async fn get_user_error(builder: labelbox_sdk::ClientBuilder) -> Error {
    let client = builder
        .timeout(Duration::from_secs(60))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let error = tokio::time::timeout(Duration::from_secs(30), client.get_user())
        .await
        .expect("the read stopped long before the timeout")
        .unwrap_err();
    let text = format!("{error} {error:?}");
    assert!(!text.contains(TEST_KEY), "{text}");
    error
}

#[tokio::test]
async fn an_endless_body_stops_at_the_default_cap() {
    let server = Streamer::start(Body::Endless).await;
    let error = get_user_error(client_builder(&server.url)).await;
    assert!(
        matches!(error, Error::Response(ResponseError::ResponseTooLarge { limit }) if limit == DEFAULT_MAX_RESPONSE_BYTES),
        "{error:?}"
    );
    assert_eq!(DEFAULT_MAX_RESPONSE_BYTES, 16 * 1024 * 1024);
    assert!(!error.is_retryable());
    assert!(error.to_string().contains("16777216-byte limit"), "{error}");
    // The client read up to the cap (the server got that far), then stopped.
    let written = server.written() as u64;
    assert!(written >= DEFAULT_MAX_RESPONSE_BYTES, "{written}");
}

#[tokio::test]
async fn a_configured_cap_applies_to_a_chunked_body() {
    let server = Streamer::start(Body::EndlessChunked).await;
    let error = get_user_error(client_builder(&server.url).max_response_bytes(256 * 1024)).await;
    assert!(
        matches!(
            error,
            Error::Response(ResponseError::ResponseTooLarge { limit: 262_144 })
        ),
        "{error:?}"
    );
    // Stopped near the cap: far less than the default would have allowed.
    let written = server.written() as u64;
    assert!(written < DEFAULT_MAX_RESPONSE_BYTES, "{written}");
}

#[tokio::test]
async fn a_declared_length_over_the_cap_fails_before_reading() {
    // A terabyte announced, not a byte sent: the answer comes from the header alone.
    let server = Streamer::start(Body::Declared(1 << 40)).await;
    let error = get_user_error(client_builder(&server.url)).await;
    assert!(
        matches!(error, Error::Response(ResponseError::ResponseTooLarge { limit }) if limit == DEFAULT_MAX_RESPONSE_BYTES),
        "{error:?}"
    );
    // Just over a small cap, too.
    let server = Streamer::start(Body::Declared(1001)).await;
    let error = get_user_error(client_builder(&server.url).max_response_bytes(1000)).await;
    assert!(
        matches!(
            error,
            Error::Response(ResponseError::ResponseTooLarge { limit: 1000 })
        ),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_body_longer_than_declared_is_read_only_to_its_declared_length() {
    // Declared under the cap, streamed without end: the client reads the declared 4 KiB
    // (an unfinished JSON document) and stops.
    let server = Streamer::start(Body::LongerThanDeclared(4096)).await;
    let error = get_user_error(client_builder(&server.url).max_response_bytes(8192)).await;
    assert!(
        matches!(error, Error::Response(ResponseError::InvalidJson { .. })),
        "{error:?}"
    );
}

#[tokio::test]
async fn the_cap_applies_to_the_emulator_and_a_generous_one_passes() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let builder = || {
        labelbox_sdk::Client::builder()
            .api_key(emulator.admin_key())
            .endpoint(emulator.endpoint())
            .retry_policy(RetryPolicy::none())
    };
    let user = builder().build().unwrap().get_user().await.unwrap();
    assert_eq!(user.email, "admin@example.com");
    // The CurrentUser answer is a few hundred bytes.
    let error = builder()
        .max_response_bytes(64)
        .build()
        .unwrap()
        .get_user()
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Response(ResponseError::ResponseTooLarge { limit: 64 })
        ),
        "{error:?}"
    );
    assert!(!format!("{error} {error:?}").contains(emulator.admin_key()));
    emulator.shutdown().await;
}

#[tokio::test]
async fn execute_unclassified_returns_the_answer_as_it_came_and_follows_no_redirect() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = labelbox_sdk::Client::builder()
        .api_key(emulator.admin_key())
        .endpoint(emulator.endpoint())
        .build()
        .unwrap();
    let answer = client
        .execute_unclassified::<current_user::CurrentUser>(current_user::Variables)
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let json: serde_json::Value = serde_json::from_slice(answer.body()).unwrap();
    assert_eq!(json["data"]["user"]["email"], "admin@example.com");
    // Debug shows the size, not the content.
    let debug = format!("{answer:?}");
    assert!(
        debug.contains("body_bytes") && !debug.contains("admin@example.com"),
        "{debug}"
    );
    emulator.shutdown().await;

    // A redirect comes back as it is; its target never hears from the client.
    let elsewhere = TestServer::always(Reply::text(200, "{}")).await;
    for status in [301, 302, 303, 307, 308] {
        let server =
            TestServer::always(Reply::text(status, "").with_header("Location", &elsewhere.url))
                .await;
        let answer = client_builder(&server.url)
            .build()
            .unwrap()
            .execute_unclassified::<current_user::CurrentUser>(current_user::Variables)
            .await
            .unwrap();
        assert_eq!(answer.status(), status);
        assert_eq!(server.request_count(), 1);
    }
    assert_eq!(elsewhere.request_count(), 0);

    // Sent once: no retry after a 503.
    let server = TestServer::always(Reply::text(503, "busy")).await;
    let answer = client_builder(&server.url)
        .build()
        .unwrap()
        .execute_unclassified::<current_user::CurrentUser>(current_user::Variables)
        .await
        .unwrap();
    assert_eq!((answer.status(), answer.body()), (503, &b"busy"[..]));
    assert_eq!(server.request_count(), 1);

    // The cap applies here too.
    let server = Streamer::start(Body::Endless).await;
    let error = client_builder(&server.url)
        .max_response_bytes(1024)
        .build()
        .unwrap()
        .execute_unclassified::<current_user::CurrentUser>(current_user::Variables)
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            Error::Response(ResponseError::ResponseTooLarge { limit: 1024 })
        ),
        "{error:?}"
    );
}

#[test]
fn redact_secrets_scrubs_the_clients_key_and_jwts() {
    let client = client_builder("http://127.0.0.1:1/graphql")
        .build()
        .unwrap();
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
    let text = client.redact_secrets(&format!("bad key {TEST_KEY} and token {jwt}"));
    assert!(!text.contains(TEST_KEY) && !text.contains(jwt), "{text}");
    assert!(text.contains("[REDACTED]"), "{text}");
    assert_eq!(client.redact_secrets("nothing here"), "nothing here");
}
