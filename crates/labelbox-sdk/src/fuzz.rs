//! Entry points for the workspace's fuzz targets (`fuzz/`): not part of the API, no
//! stability promise. They run the SDK's real code paths on arbitrary input.

use labelbox_schema::{
    caller_permissions, create_api_key, create_api_key_preflight, current_user, list_api_keys,
    organization, organization_users_by_email, revoke_api_key, roles,
    roles_with_ids_and_permissions, roles_with_permissions, user_by_id,
};
use time::OffsetDateTime;

use crate::transport::{classify, decode as decode_data};
use crate::Error;

/// The operation names [`decode`] accepts: every generated operation.
pub use labelbox_schema::OPERATIONS;

/// The API key [`decode`] classifies with; server text containing it is scrubbed.
pub const FUZZ_API_KEY: &str = "fuzz-api-key-0123456789";

/// Runs what the SDK does with an HTTP answer to `operation` (one of [`OPERATIONS`]):
/// classification of the status and body into [`Error`] variants, decoding of `data` into
/// the operation's generated `ResponseData`, and the SDK's mapping into domain values.
/// Errors are formatted (`Display`, `Debug`) before being returned, so formatting runs too.
///
/// An unknown operation name is an [`Error::Configuration`]. Never panics, whatever the
/// input.
pub fn decode(operation: &str, status: u16, body: &[u8]) -> Result<(), Error> {
    let result = run(operation, status, body);
    if let Err(error) = &result {
        let _ = format!("{error} {error:?}");
    }
    result
}

fn run(operation: &str, status: u16, body: &[u8]) -> Result<(), Error> {
    if !OPERATIONS.contains(&operation) {
        return Err(Error::Configuration {
            message: format!("no operation named '{operation}'"),
        });
    }
    let data = classify(operation, status, None, body, FUZZ_API_KEY)?;
    let email = "fuzz@example.com";
    match operation {
        "ListApiKeys" => {
            let data = decode_data::<list_api_keys::ResponseData>(operation, data)?;
            crate::api_keys::keys_from(data, false, OffsetDateTime::now_utc())?;
        }
        "CreateApiKey" => {
            let data = decode_data::<create_api_key::ResponseData>(operation, data)?;
            crate::create::created_from(data)?;
        }
        "CreateApiKeyPreflight" => {
            let data = decode_data::<create_api_key_preflight::ResponseData>(operation, data)?;
            let (_, caller) = crate::create::preflight_from(data, email)?;
            let _ = caller.grantable();
        }
        "OrganizationUsersByEmail" => {
            let data = decode_data::<organization_users_by_email::ResponseData>(operation, data)?;
            crate::create::user_found(data, email)?;
        }
        "RevokeApiKey" => {
            let data = decode_data::<revoke_api_key::ResponseData>(operation, data)?;
            crate::api_keys::revoked_from(data)?;
        }
        "UserById" => {
            let data = decode_data::<user_by_id::ResponseData>(operation, data)?;
            let _ = crate::api_keys::user_by_id_from(data);
        }
        "CurrentUser" => {
            let data = decode_data::<current_user::ResponseData>(operation, data)?;
            crate::account::current_user_from(data)?;
        }
        "Organization" => {
            let data = decode_data::<organization::ResponseData>(operation, data)?;
            crate::account::organization_from(data)?;
        }
        "Roles" => {
            let data = decode_data::<roles::ResponseData>(operation, data)?;
            let _ = crate::account::roles_from(data);
        }
        "CallerPermissions" => {
            let data = decode_data::<caller_permissions::ResponseData>(operation, data)?;
            crate::account::permissions_from(data)?;
        }
        "RolesWithIdsAndPermissions" => {
            let data =
                decode_data::<roles_with_ids_and_permissions::ResponseData>(operation, data)?;
            let _ = crate::account::roles_with_permissions_from(data);
        }
        // Generated but not used by an SDK method (no domain mapping): decoding only.
        "RolesWithPermissions" => {
            decode_data::<roles_with_permissions::ResponseData>(operation, data)?;
        }
        other => {
            return Err(Error::Configuration {
                message: format!("operation '{other}' has no decoder in the fuzz entry point"),
            })
        }
    }
    Ok(())
}

/// [`crate`]'s scrubbing of server text: `text` with `api_key` and JWT-like tokens
/// replaced by `[REDACTED]`.
pub fn scrub(text: &str, api_key: &str) -> String {
    crate::transport::scrub(text, api_key).unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_generated_operation_has_a_decoder() {
        for operation in OPERATIONS {
            if let Err(Error::Configuration { message }) = decode(operation, 200, br#"{"data":{}}"#)
            {
                panic!("{operation}: {message}");
            }
        }
        assert!(matches!(
            decode("NoSuchOperation", 200, b"{}"),
            Err(Error::Configuration { .. })
        ));
    }

    #[test]
    fn real_decoding_and_mapping_run() {
        let body = br#"{"data":{"user":{"id":"u","apiKeys":[{"id":"k","name":"n",
            "createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00Z",
            "revoked":false,"expiresAtEpoch":99999999999999,"userId":"u","userEmail":"a@b",
            "createdByUserId":null,"allowedIpCidrs":null}],"apiKeysOtherUsers":[]}}}"#;
        // The epoch is beyond any date: the domain mapping (not the decoder) refuses it.
        let error = decode("ListApiKeys", 200, body).unwrap_err();
        assert!(
            matches!(error, Error::Decode { ref path, .. } if path == "user.apiKeys[0].expiresAtEpoch"),
            "{error:?}"
        );
        assert!(matches!(
            decode("RevokeApiKey", 200, br#"{"data":{"updateApiKey":null}}"#),
            Err(Error::MissingData { .. })
        ));
        decode(
            "RevokeApiKey",
            200,
            br#"{"data":{"updateApiKey":{"id":"k"}}}"#,
        )
        .unwrap();
        assert!(matches!(
            decode("CurrentUser", 502, b"<html>"),
            Err(Error::InternalServer { .. })
        ));
    }
}
