//! The organization's members: a user's organization role and organization, the member
//! listing, changing a member's role and removing a member, as the official SDK's
//! `user.org_role()`, `user.organization()`, `organization.users()`,
//! `user.update_org_role(role)` and `organization.remove_user(user)` do.

use std::collections::HashSet;

use labelbox_schema::{
    organization_members, organization_members_page, organization_members_with_roles,
    organization_users_by_email, remove_member, set_user_org_role, user_org_role,
    user_organization,
};

use crate::convert::{self, user_from_fields};
use crate::retry::Idempotency;
use crate::{Client, Error, Organization, Role, RoleId, User, UserId};
use crate::{ResponseError, ServiceError};

/// The domain mapping of `OrganizationUsersByEmail`: the member with `email` (compared
/// without regard to ASCII case: the server's filter may differ), if any. Used by
/// [`Client::find_member`] and the key-creation preflight.
pub(crate) fn member_with_email(
    data: organization_users_by_email::ResponseData,
    email: &str,
) -> Result<Option<User>, Error> {
    let organization = data
        .organization
        .ok_or_else(|| convert::missing("OrganizationUsersByEmail", "organization"))?;
    Ok(organization
        .users
        .into_iter()
        .find(|u| u.email.eq_ignore_ascii_case(email))
        .map(|u| user_from_fields!(u)))
}

/// Members per page, as the official SDK asks for them.
pub(crate) const MEMBERS_PAGE_SIZE: usize = 100;

impl Client {
    /// The member of the caller's organization with this email (compared without regard to
    /// ASCII case), or `None` when there is none (or the caller may not see it): the official
    /// SDK's `organization.users(where=User.email == email)`, the lookup the key-creation
    /// preflight makes. One request, retried on transient failures.
    ///
    /// `X-SDK-Method: Client:find_member`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let client = labelbox_sdk::Client::from_env()?;
    /// match client.find_member("ada@example.com").await? {
    ///     Some(user) => println!("{} is {}", user.email, user.id),
    ///     None => println!("not a member"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn find_member(&self, email: &str) -> Result<Option<User>, Error> {
        let data = self
            .call_idempotent::<organization_users_by_email::OrganizationUsersByEmail>(
                organization_users_by_email::Variables {
                    email: email.to_owned(),
                },
                "Client:find_member",
            )
            .await?;
        member_with_email(data, email)
    }

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
            Err(Error::Service(ServiceError::NotFound(_))) => return Ok(None),
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
            Err(Error::Service(ServiceError::NotFound(_))) => return Ok(None),
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
        let first = members_from(first)?;
        collect_pages(
            first,
            |u| &u.id,
            |skip| async move {
                let data = self
                    .call_idempotent::<organization_members_page::OrganizationMembersPage>(
                        organization_members_page::Variables { skip },
                        "Organization:users",
                    )
                    .await?;
                members_page_from(data)
            },
        )
        .await
    }

    /// Every member the caller may see with their organization role (id and name; `None`
    /// when the server shows none), in the server's order: like
    /// [`Client::get_organization_members`], 100 members per request, each with its role
    /// in the same request (the official SDK asks `user.org_role()` once per member).
    ///
    /// `X-SDK-Method: Organization:users_with_roles`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let client = labelbox_sdk::Client::from_env()?;
    /// for (member, role) in client.get_organization_members_with_roles().await? {
    ///     println!("{} {:?}", member.email, role.map(|r| r.name));
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn get_organization_members_with_roles(
        &self,
    ) -> Result<Vec<(User, Option<Role>)>, Error> {
        let page = |skip: i64| async move {
            let data = self
                .call_idempotent::<organization_members_with_roles::OrganizationMembersWithRoles>(
                    organization_members_with_roles::Variables { skip },
                    "Organization:users_with_roles",
                )
                .await?;
            members_with_roles_from(data)
        };
        let first = page(0).await?;
        collect_pages(first, |(u, _)| &u.id, page).await
    }

    /// Changes the organization role of `user` to the role with id `role` (ids from
    /// [`Client::get_roles`]) and returns the new role (id and name; permissions empty).
    ///
    /// Every API key of the user acts within the new role from its next request on. The
    /// server refuses a role the caller may not grant, a member whose role is above the
    /// caller's, and demoting the organization's last Admin. Setting the role a member
    /// already has changes nothing. `X-SDK-Method: User:update_org_role`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::{Client, UserId};
    ///
    /// let client = Client::from_env()?;
    /// let roles = client.get_roles().await?;
    /// if let Some(reviewer) = roles.get("REVIEWER").and_then(|r| r.id.as_ref()) {
    ///     let role = client.set_user_org_role(&UserId::from("u_123"), reviewer).await?;
    ///     println!("now {}", role.name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn set_user_org_role(&self, user: &UserId, role: &RoleId) -> Result<Role, Error> {
        let data = self
            .call_idempotent::<set_user_org_role::SetUserOrgRole>(
                set_user_org_role::Variables {
                    user_id: user.as_str().to_owned(),
                    role_id: role.as_str().to_owned(),
                },
                "User:update_org_role",
            )
            .await?;
        set_role_from(data)
    }

    /// Removes `user` from the organization, for good: every API key of the user stops
    /// authenticating at once, and the user is left out of every listing.
    ///
    /// The server refuses removing a member whose role is above the caller's and removing
    /// the organization's last Admin; a user it does not show (unknown, already removed) is
    /// [`ServiceError::NotFound`](crate::ServiceError::NotFound). Not retried once the request may have reached the server: a
    /// timeout or a 5xx leaves the outcome unknown (list the members to see).
    /// `X-SDK-Method: Organization:remove_user`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::{Client, UserId};
    ///
    /// let client = Client::from_env()?;
    /// client.remove_member(&UserId::from("u_123")).await?;
    /// # Ok(())
    /// # }
    /// ```
    pub async fn remove_member(&self, user: &UserId) -> Result<(), Error> {
        // Retried only when the request provably never arrived: after an answer was lost, a
        // second attempt would find the member gone and report `NotFound` for a removal
        // that succeeded.
        let data = self
            .inner
            .transport
            .call::<remove_member::RemoveMember>(
                remove_member::Variables {
                    user_id: user.as_str().to_owned(),
                },
                "Organization:remove_user",
                Idempotency::NotIdempotent,
            )
            .await?;
        removed_from(data)
    }
}

/// The domain mapping of `SetUserOrgRole`: the answer must name the role.
pub(crate) fn set_role_from(data: set_user_org_role::ResponseData) -> Result<Role, Error> {
    let role = data
        .set_organization_role
        .ok_or_else(|| convert::missing("SetUserOrgRole", "setOrganizationRole"))?;
    Ok(Role::new(role.name).with_id(role.id))
}

/// The domain mapping of `RemoveMember`: the answer must name the user, marked deleted.
pub(crate) fn removed_from(data: remove_member::ResponseData) -> Result<(), Error> {
    match data.update_user {
        Some(user) if user.deleted => Ok(()),
        Some(_) => Err(Error::Response(ResponseError::Decode {
            operation: "RemoveMember".to_owned(),
            path: "updateUser.deleted".to_owned(),
            message: "the server answered that the user was not removed".to_owned(),
        })),
        None => Err(convert::missing("RemoveMember", "updateUser")),
    }
}

/// The most members a listing reads: past it a server that keeps sending full pages of new
/// members is taken for a hostile one (each page is capped in bytes; the whole listing is
/// capped here).
pub(crate) const MAX_MEMBERS: usize = 100_000;

/// Reads pages of `MEMBERS_PAGE_SIZE` members after `first`, `next(skip)` fetching the one
/// from `skip`, until a page is short or adds no member not already read (so a server that
/// ignores `skip` cannot make it loop); a member read twice is kept once. More than
/// [`MAX_MEMBERS`] members is an error rather than an endless read.
pub(crate) async fn collect_pages<T, Fut>(
    first: Vec<T>,
    id: impl Fn(&T) -> &UserId,
    next: impl Fn(i64) -> Fut,
) -> Result<Vec<T>, Error>
where
    Fut: std::future::Future<Output = Result<Vec<T>, Error>>,
{
    let mut page = first;
    let mut members: Vec<T> = Vec::with_capacity(page.len());
    let mut seen: HashSet<UserId> = HashSet::new();
    let mut skip = 0usize;
    loop {
        let full = page.len() >= MEMBERS_PAGE_SIZE;
        let mut new = 0usize;
        for member in page {
            if seen.insert(id(&member).clone()) {
                members.push(member);
                new += 1;
            }
        }
        if !full || new == 0 {
            return Ok(members);
        }
        if members.len() >= MAX_MEMBERS {
            return Err(Error::Response(ResponseError::Decode {
                operation: "OrganizationMembersPage".to_owned(),
                path: "organization.users".to_owned(),
                message: format!(
                    "the server kept sending full pages past {MAX_MEMBERS} members; reading \
                     stopped there"
                ),
            }));
        }
        skip += MEMBERS_PAGE_SIZE;
        page = next(i64::try_from(skip).unwrap_or(i64::MAX)).await?;
    }
}

/// The domain mapping of `OrganizationMembersWithRoles`.
pub(crate) fn members_with_roles_from(
    data: organization_members_with_roles::ResponseData,
) -> Result<Vec<(User, Option<Role>)>, Error> {
    let org = data
        .organization
        .ok_or_else(|| convert::missing("OrganizationMembersWithRoles", "organization"))?;
    Ok(org
        .users
        .into_iter()
        .map(|u| {
            let role = u.org_role.map(|r| Role::new(r.name).with_id(r.id));
            (user_from_fields!(u.user_fields), role)
        })
        .collect())
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
