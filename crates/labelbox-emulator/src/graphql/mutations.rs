//! The mutations: creating and revoking keys, changing and removing members (invites are
//! `invites.rs`'s).

use apollo_compiler::resolvers::{FieldError, ObjectValue, ResolveInfo, ResolvedValue};
use apollo_compiler::response::{JsonMap, JsonValue};

use crate::auth::{self, Claims};
use crate::roles::{self, RoleDef, MANAGE_API_KEYS};
use crate::state::{self, State, UserRecord};

use super::errors::{code, field_error};
use super::fields::{obj_arg, str_arg};
use super::member_rules::{invalid_role_message, member_role, require_member_manager};
use super::resolvers::{ApiKeyObj, ApiKeyWithJwtObj, Ctx, RoleObj, UserObj};

/// Minimum key validity, seconds.
pub const MIN_VALIDITY: i64 = 60;
/// Maximum key validity (25 weeks), seconds.
pub const MAX_VALIDITY: i64 = 15_120_000;
/// Longest key name accepted by `createApiKey`, in characters (after trimming). The
/// contract names no limit; this one keeps every name a listing carries small.
pub const MAX_KEY_NAME_CHARS: usize = 1_000;

pub(crate) struct MutationRoot<'c, 's> {
    pub ctx: &'c Ctx<'s>,
}

impl ObjectValue for MutationRoot<'_, '_> {
    fn type_name(&self) -> &str {
        "Mutation"
    }

    fn resolve_field<'a>(
        &'a self,
        info: &'a ResolveInfo<'a>,
    ) -> Result<ResolvedValue<'a>, FieldError> {
        let args = info.arguments();
        match info.field_name() {
            "createApiKey" => {
                let data = obj_arg(args, "data").ok_or_else(|| {
                    field_error(code::MALFORMED_REQUEST, "createApiKey needs `data`")
                })?;
                let created = self.create_api_key(data)?;
                Ok(ResolvedValue::object(created))
            }
            "updateApiKey" => {
                let id = obj_arg(args, "where")
                    .and_then(|w| str_arg(w, "id"))
                    .unwrap_or_default();
                let revoked = obj_arg(args, "data")
                    .and_then(|d| d.get("revoked"))
                    .and_then(JsonValue::as_bool);
                let key = self.update_api_key(id, revoked)?;
                Ok(ResolvedValue::object(key))
            }
            "setOrganizationRole" => {
                let data = obj_arg(args, "data");
                let user_id = data.and_then(|d| str_arg(d, "userId")).unwrap_or_default();
                let role_id = data.and_then(|d| str_arg(d, "roleId")).unwrap_or_default();
                let role = self.set_organization_role(user_id, role_id)?;
                Ok(ResolvedValue::object(RoleObj { role }))
            }
            "createInvites" | "inviteMembers" | "cancelInvite" => {
                super::invites::resolve(self.ctx, info)
            }
            "updateUser" => {
                let id = obj_arg(args, "where")
                    .and_then(|w| str_arg(w, "id"))
                    .unwrap_or_default();
                let deleted = obj_arg(args, "data")
                    .and_then(|d| d.get("deleted"))
                    .and_then(JsonValue::as_bool);
                let user = self.update_user(id, deleted)?;
                Ok(ResolvedValue::object(UserObj {
                    ctx: self.ctx,
                    user,
                }))
            }
            _ => Err(self.unknown_field_error(info)),
        }
    }
}

/// `createApiKey`'s answer to a name with a control character (U+0000-U+001F,
/// U+007F-U+009F): a rule of the emulator's own (the real API's is not known), so that keys
/// it creates carry names that terminals and environment variables can hold.
pub(crate) const KEY_NAME_CONTROL_CHARACTERS_MESSAGE: &str =
    "name must not contain control characters (U+0000-U+001F, U+007F-U+009F; the emulator's \
     own rule)";

impl<'c, 's> MutationRoot<'c, 's> {
    fn create_api_key(&self, data: &JsonMap) -> Result<ApiKeyWithJwtObj, FieldError> {
        let ctx = self.ctx;
        let caller = ctx.caller;
        if !caller.can(MANAGE_API_KEYS) {
            return Err(field_error(
                code::AUTHORIZATION_ERROR,
                format!(
                    "You do not have permission to create API keys (this key's effective permissions lack {MANAGE_API_KEYS}: {})",
                    caller.roles_text()
                ),
            ));
        }
        let name = str_arg(data, "name").unwrap_or_default();
        if name.trim().is_empty() {
            return Err(field_error(
                code::MALFORMED_REQUEST,
                "name must be a non-empty string",
            ));
        }
        if name.trim().chars().count() > MAX_KEY_NAME_CHARS {
            return Err(field_error(
                code::MALFORMED_REQUEST,
                format!("name must be at most {MAX_KEY_NAME_CHARS} characters"),
            ));
        }
        if ctx.key_name_rule && name.chars().any(char::is_control) {
            return Err(field_error(
                code::MALFORMED_REQUEST,
                KEY_NAME_CONTROL_CHARACTERS_MESSAGE,
            ));
        }
        let allowed = match data.get("allowedIpCidrs") {
            None | Some(JsonValue::Null) => None,
            Some(JsonValue::Array(items)) => {
                let entries: Vec<String> = items
                    .iter()
                    .map(|v| v.as_str().unwrap_or_default().to_owned())
                    .collect();
                Some(
                    crate::allowlist::normalise_allowlist(&entries)
                        .map_err(|m| field_error(code::MALFORMED_REQUEST, m))?,
                )
            }
            Some(_) => {
                return Err(field_error(
                    code::MALFORMED_REQUEST,
                    "allowedIpCidrs must be a list of IP addresses or CIDR ranges",
                ))
            }
        };
        let validity = match data.get("validitySeconds").and_then(JsonValue::as_i64) {
            None => MAX_VALIDITY,
            Some(v) if v < 0 => {
                return Err(field_error(
                    code::MALFORMED_REQUEST,
                    "validity must be a positive integer",
                ))
            }
            Some(v) if v < MIN_VALIDITY => {
                return Err(field_error(
                    code::MALFORMED_REQUEST,
                    "Minimum validity period is 1 minute",
                ))
            }
            Some(v) if v > MAX_VALIDITY => {
                return Err(field_error(
                    code::MALFORMED_REQUEST,
                    "Maximum validity period is 6 months (or 25 weeks)",
                ))
            }
            Some(v) => v,
        };
        let email = str_arg(data, "targetUserEmailId").unwrap_or_default();
        let mut state = ctx.state.borrow_mut();
        let target = state.user_by_email(email).cloned().ok_or_else(|| {
            field_error(
                code::MALFORMED_REQUEST,
                format!("User with email '{email}' does not exist in the organization"),
            )
        })?;
        let grantable = roles::grantable_names(caller.permissions());
        let role_name = str_arg(data, "role").unwrap_or(&target.role);
        let role = roles::role_by_name(role_name).ok_or_else(|| {
            field_error(code::MALFORMED_REQUEST, invalid_role_message(&grantable))
        })?;
        if !roles::grantable(role, caller.permissions()) {
            return Err(field_error(
                code::AUTHORIZATION_ERROR,
                invalid_role_message(&grantable),
            ));
        }
        let id = loop {
            let id = state::random_id().map_err(|e| field_error(code::INTERNAL_SERVER_ERROR, e))?;
            if !state.keys.contains_key(&id) {
                break id;
            }
        };
        let iat = ctx.now.unix_timestamp();
        let claims = Claims {
            jti: id.clone(),
            sub: target.id.clone(),
            org: state.organization.id.clone(),
            iat,
            exp: iat + validity,
            nonce: Some(
                state::random_id().map_err(|e| field_error(code::INTERNAL_SERVER_ERROR, e))?,
            ),
        };
        let jwt =
            auth::mint(&state, &claims).map_err(|m| field_error(code::INTERNAL_SERVER_ERROR, m))?;
        let record = auth::record(
            &claims,
            &jwt,
            name.trim(),
            role.name,
            Some(caller.user_id.clone()),
            allowed,
            ctx.now,
        );
        state.keys.insert(id.clone(), record);
        ctx.mutated.set(true);
        Ok(ApiKeyWithJwtObj { id, jwt })
    }

    /// The member `user_id` for a change by the caller: the caller needs
    /// `MANAGE_MEMBERS`, the member must be visible to the caller (else not found, as an
    /// unknown id), and the member's current role must be within the caller's effective
    /// permissions (nobody changes or removes a member above them).
    fn member_to_manage(&self, state: &State, user_id: &str) -> Result<UserRecord, FieldError> {
        let ctx = self.ctx;
        let caller = ctx.caller;
        require_member_manager(caller)?;
        let target = state
            .user_by_id(user_id)
            .filter(|_| ctx.may_see_user(user_id))
            .cloned()
            .ok_or_else(|| {
                field_error(
                    code::RESOURCE_NOT_FOUND,
                    format!("User with id '{user_id}' was not found"),
                )
            })?;
        let current = roles::role_by_name(&target.role).ok_or_else(|| {
            field_error(code::INTERNAL_SERVER_ERROR, "the member's role is unknown")
        })?;
        if !roles::covered_by(current, caller.permissions()) {
            return Err(field_error(
                code::AUTHORIZATION_ERROR,
                format!(
                    "You do not have permission to manage a member whose role is {} ({})",
                    current.name,
                    caller.roles_text()
                ),
            ));
        }
        Ok(target)
    }

    /// Refuses a change that would leave the organization without an Admin: `target` is
    /// its only remaining member with the role `Admin`, and loses it.
    fn keep_an_admin(state: &State, target: &UserRecord) -> Result<(), FieldError> {
        let admins = state.members().filter(|u| u.role == "Admin").count();
        if target.role == "Admin" && admins <= 1 {
            return Err(field_error(
                code::OPERATION_NOT_ALLOWED,
                "The last Admin of the organization can be neither demoted nor removed",
            ));
        }
        Ok(())
    }

    fn set_organization_role(
        &self,
        user_id: &str,
        role_id: &str,
    ) -> Result<&'static RoleDef, FieldError> {
        let ctx = self.ctx;
        let caller = ctx.caller;
        let mut state = ctx.state.borrow_mut();
        let target = self.member_to_manage(&state, user_id)?;
        // `None` (a project-based member) may be given; `Tenant Admin` never.
        let role = member_role(role_id, caller.permissions())?;
        if role.name != target.role {
            Self::keep_an_admin(&state, &target)?;
            if let Some(user) = state.users.iter_mut().find(|u| u.id == target.id) {
                user.role = role.name.to_owned();
            }
            ctx.mutated.set(true);
        }
        Ok(role)
    }

    fn update_user(&self, user_id: &str, deleted: Option<bool>) -> Result<UserRecord, FieldError> {
        let ctx = self.ctx;
        let mut state = ctx.state.borrow_mut();
        let mut target = self.member_to_manage(&state, user_id)?;
        // Nothing else of a user can be updated here; `deleted: false` on a member is no
        // change (a removed user is not found above, so never comes back).
        if deleted == Some(true) {
            Self::keep_an_admin(&state, &target)?;
            if let Some(user) = state.users.iter_mut().find(|u| u.id == target.id) {
                user.deleted = true;
            }
            target.deleted = true;
            ctx.mutated.set(true);
        }
        Ok(target)
    }

    fn update_api_key(
        &self,
        id: &str,
        revoked: Option<bool>,
    ) -> Result<ApiKeyObj<'c, 's>, FieldError> {
        let ctx = self.ctx;
        let caller = ctx.caller;
        let mut state = ctx.state.borrow_mut();
        let Some(key) = state.keys.get(id) else {
            return Err(field_error(
                code::RESOURCE_NOT_FOUND,
                format!("API key with id '{id}' was not found"),
            ));
        };
        // The calling key itself; any key with the permission; a key of the caller's own
        // user only when its role is within the caller's effective permissions (a
        // down-scoped key never revokes a stronger key of its user).
        let may_manage = key.id == caller.key_id
            || caller.can(MANAGE_API_KEYS)
            || (key.user_id == caller.user_id
                && roles::role_by_name(&key.role)
                    .is_some_and(|role| roles::covered_by(role, caller.permissions())));
        if !may_manage {
            return Err(field_error(
                code::AUTHORIZATION_ERROR,
                format!(
                    "You do not have permission to update this API key ({})",
                    caller.roles_text()
                ),
            ));
        }
        match (revoked, key.revoked) {
            (Some(true), false) => {
                let now = ctx.now;
                if let Some(key) = state.keys.get_mut(id) {
                    key.revoked = true;
                    key.updated_at = now;
                }
                ctx.mutated.set(true);
            }
            (Some(false), true) => {
                return Err(field_error(
                    code::MALFORMED_REQUEST,
                    "A revoked API key cannot be restored",
                ))
            }
            // Revoking a revoked key, or no change requested: idempotent.
            _ => {}
        }
        let key = state.keys.get(id).ok_or_else(|| {
            field_error(
                code::INTERNAL_SERVER_ERROR,
                "the key vanished during update",
            )
        })?;
        Ok(ApiKeyObj::new(ctx, key.clone()))
    }
}
