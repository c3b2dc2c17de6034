//! Invitations: invite one address or many, list and cancel pending invitations, and the
//! organization's seats, as the official SDK's `organization.invite_user(email, role)`,
//! `organization.invite_users(emails, role)`, `organization.get_invites()`,
//! `invite.cancel()` and `organization.invite_limit()` do.

use std::collections::HashSet;

use labelbox_schema::{
    cancel_invite, create_invite, invite_members, invite_preflight, invites_limit, list_invites,
};

use crate::convert;
use crate::invite_plan::InvitePlan;
use crate::retry::Idempotency;
use crate::{
    Client, ConstructionError, Error, Invite, InviteId, InviteResult, InviteStatus, InvitesLimit,
    ResponseError, Role, RoleRef, INVITE_BATCH_SIZE,
};

/// Invitations per page of the listing, as the official SDK asks for them.
pub(crate) const INVITES_PAGE_SIZE: i64 = 100;

/// The most invitations a listing reads: past it a server that keeps sending pages of new
/// invitations is taken for a hostile one.
pub(crate) const MAX_INVITES: usize = 100_000;

impl Client {
    /// Invites `email` to the caller's organization with the organization role `role`
    /// (any role the caller may give but `Tenant Admin`; `None` makes a project-based
    /// member): the official SDK's `organization.invite_user(email, role)`, its
    /// `createInvites` mutation. The invitee becomes a member on accepting.
    ///
    /// Two requests: one for the caller, the organization and the roles (the official SDK
    /// asks for the caller alone, having the organization and the role at hand), then the
    /// invitation. A second invitation for the same address is accepted, as Labelbox
    /// accepts it; `None` when the server sends none because the address already belongs to
    /// a member (the official SDK raises "Unable to send invite" then). An unknown role is
    /// [`ConstructionError::InvalidRole`] before the invitation is sent. Not retried once the invitation may have reached the server.
    /// `X-SDK-Method: Organization:invite_user`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::{Client, RoleRef};
    ///
    /// let client = Client::from_env()?;
    /// match client.invite_member("ada@example.com", &RoleRef::by_name("Labeler")).await? {
    ///     Some(invite) => println!("invited {} ({})", invite.email, invite.id),
    ///     None => println!("already a member"),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn invite_member(
        &self,
        email: &str,
        role: &RoleRef,
    ) -> Result<Option<Invite>, Error> {
        role.validated_name()?;
        let context = self
            .call_idempotent::<invite_preflight::InvitePreflight>(
                invite_preflight::Variables,
                "Organization:invite_user",
            )
            .await?;
        let (inviter, organization, roles) = preflight_from(context)?;
        let role_id = role_id_in(&roles, role, &[])?;
        let data = self
            .inner
            .transport
            .call::<create_invite::CreateInvite>(
                create_invite::Variables {
                    data: Some(vec![create_invite::CreateInviteInput {
                        inviter_id: inviter,
                        invitee_email: email.to_owned(),
                        organization_id: organization,
                        organization_role_id: role_id,
                        projects: Some(Vec::new()),
                        user_group_ids: Some(Vec::new()),
                        user_group_with_role_ids: Some(Vec::new()),
                    }]),
                },
                "Organization:invite_user",
                Idempotency::NotIdempotent,
            )
            .await?;
        created_from(data)
    }

    /// Invites every address of `emails` to the caller's organization with the
    /// organization role `role`, and answers one [`InviteResult`] per address, in order:
    /// the official SDK's `organization.invite_users(emails, role)`, its `inviteMembers`
    /// mutation.
    ///
    /// As the official SDK does, before any request: an address over
    /// [`MAX_INVITE_EMAIL_CHARS`](crate::MAX_INVITE_EMAIL_CHARS) characters once trimmed is
    /// answered [`InviteStatus::InvalidEmail`] and never sent, and a repeat of an earlier
    /// address of the call (trimmed, without regard to case) is
    /// [`InviteStatus::Duplicate`]; the others are sent once each, in requests of
    /// [`INVITE_BATCH_SIZE`](crate::INVITE_BATCH_SIZE). The server answers each with
    /// [`InviteStatus::Invited`], [`InviteStatus::AlreadyMember`],
    /// [`InviteStatus::AlreadyInvited`], [`InviteStatus::SeatLimit`], ...
    ///
    /// One request for the roles, then one per 100 addresses; no address, no request. The
    /// role `None` is refused ([`ConstructionError::InvalidRole`]): an organization-wide
    /// invitation needs an organization role, as in the official SDK. A request refused as
    /// a whole (a missing permission) is the error; the requests before it stay sent, and
    /// sending the same list again is safe (those addresses come back
    /// [`InviteStatus::AlreadyInvited`]). `X-SDK-Method: Organization:invite_users`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// use labelbox_sdk::{Client, RoleRef};
    ///
    /// let client = Client::from_env()?;
    /// let emails = ["ada@example.com", "grace@example.com", "ADA@example.com"];
    /// for result in client.invite_members(emails, &RoleRef::by_name("Reviewer")).await? {
    ///     println!("{}: {}", result.email, result.status); // the third is DUPLICATE
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn invite_members<I, S>(
        &self,
        emails: I,
        role: &RoleRef,
    ) -> Result<Vec<InviteResult>, Error>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        role.validated_name()?;
        let plan = InvitePlan::new(emails);
        if plan.to_send.is_empty() {
            return Ok(plan.answer(&[]));
        }
        let roles = self.get_roles().await?;
        let role_id = role_id_in(&roles, role, &["None"])?;
        let mut sent: Vec<InviteResult> = Vec::with_capacity(plan.to_send.len());
        for batch in plan.to_send.chunks(INVITE_BATCH_SIZE) {
            let data = self
                .inner
                .transport
                .call::<invite_members::InviteMembers>(
                    invite_members::Variables {
                        data: invite_members::InviteMembersInput {
                            emails: batch.to_vec(),
                            workspace_wide: Some(true),
                            role_id: role_id.clone(),
                            project_ids: Some(Vec::new()),
                            group_ids: Some(Vec::new()),
                        },
                    },
                    "Organization:invite_users",
                    Idempotency::NotIdempotent,
                )
                .await?;
            let results = results_from(data)?;
            if results.len() != batch.len() {
                return Err(Error::Response(ResponseError::Decode {
                    operation: "InviteMembers".to_owned(),
                    path: "inviteMembers.results".to_owned(),
                    message: format!(
                        "{} results for {} addresses: one per address was expected",
                        results.len(),
                        batch.len()
                    ),
                }));
            }
            sent.extend(results);
        }
        Ok(plan.answer(&sent))
    }

    /// Every pending invitation of the caller's organization, in the server's order: the
    /// official SDK's `organization.get_invites()`, read 100 at a time, one request per
    /// page, following the server's cursor until it gives none. An invitation listed on
    /// two pages appears once; a page that adds no invitation ends the listing (so a
    /// server that repeats a cursor cannot make it loop), and past
    /// 100,000 invitations the listing is an error rather than an endless read.
    /// `X-SDK-Method: Organization:get_invites`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let client = labelbox_sdk::Client::from_env()?;
    /// for invite in client.list_invites().await? {
    ///     println!("{} {} {}", invite.id, invite.email, invite.role_name);
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn list_invites(&self) -> Result<Vec<Invite>, Error> {
        let mut invites: Vec<Invite> = Vec::new();
        let mut seen: HashSet<InviteId> = HashSet::new();
        let mut from: Option<String> = None;
        loop {
            let data = self
                .call_idempotent::<list_invites::ListInvites>(
                    list_invites::Variables {
                        from: from.take(),
                        first: Some(INVITES_PAGE_SIZE),
                    },
                    "Organization:get_invites",
                )
                .await?;
            let (nodes, next_cursor) = page_from(data)?;
            let mut new = 0usize;
            for invite in nodes {
                if seen.insert(invite.id.clone()) {
                    invites.push(invite);
                    new += 1;
                }
            }
            match next_cursor {
                Some(cursor) if new > 0 => {
                    if invites.len() >= MAX_INVITES {
                        return Err(Error::Response(ResponseError::Decode {
                            operation: "ListInvites".to_owned(),
                            path: "organization.invites".to_owned(),
                            message: format!(
                                "the server kept sending pages past {MAX_INVITES} \
                                 invitations; reading stopped there"
                            ),
                        }));
                    }
                    from = Some(cursor);
                }
                _ => return Ok(invites),
            }
        }
    }

    /// Cancels the pending invitation `id`: the official SDK's `invite.cancel()`, its
    /// `cancelInvite` mutation, sent where the official SDK sends it, to the experimental
    /// endpoint (the endpoint with `/_gql` in place of `/graphql`; an endpoint whose path
    /// does not end in `/graphql` is [`ConstructionError::Configuration`], before anything
    /// is sent). An invitation the server does not know (never sent, cancelled, accepted)
    /// is [`ServiceError::NotFound`](crate::ServiceError::NotFound). Not retried once the
    /// request may have reached the server. `X-SDK-Method: Invite:cancel`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let client = labelbox_sdk::Client::from_env()?;
    /// for invite in client.list_invites().await? {
    ///     if invite.email.ends_with("@old-vendor.example") {
    ///         client.cancel_invite(&invite.id).await?;
    ///     }
    /// }
    /// # Ok(())
    /// # }
    /// ```
    pub async fn cancel_invite(&self, id: &InviteId) -> Result<(), Error> {
        let data = self
            .inner
            .transport
            .experimental()?
            .call::<cancel_invite::CancelInvite>(
                cancel_invite::Variables {
                    where_: cancel_invite::WhereUniqueIdInput {
                        id: id.as_str().to_owned(),
                    },
                },
                "Invite:cancel",
                Idempotency::NotIdempotent,
            )
            .await?;
        cancelled_from(data)
    }

    /// The organization's seats: `used` (members plus pending invitations), `limit` and
    /// `remaining`, the official SDK's `organization.invite_limit()`. Two requests: the
    /// caller's organization, then its limit. `X-SDK-Method: Organization:invite_limit`.
    ///
    /// ```no_run
    /// # async fn run() -> Result<(), labelbox_sdk::Error> {
    /// let limit = labelbox_sdk::Client::from_env()?.invites_limit().await?;
    /// println!("{} of {} seats used, {} left", limit.used, limit.limit, limit.remaining);
    /// # Ok(())
    /// # }
    /// ```
    pub async fn invites_limit(&self) -> Result<InvitesLimit, Error> {
        let organization = self.get_organization().await?;
        let data = self
            .call_idempotent::<invites_limit::InvitesLimit>(
                invites_limit::Variables {
                    organization_id: organization.id.into_string(),
                },
                "Organization:invite_limit",
            )
            .await?;
        limit_from(data)
    }
}

/// The domain mapping of `InvitePreflight`: the caller's id, the organization's id and the
/// roles (ids and names).
pub(crate) fn preflight_from(
    data: invite_preflight::ResponseData,
) -> Result<(String, String, Vec<Role>), Error> {
    let inviter = data
        .user
        .ok_or_else(|| convert::missing("InvitePreflight", "user"))?
        .id;
    let organization = data
        .organization
        .ok_or_else(|| convert::missing("InvitePreflight", "organization"))?
        .id;
    let roles = data
        .roles
        .into_iter()
        .map(|r| Role::new(r.name).with_id(r.id))
        .collect();
    Ok((inviter, organization, roles))
}

/// The domain mapping of `CreateInvite` (one input, so one answer): `None` when the server
/// sent no invitation.
pub(crate) fn created_from(data: create_invite::ResponseData) -> Result<Option<Invite>, Error> {
    let created = data
        .create_invites
        .into_iter()
        .flatten()
        .next()
        .ok_or_else(|| convert::missing("CreateInvite", "createInvites"))?;
    Ok(created.invite.map(|invite| {
        Invite::new(
            invite.id,
            invite.invitee_email,
            invite.organization_role_name,
            invite.created_at.into_inner(),
        )
    }))
}

/// The domain mapping of `InviteMembers`: one result per address, in the server's order.
pub(crate) fn results_from(data: invite_members::ResponseData) -> Result<Vec<InviteResult>, Error> {
    Ok(data
        .invite_members
        .ok_or_else(|| convert::missing("InviteMembers", "inviteMembers"))?
        .results
        .into_iter()
        .map(|r| {
            InviteResult::new(
                r.email,
                status_from(r.status),
                r.reason,
                r.invite_id.map(InviteId::from),
            )
        })
        .collect())
}

/// The domain mapping of `ListInvites`: one page's invitations and the next page's cursor.
pub(crate) fn page_from(
    data: list_invites::ResponseData,
) -> Result<(Vec<Invite>, Option<String>), Error> {
    let page = data
        .organization
        .ok_or_else(|| convert::missing("ListInvites", "organization"))?
        .invites;
    let invites = page
        .nodes
        .into_iter()
        .map(|node| {
            Invite::new(
                node.id,
                node.invitee_email,
                node.organization_role_name,
                node.created_at.into_inner(),
            )
        })
        .collect();
    Ok((invites, page.next_cursor))
}

/// The domain mapping of `CancelInvite`: the official SDK reads a non-null answer as success.
pub(crate) fn cancelled_from(data: cancel_invite::ResponseData) -> Result<(), Error> {
    data.cancel_invite
        .map(|_| ())
        .ok_or_else(|| convert::missing("CancelInvite", "cancelInvite"))
}

/// The domain mapping of `InvitesLimit`.
pub(crate) fn limit_from(data: invites_limit::ResponseData) -> Result<InvitesLimit, Error> {
    let limit = data
        .invites_limit
        .ok_or_else(|| convert::missing("InvitesLimit", "invitesLimit"))?;
    Ok(InvitesLimit::new(limit.used, limit.limit, limit.remaining))
}

/// The domain status of a generated one (a status the schema adds later is kept as text).
fn status_from(status: invite_members::InviteMemberStatus) -> InviteStatus {
    use invite_members::InviteMemberStatus as Wire;
    match status {
        Wire::INVITED => InviteStatus::Invited,
        Wire::ADDED => InviteStatus::Added,
        Wire::ALREADY_MEMBER => InviteStatus::AlreadyMember,
        Wire::ALREADY_INVITED => InviteStatus::AlreadyInvited,
        Wire::INVALID_EMAIL => InviteStatus::InvalidEmail,
        Wire::DUPLICATE => InviteStatus::Duplicate,
        Wire::SEAT_LIMIT => InviteStatus::SeatLimit,
        Wire::NOT_ALLOWED => InviteStatus::NotAllowed,
        Wire::FAILED => InviteStatus::Failed,
        Wire::Other(text) => InviteStatus::from_wire(&text),
    }
}

/// The id of the role `role` names among `roles`, or [`ConstructionError::InvalidRole`]
/// listing the others (less `refused`, names an invitation may not give here).
fn role_id_in(roles: &[Role], role: &RoleRef, refused: &[&str]) -> Result<String, Error> {
    let is_refused = |name: &str| refused.iter().any(|r| RoleRef::by_name(*r).matches(name));
    role.find_in(roles)
        .filter(|found| !is_refused(&found.name))
        .and_then(|found| found.id.as_ref())
        .map(|id| id.as_str().to_owned())
        .ok_or_else(|| {
            Error::Construction(ConstructionError::InvalidRole {
                requested: role.name().to_owned(),
                allowed: roles
                    .iter()
                    .filter(|r| !is_refused(&r.name))
                    .map(|r| r.name.clone())
                    .collect(),
            })
        })
}
