//! API keys: [`ApiKeyId`], [`ApiKey`] and the once-only [`CreatedApiKey`].

use std::fmt;

use secrecy::SecretString;
use time::OffsetDateTime;

use crate::{AllowedIp, UserId, ValidationError};

string_id! {
    /// An API key's id (not the key itself: ids are not secret).
    ///
    /// ```
    /// use labelbox_core::ApiKeyId;
    ///
    /// let id: ApiKeyId = "ck1".parse().unwrap();
    /// assert_eq!(id, ApiKeyId::from("ck1"));
    /// assert_eq!(id.as_ref(), "ck1");
    /// ```
    ApiKeyId
}

/// The contract's first check for a new key: its name must not be empty. Text of only
/// whitespace counts as empty.
///
/// ```
/// use labelbox_core::{validate_key_name, ValidationError};
///
/// assert!(validate_key_name("ci-deploy").is_ok());
/// assert_eq!(validate_key_name(""), Err(ValidationError::EmptyName));
/// assert_eq!(
///     validate_key_name("  ").unwrap_err().to_string(),
///     "name must be a non-empty string"
/// );
/// ```
pub fn validate_key_name(name: &str) -> Result<(), ValidationError> {
    if name.trim().is_empty() {
        Err(ValidationError::EmptyName)
    } else {
        Ok(())
    }
}

/// An API key as the list query returns it (never with its secret).
///
/// Serialises for JSON output with RFC 3339 dates and the allowlist as text.
///
/// ```
/// use labelbox_core::ApiKey;
/// use time::macros::datetime;
///
/// let key = ApiKey::new(
///     "ck1",
///     "ci",
///     "u1",
///     "ada@example.com",
///     datetime!(2025-01-01 00:00 UTC),
///     datetime!(2025-02-01 00:00 UTC),
/// );
/// assert!(key.is_expired_at(datetime!(2025-02-01 00:00 UTC)));
/// assert_eq!(key.creator_id().as_str(), "u1"); // falls back to the owner
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct ApiKey {
    /// The key's id.
    pub id: ApiKeyId,
    /// The key's name.
    pub name: String,
    /// When the key was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the key was last updated.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Whether the key was revoked.
    pub revoked: bool,
    /// When the key stops working (the API's `expiresAtEpoch`).
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    /// The user the key acts as.
    pub user_id: UserId,
    /// That user's email address.
    pub user_email: String,
    /// Who created the key; absent on older keys (see [`ApiKey::creator_id`]).
    pub created_by_user_id: Option<UserId>,
    /// The addresses and networks the key may be used from; empty means no allowlist
    /// (the API's `null`).
    pub allowed_ip_cidrs: Vec<AllowedIp>,
}

impl ApiKey {
    /// A key that is not revoked, was never updated, names no separate creator and has no
    /// allowlist; set those fields afterwards when they differ.
    pub fn new(
        id: impl Into<ApiKeyId>,
        name: impl Into<String>,
        user_id: impl Into<UserId>,
        user_email: impl Into<String>,
        created_at: OffsetDateTime,
        expires_at: OffsetDateTime,
    ) -> Self {
        ApiKey {
            id: id.into(),
            name: name.into(),
            created_at,
            updated_at: created_at,
            revoked: false,
            expires_at,
            user_id: user_id.into(),
            user_email: user_email.into(),
            created_by_user_id: None,
            allowed_ip_cidrs: Vec::new(),
        }
    }

    /// Whether the key has expired at `now`: its expiry is not in the future.
    pub fn is_expired_at(&self, now: OffsetDateTime) -> bool {
        self.expires_at <= now
    }

    /// Whether the key has expired now (by the system clock).
    pub fn is_expired(&self) -> bool {
        self.is_expired_at(OffsetDateTime::now_utc())
    }

    /// How long the key remains valid after `now`; negative once it has expired.
    pub fn expires_in(&self, now: OffsetDateTime) -> time::Duration {
        self.expires_at - now
    }

    /// Whether the key can authenticate at `now`: neither revoked nor expired.
    pub fn is_active_at(&self, now: OffsetDateTime) -> bool {
        !self.revoked && !self.is_expired_at(now)
    }

    /// The id of the user who created the key: `created_by_user_id`, falling back to
    /// `user_id` when it is absent (the contract's rule for older keys).
    pub fn creator_id(&self) -> &UserId {
        self.created_by_user_id.as_ref().unwrap_or(&self.user_id)
    }

    /// The id of the user the key was created for (`user_id`).
    pub fn owner_id(&self) -> &UserId {
        &self.user_id
    }
}

/// A newly created key: its id and its secret (a JWT), which is shown only this once.
///
/// The secret is a [`SecretString`]: `Debug` prints `[REDACTED]`, there is no `Display`
/// and no `Serialize`. Read it with [`secrecy::ExposeSecret`] at the one place that
/// must show or store it.
///
/// ```
/// use labelbox_core::{CreatedApiKey, ExposeSecret, SecretString};
///
/// let created = CreatedApiKey::new("ck1".into(), SecretString::from("eyJ.secret.jwt"));
/// assert_eq!(created.id().as_str(), "ck1");
/// assert!(!format!("{created:?}").contains("secret.jwt"));
/// assert_eq!(created.secret().expose_secret(), "eyJ.secret.jwt");
/// ```
#[derive(Clone)]
pub struct CreatedApiKey {
    id: ApiKeyId,
    secret: SecretString,
}

impl CreatedApiKey {
    /// Pairs a new key's id with its secret.
    pub fn new(id: ApiKeyId, secret: SecretString) -> Self {
        CreatedApiKey { id, secret }
    }

    /// The new key's id.
    pub fn id(&self) -> &ApiKeyId {
        &self.id
    }

    /// The key itself (the JWT), to pass as a bearer token.
    pub fn secret(&self) -> &SecretString {
        &self.secret
    }

    /// The id and the secret, by value.
    pub fn into_parts(self) -> (ApiKeyId, SecretString) {
        (self.id, self.secret)
    }
}

impl fmt::Debug for CreatedApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CreatedApiKey")
            .field("id", &self.id)
            .field("secret", &"[REDACTED]")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;
    use time::macros::datetime;

    fn key() -> ApiKey {
        ApiKey {
            id: "ck1".into(),
            name: "ci".into(),
            created_at: datetime!(2025-01-01 00:00 UTC),
            updated_at: datetime!(2025-01-02 00:00 UTC),
            revoked: false,
            expires_at: datetime!(2025-02-01 00:00 UTC),
            user_id: "u1".into(),
            user_email: "ada@example.com".into(),
            created_by_user_id: Some("admin".into()),
            allowed_ip_cidrs: vec![
                "10.0.0.0/8".parse().unwrap(),
                "2001:db8::1".parse().unwrap(),
            ],
        }
    }

    #[test]
    fn expiry() {
        let k = key();
        assert!(!k.is_expired_at(datetime!(2025-01-31 23:59:59 UTC)));
        assert!(k.is_expired_at(datetime!(2025-02-01 00:00 UTC)));
        assert!(k.is_expired_at(datetime!(2026-01-01 00:00 UTC)));
        assert_eq!(
            k.expires_in(datetime!(2025-01-31 00:00 UTC)),
            time::Duration::days(1)
        );
        assert_eq!(
            k.expires_in(datetime!(2025-02-02 00:00 UTC)),
            time::Duration::days(-1)
        );
        assert!(k.is_expired(), "2025-02-01 is in the past");
        assert!(k.is_active_at(datetime!(2025-01-15 00:00 UTC)));
        let revoked = ApiKey {
            revoked: true,
            ..key()
        };
        assert!(!revoked.is_active_at(datetime!(2025-01-15 00:00 UTC)));
    }

    #[test]
    fn creator_falls_back_to_owner() {
        assert_eq!(key().creator_id().as_str(), "admin");
        let old = ApiKey {
            created_by_user_id: None,
            ..key()
        };
        assert_eq!(old.creator_id().as_str(), "u1");
        assert_eq!(old.owner_id().as_str(), "u1");
    }

    #[test]
    fn serialises_for_json_output() {
        let json = serde_json::to_value(key()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "id": "ck1",
                "name": "ci",
                "created_at": "2025-01-01T00:00:00Z",
                "updated_at": "2025-01-02T00:00:00Z",
                "revoked": false,
                "expires_at": "2025-02-01T00:00:00Z",
                "user_id": "u1",
                "user_email": "ada@example.com",
                "created_by_user_id": "admin",
                "allowed_ip_cidrs": ["10.0.0.0/8", "2001:db8::1"],
            })
        );
        assert_eq!(serde_json::from_value::<ApiKey>(json).unwrap(), key());
    }

    #[test]
    fn created_key_debug_hides_the_secret() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl";
        let created = CreatedApiKey::new("ck9".into(), SecretString::from(jwt));
        for text in [format!("{created:?}"), format!("{created:#?}")] {
            assert!(!text.contains(jwt), "{text}");
            assert!(!text.contains("eyJ"), "{text}");
            assert!(text.contains("[REDACTED]"), "{text}");
            assert!(text.contains("ck9"), "{text}");
        }
        assert_eq!(created.secret().expose_secret(), jwt);
        let (id, secret) = created.into_parts();
        assert_eq!(id, "ck9");
        assert_eq!(secret.expose_secret(), jwt);
    }
}
