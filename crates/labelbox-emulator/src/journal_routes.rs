//! `GET /_emulator/journal` (the request journal, as
//! [`EmulatorHandle::journal`](crate::EmulatorHandle::journal) returns it) and
//! `DELETE /_emulator/journal` (empties it): behind the bootstrap-admin-key check, like every
//! `/_emulator/*` route (`admin.rs`).

use std::sync::Arc;

use axum::extract::State as AxumState;
use axum::http::StatusCode;
use axum::response::Response;

use crate::server::{json_response, App};

/// `GET /_emulator/journal`: `{"entries": [...], "dropped": N}`.
pub(crate) async fn read(AxumState(app): AxumState<Arc<App>>) -> Response {
    let journal = app.journal.read();
    match serde_json::to_string(&journal) {
        Ok(body) => json_response(StatusCode::OK, body),
        Err(e) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            crate::graphql::error_body(crate::graphql::code::INTERNAL_SERVER_ERROR, e.to_string()),
        ),
    }
}

/// `DELETE /_emulator/journal`: empties the journal and its dropped count; answers
/// `{"cleared": N}`, the entries removed.
pub(crate) async fn clear(AxumState(app): AxumState<Arc<App>>) -> Response {
    let cleared = app.journal.clear();
    json_response(
        StatusCode::OK,
        serde_json::json!({ "cleared": cleared }).to_string(),
    )
}
