//! Roles: [`Role`], [`RoleRef`], name normalisation and the grantability rule.

string_id! {
    /// A Labelbox role's id.
    RoleId
}

pub use crate::contract::NEVER_GRANTABLE_ROLES;

/// A role's name in the normalised form used to key roles: upper case, spaces as
/// underscores.
///
/// ```
/// use labelbox_core::normalize_role_name;
///
/// assert_eq!(normalize_role_name("Tenant Admin"), "TENANT_ADMIN");
/// assert_eq!(normalize_role_name("TENANT_ADMIN"), "TENANT_ADMIN");
/// ```
pub fn normalize_role_name(name: &str) -> String {
    name.to_uppercase().replace(' ', "_")
}

/// An organization role and the permissions it carries.
///
/// The "roles with permissions" query returns no id, so `id` is optional.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Role {
    /// The role's id, when the query selected it.
    pub id: Option<RoleId>,
    /// The role's name as the server spells it (`"Labeler"`, `"Tenant Admin"`).
    pub name: String,
    /// The role's permissions (empty when the query did not select them).
    pub permissions: Vec<String>,
}

impl Role {
    /// A role with no id and no permissions (what the name-only queries return).
    pub fn new(name: impl Into<String>) -> Self {
        Role {
            id: None,
            name: name.into(),
            permissions: Vec::new(),
        }
    }

    /// Sets `id`.
    #[must_use]
    pub fn with_id(mut self, id: impl Into<RoleId>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Sets `permissions`.
    #[must_use]
    pub fn with_permissions<I, S>(mut self, permissions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.permissions = permissions.into_iter().map(Into::into).collect();
        self
    }

    /// The role's name, normalised with [`normalize_role_name`].
    ///
    /// ```
    /// use labelbox_core::Role;
    ///
    /// let role = Role::new("Team Manager");
    /// assert_eq!(role.normalized_name(), "TEAM_MANAGER");
    /// ```
    pub fn normalized_name(&self) -> String {
        normalize_role_name(&self.name)
    }

    /// Whether the role may ever be given to a key (not `None` or `Tenant Admin`).
    pub fn is_never_grantable(&self) -> bool {
        let name = self.normalized_name();
        NEVER_GRANTABLE_ROLES
            .iter()
            .any(|never| normalize_role_name(never) == name)
    }

    /// Whether a caller holding `caller_permissions` may grant this role: it is not a
    /// never-grantable role and every one of its permissions is among the caller's.
    pub fn is_grantable_by(&self, caller_permissions: &[String]) -> bool {
        !self.is_never_grantable()
            && self
                .permissions
                .iter()
                .all(|permission| caller_permissions.contains(permission))
    }
}

/// The roles a caller may grant, in the order given (the contract's rule).
///
/// ```
/// use labelbox_core::{grantable_roles, Role};
///
/// let role = |name: &str, perms: &[&str]| Role::new(name).with_permissions(perms.iter().copied());
/// let roles = [
///     role("Labeler", &["LABEL"]),
///     role("Admin", &["LABEL", "MANAGE"]),
///     role("Tenant Admin", &[]),
///     role("None", &[]),
/// ];
/// let caller = vec!["LABEL".to_string()];
/// let names: Vec<&str> = grantable_roles(&roles, &caller).iter().map(|r| r.name.as_str()).collect();
/// assert_eq!(names, ["Labeler"]);
/// ```
pub fn grantable_roles<'a>(roles: &'a [Role], caller_permissions: &[String]) -> Vec<&'a Role> {
    roles
        .iter()
        .filter(|role| role.is_grantable_by(caller_permissions))
        .collect()
}

/// The role a new key gets: a name, matched exactly ([`RoleRef::by_name`]), or a [`Role`],
/// matched after normalising both names. There is no conversion from a bare string, so a
/// role and a user ([`crate::UserRef`]) given as text cannot be swapped and still compile.
///
/// ```
/// use labelbox_core::{Role, RoleRef};
///
/// assert!(RoleRef::by_name("Labeler").matches("Labeler"));
/// assert!(!RoleRef::by_name("LABELER").matches("Labeler")); // names are case-sensitive
///
/// let role = Role::new("team manager");
/// assert!(RoleRef::from(role).matches("Team Manager"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RoleRef {
    /// A role named exactly as the server names it (case-sensitive).
    Name(String),
    /// A role value, matched by normalised name.
    Role(Role),
}

impl RoleRef {
    /// The role the server names exactly `name` (case-sensitive).
    pub fn by_name(name: impl Into<String>) -> Self {
        RoleRef::Name(name.into())
    }

    /// The name given (the role value's name for [`RoleRef::Role`]).
    pub fn name(&self) -> &str {
        match self {
            RoleRef::Name(name) => name,
            RoleRef::Role(role) => &role.name,
        }
    }

    /// The name, checked to be non-empty (whitespace only counts as empty).
    pub fn validated_name(&self) -> Result<&str, crate::ValidationError> {
        let name = self.name();
        if name.trim().is_empty() {
            Err(crate::ValidationError::EmptyRoleName)
        } else {
            Ok(name)
        }
    }

    /// Whether this reference names the server's role called `server_name`.
    pub fn matches(&self, server_name: &str) -> bool {
        match self {
            RoleRef::Name(name) => name == server_name,
            RoleRef::Role(role) => role.normalized_name() == normalize_role_name(server_name),
        }
    }

    /// The first role in `roles` this reference matches.
    pub fn find_in<'a, R>(&self, roles: impl IntoIterator<Item = &'a R>) -> Option<&'a R>
    where
        R: std::borrow::Borrow<Role> + 'a,
    {
        roles
            .into_iter()
            .find(|role| self.matches(&std::borrow::Borrow::<Role>::borrow(*role).name))
    }
}

/// The organization's roles, in the server's order, looked up by normalised name (upper
/// case, spaces as underscores: `"TEAM_MANAGER"`) as the official SDK's `get_roles()` keys
/// them. What `Client::get_roles` and `Client::get_roles_with_permissions` both return.
///
/// ```
/// use labelbox_core::{Role, Roles};
///
/// let roles = Roles::new([Role::new("Labeler"), Role::new("Team Manager")]);
/// assert_eq!(roles["TEAM_MANAGER"].name, "Team Manager");
/// assert_eq!(roles.get("team manager").map(|r| r.name.as_str()), Some("Team Manager"));
/// assert!(roles.get("Admin").is_none());
/// let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
/// assert_eq!(names, ["Labeler", "Team Manager"]); // the server's order
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
#[serde(transparent)]
pub struct Roles(Vec<Role>);

impl Roles {
    /// The roles, in this order.
    pub fn new(roles: impl IntoIterator<Item = Role>) -> Self {
        Roles(roles.into_iter().collect())
    }

    /// The first role whose normalised name is `name`'s (`"TEAM_MANAGER"`,
    /// `"Team Manager"` and `"team manager"` find the same role).
    pub fn get(&self, name: &str) -> Option<&Role> {
        let wanted = normalize_role_name(name);
        self.0.iter().find(|role| role.normalized_name() == wanted)
    }

    /// The roles as a slice, in order.
    pub fn as_slice(&self) -> &[Role] {
        &self.0
    }

    /// The roles as a vector, in order.
    pub fn into_vec(self) -> Vec<Role> {
        self.0
    }
}

impl std::ops::Deref for Roles {
    type Target = [Role];

    fn deref(&self) -> &[Role] {
        &self.0
    }
}

/// By normalised name, as [`Roles::get`]; panics when there is no such role (as a map's
/// index does).
impl<Q: AsRef<str> + ?Sized> std::ops::Index<&Q> for Roles {
    type Output = Role;

    fn index(&self, name: &Q) -> &Role {
        let name = name.as_ref();
        self.get(name)
            .unwrap_or_else(|| panic!("no role named {name:?}"))
    }
}

/// By position, in order.
impl std::ops::Index<usize> for Roles {
    type Output = Role;

    fn index(&self, index: usize) -> &Role {
        &self.0[index]
    }
}

impl FromIterator<Role> for Roles {
    fn from_iter<I: IntoIterator<Item = Role>>(roles: I) -> Self {
        Roles::new(roles)
    }
}

impl IntoIterator for Roles {
    type Item = Role;
    type IntoIter = std::vec::IntoIter<Role>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Roles {
    type Item = &'a Role;
    type IntoIter = std::slice::Iter<'a, Role>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl From<Role> for RoleRef {
    fn from(role: Role) -> Self {
        RoleRef::Role(role)
    }
}

impl From<&Role> for RoleRef {
    fn from(role: &Role) -> Self {
        RoleRef::Role(role.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn role(name: &str, permissions: &[&str]) -> Role {
        Role {
            id: None,
            name: name.into(),
            permissions: permissions.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn perms(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn normalisation() {
        assert_eq!(normalize_role_name("Team Manager"), "TEAM_MANAGER");
        assert_eq!(normalize_role_name("labeler"), "LABELER");
        assert_eq!(normalize_role_name("a b  c"), "A_B__C");
    }

    #[test]
    fn none_and_tenant_admin_are_never_grantable() {
        let all = perms(&["A", "B"]);
        for name in ["None", "Tenant Admin", "TENANT_ADMIN", "NONE"] {
            assert!(!role(name, &[]).is_grantable_by(&all), "{name}");
        }
        assert!(role("Reviewer", &[]).is_grantable_by(&[]));
    }

    #[test]
    fn grantable_when_every_permission_is_held() {
        let roles = [
            role("Labeler", &["A"]),
            role("Reviewer", &["A", "B"]),
            role("Admin", &["A", "B", "C"]),
            role("Tenant Admin", &["A"]),
            role("None", &[]),
        ];
        let names = |caller: &[&str]| -> Vec<String> {
            grantable_roles(&roles, &perms(caller))
                .into_iter()
                .map(|r| r.name.clone())
                .collect()
        };
        assert_eq!(names(&["A", "B"]), ["Labeler", "Reviewer"]);
        assert_eq!(names(&["C", "B", "A"]), ["Labeler", "Reviewer", "Admin"]);
        assert!(names(&[]).is_empty());
        assert!(names(&["a"]).is_empty(), "permissions are case-sensitive");
    }

    #[test]
    fn role_refs_match_as_the_contract_says() {
        assert!(RoleRef::by_name("Labeler").matches("Labeler"));
        assert!(!RoleRef::by_name("LABELER").matches("Labeler"));
        assert!(!RoleRef::by_name("labeler").matches("Labeler"));
        assert!(RoleRef::from(role("LABELER", &[])).matches("Labeler"));
        assert!(RoleRef::from(&role("team manager", &[])).matches("Team Manager"));
        assert!(RoleRef::from(role("TEAM_MANAGER", &[])).matches("Team Manager"));
        assert!(!RoleRef::from(role("Team", &[])).matches("Team Manager"));
        assert_eq!(RoleRef::from(role("Labeler", &[])).name(), "Labeler");

        let roles = [role("Labeler", &[]), role("Team Manager", &[])];
        let found = RoleRef::from(role("TEAM_MANAGER", &[])).find_in(&roles);
        assert_eq!(found.map(|r| r.name.as_str()), Some("Team Manager"));
        let refs: Vec<&Role> = roles.iter().collect();
        assert!(RoleRef::by_name("LABELER").find_in(refs).is_none());
    }

    #[test]
    fn empty_role_name_is_rejected_with_the_contract_message() {
        for role_ref in [RoleRef::by_name(""), RoleRef::from(role(" ", &[]))] {
            assert_eq!(
                role_ref.validated_name().unwrap_err().to_string(),
                "role must be a Role object or a valid role name"
            );
        }
        assert_eq!(RoleRef::by_name("Labeler").validated_name(), Ok("Labeler"));
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(name in "\\PC{0,24}") {
            let once = normalize_role_name(&name);
            prop_assert_eq!(normalize_role_name(&once), once.clone());
        }
    }
}
