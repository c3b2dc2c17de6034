//! The organization's members: a user's organization role and organization, and the
//! member listing, as the official SDK's `user.org_role()`, `user.organization()` and
//! `organization.users()` read them.

use std::collections::HashSet;

use labelbox_schema::{
    organization_members, organization_members_page, user_org_role, user_organization,
};

use crate::convert::{self, user_from_fields};
use crate::{Client, Error, Organization, Role, User, UserId};

/// Members per page, as the official SDK asks for them.
pub(crate) const MEMBERS_PAGE_SIZE: usize = 100;

impl Client {
    /// The organization role of `user` (its id and name; the request does not select the
    /// permissions, so [`Role::permissions`] is empty), or `None` when the server shows no
    /// such user (unknown, removed, or not visible to the caller).
    ///
    /// `X-SDK-Method: User:org_role`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let client = labelbox_sdk::Client::from_env()?;
    /// let me = client.get_user().await?;
    /// if let Some(role) = client.get_user_org_role(&me.id).await? {
    ///     println!("{} is {}", me.email, role.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_user_org_role(&self, user: &UserId) -> Result<Option<Role>, Error> {
        let data = match self
            .call_idempotent::<user_org_role::UserOrgRole>(
                user_org_role::Variables {
                    id: user.as_str().to_owned(),
                },
                "User:org_role",
            )
            .await
        {
            Ok(data) => data,
            // The contract's `RESOURCE_NOT_FOUND` is "no such user": an empty result.
            Err(Error::NotFound(_)) => return Ok(None),
            Err(error) => return Err(error),
        };
        Ok(org_role_from(data))
    }

    /// The organization `user` belongs to, or `None` when the server shows no such user.
    ///
    /// `X-SDK-Method: User:organization`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::{Client, UserId};
    ///
    /// let client = Client::from_env()?;
    /// let org = client.get_user_organization(&UserId::from("u_123")).await?;
    /// println!("{:?}", org.map(|o| o.name));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_user_organization(
        &self,
        user: &UserId,
    ) -> Result<Option<Organization>, Error> {
        let data = match self
            .call_idempotent::<user_organization::UserOrganization>(
                user_organization::Variables {
                    id: user.as_str().to_owned(),
                },
                "User:organization",
            )
            .await
        {
            Ok(data) => data,
            Err(Error::NotFound(_)) => return Ok(None),
            Err(error) => return Err(error),
        };
        Ok(user_organization_from(data))
    }

    /// Every member of the caller's organization that the caller may see, in the server's
    /// order, read 100 at a time as the official SDK's `organization.users()` pages: the
    /// first page is its exact request, the next ones the same with `skip` 100, 200, ...
    /// until a page holds fewer than 100 members (or only members already read, so a server
    /// that ignores `skip` cannot make it loop). A member listed on two pages (the
    /// organization changed while paging) appears once.
    ///
    /// `X-SDK-Method: Organization:users`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let client = labelbox_sdk::Client::from_env()?;
    /// for member in client.get_organization_members().await? {
    ///     println!("{} {}", member.id, member.email);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_organization_members(&self) -> Result<Vec<User>, Error> {
        let first = self
            .call_idempotent::<organization_members::OrganizationMembers>(
                organization_members::Variables,
                "Organization:users",
            )
            .await?;
        let mut page = members_from(first)?;
        let mut members: Vec<User> = Vec::with_capacity(page.len());
        let mut seen: HashSet<UserId> = HashSet::new();
        let mut skip = 0usize;
        loop {
            let full = page.len() >= MEMBERS_PAGE_SIZE;
            let mut new = 0usize;
            for user in page {
                if seen.insert(user.id.clone()) {
                    members.push(user);
                    new += 1;
                }
            }
            if !full || new == 0 {
                return Ok(members);
            }
            skip += MEMBERS_PAGE_SIZE;
            let data = self
                .call_idempotent::<organization_members_page::OrganizationMembersPage>(
                    organization_members_page::Variables {
                        skip: i64::try_from(skip).unwrap_or(i64::MAX),
                    },
                    "Organization:users",
                )
                .await?;
            page = members_page_from(data)?;
        }
    }
}

/// The domain mapping of `UserOrgRole`: no user or no role is `None`.
pub(crate) fn org_role_from(data: user_org_role::ResponseData) -> Option<Role> {
    data.user
        .and_then(|u| u.org_role)
        .map(|r| Role::new(r.name).with_id(r.id))
}

/// The domain mapping of `UserOrganization`: no user or no organization is `None`.
pub(crate) fn user_organization_from(
    data: user_organization::ResponseData,
) -> Option<Organization> {
    data.user.and_then(|u| u.organization).map(|o| {
        Organization::new(
            o.id,
            o.name,
            o.created_at.into_inner(),
            o.updated_at.into_inner(),
        )
    })
}

/// The domain mapping of `OrganizationMembers` (the first page).
pub(crate) fn members_from(data: organization_members::ResponseData) -> Result<Vec<User>, Error> {
    let org = data
        .organization
        .ok_or_else(|| convert::missing("OrganizationMembers", "organization"))?;
    Ok(org
        .users
        .into_iter()
        .map(|u| user_from_fields!(u))
        .collect())
}

/// The domain mapping of `OrganizationMembersPage` (a later page).
pub(crate) fn members_page_from(
    data: organization_members_page::ResponseData,
) -> Result<Vec<User>, Error> {
    let org = data
        .organization
        .ok_or_else(|| convert::missing("OrganizationMembersPage", "organization"))?;
    Ok(org
        .users
        .into_iter()
        .map(|u| user_from_fields!(u))
        .collect())
}
