//! The invite mutations: `createInvites`, `inviteMembers` and `cancelInvite`. Each needs
//! `MANAGE_MEMBERS`; an invite may give any role the caller may give a member (`None`
//! included, `Tenant Admin` never: `member_rules.rs`); invites naming projects or groups
//! are refused (`RESOURCE_NOT_FOUND`: the emulator has none). Every input is checked before
//! anything changes, so a refused request changes nothing.

use apollo_compiler::resolvers::{FieldError, ResolveInfo, ResolvedValue};
use apollo_compiler::response::{JsonMap, JsonValue};

use crate::invites::{self, InviteRecord, MAX_BULK_EMAILS, MAX_EMAIL_CHARS};
use crate::roles::RoleDef;
use crate::state::State;

use super::errors::{code, field_error};
use super::fields::{obj_arg, str_arg};
use super::member_rules::{member_role, require_member_manager};
use super::resolvers::{CreateInviteResultObj, Ctx, InviteMembersResultObj, InviteObj};

/// The refusal of an invite naming projects or user groups.
pub(crate) const NO_PROJECTS_OR_GROUPS: &str =
    "The emulator has no projects or user groups: an invite can name none (projects, \
     projectIds, userGroupIds, userGroupWithRoleIds and groupIds must be empty)";

/// Resolves the invite mutation `info` names.
pub(crate) fn resolve<'a>(
    ctx: &'a Ctx<'_>,
    info: &'a ResolveInfo<'a>,
) -> Result<ResolvedValue<'a>, FieldError> {
    require_member_manager(ctx.caller)?;
    let args = info.arguments();
    match info.field_name() {
        "createInvites" => {
            let inputs: Vec<&JsonMap> = match args.get("data") {
                Some(JsonValue::Array(items)) => {
                    items.iter().filter_map(JsonValue::as_object).collect()
                }
                _ => {
                    return Err(field_error(
                        code::MALFORMED_REQUEST,
                        "createInvites needs `data`: a list of invites",
                    ))
                }
            };
            if inputs.len() > MAX_BULK_EMAILS {
                return Err(field_error(
                    code::MALFORMED_REQUEST,
                    format!("createInvites takes at most {MAX_BULK_EMAILS} invites a request"),
                ));
            }
            let created = create_invites(ctx, &inputs)?;
            Ok(ResolvedValue::list(
                created
                    .into_iter()
                    .map(|invite| ResolvedValue::object(CreateInviteResultObj { ctx, invite }))
                    .collect::<Vec<_>>(),
            ))
        }
        "inviteMembers" => {
            let data = obj_arg(args, "data").ok_or_else(|| {
                field_error(code::MALFORMED_REQUEST, "inviteMembers needs `data`")
            })?;
            let results = invite_members(ctx, data)?;
            Ok(ResolvedValue::object(InviteMembersResultObj { results }))
        }
        "cancelInvite" => {
            let id = obj_arg(args, "where")
                .and_then(|w| str_arg(w, "id"))
                .unwrap_or_default();
            let invite = cancel_invite(ctx, id)?;
            Ok(ResolvedValue::object(InviteObj { ctx, invite }))
        }
        other => Err(field_error(
            code::INTERNAL_SERVER_ERROR,
            format!("{other} is not an invite mutation"),
        )),
    }
}

/// Refuses a non-empty list in `map`'s fields `names`: the emulator has no projects or
/// groups, so any id there names nothing.
fn no_projects_or_groups(map: &JsonMap, names: &[&str]) -> Result<(), FieldError> {
    let named = names.iter().any(|name| match map.get(*name) {
        Some(JsonValue::Array(items)) => !items.is_empty(),
        None | Some(JsonValue::Null) => false,
        Some(_) => true,
    });
    if named {
        return Err(field_error(code::RESOURCE_NOT_FOUND, NO_PROJECTS_OR_GROUPS));
    }
    Ok(())
}

/// One checked input of `createInvites`.
struct CheckedInvite {
    email: String,
    role: &'static RoleDef,
}

/// `createInvites`: every input checked first (the inviter is the caller, the organization
/// the caller's, no project or group, a role the caller may give, an email), then one
/// invite each, a second invite for an email already invited included; a member's email
/// gets no invite (`invite: null`, as the official SDK expects for one's own email). Past
/// the invite limit: `OPERATION_NOT_ALLOWED`, and nothing is invited.
fn create_invites(
    ctx: &Ctx<'_>,
    inputs: &[&JsonMap],
) -> Result<Vec<Option<InviteRecord>>, FieldError> {
    let caller = ctx.caller;
    let mut state = ctx.state.borrow_mut();
    let mut checked = Vec::with_capacity(inputs.len());
    for input in inputs {
        let inviter = str_arg(input, "inviterId").unwrap_or_default();
        if inviter != caller.user_id {
            return Err(field_error(
                code::AUTHORIZATION_ERROR,
                "An invite is sent in the caller's own name: inviterId must be the caller's user id",
            ));
        }
        let organization = str_arg(input, "organizationId").unwrap_or_default();
        if organization != state.organization.id {
            return Err(field_error(
                code::RESOURCE_NOT_FOUND,
                format!("Organization with id '{organization}' was not found"),
            ));
        }
        no_projects_or_groups(input, &["projects", "userGroupIds", "userGroupWithRoleIds"])?;
        let role = member_role(
            str_arg(input, "organizationRoleId").unwrap_or_default(),
            caller.permissions(),
        )?;
        let raw = str_arg(input, "inviteeEmail").unwrap_or_default();
        let email = invites::normalise_email(raw).ok_or_else(|| {
            field_error(
                code::MALFORMED_REQUEST,
                format!("inviteeEmail must be an email of at most {MAX_EMAIL_CHARS} characters"),
            )
        })?;
        checked.push(CheckedInvite { email, role });
    }
    let new = checked
        .iter()
        .filter(|c| state.user_by_email(&c.email).is_none())
        .count();
    let usage = invites::usage(&state);
    if u64::try_from(new).unwrap_or(u64::MAX) > usage.remaining() {
        return Err(field_error(
            code::OPERATION_NOT_ALLOWED,
            format!(
                "The organization's invite limit is reached: {} of {} used by members and pending invites",
                usage.used, usage.limit
            ),
        ));
    }
    let mut created = Vec::with_capacity(checked.len());
    for invite in checked {
        if state.user_by_email(&invite.email).is_some() {
            created.push(None);
            continue;
        }
        let record = add(
            &mut state,
            &invite.email,
            invite.role.name,
            &caller.user_id,
            ctx,
        )?;
        created.push(Some(record));
    }
    Ok(created)
}

fn add(
    state: &mut State,
    email: &str,
    role: &str,
    inviter: &str,
    ctx: &Ctx<'_>,
) -> Result<InviteRecord, FieldError> {
    let record = invites::add(state, email, role, inviter, ctx.now)
        .map_err(|e| field_error(code::INTERNAL_SERVER_ERROR, e))?;
    ctx.mutated.set(true);
    Ok(record)
}

/// `inviteMembers`: one result per email (`crate::invites::invite_many`), after the request
/// as a whole is checked: 1 to 100 emails, none over 320 characters once trimmed (the whole
/// request is refused then, as Labelbox does), workspace-wide (`workspaceWide` true or
/// null; no project or group), a role the caller may give.
fn invite_members(ctx: &Ctx<'_>, data: &JsonMap) -> Result<Vec<invites::MemberResult>, FieldError> {
    let caller = ctx.caller;
    let emails: Vec<&str> = match data.get("emails") {
        Some(JsonValue::Array(items)) => items.iter().filter_map(JsonValue::as_str).collect(),
        _ => Vec::new(),
    };
    if emails.is_empty() || emails.len() > MAX_BULK_EMAILS {
        return Err(field_error(
            code::MALFORMED_REQUEST,
            format!("emails must hold from 1 to {MAX_BULK_EMAILS} addresses"),
        ));
    }
    if emails
        .iter()
        .any(|email| email.trim().chars().count() > MAX_EMAIL_CHARS)
    {
        return Err(field_error(
            code::MALFORMED_REQUEST,
            format!("every email must be at most {MAX_EMAIL_CHARS} characters"),
        ));
    }
    no_projects_or_groups(data, &["projectIds", "groupIds"])?;
    if data.get("workspaceWide").and_then(JsonValue::as_bool) == Some(false) {
        return Err(field_error(
            code::MALFORMED_REQUEST,
            "workspaceWide: false needs projectIds or groupIds",
        ));
    }
    let role = member_role(
        str_arg(data, "roleId").unwrap_or_default(),
        caller.permissions(),
    )?;
    let mut state = ctx.state.borrow_mut();
    let results = invites::invite_many(&mut state, &emails, role.name, &caller.user_id, ctx.now)
        .map_err(|e| field_error(code::INTERNAL_SERVER_ERROR, e))?;
    if results.iter().any(|r| r.status == invites::Status::Invited) {
        ctx.mutated.set(true);
    }
    Ok(results)
}

/// `cancelInvite(where: {id})`: the pending invite is removed; an unknown id (never sent,
/// cancelled or accepted already) is `RESOURCE_NOT_FOUND`.
fn cancel_invite(ctx: &Ctx<'_>, id: &str) -> Result<InviteRecord, FieldError> {
    let mut state = ctx.state.borrow_mut();
    let invite = invites::cancel(&mut state, id).ok_or_else(|| {
        field_error(
            code::RESOURCE_NOT_FOUND,
            format!("Invite with id '{id}' was not found"),
        )
    })?;
    ctx.mutated.set(true);
    Ok(invite)
}
