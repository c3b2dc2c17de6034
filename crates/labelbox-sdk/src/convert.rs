//! From generated response types to `labelbox-core` values, checking what the type system
//! of the generated code cannot (epoch ranges, allowlist entries).

use time::OffsetDateTime;

use crate::{AllowedIp, ApiKey, Error};

/// Builds a [`crate::User`] from any generated `UserFields` (each operation module has
/// its own copy of the fragment type).
macro_rules! user_from_fields {
    ($fields:expr) => {{
        let u = $fields;
        $crate::User {
            id: u.id.into(),
            email: u.email,
            name: u.name,
            nickname: u.nickname,
            picture: u.picture,
            is_external_user: u.is_external_user,
            is_viewer: u.is_viewer,
            created_at: u.created_at.into_inner(),
            updated_at: u.updated_at.into_inner(),
            last_login_at: u.last_login_at.map(|d| d.into_inner()),
        }
    }};
}
pub(crate) use user_from_fields;

/// Converts one listed key, the `index`th of the response's `list` (`user.apiKeys`); the
/// key's path (`user.apiKeys[3]`) is only built for an error.
pub(crate) fn api_key(
    fields: labelbox_schema::list_api_keys::ApiKeyFields,
    list: &str,
    index: usize,
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
    Ok(ApiKey {
        id: fields.id.into(),
        name: fields.name,
        created_at: fields.created_at.into_inner(),
        updated_at: fields.updated_at.into_inner(),
        revoked: fields.revoked,
        expires_at,
        user_id: fields.user_id.into(),
        user_email: fields.user_email,
        created_by_user_id: fields.created_by_user_id.map(Into::into),
        allowed_ip_cidrs,
    })
}

/// The error for a response whose required value was null.
pub(crate) fn missing(operation: &str, field: &str) -> Error {
    Error::MissingData {
        operation: operation.to_owned(),
        field: field.to_owned(),
    }
}
