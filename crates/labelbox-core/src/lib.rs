#![doc = include_str!("../README.md")]
//!
//! ## In detail
//!
//! Domain types of the Labelbox API-key SDK: API keys, their validity and IP allowlist,
//! roles, users, organizations and the [`ValidationError`] their checks raise.
//!
//! This crate knows nothing about HTTP or GraphQL text. It holds the values the SDK sends
//! and receives, the contract's local validation rules (every check that can be made
//! before a request). The error that describes a request (how far it got, what the server
//! said) is the SDK's `labelbox_sdk::Error`.
//!
//! ```
//! use labelbox_core::{IpAllowlist, Validity};
//!
//! let validity: Validity = "30d".parse()?;
//! assert_eq!(validity.as_seconds(), 30 * 86_400);
//!
//! let allowlist = IpAllowlist::new([" 10.0.0.0/8", "2001:0db8::1", "10.0.0.0/8"])?;
//! assert_eq!(allowlist.to_strings(), ["10.0.0.0/8", "2001:db8::1"]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

/// Defines a string newtype identifier with the usual conversions. `shared` ids hold an
/// `Arc<str>`: a clone shares the text instead of copying it (many keys name the same few
/// users).
macro_rules! string_id {
    ($(#[$meta:meta])* shared $name:ident) => {
        string_id!(@define $(#[$meta])* $name, std::sync::Arc<str>);
    };
    ($(#[$meta:meta])* $name:ident) => {
        string_id!(@define $(#[$meta])* $name, String);
    };
    (@define $(#[$meta:meta])* $name:ident, $text:ty) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name($text);

        impl $name {
            /// Wraps an identifier given as text.
            pub fn new(id: impl Into<String>) -> Self {
                Self(<$text>::from(id.into()))
            }

            /// The identifier as text.
            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// Unwraps the identifier text.
            pub fn into_string(self) -> String {
                crate::IdText::into_string(self.0)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(Self(<$text>::from(s)))
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl From<String> for $name {
            fn from(id: String) -> Self {
                Self(<$text>::from(id))
            }
        }

        impl From<&str> for $name {
            fn from(id: &str) -> Self {
                Self(<$text>::from(id))
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.into_string()
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                *self.0 == *other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                *self.0 == **other
            }
        }
    };
}

/// The text inside a [`string_id!`] identifier, unwrapped without a copy where it can be.
trait IdText {
    fn into_string(self) -> String;
}

impl IdText for String {
    fn into_string(self) -> String {
        self
    }
}

impl IdText for std::sync::Arc<str> {
    fn into_string(self) -> String {
        String::from(&*self)
    }
}

mod allowlist;
mod api_key;
pub mod contract;
mod error;
mod invite;
mod organization;
mod redact;
mod role;
mod user;
mod validity;

pub use allowlist::{
    AllowedIp, AllowedIpError, AllowlistError, IpAllowlist, MAX_ALLOWLIST_ENTRIES,
};
pub use api_key::{validate_key_name, ApiKey, ApiKeyId, CreatedApiKey};
pub use error::ValidationError;
pub use invite::{
    Invite, InviteId, InviteResult, InviteStatus, InvitesLimit, INVITE_BATCH_SIZE,
    MAX_INVITE_EMAIL_CHARS,
};
pub use organization::{Organization, OrganizationId};
pub use redact::{redact_secrets, scrub_jwts, REDACTED};
pub use role::{
    grantable_roles, normalize_role_name, Role, RoleId, RoleRef, Roles, NEVER_GRANTABLE_ROLES,
};
pub use user::{User, UserId, UserRef};
pub use validity::{TimeUnit, Validity, ValidityError};

/// Re-exported so callers can name the secret type without depending on `secrecy`.
pub use secrecy::{ExposeSecret, SecretString};
