//! The caller's [`Organization`].

use time::OffsetDateTime;

string_id! {
    /// A Labelbox organization's id.
    OrganizationId
}

/// A Labelbox organization, as the organization query returns it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Organization {
    /// The organization's id.
    pub id: OrganizationId,
    /// The organization's name.
    pub name: String,
    /// When the organization was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the organization was last updated.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}
