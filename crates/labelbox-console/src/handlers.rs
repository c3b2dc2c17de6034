//! The routes: login, the page, the JSON mutations, logout and the assets.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::extract::{Path, Query, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use labelbox_sdk::{
    validate_key_name, ApiKeyId, Client, CreateApiKeyRequest, Error, ExposeSecret, IpAllowlist,
    SecretString, TimeUnit, Validity,
};
use serde::Deserialize;
use serde_json::json;

use crate::session::{HandOver, Lookup, Sessions};
use crate::{assets, page, rotation, security, SESSION_COOKIE};

/// Shared by every request.
#[derive(Debug)]
pub(crate) struct AppState {
    pub client: Client,
    pub idle_timeout: Duration,
    pub own_key: Option<ApiKeyId>,
    pub allowed_hosts: Vec<String>,
    origins: Vec<String>,
    sessions: Mutex<Sessions>,
}

impl AppState {
    pub fn new(
        client: Client,
        addr: SocketAddr,
        idle: Duration,
        login_token: &str,
        own_key: Option<ApiKeyId>,
    ) -> Self {
        let allowed_hosts = security::allowed_hosts(addr);
        let origins = allowed_hosts
            .iter()
            .map(|h| format!("http://{h}"))
            .collect();
        Self {
            client,
            idle_timeout: idle,
            own_key,
            allowed_hosts,
            origins,
            sessions: Mutex::new(Sessions::new(login_token, idle)),
        }
    }

    pub fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn session_count(&self) -> usize {
        self.sessions().len()
    }

    pub async fn end_all_sessions(&self) {
        let ended = self.sessions().end_all();
        for hand_over in ended {
            hand_over.abandon().await;
        }
    }

    /// The live session of the request's cookie. An expired one is ended here, and what it
    /// was handing over is abandoned.
    async fn session(&self, headers: &HeaderMap) -> Option<(String, String)> {
        let lookup = self
            .sessions()
            .lookup(security::cookie(headers, SESSION_COOKIE));
        match lookup {
            Lookup::Live { id, csrf } => Some((id, csrf)),
            Lookup::Missing => None,
            Lookup::Expired(hand_over) => {
                tracing::info!("a session expired after its idle timeout");
                if let Some(hand_over) = hand_over {
                    hand_over.abandon().await;
                }
                None
            }
        }
    }

    /// The session id of a mutation that carries the session cookie, the session's CSRF
    /// token in `X-CSRF-Token`, and (when the browser sends one) the console's own Origin.
    async fn mutation(&self, headers: &HeaderMap) -> Result<String, Response> {
        if let Some(origin) = headers.get(header::ORIGIN) {
            let own = origin
                .to_str()
                .is_ok_and(|o| self.origins.iter().any(|own| own == o));
            if !own {
                return Err(refused(StatusCode::FORBIDDEN, "refused: foreign Origin"));
            }
        }
        let Some((id, csrf)) = self.session(headers).await else {
            return Err(refused(
                StatusCode::UNAUTHORIZED,
                "Your session has ended. Restart `labelbox console` for a new link.",
            ));
        };
        let sent = headers
            .get("x-csrf-token")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        if !security::tokens_equal(&csrf, sent) {
            return Err(refused(
                StatusCode::FORBIDDEN,
                "refused: missing or wrong CSRF token; reload the page",
            ));
        }
        Ok(id)
    }

    /// Records `hand_over` as the session's; a previous one left open is abandoned. When the
    /// session is gone meanwhile (logged out, expired, the console stopping), nobody can
    /// press Done: the new hand-over is abandoned here, awaited (the replacement revoked, the
    /// old key kept) before the request ends, so a stopping console waits for it.
    async fn begin_hand_over(&self, session: &str, hand_over: HandOver) {
        let (previous, orphaned) = match self.sessions().get_mut(session) {
            Some(s) => (s.hand_over.replace(hand_over), None),
            None => (None, Some(hand_over)),
        };
        for open in [previous, orphaned].into_iter().flatten() {
            open.abandon().await;
        }
    }

    /// Takes the session's hand-over if it is of key `id`.
    fn take_hand_over(&self, session: &str, id: &str) -> Option<HandOver> {
        let mut sessions = self.sessions();
        let s = sessions.get_mut(session)?;
        if s.hand_over.as_ref().is_some_and(|h| h.new_id == *id) {
            s.hand_over.take()
        } else {
            None
        }
    }
}

pub(crate) fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/login", get(login))
        .route("/logout", post(logout))
        .route("/api/keys", post(create_key))
        .route("/api/keys/{id}/rotate", post(rotate_key))
        .route("/api/keys/{id}/delete", post(delete_key))
        .route("/api/hand-over/done", post(hand_over_done))
        .route("/api/hand-over/abandon", post(hand_over_abandon))
        .route("/api/validity", get(check_validity))
        .route("/assets/console.js", get(assets::script))
        .route("/assets/console.css", get(assets::stylesheet))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            security::guard,
        ))
        .with_state(state)
}

fn refused(status: StatusCode, message: &str) -> Response {
    (status, Json(json!({ "message": message }))).into_response()
}

#[derive(Deserialize)]
struct LoginQuery {
    token: Option<String>,
}

async fn login(State(state): State<Arc<AppState>>, Query(q): Query<LoginQuery>) -> Response {
    let session = q.token.as_deref().and_then(|t| state.sessions().login(t));
    match session {
        Some(id) => {
            tracing::info!("a browser signed in with the login token");
            let mut response = Redirect::to("/").into_response();
            let cookie = format!("{SESSION_COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/");
            response.headers_mut().insert(
                header::SET_COOKIE,
                HeaderValue::from_str(&cookie).expect("hex cookie"),
            );
            response
        }
        None => (
            StatusCode::FORBIDDEN,
            Html(page::message_page(
                "Login link not valid",
                "This login link was already used or is wrong. Each link works once: \
                 restart `labelbox console` for a new one.",
            )),
        )
            .into_response(),
    }
}

async fn index(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let Some((_, csrf)) = state.session(&headers).await else {
        return (
            StatusCode::UNAUTHORIZED,
            Html(page::message_page(
                "Signed out",
                "You are not signed in: your session ended (logged out, or idle for too \
                 long). Restart `labelbox console` and open the new link it prints.",
            )),
        )
            .into_response();
    };
    match page::PageData::load(&state.client, csrf, state.own_key.clone()).await {
        Ok(data) => Html(page::render(&data)).into_response(),
        Err(e) => (
            StatusCode::BAD_GATEWAY,
            Html(page::message_page(
                "Labelbox refused",
                &format!("The API keys could not be loaded: {e}"),
            )),
        )
            .into_response(),
    }
}

async fn logout(State(state): State<Arc<AppState>>, headers: HeaderMap) -> Response {
    let session = match state.mutation(&headers).await {
        Ok(id) => id,
        Err(r) => return r,
    };
    let hand_over = state.sessions().end(&session);
    if let Some(hand_over) = hand_over {
        hand_over.abandon().await;
    }
    tracing::info!("a browser logged out");
    let mut response = Json(json!({ "ok": true })).into_response();
    let clear = format!("{SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
    response.headers_mut().insert(
        header::SET_COOKIE,
        HeaderValue::from_str(&clear).expect("ascii"),
    );
    response
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
        Error::Authentication(_) | Error::Authorization(_) => StatusCode::FORBIDDEN,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::UserNotFound { .. } | Error::InvalidRole { .. } | Error::UnprocessableEntity(_) => {
            StatusCode::UNPROCESSABLE_ENTITY
        }
        e if e.is_validation() => StatusCode::UNPROCESSABLE_ENTITY,
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
async fn check_validity(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Query(q): Query<ValidityQuery>,
) -> Response {
    if state.session(&headers).await.is_none() {
        return refused(StatusCode::UNAUTHORIZED, "Your session has ended.");
    }
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
    headers: HeaderMap,
    Json(form): Json<CreateForm>,
) -> Response {
    let session = match state.mutation(&headers).await {
        Ok(id) => id,
        Err(r) => return r,
    };
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
    let name = form.name.trim().to_owned();
    let mut request =
        CreateApiKeyRequest::new(name.clone(), form.user.trim(), form.role.trim(), validity);
    if let Some(list) = allowlist {
        request = request.allowed_ips(list);
    }
    match state.client.create_api_key(request).await {
        Ok(created) => {
            tracing::info!(id = %created.id(), "the console created a key");
            state
                .begin_hand_over(
                    &session,
                    HandOver {
                        new_id: created.id().clone(),
                        rotation: None,
                    },
                )
                .await;
            created_answer(created.id(), created.secret(), &name, None)
        }
        Err(e) => sdk_error(&e),
    }
}

async fn rotate_key(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Json(form): Json<RotateForm>,
) -> Response {
    let session = match state.mutation(&headers).await {
        Ok(id) => id,
        Err(r) => return r,
    };
    let mut fields = FieldErrors::new();
    let validity = parse_validity(&form.amount, &form.unit)
        .map_err(|m| fields.insert("validity", m))
        .ok();
    let Some(validity) = validity.filter(|_| fields.is_empty()) else {
        return invalid(fields);
    };
    let old_id = ApiKeyId::from(id);
    let role = Some(form.role.trim().to_owned()).filter(|r| !r.is_empty());
    match rotation::start(&state.client, old_id.clone(), role, validity).await {
        Ok((shown, rotation)) => {
            tracing::info!(old = %old_id, new = %shown.new_id, "the console created a replacement");
            let answer = created_answer(&shown.new_id, &shown.secret, &shown.name, Some(&old_id));
            state
                .begin_hand_over(
                    &session,
                    HandOver {
                        new_id: shown.new_id,
                        rotation: Some(rotation),
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
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = state.mutation(&headers).await {
        return r;
    }
    let id = ApiKeyId::from(id);
    match state.client.revoke_api_key(&id).await {
        Ok(()) => {
            tracing::info!(%id, "the console revoked a key");
            Json(json!({ "ok": true })).into_response()
        }
        Err(e) => sdk_error(&e),
    }
}

async fn hand_over_done(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(form): Json<IdForm>,
) -> Response {
    let session = match state.mutation(&headers).await {
        Ok(id) => id,
        Err(r) => return r,
    };
    let Some(hand_over) = state.take_hand_over(&session, &form.id) else {
        return Json(json!({ "ok": true })).into_response();
    };
    let Some(rotation) = hand_over.rotation else {
        return Json(json!({ "ok": true })).into_response();
    };
    match rotation.complete().await {
        Ok(()) => Json(json!({ "ok": true })).into_response(),
        Err(message) => {
            (StatusCode::BAD_GATEWAY, Json(json!({ "message": message }))).into_response()
        }
    }
}

async fn hand_over_abandon(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    Json(form): Json<IdForm>,
) -> Response {
    let session = match state.mutation(&headers).await {
        Ok(id) => id,
        Err(r) => return r,
    };
    if let Some(hand_over) = state.take_hand_over(&session, &form.id) {
        hand_over.abandon().await;
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
