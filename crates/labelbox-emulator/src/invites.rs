//! Invites: pending invitations to the organization, the invite limit, the pages of the
//! listing, and acceptance (the invitee becomes a member). The state holds them
//! ([`State::invites`]); the GraphQL layer (`graphql/invites.rs`) and the handle change them
//! only through here. Nothing here checks permissions: callers do.

use time::OffsetDateTime;

pub(crate) use crate::state::InviteRecord;
use crate::state::{random_id, State, UserRecord};

/// The longest email an invite takes, in characters (after trimming, as the official SDK
/// counts); a longer one in `inviteMembers` refuses the whole request, as Labelbox does.
pub(crate) const MAX_EMAIL_CHARS: usize = 320;

/// The most emails one `inviteMembers` request takes (the official SDK sends 100 a request).
pub(crate) const MAX_BULK_EMAILS: usize = 100;

/// The largest page of `organization.invites` (the `PageSize` scalar), and the page size
/// when `first` is null.
pub(crate) const MAX_PAGE_SIZE: i64 = 100;

/// `raw` as an invite takes it: trimmed and lowercased, when it is an email (one `@` with
/// text on both sides, no whitespace or control character, at most [`MAX_EMAIL_CHARS`]).
pub(crate) fn normalise_email(raw: &str) -> Option<String> {
    let email = raw.trim();
    let (local, domain) = email.split_once('@')?;
    let valid = !local.is_empty()
        && !domain.is_empty()
        && !domain.contains('@')
        && email.chars().count() <= MAX_EMAIL_CHARS
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    valid.then(|| email.to_lowercase())
}

/// What the invite limit counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Usage {
    /// Members plus pending invites.
    pub used: u64,
    pub limit: u64,
}

impl Usage {
    pub fn remaining(self) -> u64 {
        self.limit.saturating_sub(self.used)
    }
}

/// The organization's invite usage.
pub(crate) fn usage(state: &State) -> Usage {
    let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
    Usage {
        used: count(state.members().count()).saturating_add(count(state.invites.len())),
        limit: u64::from(state.invite_limit),
    }
}

/// Whether `email` (normalised) has a pending invite.
pub(crate) fn is_invited(state: &State, email: &str) -> bool {
    state.invites.iter().any(|i| i.email == email)
}

/// Adds a pending invite for `email` (normalised) with `role`, sent by `inviter_id`. Checks
/// nothing: neither the limit nor whether the email is a member's.
pub(crate) fn add(
    state: &mut State,
    email: &str,
    role: &str,
    inviter_id: &str,
    now: OffsetDateTime,
) -> Result<InviteRecord, crate::error::EmulatorError> {
    let id = loop {
        let id = random_id()?;
        if !state.invites.iter().any(|i| i.id == id) {
            break id;
        }
    };
    let invite = InviteRecord {
        id,
        seq: state.next_invite_seq,
        email: email.to_owned(),
        role: role.to_owned(),
        inviter_id: inviter_id.to_owned(),
        created_at: now,
    };
    state.next_invite_seq = state.next_invite_seq.saturating_add(1);
    state.invites.push(invite.clone());
    Ok(invite)
}

/// The outcome of one email of `inviteMembers` (the official SDK's `InviteMemberStatus`;
/// the emulator never answers `ADDED`, `NOT_ALLOWED` or `FAILED`: it has no projects or
/// groups to add an existing member to, and no e-mail to fail).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Status {
    Invited,
    AlreadyMember,
    AlreadyInvited,
    InvalidEmail,
    Duplicate,
    SeatLimit,
}

impl Status {
    /// The enum value on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Invited => "INVITED",
            Self::AlreadyMember => "ALREADY_MEMBER",
            Self::AlreadyInvited => "ALREADY_INVITED",
            Self::InvalidEmail => "INVALID_EMAIL",
            Self::Duplicate => "DUPLICATE",
            Self::SeatLimit => "SEAT_LIMIT",
        }
    }
}

/// One email's result of `inviteMembers`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MemberResult {
    /// Trimmed, and lowercased when valid.
    pub email: String,
    pub status: Status,
    /// The new invite's id (`INVITED` only).
    pub invite_id: Option<String>,
}

/// Invites each of `emails` with `role`, from `inviter_id`, in order: an invalid email is
/// `INVALID_EMAIL`, a repeat (case-insensitive, within `emails`) `DUPLICATE`, a member's
/// email `ALREADY_MEMBER`, one with a pending invite `ALREADY_INVITED`, one past the limit
/// `SEAT_LIMIT`, any other is invited (`INVITED`). Checks neither permissions nor the
/// request's size.
pub(crate) fn invite_many(
    state: &mut State,
    emails: &[&str],
    role: &str,
    inviter_id: &str,
    now: OffsetDateTime,
) -> Result<Vec<MemberResult>, crate::error::EmulatorError> {
    let mut seen: Vec<String> = Vec::new();
    let mut results = Vec::with_capacity(emails.len());
    for raw in emails {
        let Some(email) = normalise_email(raw) else {
            results.push(MemberResult {
                email: raw.trim().to_owned(),
                status: Status::InvalidEmail,
                invite_id: None,
            });
            continue;
        };
        let status = if seen.contains(&email) {
            Status::Duplicate
        } else if state.user_by_email(&email).is_some() {
            Status::AlreadyMember
        } else if is_invited(state, &email) {
            Status::AlreadyInvited
        } else if usage(state).remaining() == 0 {
            Status::SeatLimit
        } else {
            Status::Invited
        };
        let invite_id = match status {
            Status::Invited => Some(add(state, &email, role, inviter_id, now)?.id),
            _ => None,
        };
        if !seen.contains(&email) {
            seen.push(email.clone());
        }
        results.push(MemberResult {
            email,
            status,
            invite_id,
        });
    }
    Ok(results)
}

/// Why a page of invites was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum PageError {
    /// `first` outside 1..=[`MAX_PAGE_SIZE`].
    Size,
    /// `from` is not a cursor of the listing.
    Cursor,
}

impl PageError {
    pub fn message(&self) -> String {
        match self {
            Self::Size => format!("first must be a page size from 1 to {MAX_PAGE_SIZE}"),
            Self::Cursor => {
                "from must be null or the nextCursor of an earlier page of invites".to_owned()
            }
        }
    }
}

/// One page of pending invites, oldest first: those from the cursor `from` (an earlier
/// page's `next`; the start when `None`), at most `first` (100 when `None`); `next` is the
/// cursor of the following page, `None` on the last. A cursor stays valid when invites are
/// cancelled or accepted meanwhile (it names a position, not an invite).
pub(crate) fn page<'s>(
    state: &'s State,
    from: Option<&str>,
    first: Option<i64>,
) -> Result<(Vec<&'s InviteRecord>, Option<String>), PageError> {
    let first = first.unwrap_or(MAX_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&first) {
        return Err(PageError::Size);
    }
    let start = match from {
        None => 0,
        Some(text) => text.parse::<u64>().map_err(|_| PageError::Cursor)?,
    };
    // Invites are stored in creation order: `seq` grows along the list.
    let mut rest = state.invites.iter().filter(|i| i.seq >= start);
    let take = usize::try_from(first).unwrap_or(0);
    let nodes: Vec<&InviteRecord> = rest.by_ref().take(take).collect();
    let next = rest.next().map(|i| i.seq.to_string());
    Ok((nodes, next))
}

/// Removes the pending invite `id`; the removed invite, or `None` for an unknown id.
pub(crate) fn cancel(state: &mut State, id: &str) -> Option<InviteRecord> {
    let index = state.invites.iter().position(|i| i.id == id)?;
    Some(state.invites.remove(index))
}

/// Why an invite could not be accepted.
#[derive(Debug)]
pub(crate) enum AcceptError {
    /// No pending invite has this id (never sent, cancelled or accepted already).
    NoSuchInvite(String),
    /// The email belongs to a member already.
    AlreadyMember(String),
    /// No id could be drawn.
    Failed(crate::error::EmulatorError),
}

impl std::fmt::Display for AcceptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::NoSuchInvite(id) => write!(f, "no pending invite has the id {id:?}"),
            Self::AlreadyMember(email) => write!(f, "{email} is a member already"),
            Self::Failed(e) => write!(f, "{e}"),
        }
    }
}

/// Accepts the pending invite `id`: its invitee becomes a member with the invited role and
/// a new user id (a returning member, removed before, gets a new id too: their old keys
/// belong to the removed user and stay dead). Every pending invite for the same email goes
/// with it. The new member, or why not.
pub(crate) fn accept(
    state: &mut State,
    id: &str,
    now: OffsetDateTime,
) -> Result<UserRecord, AcceptError> {
    let invite = state
        .invites
        .iter()
        .find(|i| i.id == id)
        .cloned()
        .ok_or_else(|| AcceptError::NoSuchInvite(id.to_owned()))?;
    if state.user_by_email(&invite.email).is_some() {
        return Err(AcceptError::AlreadyMember(invite.email));
    }
    let user_id = loop {
        let candidate = random_id().map_err(AcceptError::Failed)?;
        if state.any_user_by_id(&candidate).is_none() {
            break candidate;
        }
    };
    let name = invite
        .email
        .split_once('@')
        .map_or(invite.email.as_str(), |(local, _)| local)
        .to_owned();
    let user = UserRecord {
        id: user_id,
        email: invite.email.clone(),
        name,
        role: invite.role.clone(),
        nickname: None,
        picture: None,
        is_external_user: false,
        created_at: now,
        deleted: false,
    };
    state.users.push(user.clone());
    state.invites.retain(|i| i.email != invite.email);
    Ok(user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_lowercased_and_checked() {
        assert_eq!(
            normalise_email("  Ann@Example.COM "),
            Some("ann@example.com".to_owned())
        );
        for bad in [
            "",
            "ann",
            "@x.com",
            "ann@",
            "a@b@c",
            "a b@x.com",
            "a\u{7}@x.com",
        ] {
            assert_eq!(normalise_email(bad), None, "{bad:?}");
        }
        let local = "a".repeat(MAX_EMAIL_CHARS - 6);
        assert!(normalise_email(&format!("{local}@x.com")).is_some());
        assert!(normalise_email(&format!("{local}a@x.com")).is_none());
    }

    #[test]
    fn bulk_invites_answer_each_email() {
        let mut state = State::from_seed(&crate::config::Seed::default(), Some("t")).unwrap();
        state.invite_limit = u32::try_from(state.members().count()).unwrap() + 2;
        let now = OffsetDateTime::UNIX_EPOCH;
        add(&mut state, "pending@x.com", "Labeler", "u", now).unwrap();
        let results = invite_many(
            &mut state,
            &[
                " New@X.com ",
                "new@x.com",
                "bad",
                "ADMIN@example.com",
                "pending@x.com",
                "late@x.com",
            ],
            "Reviewer",
            "u",
            now,
        )
        .unwrap();
        let statuses: Vec<(&str, Status)> = results
            .iter()
            .map(|r| (r.email.as_str(), r.status))
            .collect();
        assert_eq!(
            statuses,
            [
                ("new@x.com", Status::Invited),
                ("new@x.com", Status::Duplicate),
                ("bad", Status::InvalidEmail),
                ("admin@example.com", Status::AlreadyMember),
                ("pending@x.com", Status::AlreadyInvited),
                ("late@x.com", Status::SeatLimit),
            ]
        );
        assert!(results[0].invite_id.is_some());
        assert!(results[1..].iter().all(|r| r.invite_id.is_none()));
        assert_eq!(usage(&state).remaining(), 0);
    }

    #[test]
    fn pages_follow_the_cursor_across_cancellations() {
        let mut state = State::from_seed(&crate::config::Seed::default(), Some("t")).unwrap();
        let now = OffsetDateTime::UNIX_EPOCH;
        for i in 0..5 {
            add(&mut state, &format!("p{i}@x.com"), "Labeler", "u", now).unwrap();
        }
        let emails = |nodes: Vec<&InviteRecord>| -> Vec<String> {
            nodes.into_iter().map(|i| i.email.clone()).collect()
        };
        let (nodes, next) = page(&state, None, Some(2)).unwrap();
        assert_eq!(emails(nodes), ["p0@x.com", "p1@x.com"]);
        let next = next.unwrap();
        // The next page's first invite is cancelled: the cursor still works.
        let p2 = state.invites[2].id.clone();
        assert!(cancel(&mut state, &p2).is_some());
        let (nodes, last) = page(&state, Some(&next), Some(2)).unwrap();
        assert_eq!(emails(nodes), ["p3@x.com", "p4@x.com"]);
        assert_eq!(last, None);
        assert_eq!(page(&state, None, Some(0)).unwrap_err(), PageError::Size);
        assert_eq!(page(&state, None, Some(101)).unwrap_err(), PageError::Size);
        assert_eq!(
            page(&state, Some("nope"), None).unwrap_err(),
            PageError::Cursor
        );
    }
}
