//! Invitations: an [`Invite`], the per-address [`InviteResult`] of a bulk invitation with
//! its [`InviteStatus`], and the organization's [`InvitesLimit`].

use time::OffsetDateTime;

string_id! {
    /// A Labelbox invitation's id.
    InviteId
}

/// The longest address (in characters, once trimmed) a bulk invitation sends: a longer one
/// is answered [`InviteStatus::InvalidEmail`] without a request, as the official SDK does
/// (the server would refuse the whole request).
pub const MAX_INVITE_EMAIL_CHARS: usize = 320;

/// Addresses per bulk-invitation request, as the official SDK sends them.
pub const INVITE_BATCH_SIZE: usize = 100;

/// A pending invitation to join the organization.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct Invite {
    /// The invitation's id.
    pub id: InviteId,
    /// The invited address.
    pub email: String,
    /// The name of the organization role the invitee gets on accepting (`"None"` for a
    /// project-based member).
    pub role_name: String,
    /// When the invitation was sent.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Invite {
    /// An invitation value.
    pub fn new(
        id: impl Into<InviteId>,
        email: impl Into<String>,
        role_name: impl Into<String>,
        created_at: OffsetDateTime,
    ) -> Self {
        Invite {
            id: id.into(),
            email: email.into(),
            role_name: role_name.into(),
            created_at,
        }
    }
}

/// What happened to one address of a bulk invitation (the official SDK's
/// `InviteMemberStatus`). A status this version does not know is kept as
/// [`InviteStatus::Other`].
///
/// ```
/// use labelbox_core::InviteStatus;
///
/// assert_eq!(InviteStatus::from_wire("ALREADY_INVITED"), InviteStatus::AlreadyInvited);
/// assert_eq!(InviteStatus::SeatLimit.as_str(), "SEAT_LIMIT");
/// assert!(InviteStatus::AlreadyMember.is_settled());
/// assert!(!InviteStatus::from_wire("SOMETHING_NEW").is_settled());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum InviteStatus {
    /// An invitation was sent.
    Invited,
    /// The address was added to the organization at once.
    Added,
    /// The address already belongs to a member.
    AlreadyMember,
    /// The address already has a pending invitation (no second one is sent).
    AlreadyInvited,
    /// The address is not a usable email address.
    InvalidEmail,
    /// The address repeats an earlier one of the same call (compared without case).
    Duplicate,
    /// The organization has no seat left.
    SeatLimit,
    /// The caller may not invite this address.
    NotAllowed,
    /// The server failed to invite this address.
    Failed,
    /// A status this version does not know, as the server wrote it.
    Other(String),
}

impl InviteStatus {
    /// The status as the API writes it (`"ALREADY_MEMBER"`).
    pub fn as_str(&self) -> &str {
        match self {
            InviteStatus::Invited => "INVITED",
            InviteStatus::Added => "ADDED",
            InviteStatus::AlreadyMember => "ALREADY_MEMBER",
            InviteStatus::AlreadyInvited => "ALREADY_INVITED",
            InviteStatus::InvalidEmail => "INVALID_EMAIL",
            InviteStatus::Duplicate => "DUPLICATE",
            InviteStatus::SeatLimit => "SEAT_LIMIT",
            InviteStatus::NotAllowed => "NOT_ALLOWED",
            InviteStatus::Failed => "FAILED",
            InviteStatus::Other(status) => status,
        }
    }

    /// The status the API writes as `text`.
    pub fn from_wire(text: &str) -> Self {
        match text {
            "INVITED" => InviteStatus::Invited,
            "ADDED" => InviteStatus::Added,
            "ALREADY_MEMBER" => InviteStatus::AlreadyMember,
            "ALREADY_INVITED" => InviteStatus::AlreadyInvited,
            "INVALID_EMAIL" => InviteStatus::InvalidEmail,
            "DUPLICATE" => InviteStatus::Duplicate,
            "SEAT_LIMIT" => InviteStatus::SeatLimit,
            "NOT_ALLOWED" => InviteStatus::NotAllowed,
            "FAILED" => InviteStatus::Failed,
            other => InviteStatus::Other(other.to_owned()),
        }
    }

    /// Whether the address ends up invited or a member (invited or added now, already a
    /// member or invited, or a repeat of an address of the same call): nothing is left to
    /// do for it.
    pub fn is_settled(&self) -> bool {
        matches!(
            self,
            InviteStatus::Invited
                | InviteStatus::Added
                | InviteStatus::AlreadyMember
                | InviteStatus::AlreadyInvited
                | InviteStatus::Duplicate
        )
    }
}

impl std::fmt::Display for InviteStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for InviteStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for InviteStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Ok(InviteStatus::from_wire(&text))
    }
}

/// One address of a bulk invitation and what happened to it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct InviteResult {
    /// The address, as the server (or, for an address answered locally, the SDK) names it.
    pub email: String,
    /// What happened.
    pub status: InviteStatus,
    /// The server's explanation, when it gave one.
    pub reason: Option<String>,
    /// The invitation sent, when one was.
    pub invite_id: Option<InviteId>,
}

impl InviteResult {
    /// A result value.
    pub fn new(
        email: impl Into<String>,
        status: InviteStatus,
        reason: Option<String>,
        invite_id: Option<InviteId>,
    ) -> Self {
        InviteResult {
            email: email.into(),
            status,
            reason,
            invite_id,
        }
    }
}

/// The organization's seats: `used` counts members and pending invitations, `remaining`
/// is `limit - used` (negative when the limit was lowered below what is used).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct InvitesLimit {
    /// Members plus pending invitations.
    pub used: i64,
    /// The organization's limit.
    pub limit: i64,
    /// What is left.
    pub remaining: i64,
}

impl InvitesLimit {
    /// A limit value.
    pub fn new(used: i64, limit: i64, remaining: i64) -> Self {
        InvitesLimit {
            used,
            limit,
            remaining,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_reads_back_from_its_wire_text() {
        for status in [
            InviteStatus::Invited,
            InviteStatus::Added,
            InviteStatus::AlreadyMember,
            InviteStatus::AlreadyInvited,
            InviteStatus::InvalidEmail,
            InviteStatus::Duplicate,
            InviteStatus::SeatLimit,
            InviteStatus::NotAllowed,
            InviteStatus::Failed,
            InviteStatus::Other("LATER".into()),
        ] {
            assert_eq!(InviteStatus::from_wire(status.as_str()), status);
            let json = serde_json::to_value(&status).unwrap();
            assert_eq!(json, status.as_str());
            assert_eq!(
                serde_json::from_value::<InviteStatus>(json).unwrap(),
                status
            );
        }
    }
}
