//! What each field of each type of the schema is: one function per object type, from the
//! record, the state, the caller and the field's (coerced) arguments to a [`FieldValue`].
//!
//! Both ways a query is answered read fields here and nowhere else: apollo-compiler's
//! executor through the resolvers of `resolvers.rs` (its `ObjectValue` trait), and the
//! direct JSON writer of `writer.rs`. What the caller may see comes from `visibility.rs`.

use apollo_compiler::response::{JsonMap, JsonValue};
use time::OffsetDateTime;

use crate::auth::Caller;
use crate::invites::{InviteRecord, MemberResult, Usage};
use crate::roles::{self, RoleDef};
use crate::state::{KeyRecord, State, UserRecord};
use crate::visibility::{self, KeyList};

use super::errors::code;

/// What a field is.
pub(crate) enum FieldValue<'s> {
    Null,
    Str(&'s str),
    /// A string made for the answer (a cursor).
    Text(String),
    Bool(bool),
    /// A GraphQL `Int` (beyond 32 bits it is the executor's error).
    Int(i64),
    Date(OffsetDateTime),
    Strings(&'s [String]),
    Permissions(&'s [&'static str]),
    /// A `User` object.
    User(&'s UserRecord),
    /// A list of `User` objects.
    Users(Vec<&'s UserRecord>),
    /// The `Organization` object.
    Organization,
    /// A `Role` object.
    Role(&'static RoleDef),
    /// A list of `Role` objects.
    Roles(&'static [RoleDef]),
    /// An `OrganizationRole` object with these permissions.
    OrganizationRole(&'s [&'static str]),
    /// The `ApiKey` objects of the list `KeyList` of a user, as the caller sees them.
    Keys(&'s UserRecord, KeyList),
    /// An `Invite` object.
    Invite(&'s InviteRecord),
    /// A list of `Invite` objects.
    Invites(Vec<&'s InviteRecord>),
    /// An `InviteConnection` object: a page of invites and the next page's cursor.
    InvitePage(Vec<&'s InviteRecord>, Option<String>),
    /// The (always empty) list of `ProjectInvite` objects of an invite: the emulator has no
    /// projects.
    NoProjectInvites,
    /// An `InvitesLimit` object.
    InvitesLimit(Usage),
}

/// A field that has no value: an argument refused (its code and message), or a field the
/// type does not have.
pub(crate) enum Refusal {
    Refused(&'static str, String),
    UnknownField,
}

type Field<'s> = Result<FieldValue<'s>, Refusal>;

/// What a field reads: the state and the caller.
#[derive(Clone, Copy)]
pub(crate) struct Reader<'s> {
    pub state: &'s State,
    pub caller: &'s Caller,
}

pub(crate) fn str_arg<'a>(map: &'a JsonMap, name: &str) -> Option<&'a str> {
    map.get(name).and_then(JsonValue::as_str)
}

pub(crate) fn obj_arg<'a>(map: &'a JsonMap, name: &str) -> Option<&'a JsonMap> {
    map.get(name).and_then(JsonValue::as_object)
}

fn opt_str(value: Option<&str>) -> FieldValue<'_> {
    value.map_or(FieldValue::Null, FieldValue::Str)
}

/// A field of `Query`.
pub(crate) fn query<'s>(r: Reader<'s>, name: &str, args: &JsonMap) -> Field<'s> {
    Ok(match name {
        "user" => {
            let id = obj_arg(args, "where").map(|w| str_arg(w, "id").unwrap_or_default());
            visibility::queried_user(r.state, r.caller, id)
                .map_or(FieldValue::Null, FieldValue::User)
        }
        "organization" => FieldValue::Organization,
        "organizationRole" => {
            visibility::organization_role_permissions(r.state, r.caller, str_arg(args, "userId"))
                .map_or(FieldValue::Null, FieldValue::OrganizationRole)
        }
        "roles" => FieldValue::Roles(roles::builtin_roles()),
        // The root `users` lists what `organization.users` does.
        "users" => members(r, args)?,
        "invitesLimit" => {
            let id = obj_arg(args, "where").and_then(|w| str_arg(w, "id"));
            visibility::invites_limit(r.state, r.caller, id.unwrap_or_default())
                .map_or(FieldValue::Null, FieldValue::InvitesLimit)
        }
        _ => return Err(Refusal::UnknownField),
    })
}

/// `users(where: {email}, skip, first)`, of `Query` and of `Organization`.
fn members<'s>(r: Reader<'s>, args: &JsonMap) -> Field<'s> {
    let email = obj_arg(args, "where").and_then(|w| str_arg(w, "email"));
    let skip = args.get("skip").and_then(JsonValue::as_i64);
    let first = args.get("first").and_then(JsonValue::as_i64);
    let users = visibility::organization_users(r.state, r.caller, email, skip, first).map_err(
        |visibility::NegativePage| {
            Refusal::Refused(
                code::MALFORMED_REQUEST,
                "skip and first must not be negative".to_owned(),
            )
        },
    )?;
    Ok(FieldValue::Users(users))
}

/// A field of `User`.
pub(crate) fn user<'s>(r: Reader<'s>, user: &'s UserRecord, name: &str) -> Field<'s> {
    Ok(match name {
        "id" => FieldValue::Str(&user.id),
        "email" => FieldValue::Str(&user.email),
        "name" => FieldValue::Str(&user.name),
        "nickname" => opt_str(user.nickname.as_deref()),
        "picture" => opt_str(user.picture.as_deref()),
        "isExternalUser" => FieldValue::Bool(user.is_external_user),
        "isViewer" => FieldValue::Bool(user.id == r.caller.user_id),
        "createdAt" | "updatedAt" => FieldValue::Date(user.created_at),
        "lastLoginAt" => FieldValue::Null,
        "deleted" => FieldValue::Bool(user.deleted),
        "apiKeys" => FieldValue::Keys(user, KeyList::Own),
        "apiKeysOtherUsers" => FieldValue::Keys(user, KeyList::OtherUsers),
        // The user's organization role as the state holds it now (not a key's role).
        "orgRole" => roles::role_by_name(&user.role).map_or(FieldValue::Null, FieldValue::Role),
        "organization" => FieldValue::Organization,
        _ => return Err(Refusal::UnknownField),
    })
}

/// A field of `ApiKey`.
pub(crate) fn api_key<'s>(state: &'s State, key: &'s KeyRecord, name: &str) -> Field<'s> {
    Ok(match name {
        "id" => FieldValue::Str(&key.id),
        "name" => FieldValue::Str(&key.name),
        "createdAt" => FieldValue::Date(key.created_at),
        "updatedAt" => FieldValue::Date(key.updated_at),
        "revoked" => FieldValue::Bool(key.revoked),
        "expiresAtEpoch" => FieldValue::Int(key.expires_at),
        "userId" => FieldValue::Str(&key.user_id),
        "userEmail" => FieldValue::Str(
            state
                .user_by_id(&key.user_id)
                .map_or("", |u| u.email.as_str()),
        ),
        "createdByUserId" => opt_str(key.created_by_user_id.as_deref()),
        "allowedIpCidrs" => key
            .allowed_ip_cidrs
            .as_deref()
            .map_or(FieldValue::Null, FieldValue::Strings),
        _ => return Err(Refusal::UnknownField),
    })
}

/// A field of `Organization`.
pub(crate) fn organization<'s>(r: Reader<'s>, name: &str, args: &JsonMap) -> Field<'s> {
    let org = &r.state.organization;
    Ok(match name {
        "id" => FieldValue::Str(&org.id),
        "name" => FieldValue::Str(&org.name),
        "createdAt" | "updatedAt" => FieldValue::Date(org.created_at),
        "users" => members(r, args)?,
        "invites" => {
            // `PageSize` is a custom scalar: any JSON value gets here.
            let first = match args.get("first") {
                None | Some(JsonValue::Null) => None,
                Some(value) => Some(value.as_i64().unwrap_or(0)),
            };
            let (nodes, next) =
                visibility::invites(r.state, r.caller, str_arg(args, "from"), first)
                    .map_err(|e| Refusal::Refused(code::MALFORMED_REQUEST, e.message()))?;
            FieldValue::InvitePage(nodes, next)
        }
        _ => return Err(Refusal::UnknownField),
    })
}

/// A field of `Role`.
pub(crate) fn role(role: &'static RoleDef, name: &str) -> Field<'static> {
    Ok(match name {
        "id" => FieldValue::Str(role.id),
        "name" => FieldValue::Str(role.name),
        "permissions" => FieldValue::Permissions(&role.permissions),
        // Built-in roles belong to no organization.
        "organizationId" => FieldValue::Null,
        _ => return Err(Refusal::UnknownField),
    })
}

/// A field of `OrganizationRole`.
pub(crate) fn organization_role<'s>(permissions: &'s [&'static str], name: &str) -> Field<'s> {
    match name {
        "permissions" => Ok(FieldValue::Permissions(permissions)),
        _ => Err(Refusal::UnknownField),
    }
}

/// A field of `ApiKeyWithJwt` (the answer of `createApiKey`).
pub(crate) fn api_key_with_jwt<'s>(id: &'s str, jwt: &'s str, name: &str) -> Field<'s> {
    match name {
        "id" => Ok(FieldValue::Str(id)),
        "jwt" => Ok(FieldValue::Str(jwt)),
        _ => Err(Refusal::UnknownField),
    }
}

/// A field of `Invite`.
pub(crate) fn invite<'s>(r: Reader<'s>, invite: &'s InviteRecord, name: &str) -> Field<'s> {
    Ok(match name {
        "id" => FieldValue::Str(&invite.id),
        "createdAt" => FieldValue::Date(invite.created_at),
        "organizationRoleName" => FieldValue::Str(&invite.role),
        "inviteeEmail" => FieldValue::Str(&invite.email),
        "inviter" => visibility::queried_user(r.state, r.caller, Some(&invite.inviter_id))
            .map_or(FieldValue::Null, FieldValue::User),
        "projectInvites" => FieldValue::NoProjectInvites,
        _ => return Err(Refusal::UnknownField),
    })
}

/// A field of `InviteConnection` (a page of invites).
pub(crate) fn invite_page<'s>(
    nodes: &[&'s InviteRecord],
    next: Option<&str>,
    name: &str,
) -> Field<'s> {
    match name {
        "nodes" => Ok(FieldValue::Invites(nodes.to_vec())),
        "nextCursor" => Ok(next.map_or(FieldValue::Null, |n| FieldValue::Text(n.to_owned()))),
        _ => Err(Refusal::UnknownField),
    }
}

/// A field of `InvitesLimit`; counts beyond a GraphQL `Int` are answered as its largest.
pub(crate) fn invites_limit(usage: Usage, name: &str) -> Field<'static> {
    let int = |n: u64| FieldValue::Int(i64::try_from(n).unwrap_or(i64::MAX).min(i32::MAX.into()));
    match name {
        "used" => Ok(int(usage.used)),
        "limit" => Ok(int(usage.limit)),
        "remaining" => Ok(int(usage.remaining())),
        _ => Err(Refusal::UnknownField),
    }
}

/// A field of `CreateInviteResult` (an answer of `createInvites`).
pub(crate) fn create_invite_result<'s>(invite: Option<&'s InviteRecord>, name: &str) -> Field<'s> {
    match name {
        "invite" => Ok(invite.map_or(FieldValue::Null, FieldValue::Invite)),
        _ => Err(Refusal::UnknownField),
    }
}

/// A field of `InviteMemberResult` (one email's answer of `inviteMembers`).
pub(crate) fn invite_member_result<'s>(result: &'s MemberResult, name: &str) -> Field<'s> {
    Ok(match name {
        "email" => FieldValue::Str(&result.email),
        "status" => FieldValue::Str(result.status.as_str()),
        // No reason the emulator gives is more than its status says.
        "reason" => FieldValue::Null,
        "inviteId" => opt_str(result.invite_id.as_deref()),
        _ => return Err(Refusal::UnknownField),
    })
}
