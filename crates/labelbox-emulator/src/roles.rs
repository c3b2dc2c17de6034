//! The built-in organization roles and their permissions.
//!
//! The real permission strings are not public; these are invented, plausible names. Each role
//! holds every permission of the role below it (`None` < `Labeler` < `Reviewer` <
//! `Team Manager` < `Admin` < `Tenant Admin`). Creating and managing other users' API keys
//! needs [`MANAGE_API_KEYS`], held by `Admin` and `Tenant Admin` only; seeing other users
//! needs [`VIEW_MEMBERS`], held from `Team Manager` up.
//!
//! A key acts with its [effective permissions](effective_permissions): those of its own role
//! that its user's current organization role also holds.

/// The permission needed to create API keys and to see or revoke other users' keys.
pub const MANAGE_API_KEYS: &str = "MANAGE_API_KEYS";

/// The permission needed to see other users of the organization (and their roles).
pub const VIEW_MEMBERS: &str = "VIEW_MEMBERS";

/// The permission needed to change a member's organization role and to remove a member.
pub const MANAGE_MEMBERS: &str = "MANAGE_MEMBERS";

/// A built-in role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDef {
    /// Stable id.
    pub id: &'static str,
    /// Name, exactly as the server spells it.
    pub name: &'static str,
    /// Every permission of the role (the lower roles' included).
    pub permissions: Vec<&'static str>,
}

impl RoleDef {
    /// Whether the role holds `permission`.
    pub fn has(&self, permission: &str) -> bool {
        self.permissions.contains(&permission)
    }
}

const LADDER: &[(&str, &str, &[&str])] = &[
    ("cjlbxrole0none00000000000", "None", &[]),
    (
        "cjlbxrole1labeler00000000",
        "Labeler",
        &["VIEW_ASSIGNED_PROJECTS", "LABEL_DATA", "VIEW_OWN_LABELS"],
    ),
    (
        "cjlbxrole2reviewer0000000",
        "Reviewer",
        &["REVIEW_LABELS", "VIEW_ALL_LABELS"],
    ),
    (
        "cjlbxrole3teammanager0000",
        "Team Manager",
        &[
            "MANAGE_PROJECTS",
            "MANAGE_PROJECT_MEMBERS",
            "EXPORT_DATA",
            VIEW_MEMBERS,
        ],
    ),
    (
        "cjlbxrole4admin0000000000",
        "Admin",
        &[
            MANAGE_API_KEYS,
            MANAGE_MEMBERS,
            "MANAGE_DATASETS",
            "MANAGE_ONTOLOGIES",
            "MANAGE_ORGANIZATION",
            "VIEW_AUDIT_LOGS",
        ],
    ),
    (
        "cjlbxrole5tenantadmin0000",
        "Tenant Admin",
        &["MANAGE_TENANT", "MANAGE_WORKSPACES"],
    ),
];

/// Every built-in role, lowest first.
pub fn builtin_roles() -> &'static [RoleDef] {
    static ROLES: std::sync::OnceLock<Vec<RoleDef>> = std::sync::OnceLock::new();
    ROLES.get_or_init(|| {
        let mut acc: Vec<&'static str> = Vec::new();
        LADDER
            .iter()
            .map(|(id, name, extra)| {
                acc.extend_from_slice(extra);
                RoleDef {
                    id,
                    name,
                    permissions: acc.clone(),
                }
            })
            .collect()
    })
}

/// The built-in role with the id `id`.
pub fn role_by_id(id: &str) -> Option<&'static RoleDef> {
    builtin_roles().iter().find(|r| r.id == id)
}

/// The built-in role named exactly `name`.
pub fn role_by_name(name: &str) -> Option<&'static RoleDef> {
    builtin_roles().iter().find(|r| r.name == name)
}

/// The permissions a key of role `key_role` acts with when its user's organization role is
/// `user_role`: the intersection, in `key_role`'s order. A key never acts beyond its user,
/// and a down-scoped key never acts beyond its own role.
pub fn effective_permissions(key_role: &RoleDef, user_role: &RoleDef) -> Vec<&'static str> {
    key_role
        .permissions
        .iter()
        .copied()
        .filter(|p| user_role.has(p))
        .collect()
}

/// Whether every permission of `role` is among `permissions`.
pub fn covered_by(role: &RoleDef, permissions: &[&str]) -> bool {
    role.permissions.iter().all(|p| permissions.contains(p))
}

/// Whether a caller holding `caller_permissions` may grant `role` to a key: `None` and
/// `Tenant Admin` never; any other role when each of its permissions is the caller's.
pub fn grantable(role: &RoleDef, caller_permissions: &[&str]) -> bool {
    !NEVER_GRANTABLE.contains(&role.name) && covered_by(role, caller_permissions)
}

/// The roles never given to a key, whatever the caller holds.
pub const NEVER_GRANTABLE: [&str; 2] = ["None", "Tenant Admin"];

/// Whether a caller holding `caller_permissions` may give `role` to a member (by
/// `setOrganizationRole` or an invite): never `Tenant Admin`; any other role, `None` (a
/// project-based member) included, when each of its permissions is the caller's.
pub fn assignable(role: &RoleDef, caller_permissions: &[&str]) -> bool {
    !NEVER_ASSIGNABLE.contains(&role.name) && covered_by(role, caller_permissions)
}

/// The roles never given to a member over the API, whatever the caller holds.
pub const NEVER_ASSIGNABLE: [&str; 1] = ["Tenant Admin"];

/// The names of the roles assignable to a member by `caller_permissions`, lowest first.
pub fn assignable_names(caller_permissions: &[&str]) -> Vec<&'static str> {
    builtin_roles()
        .iter()
        .filter(|r| assignable(r, caller_permissions))
        .map(|r| r.name)
        .collect()
}

/// The names of the roles grantable by `caller_permissions`, lowest first.
pub fn grantable_names(caller_permissions: &[&str]) -> Vec<&'static str> {
    builtin_roles()
        .iter()
        .filter(|r| grantable(r, caller_permissions))
        .map(|r| r.name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_role_contains_the_lower_ones() {
        let roles = builtin_roles();
        for pair in roles.windows(2) {
            assert!(pair[0].permissions.iter().all(|p| pair[1].has(p)));
            assert!(pair[1].permissions.len() > pair[0].permissions.len());
        }
    }

    #[test]
    fn admin_grants_up_to_admin() {
        let admin = role_by_name("Admin").unwrap();
        assert_eq!(
            grantable_names(&admin.permissions),
            ["Labeler", "Reviewer", "Team Manager", "Admin"]
        );
        let tenant = role_by_name("Tenant Admin").unwrap();
        assert_eq!(
            grantable_names(&tenant.permissions),
            ["Labeler", "Reviewer", "Team Manager", "Admin"]
        );
        let labeler = role_by_name("Labeler").unwrap();
        assert_eq!(grantable_names(&labeler.permissions), ["Labeler"]);
        assert!(!labeler.has(MANAGE_API_KEYS));
    }

    #[test]
    fn members_may_be_given_none_but_never_tenant_admin() {
        let admin = role_by_name("Admin").unwrap();
        assert_eq!(
            assignable_names(&admin.permissions),
            ["None", "Labeler", "Reviewer", "Team Manager", "Admin"]
        );
        let tenant = role_by_name("Tenant Admin").unwrap();
        assert_eq!(
            assignable_names(&tenant.permissions),
            ["None", "Labeler", "Reviewer", "Team Manager", "Admin"]
        );
        // A key may still never be given `None`.
        assert!(!grantable(
            role_by_name("None").unwrap(),
            &tenant.permissions
        ));
    }

    #[test]
    fn effective_permissions_are_the_intersection_either_way() {
        let labeler = role_by_name("Labeler").unwrap();
        let admin = role_by_name("Admin").unwrap();
        assert_eq!(effective_permissions(labeler, admin), labeler.permissions);
        assert_eq!(effective_permissions(admin, labeler), labeler.permissions);
        assert_eq!(effective_permissions(admin, admin), admin.permissions);
        let none = role_by_name("None").unwrap();
        assert!(effective_permissions(admin, none).is_empty());
        assert!(role_by_name("Team Manager").unwrap().has(VIEW_MEMBERS));
        assert!(!role_by_name("Reviewer").unwrap().has(VIEW_MEMBERS));
    }
}
