//! The caller's [`Organization`].

use time::OffsetDateTime;

string_id! {
    /// A Labelbox organization's id.
    OrganizationId
}

/// A Labelbox organization, as the organization query returns it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
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

impl Organization {
    /// An organization value.
    pub fn new(
        id: impl Into<OrganizationId>,
        name: impl Into<String>,
        created_at: OffsetDateTime,
        updated_at: OffsetDateTime,
    ) -> Self {
        Organization {
            id: id.into(),
            name: name.into(),
            created_at,
            updated_at,
        }
    }
}
