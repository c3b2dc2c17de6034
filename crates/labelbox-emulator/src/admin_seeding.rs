//! The administration routes that seed a running emulator from another process (the pytest
//! plugin, a shell step): members, their roles, keys, faults. Behind the bootstrap-admin-key
//! check like every `/_emulator/*` route; each calls the same code as the library handle
//! (`seeding.rs`).
//!
//! - `POST /_emulator/users` `{"email", "name", "role"}` → `{"id", "email", "name", "role"}`
//! - `POST /_emulator/users/role` `{"email", "role"}` → `{"email", "role"}`
//! - `POST /_emulator/keys` `{"email", "role", "validitySeconds", "name"?, "allowedIpCidrs"?}`
//!   → `{"id", "jwt"}` (the new key: a secret, answered once)
//! - `GET /_emulator/keys` → `{"keys": [{"id", "name", "userEmail", "role",
//!   "createdByUserId", "expiresAtEpoch", "revoked", "allowedIpCidrs"}]}` (never a key)
//! - `POST /_emulator/faults` `{"fault": KIND, "count"?: N}` → `{"queued": N}` (KIND as the
//!   binary's `--fault`)
//!
//! Bad input is HTTP 400 with `MALFORMED_REQUEST` (an unknown user or role, a taken email,
//! an unknown field); a failed state write HTTP 500 with `INTERNAL_SERVER_ERROR`.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State as AxumState;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use serde::Deserialize;
use serde_json::json;

use crate::admin::{bad_request, read_body};
use crate::error::EmulatorError;
use crate::faults::{Fault, FAULT_NAMES};
use crate::graphql::{code, error_body};
use crate::seeding;
use crate::server::{json_response, App};

/// The seeding routes, to be nested under `/_emulator` before the admin-key check.
pub(crate) fn routes() -> Router<Arc<App>> {
    Router::new()
        .route("/users", post(add_user))
        .route("/users/role", post(set_user_role))
        .route("/keys", post(issue_key).get(list_keys))
        .route("/faults", post(queue_fault))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewUser {
    email: String,
    name: String,
    role: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewRole {
    email: String,
    role: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewKey {
    email: String,
    role: String,
    validity_seconds: i64,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    allowed_ip_cidrs: Option<Vec<String>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewFault {
    fault: String,
    #[serde(default = "one")]
    count: u32,
}

fn one() -> u32 {
    1
}

/// Runs a seeding call off the async workers (a state write fsyncs) and answers its result.
async fn answer<T: Send + 'static>(
    app: Arc<App>,
    call: impl FnOnce(&App) -> Result<T, EmulatorError> + Send + 'static,
    render: impl FnOnce(T) -> serde_json::Value,
) -> Response {
    match tokio::task::spawn_blocking(move || call(&app)).await {
        Ok(Ok(value)) => json_response(StatusCode::OK, render(value).to_string()),
        Ok(Err(EmulatorError::InvalidArgument(message))) => bad_request(message),
        Ok(Err(e)) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            error_body(code::INTERNAL_SERVER_ERROR, e),
        ),
        Err(_) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            error_body(code::INTERNAL_SERVER_ERROR, "the seeding call failed"),
        ),
    }
}

async fn add_user(AxumState(app): AxumState<Arc<App>>, body: Bytes) -> Response {
    let user: NewUser = match read_body(&body, r#"{"email", "name", "role"}"#) {
        Ok(user) => user,
        Err(message) => return bad_request(message),
    };
    answer(
        app,
        {
            let (email, name, role) = (user.email.clone(), user.name.clone(), user.role.clone());
            move |app: &App| seeding::add_user(app, &email, &name, &role)
        },
        move |id| json!({ "id": id, "email": user.email.trim(), "name": user.name, "role": user.role }),
    )
    .await
}

async fn set_user_role(AxumState(app): AxumState<Arc<App>>, body: Bytes) -> Response {
    let change: NewRole = match read_body(&body, r#"{"email", "role"}"#) {
        Ok(change) => change,
        Err(message) => return bad_request(message),
    };
    answer(
        app,
        {
            let (email, role) = (change.email.clone(), change.role.clone());
            move |app: &App| seeding::set_user_role(app, &email, &role)
        },
        move |()| json!({ "email": change.email, "role": change.role }),
    )
    .await
}

async fn issue_key(AxumState(app): AxumState<Arc<App>>, body: Bytes) -> Response {
    let key: NewKey = match read_body(
        &body,
        r#"{"email", "role", "validitySeconds", "name"?, "allowedIpCidrs"?}"#,
    ) {
        Ok(key) => key,
        Err(message) => return bad_request(message),
    };
    answer(
        app,
        move |app: &App| {
            seeding::issue(
                app,
                key.name.as_deref(),
                &key.email,
                &key.role,
                key.validity_seconds,
                key.allowed_ip_cidrs,
            )
        },
        |(id, jwt)| json!({ "id": id, "jwt": jwt }),
    )
    .await
}

async fn list_keys(AxumState(app): AxumState<Arc<App>>) -> Response {
    answer(
        app,
        |app: &App| Ok(seeding::key_infos(app)),
        |keys| json!({ "keys": keys }),
    )
    .await
}

async fn queue_fault(AxumState(app): AxumState<Arc<App>>, body: Bytes) -> Response {
    let request: NewFault = match read_body(&body, r#"{"fault", "count"?}"#) {
        Ok(request) => request,
        Err(message) => return bad_request(message),
    };
    let Some(fault) = Fault::parse(&request.fault) else {
        return bad_request(format!(
            "unknown fault {:?}: one of {FAULT_NAMES}",
            request.fault
        ));
    };
    app.faults.fail_next(request.count, fault);
    json_response(
        StatusCode::OK,
        json!({ "queued": request.count }).to_string(),
    )
}
