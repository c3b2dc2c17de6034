//! Listing, finding and revoking keys, and who created them.

use std::future::Future;

use labelbox_schema::{list_api_keys, revoke_api_key, user_by_id};
use time::OffsetDateTime;

use crate::convert::{self, user_from_fields};
use crate::listing_data::{Listing, ListingData};
use crate::retry::Idempotency;
use crate::ServiceError;
use crate::{ApiKey, ApiKeyId, Client, Error, User, UserId};

impl Client {
    /// The key with this id among the caller's visible keys (expired ones included), or
    /// `None` when there is none: "not found" is not an error.
    ///
    /// One request (`X-SDK-Method: Client:get_api_key`).
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::{ApiKeyId, Client};
    ///
    /// let client = Client::from_env()?;
    /// match client.get_api_key(&ApiKeyId::from("ck_123")).await? {
    ///     Some(key) => println!("{} expires {}", key.name, key.expires_at),
    ///     None => println!("no such key"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_api_key(&self, id: &ApiKeyId) -> Result<Option<ApiKey>, Error> {
        let keys = self
            .list_keys_as_sdk_method("Client:get_api_key", true)
            .await?;
        Ok(keys.into_iter().find(|key| key.id == *id))
    }

    /// The listed keys, the request tagged `X-SDK-Method: <sdk_method>` (the public method
    /// the caller used).
    pub(crate) async fn list_keys_as_sdk_method(
        &self,
        sdk_method: &'static str,
        include_expired: bool,
    ) -> Result<Vec<ApiKey>, Error> {
        self.list_keys_and_caller(sdk_method, include_expired)
            .await
            .map(|(_, keys)| keys)
    }

    /// The listed keys and the caller's own user id (the listing's `user.id`).
    ///
    /// `data` decodes straight into `ApiKey`s ([`crate::listing_data`]), on either decode
    /// path.
    pub(crate) async fn list_keys_and_caller(
        &self,
        sdk_method: &'static str,
        include_expired: bool,
    ) -> Result<(UserId, Vec<ApiKey>), Error> {
        let Listing { caller, mut keys } = self
            .inner
            .transport
            .call_into::<list_api_keys::ListApiKeys, ListingData>(
                list_api_keys::Variables,
                sdk_method,
                Idempotency::Idempotent,
            )
            .await?
            .into_listing()?;
        // The expiry filter runs after the mapping: a key the mapping refuses fails the
        // listing whether or not it has expired.
        if !include_expired {
            let now = OffsetDateTime::now_utc();
            keys.retain(|key| !key.is_expired_at(now));
        }
        Ok((caller, keys))
    }

    /// Revokes a key: it stops authenticating at once. Revoking is idempotent, so the
    /// request is retried on transient failures.
    ///
    /// A response without `updateApiKey.id` is an error ([`ResponseError::MissingData`](crate::ResponseError::MissingData)).
    /// `X-SDK-Method: Client:revoke_api_key`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::{ApiKeyId, Client};
    ///
    /// let client = Client::from_env()?;
    /// client.revoke_api_key(&ApiKeyId::from("ck_123")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn revoke_api_key(&self, id: &ApiKeyId) -> Result<(), Error> {
        self.revoke_key_for(id, "Client:revoke_api_key").await
    }

    pub(crate) async fn revoke_key_for(
        &self,
        id: &ApiKeyId,
        sdk_method: &'static str,
    ) -> Result<(), Error> {
        let data = self
            .call_idempotent::<revoke_api_key::RevokeApiKey>(
                revoke_api_key::Variables {
                    id: id.as_str().to_owned(),
                },
                sdk_method,
            )
            .await?;
        revoked_from(data)
    }

    /// The user who created `key`: `createdByUserId`, or the key's user when that is
    /// null (older keys). `None` when the server has no such user.
    ///
    /// `X-SDK-Method: ApiKey:created_by`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let client = labelbox_sdk::Client::from_env()?;
    /// for key in client.list_api_keys().send().await? {
    ///     if let Some(creator) = client.created_by(&key).await? {
    ///         println!("{} was created by {}", key.name, creator.email);
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn created_by(&self, key: &ApiKey) -> Result<Option<User>, Error> {
        self.user_by_id(key.creator_id(), "ApiKey:created_by").await
    }

    /// The user `key` acts as (`userId`). `None` when the server has no such user.
    ///
    /// `X-SDK-Method: ApiKey:created_for`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let client = labelbox_sdk::Client::from_env()?;
    /// if let Some(key) = client.list_api_keys().send().await?.first() {
    ///     let owner = client.created_for(key).await?;
    ///     println!("{:?}", owner.map(|u| u.email));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn created_for(&self, key: &ApiKey) -> Result<Option<User>, Error> {
        self.user_by_id(key.owner_id(), "ApiKey:created_for").await
    }

    pub(crate) async fn user_by_id(
        &self,
        id: &UserId,
        sdk_method: &'static str,
    ) -> Result<Option<User>, Error> {
        let data = match self
            .call_idempotent::<user_by_id::UserById>(
                user_by_id::Variables {
                    id: id.as_str().to_owned(),
                },
                sdk_method,
            )
            .await
        {
            Ok(data) => data,
            // The contract's `RESOURCE_NOT_FOUND` is "no such user": an empty result.
            Err(Error::Service(ServiceError::NotFound(_))) => return Ok(None),
            Err(error) => return Err(error),
        };
        Ok(user_by_id_from(data))
    }
}

/// The domain mapping of `RevokeApiKey`: the answer must name the key.
pub(crate) fn revoked_from(data: revoke_api_key::ResponseData) -> Result<(), Error> {
    data.update_api_key
        .map(|_| ())
        .ok_or_else(|| convert::missing("RevokeApiKey", "updateApiKey.id"))
}

/// The domain mapping of `UserById`.
pub(crate) fn user_by_id_from(data: user_by_id::ResponseData) -> Option<User> {
    data.user.map(|u| user_from_fields!(u))
}

/// Conveniences on [`ApiKey`] that need a client: `key.revoke(&client)`.
///
/// ```no_run
/// # async fn run() -> Result<(), labelbox_sdk::Error> {
/// use labelbox_sdk::{ApiKeyExt, Client};
///
/// let client = Client::from_env()?;
/// for key in client.list_api_keys().send().await? {
///     if key.name.starts_with("tmp-") {
///         key.revoke(&client).await?;
///     }
/// }
/// # Ok(())
/// # }
/// ```
pub trait ApiKeyExt {
    /// Revokes this key (`X-SDK-Method: ApiKey:revoke`); see [`Client::revoke_api_key`].
    fn revoke(&self, client: &Client) -> impl Future<Output = Result<(), Error>> + Send;

    /// The user who created this key; see [`Client::created_by`].
    fn created_by(
        &self,
        client: &Client,
    ) -> impl Future<Output = Result<Option<User>, Error>> + Send;

    /// The user this key acts as; see [`Client::created_for`].
    fn created_for(
        &self,
        client: &Client,
    ) -> impl Future<Output = Result<Option<User>, Error>> + Send;
}

impl ApiKeyExt for ApiKey {
    fn revoke(&self, client: &Client) -> impl Future<Output = Result<(), Error>> + Send {
        client.revoke_key_for(&self.id, "ApiKey:revoke")
    }

    fn created_by(
        &self,
        client: &Client,
    ) -> impl Future<Output = Result<Option<User>, Error>> + Send {
        client.created_by(self)
    }

    fn created_for(
        &self,
        client: &Client,
    ) -> impl Future<Output = Result<Option<User>, Error>> + Send {
        client.created_for(self)
    }
}
