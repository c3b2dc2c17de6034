//! The routes: the page's shell, the login exchange, the page's content, the JSON
//! mutations, logout and the assets. Every API route but the login exchange takes a
//! [`ConsoleSession`].

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderValue};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use labelbox_sdk::{
    validate_key_name, ApiKeyId, CreateApiKeyRequest, Error, ExposeSecret, IpAllowlist,
    SecretString, ServiceError, TimeUnit, Validity,
};
use labelbox_sdk::{RoleRef, UserRef};
use serde::Deserialize;
use serde_json::json;

use crate::auth::{signed_out, ConsoleSession};
use crate::session::{HandOver, NotPending};
use crate::state::AppState;
use crate::{assets, page, rotation, security};

pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(shell))
        .route("/login", get(shell))
        .route("/api/session", post(exchange_login_token))
        .route("/api/login-link", post(mint_login_link))
        .route("/api/page", get(page_content))
        .route("/logout", post(logout))
        .route("/api/create-dialog", post(open_create_dialog))
        .route("/api/keys", post(create_key))
        .route("/api/keys/{id}/rotate", post(rotate_key))
        .route("/api/keys/{id}/delete", post(delete_key))
        .route("/api/hand-over/shown", post(hand_over_shown))
        .route("/api/hand-over/done", post(hand_over_done))
        .route("/api/hand-over/abandon", post(hand_over_abandon))
        .route("/api/validity", get(check_validity))
        .route("/assets/console.js", get(assets::script))
        .route("/assets/console.css", get(assets::stylesheet))
        .layer(axum::middleware::from_fn_with_state(
            state.own_address.clone(),
            security::guard,
        ))
        .with_state(state)
}

fn refused(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

/// Every page navigation (`/`, `/login#token=...`) gets the same shell: no secret, no key
/// data. Its script signs in (the token is in the URL's fragment, which the browser never
/// sends) or uses the tab's session, then fetches the content with the session header.
async fn shell() -> Response {
    Html(page::shell()).into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    token: String,
}

/// Exchanges a one-time login token for a session secret, answered in the body only.
async fn exchange_login_token(
    State(state): State<Arc<AppState>>,
    Json(form): Json<LoginForm>,
) -> Response {
    let secret = state.sessions().login(&form.token);
    match secret {
        Some(secret) => {
            tracing::info!("a browser signed in with a login token");
            Json(json!({ "session": secret })).into_response()
        }
        None => refused(
            StatusCode::FORBIDDEN,
            "This login link was already used, has expired or is wrong. Each link works \
             once: open a new one (printed by `labelbox console`, or from Open in a new tab \
             on a signed-in page).",
        ),
    }
}

/// A fresh one-time login link for a new tab (a tab's session is its own).
async fn mint_login_link(State(state): State<Arc<AppState>>, _session: ConsoleSession) -> Response {
    let token = state.sessions().mint_login();
    Json(json!({ "path": format!("/login#token={token}") })).into_response()
}

/// The page's content: an HTML fragment, fetched by the shell's script with the session.
async fn page_content(State(state): State<Arc<AppState>>, _session: ConsoleSession) -> Response {
    match page::PageData::load(&state.client, state.own_key.clone()).await {
        Ok(data) => Html(page::render(&data)).into_response(),
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            Html(page::message_fragment(
                "Labelbox refused",
                &format!("The API keys could not be loaded: {e}"),
            )),
        )
            .into_response(),
    }
}

async fn logout(State(state): State<Arc<AppState>>, session: ConsoleSession) -> Response {
    let hand_overs = state.sessions().end(session.key());
    state.abandon_all(hand_overs).await;
    tracing::info!("a browser logged out");
    Json(json!({ "ok": true })).into_response()
}

/// A token for a newly opened Create dialog: its first submission creates, a second one is
/// refused.
async fn open_create_dialog(
    State(state): State<Arc<AppState>>,
    session: ConsoleSession,
) -> Response {
    match state.sessions().new_create_token(session.key()) {
        Some(token) => Json(json!({ "token": token })).into_response(),
        None => signed_out(),
    }
}

/// The fields of the Create dialog (all text, as the form sends them).
#[derive(Deserialize)]
struct CreateForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    amount: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    allowed_ips: String,
    /// The dialog's token (from `/api/create-dialog`).
    #[serde(default)]
    dialog: String,
}

#[derive(Deserialize)]
struct RotateForm {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    unit: String,
    #[serde(default)]
    role: String,
}

#[derive(Deserialize)]
struct IdForm {
    #[serde(default)]
    id: String,
}

/// Field-by-field messages, shown beside each field.
type FieldErrors = BTreeMap<&'static str, String>;

fn invalid(fields: FieldErrors) -> Response {
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "message": "Check the highlighted fields.", "fields": fields })),
    )
        .into_response()
}

/// The SDK's error, with its own message (already scrubbed of secrets).
fn sdk_error(e: &Error) -> Response {
    let status = match e {
        Error::Service(service) => match service {
            ServiceError::Authentication(_) | ServiceError::Authorization(_) => {
                StatusCode::FORBIDDEN
            }
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::UnprocessableEntity(_) => StatusCode::UNPROCESSABLE_ENTITY,
            _ => StatusCode::BAD_GATEWAY,
        },
        // Refused before sending: a local check, or the preflight's unknown user or role.
        Error::Construction(_) => StatusCode::UNPROCESSABLE_ENTITY,
        _ => StatusCode::BAD_GATEWAY,
    };
    (status, Json(json!({ "message": e.to_string() }))).into_response()
}

/// The validity of a form: a whole number and a unit, with the contract's messages.
pub(crate) fn parse_validity(amount: &str, unit: &str) -> Result<Validity, String> {
    let unit: TimeUnit = unit
        .parse()
        .map_err(|e: labelbox_sdk::ValidityError| e.to_string())?;
    let amount = amount.trim();
    if amount.is_empty() {
        return Err("Enter how long the key stays valid".to_owned());
    }
    let amount: i64 = match amount.parse() {
        Ok(n) => n,
        Err(_)
            if amount
                .trim_start_matches('-')
                .chars()
                .all(|c| c.is_ascii_digit()) =>
        {
            // Digits that do not fit: far beyond the maximum.
            return Err(labelbox_sdk::ValidityError::TooLong.to_string());
        }
        Err(_) => return Err("Validity must be a whole number".to_owned()),
    };
    Validity::new(amount, unit).map_err(|e| e.to_string())
}

#[derive(Deserialize)]
struct ValidityQuery {
    #[serde(default)]
    amount: String,
    #[serde(default)]
    unit: String,
}

/// The contract's validity message for the dialog's inline check as the user types.
async fn check_validity(_session: ConsoleSession, Query(q): Query<ValidityQuery>) -> Response {
    match parse_validity(&q.amount, &q.unit) {
        Ok(v) => Json(json!({ "ok": true, "seconds": v.as_seconds() })).into_response(),
        Err(message) => Json(json!({ "ok": false, "message": message })).into_response(),
    }
}

/// A created key's answer: the secret, once, never stored by the browser's cache.
fn created_answer(
    id: &ApiKeyId,
    secret: &SecretString,
    name: &str,
    replaces: Option<&ApiKeyId>,
) -> Response {
    let mut response = Json(json!({
        "id": id.as_str(),
        "name": name,
        "secret": secret.expose_secret(),
        "replaces": replaces.map(|r| r.as_str()),
    }))
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn create_key(
    State(state): State<Arc<AppState>>,
    session: ConsoleSession,
    Json(form): Json<CreateForm>,
) -> Response {
    let mut fields = FieldErrors::new();
    if let Err(e) = validate_key_name(&form.name) {
        fields.insert("name", e.to_string());
    }
    let validity = parse_validity(&form.amount, &form.unit)
        .map_err(|m| fields.insert("validity", m))
        .ok();
    if form.role.trim().is_empty() {
        fields.insert("role", "Choose a role".to_owned());
    }
    if form.user.trim().is_empty() {
        fields.insert("user", "Choose a user".to_owned());
    }
    let entries: Vec<&str> = form
        .allowed_ips
        .split([',', '\n'])
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    let allowlist = if entries.is_empty() {
        None
    } else {
        match IpAllowlist::new(entries) {
            Ok(list) => Some(list),
            Err(e) => {
                fields.insert("allowed_ips", e.to_string());
                None
            }
        }
    };
    let Some(validity) = validity.filter(|_| fields.is_empty()) else {
        return invalid(fields);
    };
    // Spent only by a valid form, so that correcting a field needs no new dialog.
    if !state
        .sessions()
        .spend_create_token(session.key(), &form.dialog)
    {
        return refused(
            StatusCode::CONFLICT,
            "This Create dialog was already submitted (or is out of date): nothing was \
             created now. Close it and open Create again.",
        );
    }
    let name = form.name.trim().to_owned();
    let mut request = CreateApiKeyRequest::new(
        name.clone(),
        UserRef::by_email(form.user.trim()),
        RoleRef::by_name(form.role.trim()),
        validity,
    );
    if let Some(list) = allowlist {
        request = request.allowed_ips(list);
    }
    // The creation runs to its end on its own task: a request closed meanwhile does not
    // cancel it halfway. The new key is a hand-over until the page acknowledges its secret;
    // when the request is gone by then (nobody will see the secret), it is revoked at once.
    let (answer_tx, answer_rx) = tokio::sync::oneshot::channel();
    let task_state = state.clone();
    state.tasks.spawn(async move {
        let state = task_state;
        let created = match state.client.create_api_key(request).await {
            Ok(created) => created,
            Err(e) => {
                let _ = answer_tx.send(Err(e));
                return;
            }
        };
        let id = created.id().clone();
        tracing::info!(%id, "the console created a key");
        state
            .begin_hand_over(session.key(), id.clone(), HandOver::Created(id.clone()))
            .await;
        if answer_tx.send(Ok(created)).is_err() {
            tracing::info!(%id, "the request that created a key was closed before its answer");
            let undelivered = state.sessions().take_any_hand_over(&id);
            if let Some(hand_over) = undelivered {
                hand_over.abandon(&state.client).await;
            }
        }
    });
    match answer_rx.await {
        Ok(Ok(created)) => created_answer(created.id(), created.secret(), &name, None),
        Ok(Err(e)) => sdk_error(&e),
        Err(_) => refused(StatusCode::BAD_GATEWAY, "The creation stopped unexpectedly"),
    }
}

async fn rotate_key(
    State(state): State<Arc<AppState>>,
    session: ConsoleSession,
    Path(id): Path<String>,
    Json(form): Json<RotateForm>,
) -> Response {
    let mut fields = FieldErrors::new();
    let validity = parse_validity(&form.amount, &form.unit)
        .map_err(|m| fields.insert("validity", m))
        .ok();
    let Some(validity) = validity.filter(|_| fields.is_empty()) else {
        return invalid(fields);
    };
    let old_id = ApiKeyId::from(id);
    let role = Some(form.role.trim().to_owned()).filter(|r| !r.is_empty());
    match rotation::start(&state.client, &state.tasks, old_id.clone(), role, validity).await {
        Ok((shown, rotation)) => {
            tracing::info!(old = %old_id, new = %shown.new_id, "the console created a replacement");
            let answer = created_answer(&shown.new_id, &shown.secret, &shown.name, Some(&old_id));
            state
                .begin_hand_over(
                    session.key(),
                    shown.new_id,
                    HandOver::Rotation {
                        old: old_id,
                        rotation,
                    },
                )
                .await;
            answer
        }
        Err(e) => sdk_error(&e),
    }
}

async fn delete_key(
    State(state): State<Arc<AppState>>,
    _session: ConsoleSession,
    Path(id): Path<String>,
) -> Response {
    let id = ApiKeyId::from(id);
    // A replacement still being handed over (in any tab) is abandoned instead: its
    // rotation keeps the old key, and the tab's Done says so.
    let pending = state.sessions().take_any_hand_over(&id);
    if let Some(hand_over @ HandOver::Rotation { .. }) = pending {
        abandon_recorded(&state, id.clone(), hand_over).await;
        tracing::info!(%id, "the console revoked a replacement being handed over");
        return Json(json!({ "ok": true })).into_response();
    }
    match state.client.revoke_api_key(&id).await {
        Ok(()) => {
            tracing::info!(%id, "the console revoked a key");
            Json(json!({ "ok": true })).into_response()
        }
        Err(e) => sdk_error(&e),
    }
}

/// Abandons `hand_over` of key `id`, remembering a replacement's old key for a later Done.
async fn abandon_recorded(state: &AppState, id: ApiKeyId, hand_over: HandOver) {
    if let HandOver::Rotation { old, .. } = &hand_over {
        state.sessions().record_discarded(id, old.clone());
    }
    hand_over.abandon(&state.client).await;
}

/// The page has the secret of key `id` on screen: a created key is the user's now.
async fn hand_over_shown(
    State(state): State<Arc<AppState>>,
    session: ConsoleSession,
    Json(form): Json<IdForm>,
) -> Response {
    let id = ApiKeyId::from(form.id);
    let mut sessions = state.sessions();
    match sessions.take_hand_over(session.key(), &id) {
        Ok(HandOver::Created(_)) => {}
        // A replacement is settled by Done alone.
        Ok(rotation) => {
            sessions.begin_hand_over(session.key(), id, rotation);
        }
        Err(_) => {}
    }
    Json(json!({ "ok": true })).into_response()
}

async fn hand_over_done(
    State(state): State<Arc<AppState>>,
    session: ConsoleSession,
    Json(form): Json<IdForm>,
) -> Response {
    let id = ApiKeyId::from(form.id);
    let taken = state.sessions().take_hand_over(session.key(), &id);
    match taken {
        Ok(HandOver::Created(_)) => Json(json!({ "ok": true })).into_response(),
        Ok(HandOver::Rotation { rotation, .. }) => match rotation.complete().await {
            Ok(()) => Json(json!({ "ok": true })).into_response(),
            Err(message) => {
                (StatusCode::BAD_GATEWAY, Json(json!({ "message": message }))).into_response()
            }
        },
        Err(NotPending::Discarded { old }) => refused(
            StatusCode::CONFLICT,
            &format!(
                "This replacement was revoked; {old} is still live. Rotate it again for a \
                 new replacement."
            ),
        ),
        // A created key acknowledged already, or one this tab never handed over.
        Err(NotPending::Unknown) => Json(json!({ "ok": true })).into_response(),
    }
}

async fn hand_over_abandon(
    State(state): State<Arc<AppState>>,
    session: ConsoleSession,
    Json(form): Json<IdForm>,
) -> Response {
    let id = ApiKeyId::from(form.id);
    let taken = state.sessions().take_hand_over(session.key(), &id);
    match taken {
        // Only a page that showed the secret closes its dialog: the key is the user's.
        Ok(HandOver::Created(_)) | Err(_) => {}
        Ok(rotation) => abandon_recorded(&state, id, rotation).await,
    }
    Json(json!({ "ok": true })).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_messages_are_the_contracts() {
        assert_eq!(
            parse_validity("0", "minutes").unwrap_err(),
            "Minimum validity period is 1 minute"
        );
        assert_eq!(
            parse_validity("26", "weeks").unwrap_err(),
            "Maximum validity period is 6 months (or 25 weeks)"
        );
        assert_eq!(
            parse_validity("99999999999999999999999", "weeks").unwrap_err(),
            "Maximum validity period is 6 months (or 25 weeks)"
        );
        assert_eq!(
            parse_validity("25", "weeks").unwrap().as_seconds(),
            15_120_000
        );
        assert_eq!(parse_validity("1", "minutes").unwrap().as_seconds(), 60);
        assert!(parse_validity("-1", "days")
            .unwrap_err()
            .contains("negative"));
        assert_eq!(
            parse_validity("1.5", "days").unwrap_err(),
            "Validity must be a whole number"
        );
    }
}
