//! Transport security and timeouts over loopback: redirects are not followed (so the
//! `Authorization` header never reaches another origin), the connect timeout fires against
//! a listener that never completes a handshake, and plain http is refused off loopback.

use crate::support;

use std::time::{Duration, Instant};

use labelbox_sdk::{Client, Error, RetryPolicy};
use labelbox_sdk::{ConstructionError, ServiceError};
use support::{client_builder, fake_labelbox, Reply, TestServer, TEST_KEY};

#[tokio::test]
async fn a_redirect_to_another_origin_is_not_followed() {
    let elsewhere = TestServer::start(fake_labelbox).await;
    for status in [301, 302, 303, 307, 308] {
        let server =
            TestServer::always(Reply::text(status, "").with_header("Location", &elsewhere.url))
                .await;
        let error = tokio::time::timeout(
            Duration::from_secs(10),
            client_builder(&server.url)
                .retry_policy(RetryPolicy::none())
                .build()
                .unwrap()
                .get_user(),
        )
        .await
        .unwrap()
        .unwrap_err();
        assert!(
            matches!(error, Error::Service(ServiceError::HttpStatus { status: s, .. }) if s == status),
            "{status}: {error:?}"
        );
        assert!(error.to_string().contains("redirect"), "{error}");
        assert!(!error.is_retryable());
        assert_eq!(server.request_count(), 1);
    }
    assert_eq!(
        elsewhere.request_count(),
        0,
        "the other origin never saw a request (nor the key)"
    );
}

#[tokio::test]
async fn the_connect_timeout_fires_when_no_handshake_completes() {
    // A loopback listener whose accept queue is full and never drained: the kernel drops
    // further SYNs, so a connection attempt waits until the client gives up.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let listener = socket.listen(0).unwrap();
    let address = listener.local_addr().unwrap();
    let mut fillers = Vec::new();
    for _ in 0..8 {
        let attempt = tokio::time::timeout(
            Duration::from_millis(200),
            tokio::net::TcpStream::connect(address),
        )
        .await;
        match attempt {
            Ok(Ok(stream)) => fillers.push(stream),
            _ => break, // the queue is full
        }
    }
    let connect_timeout = Duration::from_millis(300);
    let client = client_builder(&format!("http://{address}/graphql"))
        .connect_timeout(connect_timeout)
        .timeout(Duration::from_secs(30))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    let started = Instant::now();
    let error = tokio::time::timeout(Duration::from_secs(10), client.get_user())
        .await
        .expect("no hang")
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(
        matches!(error, Error::Timeout { after: Some(d), .. } if d == connect_timeout),
        "{error:?}"
    );
    assert!(
        !error.may_have_been_delivered(),
        "connecting timed out: nothing was sent"
    );
    assert!(elapsed >= connect_timeout, "{elapsed:?}");
    assert!(
        elapsed < connect_timeout + Duration::from_secs(2),
        "{elapsed:?}"
    );
    assert!(error.is_retryable());
    drop((listener, fillers));
}

#[tokio::test]
async fn a_server_that_never_answers_times_out_within_the_configured_time() {
    let server = TestServer::always(Reply::Hang).await;
    let timeout = Duration::from_millis(500);
    // Without retries: one timeout.
    let started = Instant::now();
    let error = client_builder(&server.url)
        .timeout(timeout)
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap()
        .get_user()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(error, Error::Timeout { after: Some(d), .. } if d == timeout));
    assert!(
        elapsed >= timeout && elapsed < timeout + Duration::from_secs(1),
        "{elapsed:?}"
    );
    // With the default 3 attempts: at most three timeouts and the (short) backoffs.
    let started = Instant::now();
    let error = client_builder(&server.url)
        .timeout(timeout)
        .build()
        .unwrap()
        .get_user()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(error, Error::Timeout { .. }));
    assert!(
        elapsed >= timeout * 3 && elapsed < timeout * 3 + Duration::from_secs(1),
        "{elapsed:?}"
    );
    assert_eq!(server.request_count(), 4);
}

#[test]
fn plain_http_is_refused_at_build_off_loopback() {
    let build = |url: &str, allow: bool| {
        Client::builder()
            .api_key(TEST_KEY)
            .endpoint(url)
            .allow_insecure_http(allow)
            .build()
    };
    for url in [
        "http://api.labelbox.com/graphql",
        "http://192.168.1.10:8080/graphql",
        "http://[2001:db8::1]/graphql",
        "http://localhost.attacker.example/graphql",
        "http://127.0.0.1.nip.io/graphql",
    ] {
        let error = build(url, false).unwrap_err();
        assert!(
            matches!(
                error,
                Error::Construction(ConstructionError::Configuration { .. })
            ),
            "{url}"
        );
        assert!(error.to_string().contains("plain http"), "{error}");
        assert!(!format!("{error} {error:?}").contains(TEST_KEY));
        assert!(build(url, true).is_ok(), "{url} when explicitly allowed");
    }
    for url in [
        "http://localhost:1/graphql",
        "http://127.0.0.1:1/graphql",
        "http://127.45.6.7:1/graphql",
        "http://[::1]:1/graphql",
        "https://api.labelbox.com/graphql",
    ] {
        assert!(build(url, false).is_ok(), "{url}");
    }
}
