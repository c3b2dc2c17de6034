//! The console's defences: random tokens and their digests, constant-time comparison, the
//! `Host` and `Origin` checks, and the headers every answer carries.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use ring::rand::{SecureRandom, SystemRandom};

/// The Content-Security-Policy of every answer: scripts and styles only from the console
/// itself (no inline script, no `eval`), nothing from elsewhere, no framing.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
     style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; \
     frame-ancestors 'none'; base-uri 'none'";

/// 32 random bytes as 64 hex digits, from the operating system's generator.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    SystemRandom::new()
        .fill(&mut bytes)
        .expect("the operating system's random generator failed");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The SHA-256 of a token: sessions and login tokens are kept by digest, so a lookup's
/// timing says nothing about the secret itself.
pub(crate) type TokenDigest = [u8; 32];

pub(crate) fn token_digest(token: &str) -> TokenDigest {
    let digest = ring::digest::digest(&ring::digest::SHA256, token.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(digest.as_ref());
    out
}

/// The console's own address as a request names it: the `Host` values it answers to (its
/// address, and `localhost` or the loopback literal with its port; anything else, such as
/// a rebound DNS name, is refused) and the `Origin`s of its own pages.
#[derive(Debug)]
pub(crate) struct OwnAddress {
    hosts: Vec<String>,
    origins: Vec<String>,
}

impl OwnAddress {
    pub fn new(addr: SocketAddr) -> Self {
        let port = addr.port();
        let mut hosts = vec![addr.to_string(), format!("localhost:{port}")];
        if addr.ip().is_ipv4() {
            hosts.push(format!("127.0.0.1:{port}"));
        } else {
            hosts.push(format!("[::1]:{port}"));
        }
        let origins = hosts.iter().map(|h| format!("http://{h}")).collect();
        Self { hosts, origins }
    }

    /// Whether the request's `Host` is one of the console's own.
    pub fn host_allowed(&self, headers: &HeaderMap) -> bool {
        headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .is_some_and(|host| self.hosts.iter().any(|a| a == host))
    }

    /// Whether the request's `Origin`, when it has one, is the console's own.
    pub fn origin_allowed(&self, headers: &HeaderMap) -> bool {
        headers.get(header::ORIGIN).is_none_or(|origin| {
            origin
                .to_str()
                .is_ok_and(|o| self.origins.iter().any(|own| own == o))
        })
    }
}

/// Refuses a request whose `Host` is not the console's own (421), then adds the security
/// headers to the answer.
pub(crate) async fn guard(
    State(own): State<Arc<OwnAddress>>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = if own.host_allowed(request.headers()) {
        next.run(request).await
    } else {
        foreign_host()
    };
    add_security_headers(response.headers_mut());
    response
}

/// The answer to a request for another host (DNS rebinding).
pub(crate) fn foreign_host() -> Response {
    (
        StatusCode::MISDIRECTED_REQUEST,
        "refused: this console answers only to its own address (Host header)",
    )
        .into_response()
}

fn add_security_headers(headers: &mut HeaderMap) {
    let fixed = [
        (
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ),
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ),
        (
            header::HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        (
            header::HeaderName::from_static("cross-origin-resource-policy"),
            HeaderValue::from_static("same-origin"),
        ),
    ];
    for (name, value) in fixed {
        headers.insert(name, value);
    }
    // Pages and API answers may show a secret: never stored. Assets set their own policy.
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_long() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_digest(&a), token_digest(&a.clone()));
        assert_ne!(token_digest(&a), token_digest(&b));
    }
}
