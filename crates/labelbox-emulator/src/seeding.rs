//! Seeding a running emulator: members, their roles and keys, and what keys it holds. One
//! implementation behind both the library handle (`EmulatorHandle::add_user`, `issue_key`,
//! `set_user_role`, `keys`) and the administration routes (`/_emulator/users`,
//! `/_emulator/keys`, in `admin_seeding.rs`), so the two cannot drift.

use serde::Serialize;
use time::OffsetDateTime;

use crate::auth::{self, Claims};
use crate::config::SeedUser;
use crate::error::EmulatorError;
use crate::roles;
use crate::server::App;
use crate::state::{self, State, UserRecord};

/// A summary of a stored key, for tests and tools (never the key itself). Serialized
/// (camelCase) by `GET /_emulator/keys`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct KeyInfo {
    /// Key id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The user it acts as.
    pub user_email: String,
    /// Its role.
    pub role: String,
    /// Who created it (null for bootstrap keys).
    pub created_by_user_id: Option<String>,
    /// Expiry, Unix seconds.
    pub expires_at_epoch: i64,
    /// Whether it is revoked.
    pub revoked: bool,
    /// Its allowlist.
    pub allowed_ip_cidrs: Option<Vec<String>>,
}

fn role_named(role: &str) -> Result<&'static roles::RoleDef, EmulatorError> {
    roles::role_by_name(role)
        .ok_or_else(|| EmulatorError::InvalidArgument(format!("unknown role {role:?}")))
}

/// Every stored key, revoked ones included, oldest first.
pub(crate) fn key_infos(app: &App) -> Vec<KeyInfo> {
    let state = app.state();
    let mut keys: Vec<KeyInfo> = state
        .keys
        .values()
        .map(|k| KeyInfo {
            id: k.id.clone(),
            name: k.name.clone(),
            user_email: state
                .any_user_by_id(&k.user_id)
                .map(|u| u.email.clone())
                .unwrap_or_default(),
            role: k.role.clone(),
            created_by_user_id: k.created_by_user_id.clone(),
            expires_at_epoch: k.expires_at,
            revoked: k.revoked,
            allowed_ip_cidrs: k.allowed_ip_cidrs.clone(),
        })
        .collect();
    keys.sort_by_key(|k| state.keys.get(&k.id).map(|r| (r.created_at, r.id.clone())));
    keys
}

/// Adds a member (see `EmulatorHandle::add_user`); its id.
pub(crate) fn add_user(
    app: &App,
    email: &str,
    name: &str,
    role: &str,
) -> Result<String, EmulatorError> {
    let user = SeedUser::new(email.trim(), name, role);
    user.check().map_err(EmulatorError::InvalidArgument)?;
    let role = role_named(role)?;
    let now = app.now();
    app.mutate(|state| match new_member(state, &user, role, now) {
        Ok(id) => (Ok(id), true),
        Err(e) => (Err(e), false),
    })?
}

fn new_member(
    state: &mut State,
    user: &SeedUser,
    role: &roles::RoleDef,
    now: OffsetDateTime,
) -> Result<String, EmulatorError> {
    if state.user_by_email(&user.email).is_some() {
        return Err(EmulatorError::InvalidArgument(format!(
            "a member with email {} exists",
            user.email
        )));
    }
    let derived = state::derived_id(&format!("user:{}", user.email.to_ascii_lowercase()));
    // A removed member with this email keeps its id: the new member gets another.
    let id = if state.users.iter().any(|u| u.id == derived) {
        state::random_id()?
    } else {
        derived
    };
    state.users.push(UserRecord {
        id: id.clone(),
        email: user.email.clone(),
        name: user.name.clone(),
        role: role.name.to_owned(),
        nickname: None,
        picture: None,
        is_external_user: false,
        created_at: now,
        deleted: false,
    });
    Ok(id)
}

/// Sets a member's organization role (see `EmulatorHandle::set_user_role`).
pub(crate) fn set_user_role(app: &App, email: &str, role: &str) -> Result<(), EmulatorError> {
    let role = role_named(role)?;
    app.mutate(|state| {
        match state
            .users
            .iter_mut()
            .find(|u| !u.deleted && u.email.eq_ignore_ascii_case(email.trim()))
        {
            Some(user) => {
                user.role = role.name.to_owned();
                (Ok(()), true)
            }
            None => (
                Err(EmulatorError::InvalidArgument(format!(
                    "no user with email {email}"
                ))),
                false,
            ),
        }
    })?
}

/// Mints one key (see `EmulatorHandle::issue_key`): `(id, jwt)`.
pub(crate) fn issue(
    app: &App,
    name: Option<&str>,
    email: &str,
    role: &str,
    validity_secs: i64,
    allowed: Option<Vec<String>>,
) -> Result<(String, String), EmulatorError> {
    let role = role_named(role)?;
    let allowed = match allowed {
        Some(entries) => Some(
            crate::allowlist::normalise_allowlist(&entries)
                .map_err(EmulatorError::InvalidArgument)?,
        ),
        None => None,
    };
    let now = app.now();
    app.mutate(|state| {
        let issued = issue_into(state, name, email, role, validity_secs, allowed, now);
        let changed = issued.is_ok();
        (issued, changed)
    })?
}

/// Mints `count` keys in one state write (see `EmulatorHandle::issue_keys`).
pub(crate) fn issue_many(
    app: &App,
    count: usize,
    email: &str,
    role: &str,
    validity_secs: i64,
) -> Result<Vec<(String, String)>, EmulatorError> {
    let role = role_named(role)?;
    let now = app.now();
    app.mutate(|state| {
        let issued: Result<Vec<_>, EmulatorError> = (0..count)
            .map(|_| issue_into(state, None, email, role, validity_secs, None, now))
            .collect();
        let changed = issued.is_ok();
        (issued, changed)
    })?
}

/// Mints a key for the user `email` with `role` into `state`.
fn issue_into(
    state: &mut State,
    name: Option<&str>,
    email: &str,
    role: &roles::RoleDef,
    validity_secs: i64,
    allowed: Option<Vec<String>>,
    now: OffsetDateTime,
) -> Result<(String, String), EmulatorError> {
    let user = state
        .user_by_email(email)
        .cloned()
        .ok_or_else(|| EmulatorError::InvalidArgument(format!("no user with email {email}")))?;
    let id = loop {
        let id = state::random_id()?;
        if !state.keys.contains_key(&id) {
            break id;
        }
    };
    let claims = Claims {
        jti: id.clone(),
        sub: user.id.clone(),
        org: state.organization.id.clone(),
        iat: now.unix_timestamp(),
        exp: now.unix_timestamp().saturating_add(validity_secs),
        nonce: Some(state::random_id()?),
    };
    let jwt = auth::mint(state, &claims).map_err(EmulatorError::State)?;
    let name = name.map_or_else(|| format!("issued for {}", user.email), str::to_owned);
    let record = auth::record(
        &claims,
        &jwt,
        &name,
        role.name,
        Some(user.id.clone()),
        allowed,
        now,
    );
    state.keys.insert(id.clone(), record);
    Ok((id, jwt))
}
