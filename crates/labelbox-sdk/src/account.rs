//! The caller, other users, the organization and its roles.
use labelbox_schema::{
    caller_permissions, current_user, organization, roles, roles_with_ids_and_permissions,
};

use crate::convert::{self, user_from_fields};
use crate::{Client, Error, Organization, Role, Roles, User, UserId};

impl Client {
    /// The caller: the user the API key acts as.
    ///
    /// `X-SDK-Method: Client:get_user`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let me = labelbox_sdk::Client::from_env()?.get_user().await?;
    /// println!("{} <{}>", me.name, me.email);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_user(&self) -> Result<User, Error> {
        let data = self
            .call_idempotent::<current_user::CurrentUser>(
                current_user::Variables,
                "Client:get_user",
            )
            .await?;
        current_user_from(data)
    }

    /// A user by id, or `None` when the server has none.
    ///
    /// `X-SDK-Method: Client:get_user_by_id`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::{Client, UserId};
    ///
    /// let client = Client::from_env()?;
    /// let user = client.get_user_by_id(&UserId::from("u_123")).await?;
    /// println!("{:?}", user.map(|u| u.email));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_user_by_id(&self, id: &UserId) -> Result<Option<User>, Error> {
        self.user_by_id(id, "Client:get_user_by_id").await
    }

    /// The caller's organization.
    ///
    /// `X-SDK-Method: Client:get_organization`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let org = labelbox_sdk::Client::from_env()?.get_organization().await?;
    /// println!("{} ({})", org.name, org.id);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_organization(&self) -> Result<Organization, Error> {
        let data = self
            .call_idempotent::<organization::Organization>(
                organization::Variables,
                "Client:get_organization",
            )
            .await?;
        organization_from(data)
    }

    /// Every role of the organization, in the server's order, looked up by normalised name
    /// (upper case, spaces as underscores: `"TEAM_MANAGER"`) as the reference client keys
    /// them ([`Roles`]).
    ///
    /// Like the reference client's request, this reads each role's id and name only, so
    /// [`Role::permissions`] is empty ([`Client::get_roles_with_permissions`] returns the
    /// same type with them). `X-SDK-Method: Client:get_roles`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let roles = labelbox_sdk::Client::from_env()?.get_roles().await?;
    /// if let Some(labeler) = roles.get("LABELER") {
    ///     println!("{} is {:?}", labeler.name, labeler.id);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_roles(&self) -> Result<Roles, Error> {
        let data = self
            .call_idempotent::<roles::Roles>(roles::Variables, "Client:get_roles")
            .await?;
        Ok(roles_from(data))
    }

    /// Every role of the organization with its id, name and permissions, in the server's
    /// order, looked up by normalised name ([`Roles`], as [`Client::get_roles`]).
    ///
    /// Unlike [`Client::get_roles`] (the reference client's request, ids and names only),
    /// this reads each role's permissions too, in one request. Nothing is cached.
    /// `X-SDK-Method: Client:get_roles_with_permissions`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let roles = labelbox_sdk::Client::from_env()?
    ///     .get_roles_with_permissions()
    ///     .await?;
    /// for role in &roles {
    ///     println!("{}: {} permissions", role.name, role.permissions.len());
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_roles_with_permissions(&self) -> Result<Roles, Error> {
        let data = self
            .call_idempotent::<roles_with_ids_and_permissions::RolesWithIdsAndPermissions>(
                roles_with_ids_and_permissions::Variables,
                "Client:get_roles_with_permissions",
            )
            .await?;
        Ok(roles_with_permissions_from(data))
    }

    /// The permissions of a user's organization role, or the caller's with `None`, as the
    /// server lists them.
    ///
    /// The caller's permissions are those of the API key's role; another user's are those
    /// of their organization role (the API reports permissions, not the role's name). An id
    /// the server knows no role for (an unknown user) is [`ResponseError::MissingData`](crate::ResponseError::MissingData) naming
    /// `organizationRole`. Nothing is cached. `X-SDK-Method: Client:get_permissions`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::{Client, UserId};
    ///
    /// let client = Client::from_env()?;
    /// let mine = client.get_permissions(None).await?;
    /// let theirs = client.get_permissions(Some(&UserId::from("u_123"))).await?;
    /// println!("{} / {}", mine.len(), theirs.len());
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_permissions(&self, user: Option<&UserId>) -> Result<Vec<String>, Error> {
        let data = self
            .call_idempotent::<caller_permissions::CallerPermissions>(
                caller_permissions::Variables {
                    user_id: user.map(|id| id.as_str().to_owned()),
                },
                "Client:get_permissions",
            )
            .await?;
        permissions_from(data)
    }
}

/// The domain mapping of `CurrentUser`.
pub(crate) fn current_user_from(data: current_user::ResponseData) -> Result<User, Error> {
    data.user
        .map(|u| user_from_fields!(u))
        .ok_or_else(|| convert::missing("CurrentUser", "user"))
}

/// The domain mapping of `Organization`.
pub(crate) fn organization_from(data: organization::ResponseData) -> Result<Organization, Error> {
    let org = data
        .organization
        .ok_or_else(|| convert::missing("Organization", "organization"))?;
    Ok(Organization::new(
        org.id,
        org.name,
        org.created_at.into_inner(),
        org.updated_at.into_inner(),
    ))
}

/// The domain mapping of `Roles`, in the server's order.
pub(crate) fn roles_from(data: roles::ResponseData) -> Roles {
    data.roles
        .into_iter()
        .map(|r| Role::new(r.name).with_id(r.id))
        .collect()
}

/// The domain mapping of `RolesWithIdsAndPermissions`, in the server's order.
pub(crate) fn roles_with_permissions_from(
    data: roles_with_ids_and_permissions::ResponseData,
) -> Roles {
    data.roles
        .into_iter()
        .map(|r| {
            Role::new(r.name)
                .with_id(r.id)
                .with_permissions(r.permissions)
        })
        .collect()
}

/// The domain mapping of `CallerPermissions`: a null role is missing data, a null list (or
/// null entries) no permissions.
pub(crate) fn permissions_from(
    data: caller_permissions::ResponseData,
) -> Result<Vec<String>, Error> {
    let role = data
        .organization_role
        .ok_or_else(|| convert::missing("CallerPermissions", "organizationRole"))?;
    Ok(role
        .permissions
        .unwrap_or_default()
        .into_iter()
        .flatten()
        .collect())
}
