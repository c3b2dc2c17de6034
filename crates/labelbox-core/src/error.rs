//! [`ValidationError`]: what this crate's own types raise when a value breaks a local rule.
//! The error that describes a request (how far it got, what the server said) is the SDK's
//! (`labelbox_sdk::Error`); this crate knows no HTTP.

use crate::{AllowlistError, ValidityError};

/// A value that failed a local check, before any request was sent.
///
/// Display is the contract's message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ValidationError {
    /// The key name was empty.
    #[error("name must be a non-empty string")]
    EmptyName,
    /// The target user's email was empty.
    #[error("user must be a User object or a valid email")]
    EmptyUserEmail,
    /// The role name was empty.
    #[error("role must be a Role object or a valid role name")]
    EmptyRoleName,
    /// The validity period was out of range or unreadable.
    #[error(transparent)]
    Validity(#[from] ValidityError),
    /// The IP allowlist broke a rule.
    #[error(transparent)]
    Allowlist(#[from] AllowlistError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_messages_are_the_contract_messages() {
        assert_eq!(
            ValidationError::EmptyName.to_string(),
            "name must be a non-empty string"
        );
        assert_eq!(
            ValidationError::from(ValidityError::TooShort).to_string(),
            "Minimum validity period is 1 minute"
        );
        assert_eq!(
            ValidationError::from(ValidityError::TooLong).to_string(),
            "Maximum validity period is 6 months (or 25 weeks)"
        );
    }

    #[test]
    fn error_is_send_sync_and_static() {
        fn assert_bounds<T: Send + Sync + 'static>() {}
        assert_bounds::<ValidationError>();
    }
}
