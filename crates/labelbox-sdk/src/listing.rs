//! Listing keys with a builder: [`ListApiKeys`], from [`Client::list_api_keys`].

use std::time::Duration;

use time::OffsetDateTime;

use crate::{ApiKey, Client, Error, UserId};

const SDK_METHOD: &str = "Client:list_api_keys";

/// The order of a listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum KeyOrder {
    /// Soonest expiry first; keys expiring at the same second by id (the default).
    #[default]
    ExpiryThenId,
    /// By name, then by id.
    NameThenId,
    /// As the server lists them: the caller's own keys, then other users'.
    Server,
}

/// A listing of API keys, built with [`Client::list_api_keys`] and sent with
/// [`ListApiKeys::send`].
///
/// Revoked keys are never listed (whatever the server returns). Expired keys are left out
/// unless [`include_expired`](ListApiKeys::include_expired); keys are sorted by
/// (expiry, id) unless [`sort`](ListApiKeys::sort) says otherwise. One request
/// (`X-SDK-Method: Client:list_api_keys`), retried on transient failures; the filters run on
/// the client, against its clock.
///
/// The builder owns a clone of the client (cheap: an `Arc`), so it can be stored and sent
/// later.
///
/// ```no_run
/// # async fn run() -> Result<(), labelbox_sdk::Error> {
/// use std::time::Duration;
/// use labelbox_sdk::{Client, UserId};
///
/// let client = Client::from_env()?;
/// let soon = client
///     .list_api_keys()
///     .expiring_within(Duration::from_secs(14 * 86_400))
///     .for_user(UserId::from("u_123"))
///     .send()
///     .await?;
/// for key in &soon {
///     println!("{} {} expires {}", key.id, key.name, key.expires_at);
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use = "a listing does nothing until `.send().await`"]
pub struct ListApiKeys {
    client: Client,
    include_expired: bool,
    expiring_within: Option<Duration>,
    user: Option<UserId>,
    order: KeyOrder,
}

impl Client {
    /// Starts a listing of the keys the caller can see (its own and other users' keys it
    /// may manage); see [`ListApiKeys`].
    pub fn list_api_keys(&self) -> ListApiKeys {
        ListApiKeys {
            client: self.clone(),
            include_expired: false,
            expiring_within: None,
            user: None,
            order: KeyOrder::default(),
        }
    }
}

impl ListApiKeys {
    /// Whether keys already expired are listed too (default: no).
    pub fn include_expired(mut self, include: bool) -> Self {
        self.include_expired = include;
        self
    }

    /// Only keys expiring within `within` from now (with
    /// [`include_expired`](ListApiKeys::include_expired), already expired keys too). A window
    /// past the last representable date keeps every key.
    pub fn expiring_within(mut self, within: Duration) -> Self {
        self.expiring_within = Some(within);
        self
    }

    /// Only the keys acting as this user.
    pub fn for_user(mut self, user: impl Into<UserId>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// The order of the result (default: [`KeyOrder::ExpiryThenId`]).
    pub fn sort(mut self, order: KeyOrder) -> Self {
        self.order = order;
        self
    }

    /// The client this listing uses.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Sends the listing and applies the filters and the order.
    pub async fn send(&self) -> Result<Vec<ApiKey>, Error> {
        let keys = self
            .client
            .list_keys_as_sdk_method(SDK_METHOD, self.include_expired)
            .await?;
        Ok(self.select(keys, OffsetDateTime::now_utc()))
    }

    /// The filters and the order, at `now` (expired keys were already dropped by the
    /// listing unless asked for).
    fn select(&self, mut keys: Vec<ApiKey>, now: OffsetDateTime) -> Vec<ApiKey> {
        keys.retain(|k| !k.revoked);
        if let Some(user) = &self.user {
            keys.retain(|k| k.user_id == *user);
        }
        if let Some(within) = self.expiring_within {
            let limit = time::Duration::try_from(within)
                .ok()
                .and_then(|within| now.checked_add(within));
            if let Some(limit) = limit {
                keys.retain(|k| k.expires_at <= limit);
            }
        }
        match self.order {
            KeyOrder::ExpiryThenId => keys
                .sort_by(|a, b| (a.expires_at, a.id.as_str()).cmp(&(b.expires_at, b.id.as_str()))),
            KeyOrder::NameThenId => {
                keys.sort_by(|a, b| (&a.name, a.id.as_str()).cmp(&(&b.name, b.id.as_str())))
            }
            KeyOrder::Server => {}
        }
        keys
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn key(id: &str, name: &str, user: &str, expires_at: OffsetDateTime, revoked: bool) -> ApiKey {
        let mut key = ApiKey::new(
            id,
            name,
            user,
            format!("{user}@example.com"),
            datetime!(2026-01-01 00:00 UTC),
            expires_at,
        );
        key.revoked = revoked;
        key
    }

    #[test]
    fn filters_and_orders_on_the_client() {
        let client = Client::builder()
            .api_key("k")
            .endpoint("http://127.0.0.1:9/graphql")
            .build()
            .unwrap();
        let now = datetime!(2026-06-01 00:00 UTC);
        let day = time::Duration::days(1);
        let keys = vec![
            key("c", "zeta", "u1", now + day * 3, false),
            key("b", "alpha", "u2", now + day * 3, false),
            key("a", "mid", "u1", now + day * 30, false),
            key("r", "revoked", "u1", now + day, true),
        ];
        let ids = |keys: Vec<ApiKey>| {
            keys.into_iter()
                .map(|k| k.id.to_string())
                .collect::<Vec<_>>()
        };
        let list = client.list_api_keys();
        assert_eq!(ids(list.select(keys.clone(), now)), ["b", "c", "a"]);
        let list = list.expiring_within(Duration::from_secs(7 * 86_400));
        assert_eq!(ids(list.select(keys.clone(), now)), ["b", "c"]);
        let list = list.for_user(UserId::from("u1"));
        assert_eq!(ids(list.select(keys.clone(), now)), ["c"]);
        let list = client.list_api_keys().sort(KeyOrder::NameThenId);
        assert_eq!(ids(list.select(keys.clone(), now)), ["b", "a", "c"]);
        let list = client.list_api_keys().sort(KeyOrder::Server);
        assert_eq!(ids(list.select(keys.clone(), now)), ["c", "b", "a"]);
        // A window past the last representable date keeps every key.
        let list = client.list_api_keys().expiring_within(Duration::MAX);
        assert_eq!(ids(list.select(keys, now)), ["b", "c", "a"]);
    }
}
