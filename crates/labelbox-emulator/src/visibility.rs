//! What a caller may see, decided in one place for both ways a query executes (the
//! executor's resolvers and the JSON writer, both through `graphql/fields.rs`): which users,
//! whose permissions, which keys under `apiKeys` and `apiKeysOtherUsers`, which members,
//! invites and invite counts.

use crate::auth::Caller;
use crate::invites::{self, InviteRecord, PageError, Usage};
use crate::roles::{self, MANAGE_API_KEYS, VIEW_MEMBERS};
use crate::state::{ListedKey, State, UserRecord};

/// Whether the caller may see the user `id`: itself always, others with [`VIEW_MEMBERS`].
/// Users it may not see are absent (null, left out of lists), as unknown ones are.
pub(crate) fn may_see_user(caller: &Caller, id: &str) -> bool {
    id == caller.user_id || caller.can(VIEW_MEMBERS)
}

/// `user(where: {id})`: the member `id` (the caller without `where`) if the caller may see it.
pub(crate) fn queried_user<'s>(
    state: &'s State,
    caller: &Caller,
    where_id: Option<&str>,
) -> Option<&'s UserRecord> {
    let id = where_id.unwrap_or(&caller.user_id);
    state.user_by_id(id).filter(|_| may_see_user(caller, id))
}

/// `organizationRole(userId)`: the caller's are its key's effective permissions; another
/// user's are that user's organization role's, for a caller who may see that user.
pub(crate) fn organization_role_permissions<'c>(
    state: &State,
    caller: &'c Caller,
    user_id: Option<&str>,
) -> Option<&'c [&'static str]> {
    match user_id {
        None => Some(caller.permissions()),
        Some(id) if id == caller.user_id => Some(caller.permissions()),
        Some(id) if !may_see_user(caller, id) => None,
        Some(id) => state
            .user_by_id(id)
            .and_then(|u| roles::role_by_name(&u.role))
            .map(|r| r.permissions.as_slice()),
    }
}

/// The two key lists of a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum KeyList {
    /// `apiKeys`: the caller's own keys.
    Own,
    /// `apiKeysOtherUsers`: every other user's keys, with [`MANAGE_API_KEYS`] (who created a
    /// key does not matter); none without it.
    OtherUsers,
}

/// The keys `list` of the user `user` shows to `caller`, oldest first, with their index in
/// the state's listed keys. Only on the caller itself are the lists non-empty. Revoked keys
/// and removed members' keys are never listed; expired ones are (clients filter).
pub(crate) fn listed_keys<'s>(
    state: &'s State,
    caller: &'s Caller,
    user: &UserRecord,
    list: KeyList,
) -> impl Iterator<Item = (usize, &'s ListedKey)> + 's {
    let shown = user.id == caller.user_id
        && match list {
            KeyList::Own => true,
            KeyList::OtherUsers => caller.can(MANAGE_API_KEYS),
        };
    let listed: &'s [ListedKey] = if shown { &state.derived().listed } else { &[] };
    listed
        .iter()
        .enumerate()
        .filter(move |(_, k)| (k.user_id == caller.user_id) == (list == KeyList::Own))
}

/// Arguments of `organization.users` that are refused.
#[derive(Debug)]
pub(crate) struct NegativePage;

/// `organization.users(where: {email}, skip, first)`: the members the caller may see,
/// filtered by email (case-insensitive), paged.
pub(crate) fn organization_users<'s>(
    state: &'s State,
    caller: &Caller,
    email: Option<&str>,
    skip: Option<i64>,
    first: Option<i64>,
) -> Result<Vec<&'s UserRecord>, NegativePage> {
    let skip = skip.unwrap_or(0);
    if skip < 0 || first.is_some_and(|f| f < 0) {
        return Err(NegativePage);
    }
    Ok(state
        .members()
        .filter(|u| email.is_none_or(|e| u.email.eq_ignore_ascii_case(e.trim())))
        .filter(|u| may_see_user(caller, &u.id))
        .skip(usize::try_from(skip).unwrap_or(usize::MAX))
        .take(first.map_or(usize::MAX, |f| usize::try_from(f).unwrap_or(0)))
        .collect())
}

/// `organization.invites(from, first)`: a page of the pending invites for a caller who may
/// see other users ([`VIEW_MEMBERS`], as for the members), an empty last page for any other;
/// arguments are checked first, whoever asks.
pub(crate) fn invites<'s>(
    state: &'s State,
    caller: &Caller,
    from: Option<&str>,
    first: Option<i64>,
) -> Result<(Vec<&'s InviteRecord>, Option<String>), PageError> {
    let page = invites::page(state, from, first)?;
    Ok(if caller.can(VIEW_MEMBERS) {
        page
    } else {
        (Vec::new(), None)
    })
}

/// `invitesLimit(where: {id})`: the organization's invite usage, for a caller who may see
/// other users ([`VIEW_MEMBERS`]: `used` counts them) and names its organization; null for
/// any other.
pub(crate) fn invites_limit(
    state: &State,
    caller: &Caller,
    organization_id: &str,
) -> Option<Usage> {
    (caller.can(VIEW_MEMBERS) && organization_id == state.organization.id)
        .then(|| invites::usage(state))
}
