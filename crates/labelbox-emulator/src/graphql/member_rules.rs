//! Who may give which role to a member, shared by `setOrganizationRole` and the invites:
//! the caller needs `MANAGE_MEMBERS`, and the role must be assignable by its effective
//! permissions (`None` included, `Tenant Admin` never).

use apollo_compiler::resolvers::FieldError;

use crate::auth::Caller;
use crate::roles::{self, RoleDef, MANAGE_MEMBERS};

use super::errors::{code, field_error};

/// Refuses (`AUTHORIZATION_ERROR`) a caller whose effective permissions lack
/// [`MANAGE_MEMBERS`]: changing, removing and inviting members, cancelling invites.
pub(crate) fn require_member_manager(caller: &Caller) -> Result<(), FieldError> {
    if caller.can(MANAGE_MEMBERS) {
        return Ok(());
    }
    Err(field_error(
        code::AUTHORIZATION_ERROR,
        format!(
            "You do not have permission to manage members (this key's effective permissions lack {MANAGE_MEMBERS}: {})",
            caller.roles_text()
        ),
    ))
}

/// The role `role_id` for a member (`setOrganizationRole`, invites), if the caller holding
/// `permissions` may give it: `MALFORMED_REQUEST` for an unknown id, `AUTHORIZATION_ERROR`
/// listing the roles it may give for `Tenant Admin` or a role above it.
pub(crate) fn member_role(
    role_id: &str,
    permissions: &[&'static str],
) -> Result<&'static RoleDef, FieldError> {
    let role = roles::role_by_id(role_id).ok_or_else(|| {
        field_error(
            code::MALFORMED_REQUEST,
            format!("Role with id '{role_id}' does not exist"),
        )
    })?;
    if !roles::assignable(role, permissions) {
        return Err(field_error(
            code::AUTHORIZATION_ERROR,
            invalid_role_message(&roles::assignable_names(permissions)),
        ));
    }
    Ok(role)
}

/// The message listing the roles a caller may grant, formatted like the reference client's.
pub(crate) fn invalid_role_message(grantable: &[&str]) -> String {
    let list: Vec<String> = grantable.iter().map(|n| format!("'{n}'")).collect();
    format!(
        "Invalid role specified. Allowed roles are: [{}]",
        list.join(", ")
    )
}
