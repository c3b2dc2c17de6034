//! [`CreateApiKeyRequest`]: what to create, and the contract's local checks in its order.

use crate::{validate_key_name, Error, IpAllowlist, RoleRef, UserRef, Validity};
#[cfg(doc)]
use crate::{Client, Role};

/// What to create: a key's name, the user it acts as, its role, how long it is valid and,
/// optionally, the IP addresses or networks it may be used from.
///
/// The user and the role are distinct types ([`UserRef::by_email`] or a [`crate::User`];
/// [`RoleRef::by_name`] or a [`Role`]), so they cannot be swapped: two strings in the
/// wrong order do not compile.
///
/// ```compile_fail
/// use labelbox_sdk::{CreateApiKeyRequest, TimeUnit, Validity};
///
/// let validity = Validity::new(12, TimeUnit::Hour).unwrap();
/// let request = CreateApiKeyRequest::new("nightly-export", "Labeler", "etl@example.com", validity);
/// ```
///
/// The request owns its data, so it can be built, stored and sent later. Nothing is
/// checked until [`Client::create_api_key`], which runs every local check (in the
/// contract's order: name, allowlist, user, role, validity) before any request.
///
/// ```
/// use labelbox_sdk::{CreateApiKeyRequest, RoleRef, TimeUnit, UserRef, Validity};
///
/// let request = CreateApiKeyRequest::new(
///     "nightly-export",
///     UserRef::by_email("etl@example.com"),
///     RoleRef::by_name("Labeler"),
///     Validity::new(12, TimeUnit::Hour)?,
/// )
/// .allowed_ip_entries(["10.0.0.0/8", "2001:db8::1"]);
/// assert_eq!(request.name(), "nightly-export");
/// # Ok::<(), labelbox_sdk::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct CreateApiKeyRequest {
    pub(super) name: String,
    pub(super) user: UserRef,
    pub(super) role: RoleRef,
    pub(super) validity: Validity,
    allowed_ips: AllowedIps,
}

#[derive(Debug, Clone)]
enum AllowedIps {
    /// No allowlist: `allowedIpCidrs: null`.
    Anywhere,
    /// An allowlist already checked.
    Checked(IpAllowlist),
    /// Entries as text, checked by `create_api_key`.
    Unchecked(Vec<String>),
}

impl CreateApiKeyRequest {
    /// A request for a key called `name` acting as `user` (an email, or a [`crate::User`])
    /// with `role` (a role name as the server spells it, matched exactly, or a [`Role`],
    /// matched by normalised name), valid for `validity`. No IP allowlist until
    /// [`CreateApiKeyRequest::allowed_ips`] or
    /// [`CreateApiKeyRequest::allowed_ip_entries`].
    pub fn new(
        name: impl Into<String>,
        user: impl Into<UserRef>,
        role: impl Into<RoleRef>,
        validity: Validity,
    ) -> Self {
        Self {
            name: name.into(),
            user: user.into(),
            role: role.into(),
            validity,
            allowed_ips: AllowedIps::Anywhere,
        }
    }

    /// Restricts the key to these addresses and networks (an [`IpAllowlist`] always has
    /// at least one entry). For a key usable from anywhere, do not call this.
    #[must_use]
    pub fn allowed_ips(mut self, allowlist: IpAllowlist) -> Self {
        self.allowed_ips = AllowedIps::Checked(allowlist);
        self
    }

    /// Restricts the key to addresses and networks given as text; they are checked by
    /// [`Client::create_api_key`] with [`IpAllowlist`]'s rules (trimmed, canonical,
    /// strict networks, duplicates dropped, at most 50) before any request. No entries at
    /// all is refused ([`crate::AllowlistError::Empty`]) rather than sent as `[]`, which the
    /// API reads as "no allowlist": for a key usable from anywhere, do not call this.
    #[must_use]
    pub fn allowed_ip_entries<I, S>(mut self, entries: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.allowed_ips = AllowedIps::Unchecked(entries.into_iter().map(Into::into).collect());
        self
    }

    /// The key's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The user the key will act as.
    pub fn user(&self) -> &UserRef {
        &self.user
    }

    /// The role asked for.
    pub fn role(&self) -> &RoleRef {
        &self.role
    }

    /// How long the key will be valid.
    pub fn validity(&self) -> Validity {
        self.validity
    }

    /// The contract's local checks, in its order. Returns the allowlist to send.
    pub(super) fn check(&self) -> Result<Option<IpAllowlist>, Error> {
        validate_key_name(&self.name)?;
        let allowlist = match &self.allowed_ips {
            AllowedIps::Anywhere => None,
            AllowedIps::Checked(list) => Some(list.clone()),
            AllowedIps::Unchecked(entries) => Some(IpAllowlist::new(entries)?),
        };
        self.user.validated_email()?;
        self.role.validated_name()?;
        // The validity was checked when the `Validity` was made: it cannot be out of range.
        Ok(allowlist)
    }
}
