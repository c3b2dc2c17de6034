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

/// Converts one listed key; `path` names it in the response (`user.apiKeys[3]`).
pub(crate) fn api_key(
    fields: labelbox_schema::list_api_keys::ApiKeyFields,
    path: &str,
) -> Result<ApiKey, Error> {
    let decode = |field: &str, message: String| Error::Decode {
        operation: "ListApiKeys".to_owned(),
        path: format!("{path}.{field}"),
        message,
    };
    let expires_at = OffsetDateTime::from_unix_timestamp(fields.expires_at_epoch)
        .map_err(|_| decode("expiresAtEpoch", "out of the range of a date-time".into()))?;
    let allowed_ip_cidrs = fields
        .allowed_ip_cidrs
        .unwrap_or_default()
        .iter()
        .enumerate()
        .map(|(i, entry)| {
            AllowedIp::parse_lenient(entry).map_err(|_| {
                decode(
                    &format!("allowedIpCidrs[{i}]"),
                    "not an IP address or network".into(),
                )
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
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
