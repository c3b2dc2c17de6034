//! The per-client cache of what `create_api_key` needs to know about the caller.

use crate::Role;

/// The caller's permissions and the organization's roles (with permissions), as read by
/// the create preflight. Lives in one client (and its clones), never process-wide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct CallerContext {
    pub(crate) permissions: Vec<String>,
    pub(crate) roles: Vec<Role>,
}

impl CallerContext {
    /// The roles this caller may grant, in server order.
    pub(crate) fn grantable(&self) -> Vec<&Role> {
        crate::grantable_roles(&self.roles, &self.permissions)
    }
}
