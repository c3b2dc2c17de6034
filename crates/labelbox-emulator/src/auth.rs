//! API keys as HS256 JWTs: minting, and authenticating a request's bearer key.

use std::net::IpAddr;

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::roles::{self, RoleDef};
use crate::state::{sha256_hex, KeyRecord, State};

/// The claims of an emulator key.
#[derive(Serialize, Deserialize)]
pub(crate) struct Claims {
    /// Key id.
    pub jti: String,
    /// User id the key acts as.
    pub sub: String,
    /// Organization id.
    pub org: String,
    /// Issued at (Unix seconds).
    pub iat: i64,
    /// Expiry (Unix seconds).
    pub exp: i64,
    /// Random, never stored: without it every claim is in the state file next to the
    /// signing secret, so anyone reading the file could re-mint each key. `None` only for
    /// the deterministic bootstrap key of an `admin_key_seed` (derivable from the seed
    /// anyway) and for keys minted before this claim existed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
}

/// Signs `claims` with the state's secret.
pub(crate) fn mint(state: &State, claims: &Claims) -> Result<String, String> {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(claims.jti.clone());
    jsonwebtoken::encode(
        &header,
        claims,
        &EncodingKey::from_secret(&state.secret_bytes()),
    )
    .map_err(|e| format!("signing failed: {e}"))
}

/// Builds and stores a key record for `token` (its hash only).
pub(crate) fn record(
    claims: &Claims,
    token: &str,
    name: &str,
    role: &str,
    created_by: Option<String>,
    allowed: Option<Vec<String>>,
    now: OffsetDateTime,
) -> KeyRecord {
    KeyRecord {
        id: claims.jti.clone(),
        name: name.to_owned(),
        token_sha256: sha256_hex(token.as_bytes()),
        user_id: claims.sub.clone(),
        created_by_user_id: created_by,
        role: role.to_owned(),
        allowed_ip_cidrs: allowed,
        created_at: now,
        updated_at: now,
        expires_at: claims.exp,
        revoked: false,
    }
}

/// Who is calling: the user a valid key acts as, the key's role, the user's organization
/// role as the state holds it at this request, and the effective permissions (both roles'
/// intersection) that every operation checks.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub key_id: String,
    pub user_id: String,
    pub key_role: &'static RoleDef,
    pub user_role: &'static RoleDef,
    permissions: Vec<&'static str>,
}

impl Caller {
    /// The effective permissions: the key's role's that the user's role also holds.
    pub fn permissions(&self) -> &[&'static str] {
        &self.permissions
    }

    pub fn can(&self, permission: &str) -> bool {
        self.permissions.contains(&permission)
    }

    /// Names both roles, for refusals: "key role Labeler, user role Admin".
    pub fn roles_text(&self) -> String {
        format!(
            "key role {}, user role {}",
            self.key_role.name, self.user_role.name
        )
    }
}

/// Why authentication failed. Each becomes an `AUTHENTICATION_ERROR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AuthFailure {
    Missing,
    Malformed,
    BadSignature,
    Unknown,
    Revoked,
    Expired,
    IpNotAllowed,
    UserRemoved,
}

impl AuthFailure {
    pub fn message(self) -> &'static str {
        match self {
            AuthFailure::Missing => {
                "Invalid API key: no key was sent (expected `Authorization: Bearer <API key>`)"
            }
            AuthFailure::Malformed => "Invalid API key: the key is not a well-formed JWT",
            AuthFailure::BadSignature => "Invalid API key: the key's signature is not valid",
            AuthFailure::Unknown => "Invalid API key: the key does not exist",
            AuthFailure::Revoked => "Invalid API key: the key has been revoked",
            AuthFailure::Expired => "Invalid API key: the key has expired",
            AuthFailure::IpNotAllowed => {
                "Invalid API key: the key is not allowed from this IP address"
            }
            AuthFailure::UserRemoved => {
                "Invalid API key: the key's user has been removed from the organization"
            }
        }
    }
}

/// Authenticates the `Authorization` header value against the state at time `now` from
/// `peer`.
pub(crate) fn authenticate(
    state: &State,
    authorization: Option<&str>,
    peer: IpAddr,
    now: OffsetDateTime,
) -> Result<Caller, AuthFailure> {
    let header = authorization.map(str::trim).unwrap_or_default();
    if header.is_empty() {
        return Err(AuthFailure::Missing);
    }
    let token = match header.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        _ => return Err(AuthFailure::Malformed),
    };
    if token.is_empty() {
        return Err(AuthFailure::Missing);
    }
    if token.split('.').count() != 3 {
        return Err(AuthFailure::Malformed);
    }
    let mut validation = Validation::new(Algorithm::HS256);
    // Expiry is checked below against the emulator clock (which tests can advance).
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.required_spec_claims.clear();
    validation.leeway = 0;
    let data = jsonwebtoken::decode::<Claims>(
        token,
        &DecodingKey::from_secret(&state.secret_bytes()),
        &validation,
    )
    .map_err(|e| match e.kind() {
        jsonwebtoken::errors::ErrorKind::InvalidSignature => AuthFailure::BadSignature,
        _ => AuthFailure::Malformed,
    })?;
    let claims = data.claims;
    let key = state.keys.get(&claims.jti).ok_or(AuthFailure::Unknown)?;
    if key.token_sha256 != sha256_hex(token.as_bytes()) || key.user_id != claims.sub {
        return Err(AuthFailure::Unknown);
    }
    if claims.org != state.organization.id {
        return Err(AuthFailure::Unknown);
    }
    if key.revoked {
        return Err(AuthFailure::Revoked);
    }
    if key.expires_at <= now.unix_timestamp() {
        return Err(AuthFailure::Expired);
    }
    if !key.allows(peer) {
        return Err(AuthFailure::IpNotAllowed);
    }
    let user = match state.any_user_by_id(&key.user_id) {
        None => return Err(AuthFailure::Unknown),
        // A removed member's keys stop at once and for good.
        Some(user) if user.deleted => return Err(AuthFailure::UserRemoved),
        Some(user) => user,
    };
    let key_role = roles::role_by_name(&key.role).ok_or(AuthFailure::Unknown)?;
    // The user's role is read now, so a role change applies from the next request.
    let user_role = roles::role_by_name(&user.role).ok_or(AuthFailure::Unknown)?;
    Ok(Caller {
        key_id: key.id.clone(),
        user_id: key.user_id.clone(),
        key_role,
        user_role,
        permissions: roles::effective_permissions(key_role, user_role),
    })
}
