//! Entry points for the workspace's fuzz targets (`fuzz/`): not part of the API, no
//! stability promise. They run the SDK's real code paths on arbitrary input.

use labelbox_schema::{
    caller_permissions, create_api_key, create_api_key_preflight, current_user, organization,
    organization_members, organization_members_page, organization_members_with_roles,
    organization_users_by_email, remove_member, revoke_api_key, roles,
    roles_with_ids_and_permissions, roles_with_permissions, set_user_org_role, user_by_id,
    user_org_role, user_organization,
};
use labelbox_schema::{
    cancel_invite, create_invite, invite_members, invite_preflight, invites_limit, list_invites,
    users, users_by_email,
};
use serde::de::DeserializeOwned;

use crate::classify::classify_http_answer;
use crate::decode::{decode as decode_data, decode_success};
use crate::listing_data::ListingData;
use crate::ConstructionError;
use crate::{Error, UserId};

/// One wire `errors[]` entry read as the SDK reads it (leniently; never fails).
pub fn graphql_error_from_json(value: &serde_json::Value) -> crate::GraphQlError {
    crate::classify::graphql_error_from_json(value)
}

/// The GraphQL half of the contract's classification table: `errors` and the top-level
/// `message` into an [`Error`], `None` when neither says anything.
pub fn error_from_graphql_errors(
    errors: Vec<crate::GraphQlError>,
    top_level_message: Option<&str>,
) -> Option<Error> {
    crate::classify::error_from_graphql_errors(errors, top_level_message)
}

/// The operation names [`decode`] accepts: every generated operation.
pub use labelbox_schema::OPERATIONS;

/// The API key [`decode`] classifies with; server text containing it is scrubbed.
pub const FUZZ_API_KEY: &str = "fuzz-api-key-0123456789";

/// A JWT-shaped secret the fuzz dictionary and seeds plant in bodies; no error may show it.
pub const FUZZ_SECRET_JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJmdXp6In0.c2lnbmF0dXJlLWZ1eno";

/// The `response_decode` target's input format, byte 0: the operation, by index (fixed
/// order, so that a saved input keeps its meaning when operations are added; one index past
/// the end means "no operation"). The fuzz target and the tests that replay its findings
/// both read inputs with this table.
pub const FUZZ_OPERATIONS: [&str; 20] = [
    labelbox_schema::list_api_keys::OPERATION_NAME,
    labelbox_schema::create_api_key::OPERATION_NAME,
    labelbox_schema::revoke_api_key::OPERATION_NAME,
    labelbox_schema::caller_permissions::OPERATION_NAME,
    labelbox_schema::roles_with_permissions::OPERATION_NAME,
    labelbox_schema::roles::OPERATION_NAME,
    labelbox_schema::current_user::OPERATION_NAME,
    labelbox_schema::user_by_id::OPERATION_NAME,
    labelbox_schema::organization_users_by_email::OPERATION_NAME,
    labelbox_schema::organization::OPERATION_NAME,
    labelbox_schema::create_api_key_preflight::OPERATION_NAME,
    labelbox_schema::roles_with_ids_and_permissions::OPERATION_NAME,
    labelbox_schema::user_org_role::OPERATION_NAME,
    labelbox_schema::user_organization::OPERATION_NAME,
    labelbox_schema::organization_members::OPERATION_NAME,
    labelbox_schema::organization_members_page::OPERATION_NAME,
    labelbox_schema::set_user_org_role::OPERATION_NAME,
    labelbox_schema::remove_member::OPERATION_NAME,
    labelbox_schema::organization_members_with_roles::OPERATION_NAME,
    labelbox_schema::overview::OPERATION_NAME,
];

/// Byte 1 of a `response_decode` input: with its high bit set, the status is
/// `FUZZ_STATUSES[(byte & 0x7f) % len]`; otherwise 200.
pub const FUZZ_STATUSES: [u16; 12] = [200, 201, 204, 400, 401, 403, 404, 422, 429, 500, 502, 503];

/// Runs what the SDK does with an HTTP answer to `operation` (one of [`OPERATIONS`]):
/// classification of the status and body into [`Error`] variants, decoding of `data` into
/// the operation's generated `ResponseData`, and the SDK's mapping into domain values.
/// Errors are formatted (`Display`, `Debug`) before being returned, so formatting runs too.
///
/// An unknown operation name is an [`ConstructionError::Configuration`](crate::ConstructionError::Configuration). Panics only when the
/// transport's two decoding paths disagree (a bug; see `typed`), whatever the input.
pub fn decode(operation: &str, status: u16, body: &[u8]) -> Result<(), Error> {
    let result = run(operation, status, body);
    if let Err(error) = &result {
        let _ = format!("{error} {error:?}");
    }
    result
}

fn run(operation: &str, status: u16, body: &[u8]) -> Result<(), Error> {
    if !OPERATIONS.contains(&operation) {
        return Err(Error::Construction(ConstructionError::Configuration {
            message: format!("no operation named '{operation}'"),
        }));
    }
    let email = "fuzz@example.com";
    match operation {
        "ListApiKeys" => {
            // The SDK's own listing type: both paths decode straight into `ApiKey`s.
            typed::<ListingData>(operation, status, body)?.into_listing()?;
        }
        "CreateApiKey" => {
            let data = typed::<create_api_key::ResponseData>(operation, status, body)?;
            crate::create::created_from(data)?;
        }
        "CreateApiKeyPreflight" => {
            let data = typed::<create_api_key_preflight::ResponseData>(operation, status, body)?;
            let (_, caller) = crate::create::preflight_from(data, email)?;
            let _ = caller.grantable();
        }
        "OrganizationUsersByEmail" => {
            let data = typed::<organization_users_by_email::ResponseData>(operation, status, body)?;
            crate::members::member_with_email(data, email)?;
        }
        "RevokeApiKey" => {
            let data = typed::<revoke_api_key::ResponseData>(operation, status, body)?;
            crate::api_keys::revoked_from(data)?;
        }
        "UserById" => {
            let data = typed::<user_by_id::ResponseData>(operation, status, body)?;
            let _ = crate::api_keys::user_by_id_from(data);
        }
        "CurrentUser" => {
            let data = typed::<current_user::ResponseData>(operation, status, body)?;
            crate::account::current_user_from(data)?;
        }
        "Organization" => {
            let data = typed::<organization::ResponseData>(operation, status, body)?;
            crate::account::organization_from(data)?;
        }
        "Roles" => {
            let data = typed::<roles::ResponseData>(operation, status, body)?;
            let _ = crate::account::roles_from(data);
        }
        "CallerPermissions" => {
            let data = typed::<caller_permissions::ResponseData>(operation, status, body)?;
            crate::account::permissions_from(data)?;
        }
        "RolesWithIdsAndPermissions" => {
            let data =
                typed::<roles_with_ids_and_permissions::ResponseData>(operation, status, body)?;
            let _ = crate::account::roles_with_permissions_from(data);
        }
        "UserOrgRole" => {
            let data = typed::<user_org_role::ResponseData>(operation, status, body)?;
            let _ = crate::members::org_role_from(data);
        }
        "UserOrganization" => {
            let data = typed::<user_organization::ResponseData>(operation, status, body)?;
            let _ = crate::members::user_organization_from(data);
        }
        "OrganizationMembers" => {
            let data = typed::<organization_members::ResponseData>(operation, status, body)?;
            crate::members::members_from(data)?;
        }
        "OrganizationMembersPage" => {
            let data = typed::<organization_members_page::ResponseData>(operation, status, body)?;
            crate::members::members_page_from(data)?;
        }
        "OrganizationMembersWithRoles" => {
            let data =
                typed::<organization_members_with_roles::ResponseData>(operation, status, body)?;
            crate::members::members_with_roles_from(data)?;
        }
        "SetUserOrgRole" => {
            let data = typed::<set_user_org_role::ResponseData>(operation, status, body)?;
            crate::members::set_role_from(data)?;
        }
        "RemoveMember" => {
            let data = typed::<remove_member::ResponseData>(operation, status, body)?;
            crate::members::removed_from(data)?;
        }
        "Overview" => {
            // The listing's own type under `keys`, the generated types elsewhere.
            let data = typed::<crate::overview::OverviewData>(operation, status, body)?;
            crate::overview::overview_from(data)?;
        }
        "InvitePreflight" => {
            let data = typed::<invite_preflight::ResponseData>(operation, status, body)?;
            crate::invites::preflight_from(data)?;
        }
        "CreateInvite" => {
            let data = typed::<create_invite::ResponseData>(operation, status, body)?;
            crate::invites::created_from(data)?;
        }
        "InviteMembers" => {
            let data = typed::<invite_members::ResponseData>(operation, status, body)?;
            crate::invites::results_from(data)?;
        }
        "ListInvites" => {
            let data = typed::<list_invites::ResponseData>(operation, status, body)?;
            crate::invites::page_from(data)?;
        }
        "CancelInvite" => {
            let data = typed::<cancel_invite::ResponseData>(operation, status, body)?;
            crate::invites::cancelled_from(data)?;
        }
        "InvitesLimit" => {
            let data = typed::<invites_limit::ResponseData>(operation, status, body)?;
            crate::invites::limit_from(data)?;
        }
        // Generated but not used by an SDK method (no domain mapping): decoding only.
        "RolesWithPermissions" => {
            typed::<roles_with_permissions::ResponseData>(operation, status, body)?;
        }
        "Users" => {
            typed::<users::ResponseData>(operation, status, body)?;
        }
        "UsersByEmail" => {
            typed::<users_by_email::ResponseData>(operation, status, body)?;
        }
        other => {
            return Err(Error::Construction(ConstructionError::Configuration {
                message: format!("operation '{other}' has no decoder in the fuzz entry point"),
            }))
        }
    }
    Ok(())
}

/// What a listing does with an answer, exactly as [`crate::Client::list_api_keys`] runs it:
/// the one-pass decoding of a plain success straight into [`crate::ApiKey`]s
/// (`crate::listing_data` through `decode_success`), else classification and the `Value`
/// path into the same type (expired keys included). Unlike [`decode`], it does not also run
/// the `Value` path on a plain success, so its cost (time, allocations) is the listing's
/// own: the allocation guard (`tests/allocations.rs`) and the benchmarks measure it.
pub fn decode_listing(status: u16, body: &[u8]) -> Result<Vec<crate::ApiKey>, Error> {
    let data = match decode_success::<ListingData>(status, body) {
        Some(data) => data,
        None => {
            let data = classify_http_answer("ListApiKeys", status, None, body, FUZZ_API_KEY)?;
            decode_data("ListApiKeys", data, FUZZ_API_KEY)?
        }
    };
    Ok(data.into_listing()?.keys)
}

/// The listing through the `Value` path alone (classification, then the value-free
/// decoding of `data` into the same listing type), expired keys included: what an answer
/// the one-pass decoding refuses gets, to compare the two paths with.
pub fn decode_listing_by_value(status: u16, body: &[u8]) -> Result<Vec<crate::ApiKey>, Error> {
    let data = classify_http_answer("ListApiKeys", status, None, body, FUZZ_API_KEY)?;
    let data: ListingData = decode_data("ListApiKeys", data, FUZZ_API_KEY)?;
    Ok(data.into_listing()?.keys)
}

/// The listing's `Deserialize` (`crate::listing_data`) on a whole answer
/// (`{"data":{"user":...}}`) read by any serde deserializer, so that the benchmarks can
/// compare parsers on the SDK's own type: the keys (expired ones included), `None` when
/// `data` or `user` is null.
pub fn listing_from_answer<'de, D: serde::Deserializer<'de>>(
    deserializer: D,
) -> Result<Option<Vec<crate::ApiKey>>, D::Error> {
    #[derive(serde::Deserialize)]
    struct Answer {
        data: Option<ListingData>,
    }
    let answer = <Answer as serde::Deserialize>::deserialize(deserializer)?;
    Ok(answer
        .data
        .and_then(|data| data.into_listing().ok())
        .map(|listing| listing.keys))
}

/// The caller's id and the keys of a plain-success listing body, as the listing reads
/// them (`None` where the one-pass decoding leaves the body to the `Value` path).
pub fn read_listing(body: &[u8]) -> Option<(UserId, Vec<crate::ApiKey>)> {
    let listing = decode_success::<ListingData>(200, body)?
        .into_listing()
        .ok()?;
    Some((listing.caller, listing.keys))
}

/// What the transport does with one answer: the one-pass decoding of a plain success
/// ([`decode_success`]), else classification and decoding through a `serde_json::Value`.
///
/// Where the one-pass decoding succeeds, the `Value` path must give the same data unless it
/// rejects the body as not JSON (the one-pass decoding skips fields the operation does not
/// select, without checking their numbers' range or their escapes); anything else is a bug
/// and panics, so that the fuzzer reports it.
fn typed<T: DeserializeOwned + PartialEq + std::fmt::Debug>(
    operation: &str,
    status: u16,
    body: &[u8],
) -> Result<T, Error> {
    let slow = classify_http_answer(operation, status, None, body, FUZZ_API_KEY)
        .map_err(Error::from)
        .and_then(|data| decode_data::<T>(operation, data, FUZZ_API_KEY));
    match decode_success::<T>(status, body) {
        Some(fast) => {
            match &slow {
                Ok(slow) => assert_eq!(&fast, slow, "one-pass and Value decoding disagree"),
                Err(error) => assert!(
                    serde_json::from_slice::<serde_json::Value>(body).is_err(),
                    "one-pass decoding accepted what the Value path refuses: {error:?}"
                ),
            }
            Ok(fast)
        }
        None => slow,
    }
}

/// [`crate`]'s scrubbing of server text: `text` with `api_key` and JWT-like tokens
/// replaced by `[REDACTED]`.
pub fn scrub(text: &str, api_key: &str) -> String {
    labelbox_core::redact_secrets(text, api_key).unwrap_or_else(|| text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ResponseError, ServiceError};

    #[test]
    fn every_generated_operation_has_a_decoder() {
        for operation in OPERATIONS {
            if let Err(Error::Construction(ConstructionError::Configuration { message })) =
                decode(operation, 200, br#"{"data":{}}"#)
            {
                panic!("{operation}: {message}");
            }
        }
        assert!(matches!(
            decode("NoSuchOperation", 200, b"{}"),
            Err(Error::Construction(ConstructionError::Configuration { .. }))
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
            matches!(error, Error::Response(ResponseError::Decode { ref path, .. }) if path == "user.apiKeys[0].expiresAtEpoch"),
            "{error:?}"
        );
        let body = br#"{"data":{"user":{"id":"u","apiKeys":[],"apiKeysOtherUsers":[{"id":"k",
            "name":"n","createdAt":"2024-01-01T00:00:00Z","updatedAt":"2024-01-01T00:00:00Z",
            "revoked":false,"expiresAtEpoch":1,"userId":"u","userEmail":"a@b",
            "createdByUserId":null,"allowedIpCidrs":["10.0.0.0/8","nonsense"]}]}}}"#;
        let error = decode("ListApiKeys", 200, body).unwrap_err();
        assert!(
            matches!(error, Error::Response(ResponseError::Decode { ref path, .. })
                if path == "user.apiKeysOtherUsers[0].allowedIpCidrs[1]"),
            "{error:?}"
        );
        assert!(matches!(
            decode("RevokeApiKey", 200, br#"{"data":{"updateApiKey":null}}"#),
            Err(Error::Response(ResponseError::MissingData { .. }))
        ));
        decode(
            "RevokeApiKey",
            200,
            br#"{"data":{"updateApiKey":{"id":"k"}}}"#,
        )
        .unwrap();
        assert!(matches!(
            decode("CurrentUser", 502, b"<html>"),
            Err(Error::Service(ServiceError::InternalServer { .. }))
        ));
    }
}
