//! [`ConsoleSession`]: the one check that every API handler runs, as an axum extractor.
//!
//! A request is the session's when it carries the session's secret in the
//! [`SESSION_HEADER`] header, its `Host` is the console's own (DNS rebinding) and its
//! `Origin`, when the browser sends one, too. Nothing a browser sends on its own to
//! another port (cookies, HTTP authentication) grants anything: the secret lives in the
//! page's `sessionStorage`, which is per origin (port included) and per tab, and only the
//! console's script sends it. A session idle longer than the timeout ends here, and what it
//! was handing over is abandoned.

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::security;
use crate::session::{Lookup, SessionKey};
use crate::state::AppState;

/// The header that carries a session's secret on every API call. The page's script keeps
/// the secret in `sessionStorage` and sends it; no cookie is set, and none grants anything.
pub const SESSION_HEADER: &str = "x-console-session";

/// The signed-in session a request belongs to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ConsoleSession {
    key: SessionKey,
}

impl ConsoleSession {
    /// The session's name (the digest of its secret).
    pub fn key(&self) -> &SessionKey {
        &self.key
    }
}

/// The answer to a request without a live session.
pub(crate) fn signed_out() -> Response {
    (
        StatusCode::UNAUTHORIZED,
        Json(json!({
            "message": "You are not signed in: the session ended (logged out, idle for too \
                        long, or the console restarted). Open a new login link: one printed \
                        by `labelbox console`, or Open in a new tab on a signed-in page."
        })),
    )
        .into_response()
}

impl FromRequestParts<Arc<AppState>> for ConsoleSession {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Self, Self::Rejection> {
        if !state.own_address.host_allowed(&parts.headers) {
            return Err(security::foreign_host());
        }
        if !state.own_address.origin_allowed(&parts.headers) {
            return Err((
                StatusCode::FORBIDDEN,
                Json(json!({ "message": "refused: foreign Origin" })),
            )
                .into_response());
        }
        let Some(secret) = parts
            .headers
            .get(SESSION_HEADER)
            .and_then(|v| v.to_str().ok())
        else {
            return Err(signed_out());
        };
        let lookup = state.sessions().lookup(secret);
        match lookup {
            Lookup::Live(key) => Ok(ConsoleSession { key }),
            Lookup::Missing => Err(signed_out()),
            Lookup::Expired(hand_overs) => {
                tracing::info!("a session expired after its idle timeout");
                state.abandon_all(hand_overs).await;
                Err(signed_out())
            }
        }
    }
}
