//! `POST /_emulator/invites/accept`: accepts a pending invite as its invitee would by e-mail
//! (the library's [`EmulatorHandle::accept_invite`](crate::EmulatorHandle::accept_invite)),
//! for clients in other processes. Behind the bootstrap-admin-key check of every
//! `/_emulator/*` route.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;

use crate::admin::{bad_request, read_body};
use crate::graphql::{code, error_body};
use crate::invites::AcceptError;
use crate::server::{json_response, App};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AcceptRequest {
    invite_id: String,
}

/// `{"inviteId": ID}` → 200 `{"userId", "email", "role"}` (the new member); 404
/// `RESOURCE_NOT_FOUND` for an id no pending invite has, 409 `OPERATION_NOT_ALLOWED` when
/// the email is a member's already, 400 `MALFORMED_REQUEST` for another body.
pub(crate) async fn accept(AxumState(app): AxumState<Arc<App>>, body: Bytes) -> Response {
    let request: AcceptRequest = match read_body(&body, r#"{"inviteId": ID}"#) {
        Ok(request) => request,
        Err(message) => return bad_request(message),
    };
    let worker = Arc::clone(&app);
    // A state write: on a blocking thread, as every mutation.
    let accepted = tokio::task::spawn_blocking(move || {
        crate::handle::accept_invite(&worker, &request.invite_id)
    })
    .await;
    let (status, body) = match accepted {
        Ok(Ok(Ok(member))) => (
            StatusCode::OK,
            serde_json::json!({
                "userId": member.user_id,
                "email": member.email,
                "role": member.role,
            })
            .to_string(),
        ),
        Ok(Ok(Err(refusal @ AcceptError::NoSuchInvite(_)))) => (
            StatusCode::NOT_FOUND,
            error_body(code::RESOURCE_NOT_FOUND, refusal),
        ),
        Ok(Ok(Err(refusal @ AcceptError::AlreadyMember(_)))) => (
            StatusCode::CONFLICT,
            error_body(code::OPERATION_NOT_ALLOWED, refusal),
        ),
        Ok(Ok(Err(refusal @ AcceptError::Failed(_)))) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            error_body(code::INTERNAL_SERVER_ERROR, refusal),
        ),
        Ok(Err(e)) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            error_body(
                code::INTERNAL_SERVER_ERROR,
                format!("The change could not be persisted and was not made: {e}"),
            ),
        ),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            error_body(code::INTERNAL_SERVER_ERROR, "The request handler failed"),
        ),
    };
    json_response(status, body)
}
