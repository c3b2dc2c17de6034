//! Rotating keys: [`Client::rotate_api_key`] (one key), [`ListApiKeys::rotate_each`] (every
//! key of a listing), their [`RotateOptions`], what the hand-over receives
//! ([`Replacement`]) and what happened ([`RotateOutcome`]).
//!
//! The order never changes: create the replacement, hand its secret to the caller, and only
//! once the caller says it is stored, revoke the old key. A failed hand-over revokes the
//! replacement (nobody holds its secret) and leaves the old key alone.

use std::future::Future;

use time::OffsetDateTime;

use crate::listing::ListApiKeys;
use crate::ServiceError;
use crate::UserRef;
use crate::{
    ApiKey, ApiKeyId, Client, CreateApiKeyRequest, CreatedApiKey, Error, GraphQlError, IpAllowlist,
    RoleRef, Validity,
};

const SDK_METHOD: &str = "Client:rotate_api_key";

/// How to rotate: the new key's role and validity, each defaulting to what the old key
/// implies.
///
/// ```
/// use labelbox_sdk::{RoleRef, RotateOptions, TimeUnit, Validity};
///
/// let options = RotateOptions::new()
///     .role(RoleRef::by_name("Labeler"))
///     .validity(Validity::new(30, TimeUnit::Day)?);
/// assert_eq!(options.role_ref().map(|r| r.name()), Some("Labeler"));
/// # Ok::<(), labelbox_sdk::Error>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct RotateOptions {
    role: Option<RoleRef>,
    validity: Option<Validity>,
}

impl RotateOptions {
    /// The defaults: the user's organization role, and the old key's lifetime
    /// (`expires_at - created_at`) clamped into [`Validity::MIN`]..=[`Validity::MAX`].
    pub fn new() -> Self {
        Self::default()
    }

    /// The new key's role ([`RoleRef::by_name`], as the server spells it, or a [`crate::Role`]).
    #[must_use]
    pub fn role(mut self, role: impl Into<RoleRef>) -> Self {
        self.role = Some(role.into());
        self
    }

    /// The new key's validity.
    #[must_use]
    pub fn validity(mut self, validity: Validity) -> Self {
        self.validity = Some(validity);
        self
    }

    /// The role asked for, if any.
    pub fn role_ref(&self) -> Option<&RoleRef> {
        self.role.as_ref()
    }

    /// The validity asked for, if any.
    pub fn validity_value(&self) -> Option<Validity> {
        self.validity
    }
}

/// The old key's lifetime (`expires_at - created_at`), clamped into [`Validity`]'s range.
pub fn lifetime_of(key: &ApiKey) -> Validity {
    let seconds = (key.expires_at - key.created_at)
        .whole_seconds()
        .clamp(Validity::MIN.as_seconds(), Validity::MAX.as_seconds());
    Validity::from_seconds(seconds).unwrap_or(Validity::MAX)
}

/// What the hand-over receives: the new key (its id and secret, shown only this once) and
/// what it was created with. `Debug` never shows the secret.
#[derive(Debug)]
#[non_exhaustive]
pub struct Replacement {
    /// The key being replaced (still live while the hand-over runs).
    pub old: ApiKey,
    /// The new key: its id and secret.
    pub created: CreatedApiKey,
    /// The role the new key was created with.
    pub role: String,
    /// The new key's validity.
    pub validity: Validity,
    /// When the new key expires: the creation's answer plus the validity, on this
    /// machine's clock (the creation does not report it; no extra request is made).
    pub expires_at: OffsetDateTime,
}

/// What a rotation did, and so which keys are live. Failures before the replacement
/// exists are the `Err` of [`Client::rotate_api_key`] instead: then nothing was created
/// and the old key is untouched.
///
/// `E` is the hand-over's error type.
#[derive(Debug)]
#[non_exhaustive]
#[must_use = "the outcome says which keys are live"]
pub enum RotateOutcome<E> {
    /// The new key is live and handed over; the old key is revoked.
    Rotated {
        /// The old key's id (revoked).
        old: ApiKeyId,
        /// The new key's id (live).
        new: ApiKeyId,
    },
    /// The new key was handed over, but revoking the old key failed: both are live, and the
    /// caller holds both secrets.
    OldKeyNotRevoked {
        /// The old key's id (live).
        old: ApiKeyId,
        /// The new key's id (live).
        new: ApiKeyId,
        /// Why the revoke failed.
        error: Error,
    },
    /// The hand-over failed, so the new key was revoked; the old key is live and unchanged.
    HandOverFailed {
        /// The old key's id (live).
        old: ApiKeyId,
        /// The new key's id (revoked).
        new: ApiKeyId,
        /// The hand-over's error.
        hand_over_error: E,
    },
    /// The hand-over failed and revoking the new key failed too: both keys are live, and
    /// nobody holds the new key's secret (revoke it).
    NewKeyUnheld {
        /// The old key's id (live).
        old: ApiKeyId,
        /// The new key's id (live, its secret lost).
        new: ApiKeyId,
        /// The hand-over's error.
        hand_over_error: E,
        /// Why revoking the new key failed.
        revoke_error: Error,
    },
}

impl<E> RotateOutcome<E> {
    /// The old key's id.
    pub fn old_id(&self) -> &ApiKeyId {
        match self {
            Self::Rotated { old, .. }
            | Self::OldKeyNotRevoked { old, .. }
            | Self::HandOverFailed { old, .. }
            | Self::NewKeyUnheld { old, .. } => old,
        }
    }

    /// The new key's id.
    pub fn new_id(&self) -> &ApiKeyId {
        match self {
            Self::Rotated { new, .. }
            | Self::OldKeyNotRevoked { new, .. }
            | Self::HandOverFailed { new, .. }
            | Self::NewKeyUnheld { new, .. } => new,
        }
    }

    /// Whether the old key is still live.
    pub fn old_key_live(&self) -> bool {
        !matches!(self, Self::Rotated { .. })
    }

    /// Whether the new key is live.
    pub fn new_key_live(&self) -> bool {
        !matches!(self, Self::HandOverFailed { .. })
    }

    /// Whether the new key's secret was handed over (the caller holds it).
    pub fn handed_over(&self) -> bool {
        matches!(self, Self::Rotated { .. } | Self::OldKeyNotRevoked { .. })
    }

    /// Whether the rotation completed: new key handed over, old key revoked.
    pub fn is_rotated(&self) -> bool {
        matches!(self, Self::Rotated { .. })
    }
}

/// One key's rotation in a batch ([`ListApiKeys::rotate_each`]).
#[derive(Debug)]
#[non_exhaustive]
pub struct KeyRotation<E> {
    /// The key as listed.
    pub key: ApiKey,
    /// Whether it is the key the client calls with ([`Client::calling_key_id`]): rotated
    /// last, since nothing after its revoke could authenticate.
    pub is_caller: bool,
    /// What happened; `Err` when nothing was created (the key is untouched).
    pub result: Result<RotateOutcome<E>, Error>,
}

impl Client {
    /// Rotates the key `id`: creates its replacement, hands it to `hand_over`, and only
    /// when `hand_over` succeeds revokes the old key.
    ///
    /// The replacement has the old key's name, user and IP allowlist; its role is the
    /// options' or the user's organization role; its validity the options' or the old key's
    /// lifetime clamped into [`Validity`]'s range ([`lifetime_of`]). `hand_over` receives
    /// the new key's secret ([`Replacement`]) and must store it durably before returning
    /// `Ok`; an `Err` revokes the new key and leaves the old one.
    ///
    /// `Err` means nothing was created and the old key is untouched: the key is not among
    /// the caller's visible keys or is revoked ([`ServiceError::NotFound`](crate::ServiceError::NotFound)), the role could not be
    /// read, or the creation failed (see [`Client::create_api_key`]). Otherwise the
    /// [`RotateOutcome`] says which keys are live. `X-SDK-Method: Client:rotate_api_key` on
    /// the read and the revokes (`Client:create_api_key` on the creation).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::{ApiKeyId, Client, ExposeSecret, RotateOptions};
    ///
    /// let client = Client::from_env()?;
    /// let outcome = client
    ///     .rotate_api_key(&ApiKeyId::from("ck_old"), RotateOptions::new(), |new| async move {
    ///         // Store the secret durably before returning Ok: only then is the old key revoked.
    ///         store_in_vault(&new.old.name, new.created.secret().expose_secret())
    ///     })
    ///     .await?;
    /// assert!(outcome.is_rotated(), "{outcome:?}");
    /// # Ok(())
    /// # }
    /// # fn store_in_vault(_name: &str, _secret: &str) -> std::io::Result<()> { Ok(()) }
    /// ```
    pub async fn rotate_api_key<F, Fut, E>(
        &self,
        id: &ApiKeyId,
        options: RotateOptions,
        hand_over: F,
    ) -> Result<RotateOutcome<E>, Error>
    where
        F: FnOnce(Replacement) -> Fut,
        Fut: Future<Output = Result<(), E>>,
    {
        let old = self
            .list_keys_as_sdk_method(SDK_METHOD, true)
            .await?
            .into_iter()
            .find(|key| key.id == *id)
            .ok_or_else(|| {
                Error::Service(ServiceError::NotFound(GraphQlError::new(format!(
                    "API key {id} not found"
                ))))
            })?;
        self.rotate_listed_api_key(&old, options, hand_over).await
    }

    /// [`Client::rotate_api_key`] for a key already at hand (from a listing): one request
    /// less.
    pub async fn rotate_listed_api_key<F, Fut, E>(
        &self,
        old: &ApiKey,
        options: RotateOptions,
        hand_over: F,
    ) -> Result<RotateOutcome<E>, Error>
    where
        F: FnOnce(Replacement) -> Fut,
        Fut: Future<Output = Result<(), E>>,
    {
        if old.revoked {
            return Err(Error::Service(ServiceError::NotFound(GraphQlError::new(
                format!("API key {} is revoked", old.id),
            ))));
        }
        let role = match options.role {
            Some(role) => role,
            None => self.default_rotation_role(old).await?,
        };
        let role_name = role.name().to_owned();
        let validity = options.validity.unwrap_or_else(|| lifetime_of(old));
        let mut request = CreateApiKeyRequest::new(
            old.name.as_str(),
            UserRef::by_email(old.user_email.as_str()),
            role,
            validity,
        );
        if !old.allowed_ip_cidrs.is_empty() {
            let allowlist = IpAllowlist::new(old.allowed_ip_cidrs.iter().map(ToString::to_string))?;
            request = request.allowed_ips(allowlist);
        }
        let created = self.create_api_key(request).await?;
        let expires_at = OffsetDateTime::now_utc() + validity.as_duration();
        let new_id = created.id().clone();
        let old_id = old.id.clone();

        let handed_over = hand_over(Replacement {
            old: old.clone(),
            created,
            role: role_name,
            validity,
            expires_at,
        })
        .await;
        match handed_over {
            Ok(()) => match self.revoke_key_for(&old_id, SDK_METHOD).await {
                Ok(()) => Ok(RotateOutcome::Rotated {
                    old: old_id,
                    new: new_id,
                }),
                Err(error) => Ok(RotateOutcome::OldKeyNotRevoked {
                    old: old_id,
                    new: new_id,
                    error,
                }),
            },
            Err(hand_over_error) => match self.revoke_key_for(&new_id, SDK_METHOD).await {
                Ok(()) => Ok(RotateOutcome::HandOverFailed {
                    old: old_id,
                    new: new_id,
                    hand_over_error,
                }),
                Err(revoke_error) => Ok(RotateOutcome::NewKeyUnheld {
                    old: old_id,
                    new: new_id,
                    hand_over_error,
                    revoke_error,
                }),
            },
        }
    }

    /// The role a rotation gives the new key by default: the user's organization role
    /// ([`Client::get_user_org_role`]). A user the server shows no role for is
    /// [`ResponseError::MissingData`](crate::ResponseError::MissingData) naming `user.orgRole`.
    async fn default_rotation_role(&self, old: &ApiKey) -> Result<RoleRef, Error> {
        match self.get_user_org_role(&old.user_id).await? {
            Some(role) => Ok(RoleRef::Name(role.name)),
            None => Err(crate::convert::missing("UserOrgRole", "user.orgRole")),
        }
    }
}

/// Puts the calling key (`caller`, from [`Client::calling_key_id`]) last among `keys`,
/// keeping the others' order: a batch that revoked it first would fail every later key
/// with an authentication error. Returns whether the caller is among them.
pub fn rotation_order(keys: &mut Vec<ApiKey>, caller: Option<&ApiKeyId>) -> bool {
    let Some(caller) = caller else {
        return false;
    };
    match keys.iter().position(|key| key.id == *caller) {
        Some(at) => {
            let key = keys.remove(at);
            keys.push(key);
            true
        }
        None => false,
    }
}

impl ListApiKeys {
    /// Rotates every key of this listing, one after another, as
    /// [`Client::rotate_listed_api_key`] does; `hand_over` is called for each new key. The
    /// key the client calls with is rotated last ([`rotation_order`]; its
    /// [`KeyRotation::is_caller`] says so). A failure on one key does not stop the others. `on_each` is called after each key
    /// with its position (from 1), the number of keys and its result, for progress and
    /// streaming output. `Err` only when the listing itself fails (nothing was rotated).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use std::time::Duration;
    /// use labelbox_sdk::{Client, ExposeSecret, RotateOptions};
    ///
    /// let client = Client::from_env()?;
    /// let results = client
    ///     .list_api_keys()
    ///     .expiring_within(Duration::from_secs(14 * 86_400))
    ///     .rotate_each(
    ///         RotateOptions::new(),
    ///         |new| async move { store_in_vault(&new.old.name, new.created.secret().expose_secret()) },
    ///         |done, total, rotation| eprintln!("{done}/{total}: {}", rotation.key.id),
    ///     )
    ///     .await?;
    /// let failed = results
    ///     .iter()
    ///     .filter(|r| !r.result.as_ref().is_ok_and(|o| o.is_rotated()))
    ///     .count();
    /// println!("{} rotated, {failed} failed", results.len() - failed);
    /// # Ok(())
    /// # }
    /// # fn store_in_vault(_name: &str, _secret: &str) -> std::io::Result<()> { Ok(()) }
    /// ```
    pub async fn rotate_each<F, Fut, E, P>(
        &self,
        options: RotateOptions,
        mut hand_over: F,
        mut on_each: P,
    ) -> Result<Vec<KeyRotation<E>>, Error>
    where
        F: FnMut(Replacement) -> Fut,
        Fut: Future<Output = Result<(), E>>,
        P: FnMut(usize, usize, &KeyRotation<E>),
    {
        let mut keys = self.send().await?;
        let caller_last = rotation_order(&mut keys, self.client().calling_key_id().as_ref());
        let total = keys.len();
        let mut results = Vec::with_capacity(total);
        for (i, key) in keys.into_iter().enumerate() {
            let result = self
                .client()
                .rotate_listed_api_key(&key, options.clone(), &mut hand_over)
                .await;
            let is_caller = caller_last && i + 1 == total;
            let rotation = KeyRotation {
                key,
                is_caller,
                result,
            };
            on_each(i + 1, total, &rotation);
            results.push(rotation);
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ConstructionError;
    use time::macros::datetime;

    fn key_living(seconds: i64) -> ApiKey {
        let created_at = datetime!(2026-01-01 00:00 UTC);
        ApiKey::new(
            "ck",
            "n",
            "u",
            "u@example.com",
            created_at,
            created_at + time::Duration::seconds(seconds),
        )
    }

    #[test]
    fn the_default_validity_is_the_old_lifetime_clamped() {
        assert_eq!(lifetime_of(&key_living(3_600)).as_seconds(), 3_600);
        assert_eq!(lifetime_of(&key_living(1)), Validity::MIN);
        assert_eq!(lifetime_of(&key_living(-50)), Validity::MIN);
        assert_eq!(
            lifetime_of(&key_living(Validity::MAX.as_seconds() * 4)),
            Validity::MAX
        );
    }

    /// Rotations can run on a multi-threaded runtime (`tokio::spawn`) when the hand-over's
    /// future is `Send`.
    #[test]
    fn rotation_futures_are_send() {
        fn assert_send<T: Send>(_: &T) {}
        let client = Client::builder()
            .api_key("k")
            .endpoint("http://127.0.0.1:9/graphql")
            .build()
            .unwrap();
        let id = ApiKeyId::from("ck");
        let one = client.rotate_api_key(&id, RotateOptions::new(), |_| async { Ok::<(), ()>(()) });
        assert_send(&one);
        let listing = client.list_api_keys();
        let each = listing.rotate_each(
            RotateOptions::new(),
            |_| async { Ok::<(), ()>(()) },
            |_, _, _| {},
        );
        assert_send(&each);
        let list = listing.send();
        assert_send(&list);
    }

    #[test]
    fn the_calling_key_id_comes_from_the_jwt_payload_and_goes_last() {
        use base64::Engine as _;
        let jwt = |payload: &str| {
            let b64 = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
            format!("{}.{}.c2ln", b64(r#"{"alg":"HS256"}"#), b64(payload))
        };
        let id_of = |key: String| {
            Client::builder()
                .api_key(key)
                .endpoint("http://127.0.0.1:9/graphql")
                .build()
                .unwrap()
                .calling_key_id()
        };
        assert_eq!(
            id_of(jwt(r#"{"jti":"ck_emu"}"#)),
            Some(ApiKeyId::from("ck_emu"))
        );
        assert_eq!(
            id_of(jwt(r#"{"apiKeyId":"ck_lb","jti":"x","secret":"s"}"#)),
            Some(ApiKeyId::from("ck_lb"))
        );
        assert_eq!(id_of(jwt(r#"{"sub":"u"}"#)), None);
        assert_eq!(id_of("not-a-jwt".to_owned()), None);

        let mut keys: Vec<ApiKey> = ["a", "me", "b"]
            .iter()
            .map(|id| {
                ApiKey::new(
                    *id,
                    "n",
                    "u",
                    "u@example.com",
                    datetime!(2026-01-01 00:00 UTC),
                    datetime!(2026-02-01 00:00 UTC),
                )
            })
            .collect();
        assert!(rotation_order(&mut keys, Some(&ApiKeyId::from("me"))));
        let order: Vec<&str> = keys.iter().map(|k| k.id.as_str()).collect();
        assert_eq!(order, ["a", "b", "me"]);
        assert!(!rotation_order(&mut keys, Some(&ApiKeyId::from("gone"))));
        assert!(!rotation_order(&mut keys, None));
    }

    #[test]
    fn the_outcome_says_which_keys_are_live() {
        let (old, new) = (ApiKeyId::from("o"), ApiKeyId::from("n"));
        let rotated: RotateOutcome<()> = RotateOutcome::Rotated {
            old: old.clone(),
            new: new.clone(),
        };
        assert!(!rotated.old_key_live() && rotated.new_key_live() && rotated.is_rotated());
        let failed: RotateOutcome<()> = RotateOutcome::HandOverFailed {
            old: old.clone(),
            new: new.clone(),
            hand_over_error: (),
        };
        assert!(failed.old_key_live() && !failed.new_key_live() && !failed.handed_over());
        let unheld: RotateOutcome<()> = RotateOutcome::NewKeyUnheld {
            old,
            new,
            hand_over_error: (),
            revoke_error: Error::Construction(ConstructionError::MissingApiKey),
        };
        assert!(unheld.old_key_live() && unheld.new_key_live() && !unheld.handed_over());
    }
}
