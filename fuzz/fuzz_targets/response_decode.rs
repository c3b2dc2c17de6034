//! Response decoding of every generated operation, through the SDK's own pipeline, and
//! the error classification of the response envelope.
//!
//! Input layout: byte 0 picks the operation (or, for one value, the `DateTime` scalar and
//! the SDK's scrubbing alone), byte 1 the HTTP status, the rest is the response body.
//!
//! What runs, for the chosen operation:
//! - `labelbox_sdk::__fuzz::decode`: the SDK's transport classification of (status, body)
//!   into `Error` variants, decoding of `data` into the operation's `ResponseData`, and the
//!   SDK's mapping into domain values (keys, users, roles, the created key);
//! - `graphql_client::Response<ResponseData>` from the body;
//! - the body as JSON: each `errors[]` entry read with the SDK's `graphql_error_from_json`,
//!   then `error_from_graphql_errors(errors, message)`;
//! - `data` decoded into `ResponseData` directly; for the key operations, the core
//!   conversions (allowlist entries through `AllowedIp::parse_lenient`, the created key's
//!   secret into `CreatedApiKey`).
//!
//! Invariants: nothing panics; every error's `Display` and `Debug` work, and neither ever
//! shows the client's API key or the JWT `SECRET_JWT` when the body carries them; the
//! classified error's accessors work; a created key's `Debug` does not depend on its
//! secret; the SDK's scrubbing removes the API key and is idempotent; every operation the
//! schema crate generates is covered; where the one-pass decoding (`serde_json` on the
//! body's bytes; for `ListApiKeys`, straight into `ApiKey`s) accepts a body, the `Value`
//! path gives the same data (asserted inside `sdk::decode`).
#![no_main]

use labelbox_core::{AllowedIp, CreatedApiKey, SecretString};
use labelbox_schema::graphql_client::{GraphQLQuery, Response};
use labelbox_schema::scalars::DateTime;
use labelbox_schema::{
    caller_permissions, create_api_key, create_api_key_preflight, current_user, list_api_keys,
    organization, organization_members, organization_members_page, organization_members_with_roles,
    overview,
    organization_users_by_email, remove_member, revoke_api_key, roles,
    roles_with_ids_and_permissions, roles_with_permissions, set_user_org_role, user_by_id,
    user_org_role, user_organization,
};
use labelbox_sdk::__fuzz::{self as sdk, FUZZ_API_KEY};
use labelbox_sdk::{ConstructionError, Error, GraphQlError, ResponseError, ServiceError};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

/// The planted JWT, the operations by input byte 0 and the statuses of byte 1: the input
/// format, defined once in the SDK's `__fuzz` module (the regression tests read it too).
const SECRET_JWT: &str = sdk::FUZZ_SECRET_JWT;
const OPERATION_NAMES: [&str; 20] = sdk::FUZZ_OPERATIONS;

/// Every operation the schema crate generates is one of `OPERATION_NAMES` (a new
/// operation must be added to this target).
fn check_every_operation_is_covered() {
    static CHECKED: std::sync::Once = std::sync::Once::new();
    CHECKED.call_once(|| {
        for name in sdk::OPERATIONS {
            assert!(
                OPERATION_NAMES.contains(name),
                "operation {name} is not fuzzed"
            );
        }
        assert_eq!(sdk::OPERATIONS.len(), OPERATION_NAMES.len());
    });
}

/// The SDK's whole pipeline for one answer.
fn sdk_decode(operation: &str, status: u16, body: &[u8]) {
    if let Err(error) = sdk::decode(operation, status, body) {
        assert!(
            !matches!(error, Error::Construction(ConstructionError::Configuration { .. })),
            "{operation} not decodable: {error}"
        );
        formats(&error);
        let shown = format!("{error}\n{error:?}");
        assert!(!shown.contains(FUZZ_API_KEY), "API key in error: {shown}");
        assert!(!shown.contains(SECRET_JWT), "JWT in error: {shown}");
    }
}

/// Statuses picked by byte 1 when its high bit is set (otherwise 200).
const STATUSES: [u16; 12] = sdk::FUZZ_STATUSES;

fn formats(error: &Error) {
    let _ = error.to_string();
    let _ = format!("{error:?}");
    let _ = error.is_retryable();
    let _ = error.code();
    let _ = error.status();
    let _ = error.retry_after();
    let _ = error.is_validation();
    for e in error.graphql_errors() {
        let _ = e.to_string();
        let _ = e.path_string();
    }
    let mut source = std::error::Error::source(error);
    while let Some(s) = source {
        let _ = s.to_string();
        source = s.source();
    }
}

/// The envelope, as the contract classifies it: GraphQL errors and the top-level message.
fn classify(status: u16, json: &Value) {
    let wire_errors = json.get("errors").and_then(Value::as_array);
    let errors: Vec<GraphQlError> = wire_errors
        .map(|errors| errors.iter().map(sdk::graphql_error_from_json).collect())
        .unwrap_or_default();
    if let Some(wire) = wire_errors {
        for (value, error) in wire.iter().zip(&errors) {
            // Reading is deterministic: the same entry gives the same error.
            assert_eq!(&sdk::graphql_error_from_json(value), error);
            let _ = error.to_string();
            let _ = format!("{error:?}");
        }
    }
    let message = json.get("message").and_then(Value::as_str);
    let had_errors = !errors.is_empty();
    match sdk::error_from_graphql_errors(errors, message) {
        Some(error) => formats(&error),
        None => assert!(!had_errors, "errors present but not classified"),
    }
    // The status-only rows the transport adds, built the same way.
    if status >= 500 {
        formats(&Error::Service(ServiceError::InternalServer {
            status: Some(status),
            message: message.map(str::to_owned),
            graphql_error: None,
        }));
    } else if status != 200 {
        formats(&Error::Service(ServiceError::HttpStatus {
            status,
            message: message.map(str::to_owned),
        }));
    }
}

fn api_key_fields(key: &list_api_keys::ApiKeyFields) {
    let _ = time::OffsetDateTime::from_unix_timestamp(key.expires_at_epoch);
    for entry in key.allowed_ip_cidrs.iter().flatten() {
        if let Ok(ip) = AllowedIp::parse_lenient(entry) {
            assert_eq!(AllowedIp::parse_lenient(&ip.to_string()), Ok(ip));
        }
    }
    let _ = key.created_at.to_string();
    let _ = key.updated_at.to_string();
}

fn domain<Q: GraphQLQuery>(data: &Q::ResponseData)
where
    Q::ResponseData: std::fmt::Debug + 'static,
{
    let any: &dyn std::any::Any = data;
    if let Some(data) = any.downcast_ref::<list_api_keys::ResponseData>() {
        if let Some(user) = &data.user {
            user.api_keys
                .iter()
                .chain(&user.api_keys_other_users)
                .for_each(api_key_fields);
        }
    } else if let Some(data) = any.downcast_ref::<create_api_key::ResponseData>() {
        if let Some(created) = &data.create_api_key {
            let key = CreatedApiKey::new(
                created.id.clone().into(),
                SecretString::from(created.jwt.clone()),
            );
            let other = CreatedApiKey::new(created.id.clone().into(), SecretString::from("x"));
            // Debug does not depend on the secret at all.
            assert_eq!(format!("{key:?}"), format!("{other:?}"), "secret in Debug");
        }
    }
}

fn decode<Q: GraphQLQuery>(status: u16, body: &[u8])
where
    Q::ResponseData: std::fmt::Debug + 'static,
{
    if let Ok(response) = serde_json::from_slice::<Response<Q::ResponseData>>(body) {
        let _ = format!("{:?}", response.data);
        for e in response.errors.iter().flatten() {
            let _ = e.to_string();
        }
    }
    let Ok(json) = serde_json::from_slice::<Value>(body) else {
        return;
    };
    classify(status, &json);
    if let Some(data) = json.get("data").filter(|d| !d.is_null()) {
        match serde_json::from_value::<Q::ResponseData>(data.clone()) {
            Ok(decoded) => {
                let _ = format!("{decoded:?}");
                domain::<Q>(&decoded);
            }
            Err(e) => {
                formats(&Error::Response(ResponseError::Decode {
                    operation: "fuzz".to_owned(),
                    path: String::new(),
                    message: e.to_string(),
                }));
            }
        }
    }
}

/// The lenient `DateTime` scalar: parse, and an accepted value written as RFC 3339 reads
/// back as the same instant. The SDK's scrubbing of server text: the API key never
/// survives it, and scrubbing twice changes nothing more.
fn text_only(body: &[u8]) {
    let Ok(text) = std::str::from_utf8(body) else {
        return;
    };
    if let Ok(parsed) = text.parse::<DateTime>() {
        let written = parsed.to_string();
        if let Ok(again) = written.parse::<DateTime>() {
            assert_eq!(again.0, parsed.0, "{text:?} -> {written:?}");
        }
    }
    // A refused date-time's error names no input (a secret may sit where a date belongs).
    if let Err(error) = text.parse::<DateTime>() {
        let shown = format!("{error} {error:?}");
        assert!(!shown.contains(FUZZ_API_KEY), "{text:?} -> {shown}");
        assert!(!shown.contains(SECRET_JWT), "{text:?} -> {shown}");
    }
    let _ = serde_json::from_slice::<DateTime>(body);
    let clean = sdk::scrub(text, FUZZ_API_KEY);
    assert!(!clean.contains(FUZZ_API_KEY), "{text:?} -> {clean:?}");
    assert!(!clean.contains(SECRET_JWT), "{text:?} -> {clean:?}");
    assert_eq!(sdk::scrub(&clean, FUZZ_API_KEY), clean, "{text:?}");
}

fuzz_target!(|data: &[u8]| {
    check_every_operation_is_covered();
    let [op, status, body @ ..] = data else {
        return;
    };
    let status = if status & 0x80 == 0 {
        200
    } else {
        STATUSES[usize::from(status & 0x7f) % STATUSES.len()]
    };
    let op = usize::from(*op) % (OPERATION_NAMES.len() + 1);
    if let Some(name) = OPERATION_NAMES.get(op) {
        sdk_decode(name, status, body);
    }
    match op {
        0 => decode::<list_api_keys::ListApiKeys>(status, body),
        1 => decode::<create_api_key::CreateApiKey>(status, body),
        2 => decode::<revoke_api_key::RevokeApiKey>(status, body),
        3 => decode::<caller_permissions::CallerPermissions>(status, body),
        4 => decode::<roles_with_permissions::RolesWithPermissions>(status, body),
        5 => decode::<roles::Roles>(status, body),
        6 => decode::<current_user::CurrentUser>(status, body),
        7 => decode::<user_by_id::UserById>(status, body),
        8 => decode::<organization_users_by_email::OrganizationUsersByEmail>(status, body),
        9 => decode::<organization::Organization>(status, body),
        10 => decode::<create_api_key_preflight::CreateApiKeyPreflight>(status, body),
        11 => decode::<roles_with_ids_and_permissions::RolesWithIdsAndPermissions>(status, body),
        12 => decode::<user_org_role::UserOrgRole>(status, body),
        13 => decode::<user_organization::UserOrganization>(status, body),
        14 => decode::<organization_members::OrganizationMembers>(status, body),
        15 => decode::<organization_members_page::OrganizationMembersPage>(status, body),
        16 => decode::<set_user_org_role::SetUserOrgRole>(status, body),
        17 => decode::<remove_member::RemoveMember>(status, body),
        18 => decode::<organization_members_with_roles::OrganizationMembersWithRoles>(status, body),
        19 => decode::<overview::Overview>(status, body),
        _ => text_only(body),
    }
});
