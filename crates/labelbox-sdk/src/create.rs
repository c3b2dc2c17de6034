//! Creating a key: [`CreateApiKeyRequest`], the contract's checks in order, the one-round-trip
//! preflight and the mutation, which is never blindly retried.

use std::sync::Arc;

use labelbox_schema::{create_api_key, create_api_key_preflight, organization_users_by_email};
use secrecy::{ExposeSecret, SecretString};
use time::OffsetDateTime;

mod request;

pub use request::CreateApiKeyRequest;

use crate::cache::CallerContext;
use crate::convert;
use crate::failure::{Delivery, Failure};
use crate::members::member_with_email;
use crate::retry::Idempotency;
use crate::ConstructionError;
use crate::{ApiKeyId, Client, CreatedApiKey, Error, Role};

const SDK_METHOD: &str = "Client:create_api_key";

/// The longest secret a creation may answer with, in bytes (a Labelbox key is well under
/// 1 KiB). A longer one is a malformed answer: the new key is revoked and the creation
/// fails, in every flow (creation, rotation, the CLI, the console), before anything
/// handles the secret (an `--exec` command's pipe holds 64 KiB).
pub const MAX_SECRET_BYTES: usize = 16_384;

/// Why a created key's secret cannot be handed over as it is, or `None`: longer than
/// [`MAX_SECRET_BYTES`], or holding a character no JWT has (JWTs are base64url parts joined
/// by dots; a control character would reach a terminal, a file or a child's environment).
/// The reason never quotes the secret.
fn malformed_secret(secret: &str) -> Option<String> {
    if secret.len() > MAX_SECRET_BYTES {
        return Some(format!(
            "the server's answer held a secret of {} bytes, over the {MAX_SECRET_BYTES}-byte \
             limit (a malformed answer)",
            secret.len()
        ));
    }
    let jwt_character =
        |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '=' | '+' | '/');
    (secret.is_empty() || !secret.chars().all(jwt_character)).then(|| {
        "the server's answer held a secret that is not a JWT (empty, or a character outside \
         base64url and dots; a malformed answer)"
            .to_owned()
    })
}

/// How much earlier than the preflight's `Date` a key of this creation may carry as its
/// `createdAt`: the header's one-second resolution, and a server whose front end and
/// database read slightly different clocks.
const SERVER_CLOCK_ALLOWANCE: time::Duration = time::Duration::seconds(2);

/// Without a `Date` header from the server, how far its clock may be behind ours.
const CLIENT_CLOCK_SKEW: time::Duration = time::Duration::seconds(5);

impl Client {
    /// Creates an API key and returns its id and secret (the JWT, shown only this once).
    ///
    /// In the contract's order, failing before the mutation is sent:
    /// 1. local checks (no request): name not empty, the allowlist's rules, user and
    ///    role given ([`ConstructionError::Validation`](crate::ConstructionError::Validation));
    /// 2. the target user exists in the caller's organization ([`ConstructionError::UserNotFound`](crate::ConstructionError::UserNotFound));
    /// 3. the role is grantable by the caller: not `None` or `Tenant Admin`, and every
    ///    permission of the role is among the caller's ([`ConstructionError::InvalidRole`](crate::ConstructionError::InvalidRole), listing the
    ///    roles the caller may grant);
    /// 4. the mutation.
    ///
    /// Steps 2 and 3 take one request: on the first creation it also reads the caller's
    /// permissions and the roles, which this client (and its clones) then caches; later
    /// creations only look the user up. So a creation takes two round trips, cold or warm.
    /// [`Client::refresh_cache`] forgets the cached permissions and roles.
    ///
    /// The mutation is never blindly retried. It is retried by the [`RetryPolicy`] only
    /// when the connection could not be made or the server rate-limited the request. After
    /// a failure that may have reached the server (a timeout after sending, a dropped
    /// connection, a 5xx) the client reconciles: it lists the keys, revokes the target
    /// user's keys with this name that the caller created since the creation began (their
    /// secret was lost with the response), and sends the mutation once more. "Since" is
    /// read on the server's clock (the preflight answer's `Date` against the keys'
    /// `createdAt`), so a client clock that is off changes nothing, and other users' keys
    /// are never touched. You end with exactly one key whose secret you hold, or
    /// [`Error::CreationFailed`] saying what happened and which ids were revoked. Keys this
    /// client created and handed over in the last ten minutes are never candidates, so two
    /// same-named creations of one client cannot revoke each other's key. The remaining
    /// edge: another client of the same caller (another process) creating a key with the
    /// same name for the same user within those few seconds would see it revoked.
    ///
    /// An answer that carries both a created key and GraphQL errors is a failure too: the
    /// key's settings cannot be trusted, so it is revoked and [`Error::CreationFailed`]
    /// names it in `orphans_revoked` (if revoking fails, the message names the live key).
    /// `X-SDK-Method: Client:create_api_key` on every request, reconciliation included.
    ///
    /// [`RetryPolicy`]: crate::RetryPolicy
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::{Client, CreateApiKeyRequest, ExposeSecret, RoleRef, TimeUnit, UserRef, Validity};
    ///
    /// let client = Client::from_env()?;
    /// let created = client
    ///     .create_api_key(
    ///         CreateApiKeyRequest::new(
    ///             "ci-deploy",
    ///             UserRef::by_email("ci@example.com"),
    ///             RoleRef::by_name("Labeler"),
    ///             Validity::new(2, TimeUnit::Week)?,
    ///         )
    ///         .allowed_ip_entries(["203.0.113.0/24"]),
    ///     )
    ///     .await?;
    /// println!("created {}", created.id());
    /// store_in_vault(created.secret().expose_secret());
    /// # Ok(())
    /// # }
    /// # fn store_in_vault(_: &str) {}
    /// ```
    pub async fn create_api_key(
        &self,
        request: CreateApiKeyRequest,
    ) -> Result<CreatedApiKey, Error> {
        let allowlist = request.check()?;
        let email = request.user.email().to_owned();
        let (caller, server_date) = self.preflight(&email).await?;

        let grantable = caller.grantable();
        let role_name = request
            .role
            .find_in(grantable.iter().copied())
            .map(|role: &Role| role.name.clone())
            .ok_or_else(|| {
                Error::Construction(ConstructionError::InvalidRole {
                    requested: request.role.name().to_owned(),
                    // Role names come from the server: scrubbed like any server text.
                    allowed: grantable
                        .iter()
                        .map(|r| self.inner.transport.scrub(&r.name))
                        .collect(),
                })
            })?;
        // Keys this creation may leave behind carry a `createdAt` at or after the preflight's
        // answer, on the server's clock; our own clock only when the server sends no `Date`.
        let since = match server_date {
            Some(date) => date - SERVER_CLOCK_ALLOWANCE,
            None => OffsetDateTime::now_utc() - CLIENT_CLOCK_SKEW,
        };

        let variables = create_api_key::Variables {
            name: request.name,
            user_email: email,
            role: Some(role_name),
            validity_seconds: Some(request.validity.as_seconds()),
            allowed_ip_cidrs: allowlist.map(|list| list.to_strings()),
        };
        self.create_reconciled(variables, since).await
    }

    /// The mutation, with orphan reconciliation: after a failure that may have reached
    /// the server (timeout after sending, dropped connection, 5xx), list the target user's
    /// keys, revoke those with this name that the caller created at or after `since` (server
    /// time; their secret is lost), and try once more. The caller ends with one key whose
    /// secret it holds, or [`Error::CreationFailed`] naming the revoked keys.
    async fn create_reconciled(
        &self,
        variables: create_api_key::Variables,
        since: OffsetDateTime,
    ) -> Result<CreatedApiKey, Error> {
        const ATTEMPTS: u32 = 2;
        let mut orphans_revoked = Vec::new();
        let mut attempt = 0;
        loop {
            attempt += 1;
            let failure = match self
                .inner
                .transport
                .call_keeping_delivery::<create_api_key::CreateApiKey>(
                    variables.clone(),
                    SDK_METHOD,
                    Idempotency::NotIdempotent,
                )
                .await
            {
                Ok(data) => match created_from(data) {
                    // `createApiKey: null` without errors: whether a key exists is unknown.
                    Err(error) => Failure::new(error),
                    Ok(created) if malformed_secret(created.secret().expose_secret()).is_some() => {
                        let why =
                            malformed_secret(created.secret().expose_secret()).unwrap_or_default();
                        let id = created.id().clone();
                        drop(created);
                        return Err(self.revoke_unusable(id, &why, None, orphans_revoked).await);
                    }
                    Ok(created) => {
                        if attempt > 1 {
                            // The first request may have been committed late (the server was
                            // still working on it when we reconciled): sweep once more, sparing
                            // the key we hold.
                            orphans_revoked.push(created.id().clone());
                            let swept = self
                                .revoke_orphans(&variables, since, &mut orphans_revoked)
                                .await;
                            orphans_revoked.retain(|id| id != created.id());
                            if let Err(error) = swept {
                                tracing::warn!(
                                    error = %error,
                                    "could not check for a late copy of the lost creation"
                                );
                            }
                        }
                        if !orphans_revoked.is_empty() {
                            tracing::warn!(
                                orphans = ?orphans_revoked,
                                "revoked keys created by a lost create response"
                            );
                        }
                        self.held_keys().insert(created.id().clone());
                        return Ok(created);
                    }
                },
                Err(mut failure) => {
                    // Errors beside a created key: the key is live and we hold its id.
                    let created = failure.partial_data.take();
                    if let Some(id) = created.and_then(|data| created_key_id(&data)) {
                        return Err(self
                            .revoke_unusable(
                                id,
                                "the server created the key but also reported errors",
                                Some(failure.error),
                                orphans_revoked,
                            )
                            .await);
                    }
                    failure
                }
            };
            match failure.error.delivery() {
                Delivery::Unknown => {}
                Delivery::NotSent | Delivery::Rejected | Delivery::Processed => {
                    return Err(if orphans_revoked.is_empty() {
                        failure.error
                    } else {
                        Error::CreationFailed {
                            message: "the retry after a lost response failed".to_owned(),
                            orphans_revoked,
                            source: Some(Box::new(failure.error)),
                        }
                    });
                }
            }
            // The server may have created a key whose secret never reached us.
            if let Err(reason) = self
                .revoke_orphans(&variables, since, &mut orphans_revoked)
                .await
            {
                return Err(Error::CreationFailed {
                    message: format!(
                        "no usable answer arrived, so a key named '{}' may exist without its \
                         secret, and reconciling failed ({reason}); list the user's keys and \
                         revoke it",
                        variables.name
                    ),
                    orphans_revoked,
                    source: Some(Box::new(failure.error)),
                });
            }
            if attempt >= ATTEMPTS {
                return Err(Error::CreationFailed {
                    message: "no usable answer arrived, twice; any key created was revoked"
                        .to_owned(),
                    orphans_revoked,
                    source: Some(Box::new(failure.error)),
                });
            }
            tracing::debug!(attempt, "create outcome unknown; reconciled, retrying once");
        }
    }

    /// Revokes the target user's live keys named like the request, created by the caller
    /// (`createdByUserId`, or the key's user for older keys, as the contract reads it) at or
    /// after `since` on the server's clock. Only the caller's own creation of a key with the
    /// same name for the same user in that window would be revoked too: the remaining edge,
    /// documented on [`Client::create_api_key`].
    async fn revoke_orphans(
        &self,
        variables: &create_api_key::Variables,
        since: OffsetDateTime,
        revoked: &mut Vec<ApiKeyId>,
    ) -> Result<(), Error> {
        let (caller, keys) = self.list_keys_and_caller(SDK_METHOD, true).await?;
        let name = variables.name.trim();
        for key in keys {
            if !key.revoked
                && key.name.trim() == name
                && key.user_email.eq_ignore_ascii_case(&variables.user_email)
                && key.creator_id() == &caller
                && key.created_at >= since
                && !revoked.contains(&key.id)
                && !self.held_keys().contains(&key.id)
            {
                self.revoke_key_for(&key.id, SDK_METHOD).await?;
                revoked.push(key.id);
            }
        }
        Ok(())
    }

    /// Forgets the caller's permissions and the roles cached by [`Client::create_api_key`];
    /// the next creation reads them again (still in one round trip). The cache is shared
    /// by this client's clones only.
    ///
    /// ```no_run
    /// # fn run(client: labelbox_sdk::Client) {
    /// // After an administrator changed your role:
    /// client.refresh_cache();
    /// # }
    /// ```
    pub fn refresh_cache(&self) {
        *self.caller_cache() = None;
    }

    /// A created key that cannot be used: it came back beside GraphQL errors (its settings
    /// cannot be trusted) or with a malformed secret (over [`MAX_SECRET_BYTES`], or not a
    /// JWT's characters). It is revoked (retried
    /// like any revocation) and the creation fails naming it and `why`; its secret is never
    /// put into the error. If revoking fails, the error names the live key.
    async fn revoke_unusable(
        &self,
        id: ApiKeyId,
        why: &str,
        error: Option<Error>,
        mut orphans_revoked: Vec<ApiKeyId>,
    ) -> Error {
        match self.revoke_key_for(&id, SDK_METHOD).await {
            Ok(()) => {
                tracing::warn!(key = %id, reason = why, "revoked a key whose creation was unusable");
                orphans_revoked.push(id);
                Error::CreationFailed {
                    message: format!("{why}, so the key was revoked"),
                    orphans_revoked,
                    source: error.map(Box::new),
                }
            }
            Err(reason) => {
                tracing::warn!(
                    key = %id,
                    error = %reason,
                    reason = why,
                    "could not revoke a key whose creation was unusable"
                );
                Error::CreationFailed {
                    message: format!(
                        "{why}, and revoking key {id} failed ({reason}); revoke it \
                         (`labelbox keys revoke {id}`)"
                    ),
                    orphans_revoked,
                    source: error.map(Box::new),
                }
            }
        }
    }

    /// Checks the user exists and returns the caller's permissions and roles, and the
    /// server's clock when it answered: one request, cold (user, permissions and roles
    /// together) or warm (the user only).
    async fn preflight(
        &self,
        email: &str,
    ) -> Result<(Arc<CallerContext>, Option<OffsetDateTime>), Error> {
        let cached = self.caller_cache().clone();
        let transport = &self.inner.transport;
        let (found, caller, server_date) = match cached {
            Some(caller) => {
                let (data, server_date) = transport
                    .call_with_server_date::<organization_users_by_email::OrganizationUsersByEmail>(
                        organization_users_by_email::Variables {
                            email: email.to_owned(),
                        },
                        SDK_METHOD,
                        Idempotency::Idempotent,
                    )
                    .await?;
                (
                    member_with_email(data, email)?.is_some(),
                    caller,
                    server_date,
                )
            }
            None => {
                let (data, server_date) = transport
                    .call_with_server_date::<create_api_key_preflight::CreateApiKeyPreflight>(
                        create_api_key_preflight::Variables {
                            email: email.to_owned(),
                        },
                        SDK_METHOD,
                        Idempotency::Idempotent,
                    )
                    .await?;
                let (found, caller) = preflight_from(data, email)?;
                let caller = Arc::new(caller);
                *self.caller_cache() = Some(Arc::clone(&caller));
                (found, caller, server_date)
            }
        };
        if found {
            Ok((caller, server_date))
        } else {
            Err(Error::Construction(ConstructionError::UserNotFound {
                email: email.to_owned(),
            }))
        }
    }

    fn held_keys(&self) -> std::sync::MutexGuard<'_, HeldKeys> {
        // One insert or lookup at a time: a poisoned lock holds a consistent list.
        self.inner
            .held
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn caller_cache(&self) -> std::sync::MutexGuard<'_, Option<Arc<CallerContext>>> {
        // A panic while holding this lock cannot leave the cache half-written (it is one
        // assignment), so a poisoned lock is still usable.
        self.inner
            .caller
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// The id of the key a `createApiKey` answer names, read from `data` that came with errors
/// (the secret beside it is dropped unread).
fn created_key_id(data: &crate::failure::PartialData) -> Option<ApiKeyId> {
    data.0
        .get("createApiKey")?
        .get("id")?
        .as_str()
        .filter(|id| !id.is_empty())
        .map(ApiKeyId::from)
}

/// The created key from the mutation's response; the domain mapping of `CreateApiKey`.
pub(crate) fn created_from(data: create_api_key::ResponseData) -> Result<CreatedApiKey, Error> {
    let created = data
        .create_api_key
        .ok_or_else(|| convert::missing("CreateApiKey", "createApiKey"))?;
    Ok(CreatedApiKey::new(
        created.id.into(),
        SecretString::from(created.jwt),
    ))
}

/// The domain mapping of `CreateApiKeyPreflight`: whether the user is there, and the
/// caller's permissions and the roles.
pub(crate) fn preflight_from(
    data: create_api_key_preflight::ResponseData,
    email: &str,
) -> Result<(bool, CallerContext), Error> {
    let organization = data
        .organization
        .ok_or_else(|| convert::missing("CreateApiKeyPreflight", "organization"))?;
    let found = organization
        .users
        .iter()
        .any(|u| u.email.eq_ignore_ascii_case(email));
    let permissions = data
        .organization_role
        .and_then(|role| role.permissions)
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect();
    let roles = data
        .roles
        .into_iter()
        .map(|r| {
            Role::new(r.name)
                .with_id(r.id)
                .with_permissions(r.permissions)
        })
        .collect();
    Ok((found, CallerContext { permissions, roles }))
}

/// The keys a client created and handed over in the last [`HeldKeys::KEPT_FOR`]: a lost
/// creation's reconciliation (whose window is seconds) never revokes one of them, so two
/// same-named creations of one client (a batch rotation of two same-named keys, concurrent
/// tasks) cannot revoke each other's key.
#[derive(Debug, Default)]
pub(crate) struct HeldKeys(std::collections::VecDeque<(ApiKeyId, std::time::Instant)>);

impl HeldKeys {
    /// Far longer than any reconciliation window (a few seconds plus the retries).
    const KEPT_FOR: std::time::Duration = std::time::Duration::from_secs(600);

    fn insert(&mut self, id: ApiKeyId) {
        let now = std::time::Instant::now();
        while self
            .0
            .front()
            .is_some_and(|(_, at)| now.duration_since(*at) > Self::KEPT_FOR)
        {
            self.0.pop_front();
        }
        self.0.push_back((id, now));
    }

    fn contains(&self, id: &ApiKeyId) -> bool {
        self.0.iter().any(|(held, _)| held == id)
    }
}
