//! From generated response types to `labelbox-core` values (users), and the error for a
//! required value the server left null. The listing's keys are not mapped here: they
//! decode straight into `ApiKey`s ([`crate::listing_data`]).

use crate::Error;
use crate::ResponseError;

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

/// The error for a response whose required value was null.
pub(crate) fn missing(operation: &str, field: &str) -> Error {
    Error::Response(ResponseError::MissingData {
        operation: operation.to_owned(),
        field: field.to_owned(),
    })
}
