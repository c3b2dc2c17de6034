//! From generated response types to `labelbox-core` values, checking what the type system
//! of the generated code cannot (epoch ranges, allowlist entries).

use time::OffsetDateTime;

use crate::listing_read::same;
use crate::{AllowedIp, ApiKey, Error, UserId};

/// Builds a [`crate::User`] from any generated `UserFields` (each operation module has
/// its own copy of the fragment type).
macro_rules! user_from_fields {
    ($fields:expr) => {{
        let u = $fields;
        let mut user = $crate::User::new(u.id, u.email, u.name, u.created_at.into_inner());
        user.nickname = u.nickname;
        user.picture = u.picture;
        user.is_external_user = u.is_external_user;
        user.is_viewer = u.is_viewer;
        user.updated_at = u.updated_at.into_inner();
        user.last_login_at = u.last_login_at.map(|d| d.into_inner());
        user
    }};
}
pub(crate) use user_from_fields;

/// Converts one listed key, the `index`th of the response's `list` (`user.apiKeys`); the
/// key's path (`user.apiKeys[3]`) is only built for an error.
pub(crate) fn api_key(
    fields: labelbox_schema::list_api_keys::ApiKeyFields,
    list: &str,
    index: usize,
    ids: &mut SharedUserIds,
) -> Result<ApiKey, Error> {
    let decode = |field: &dyn std::fmt::Display, message: &str| Error::Decode {
        operation: "ListApiKeys".to_owned(),
        path: format!("{list}[{index}].{field}"),
        message: message.to_owned(),
    };
    let expires_at = OffsetDateTime::from_unix_timestamp(fields.expires_at_epoch)
        .map_err(|_| decode(&"expiresAtEpoch", "out of the range of a date-time"))?;
    let allowed_ip_cidrs = match &fields.allowed_ip_cidrs {
        None => Vec::new(),
        Some(entries) => entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                AllowedIp::parse_lenient(entry).map_err(|_| {
                    decode(
                        &format_args!("allowedIpCidrs[{i}]"),
                        "not an IP address or network",
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()?,
    };
    let mut key = ApiKey::new(
        fields.id,
        fields.name,
        ids.get_owned(fields.user_id),
        fields.user_email,
        fields.created_at.into_inner(),
        expires_at,
    );
    key.updated_at = fields.updated_at.into_inner();
    key.revoked = fields.revoked;
    key.created_by_user_id = fields.created_by_user_id.map(|id| ids.get_owned(id));
    key.allowed_ip_cidrs = allowed_ip_cidrs;
    Ok(key)
}

/// The user ids met so far in one listing, so that the keys of one user (and the keys one
/// user created) share one `UserId` (an `Arc<str>`) instead of each building its own: the
/// listing reader's ids (from the body's text) and the typed path's (from the generated
/// `String`s). A few users own most keys: the first [`SharedUserIds::KEPT`] distinct ids are
/// shared (later ones get their own copy), the last one met is checked first (a key's
/// creator is usually its user).
#[derive(Default)]
pub(crate) struct SharedUserIds {
    ids: Vec<UserId>,
    /// Where in `ids` the last id was found.
    last: usize,
}

impl SharedUserIds {
    const KEPT: usize = 8;

    /// The id `text`, shared when it was met before.
    #[inline]
    pub(crate) fn get(&mut self, text: &str) -> UserId {
        match self.find(text) {
            Some(id) => id,
            None => self.keep(UserId::from(text)),
        }
    }

    /// [`get`](Self::get) for an owned `String` (the typed path's), which becomes the id
    /// when it is new.
    pub(crate) fn get_owned(&mut self, text: String) -> UserId {
        match self.find(&text) {
            Some(id) => id,
            None => self.keep(UserId::from(text)),
        }
    }

    #[inline]
    fn find(&mut self, text: &str) -> Option<UserId> {
        let equal = |id: &UserId| same(id.as_str().as_bytes(), text.as_bytes());
        if let Some(id) = self.ids.get(self.last).filter(|id| equal(id)) {
            return Some(id.clone());
        }
        let index = self.ids.iter().position(equal)?;
        self.last = index;
        Some(self.ids[index].clone())
    }

    fn keep(&mut self, id: UserId) -> UserId {
        if self.ids.len() < Self::KEPT {
            self.last = self.ids.len();
            self.ids.push(id.clone());
        }
        id
    }
}

/// The error for a response whose required value was null.
pub(crate) fn missing(operation: &str, field: &str) -> Error {
    Error::MissingData {
        operation: operation.to_owned(),
        field: field.to_owned(),
    }
}
