//! The emulator's own administration (`/_emulator/*`): only the bootstrap admin key minted at
//! this start may use it. An ordinary key, even an Admin's created over HTTP, may not: these
//! endpoints move the clock, which can un-expire keys.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Request, State as AxumState};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::auth;
use crate::dates::format_date;
use crate::graphql::{code, error_body};
use crate::server::{json_response, App};

/// The refusal of an authenticated key that is not the bootstrap admin key.
pub(crate) const NOT_THE_ADMIN_KEY: &str = "The emulator's administration endpoints (/_emulator/*) accept only the bootstrap admin key printed at start";

/// Middleware in front of every `/_emulator/*` route: HTTP 401 `AUTHENTICATION_ERROR` for a
/// missing or invalid key, HTTP 403 `AUTHORIZATION_ERROR` for a valid key that is not this
/// start's bootstrap admin key; otherwise the route runs.
pub(crate) async fn require_admin_key(
    AxumState(app): AxumState<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request,
    next: Next,
) -> Response {
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let caller = {
        let state = app.state();
        auth::authenticate(&state, authorization, peer.ip(), app.now())
    };
    match caller {
        Ok(caller) if caller.key_id == app.admin_key_id => next.run(request).await,
        Ok(_) => json_response(
            StatusCode::FORBIDDEN,
            error_body(code::AUTHORIZATION_ERROR, NOT_THE_ADMIN_KEY),
        ),
        Err(failure) => json_response(
            StatusCode::UNAUTHORIZED,
            error_body(code::AUTHENTICATION_ERROR, failure.message()),
        ),
    }
}

/// HTTP 400 `MALFORMED_REQUEST` with `message`: every administration route's answer to bad
/// input.
pub(crate) fn bad_request(message: impl std::fmt::Display) -> Response {
    json_response(
        StatusCode::BAD_REQUEST,
        error_body(code::MALFORMED_REQUEST, message),
    )
}

/// An administration route's JSON body as `T`, or the message of its [`bad_request`] answer,
/// naming what was `expected` (for example `{"inviteId": ID}`).
pub(crate) fn read_body<T: DeserializeOwned>(body: &Bytes, expected: &str) -> Result<T, String> {
    serde_json::from_slice(body).map_err(|e| format!("expected {expected}: {e}"))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClockRequest {
    advance_seconds: i64,
}

/// `POST /_emulator/clock` with `{"advanceSeconds": N}` (negative allowed) moves the emulator
/// clock, for clients in other processes (the Python conformance script). Behind
/// [`require_admin_key`], like every `/_emulator/*` route.
pub(crate) async fn clock(AxumState(app): AxumState<Arc<App>>, body: Bytes) -> Response {
    let request: ClockRequest = match read_body(&body, r#"{"advanceSeconds": N}"#) {
        Ok(request) => request,
        Err(message) => return bad_request(message),
    };
    if !app.shift_clock(request.advance_seconds.saturating_mul(1000)) {
        return bad_request("advanceSeconds would move the clock more than 100 years from now");
    }
    let now = format_date(app.now());
    json_response(
        StatusCode::OK,
        serde_json::json!({ "now": now }).to_string(),
    )
}
