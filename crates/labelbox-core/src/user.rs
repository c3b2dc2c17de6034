//! Users: [`User`], [`UserId`] and the [`UserRef`] that names a key's target user.

use time::OffsetDateTime;

string_id! {
    /// A Labelbox user's id.
    ///
    /// ```
    /// use labelbox_core::UserId;
    ///
    /// let id = UserId::from("cl9x0user");
    /// assert_eq!(id.to_string(), "cl9x0user");
    /// ```
    ///
    /// A clone shares the text (an `Arc<str>` inside): the keys of a listing that belong
    /// to one user share that user's id.
    shared UserId
}

/// A Labelbox user, as the user queries return it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The user's id.
    pub id: UserId,
    /// The user's email address.
    pub email: String,
    /// The user's display name.
    pub name: String,
    /// The user's nickname, if set.
    pub nickname: Option<String>,
    /// The address of the user's picture, if set.
    pub picture: Option<String>,
    /// Whether the user belongs to another organization.
    pub is_external_user: bool,
    /// Whether the user only has viewer access.
    pub is_viewer: bool,
    /// When the user was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When the user was last updated.
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// When the user last logged in, if ever.
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_login_at: Option<OffsetDateTime>,
}

impl User {
    /// A user who is neither external nor a viewer, with no nickname or picture, never
    /// updated and never logged in; set those fields afterwards when they differ.
    pub fn new(
        id: impl Into<UserId>,
        email: impl Into<String>,
        name: impl Into<String>,
        created_at: OffsetDateTime,
    ) -> Self {
        User {
            id: id.into(),
            email: email.into(),
            name: name.into(),
            nickname: None,
            picture: None,
            is_external_user: false,
            is_viewer: false,
            created_at,
            updated_at: created_at,
            last_login_at: None,
        }
    }
}

/// The user a new key is for: an email address ([`UserRef::by_email`]), or a [`User`] (its
/// email is used). There is no conversion from a bare string, so a user and a role
/// ([`crate::RoleRef`]) given as text cannot be swapped and still compile.
///
/// ```
/// use labelbox_core::UserRef;
///
/// let by_email = UserRef::by_email("ada@example.com");
/// assert_eq!(by_email.email(), "ada@example.com");
/// ```
///
/// ```compile_fail
/// let user: labelbox_core::UserRef = "ada@example.com".into();
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserRef {
    /// A user named by email address.
    Email(String),
    /// A user value; its `email` is used.
    User(User),
}

impl UserRef {
    /// The user with this email address.
    pub fn by_email(email: impl Into<String>) -> Self {
        UserRef::Email(email.into())
    }

    /// The email address that identifies the user.
    pub fn email(&self) -> &str {
        match self {
            UserRef::Email(email) => email,
            UserRef::User(user) => &user.email,
        }
    }

    /// The email, checked to be non-empty (whitespace only counts as empty).
    ///
    /// ```
    /// use labelbox_core::UserRef;
    ///
    /// assert_eq!(UserRef::by_email("a@example.com").validated_email(), Ok("a@example.com"));
    /// assert!(UserRef::by_email(" ").validated_email().is_err());
    /// ```
    pub fn validated_email(&self) -> Result<&str, crate::ValidationError> {
        let email = self.email();
        if email.trim().is_empty() {
            Err(crate::ValidationError::EmptyUserEmail)
        } else {
            Ok(email)
        }
    }
}

impl From<User> for UserRef {
    fn from(user: User) -> Self {
        UserRef::User(user)
    }
}

impl From<&User> for UserRef {
    fn from(user: &User) -> Self {
        UserRef::User(user.clone())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use time::macros::datetime;

    pub(crate) fn sample_user() -> User {
        User {
            id: "u1".into(),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            nickname: None,
            picture: Some("https://example.com/ada.png".into()),
            is_external_user: false,
            is_viewer: false,
            created_at: datetime!(2024-01-02 03:04:05 UTC),
            updated_at: datetime!(2024-02-02 03:04:05 UTC),
            last_login_at: None,
        }
    }

    #[test]
    fn empty_user_email_is_rejected_with_the_contract_message() {
        let blank = User {
            email: String::new(),
            ..sample_user()
        };
        for user in [UserRef::by_email(""), UserRef::from(blank)] {
            assert_eq!(
                user.validated_email().unwrap_err().to_string(),
                "user must be a User object or a valid email"
            );
        }
    }

    #[test]
    fn user_ref_email() {
        assert_eq!(UserRef::by_email("x@example.com").email(), "x@example.com");
        assert_eq!(UserRef::from(sample_user()).email(), "ada@example.com");
        assert_eq!(UserRef::from(&sample_user()).email(), "ada@example.com");
    }

    #[test]
    fn user_serialises_with_rfc3339_dates() {
        let json = serde_json::to_value(sample_user()).unwrap();
        assert_eq!(json["created_at"], "2024-01-02T03:04:05Z");
        assert_eq!(json["last_login_at"], serde_json::Value::Null);
        assert_eq!(json["id"], "u1");
        let back: User = serde_json::from_value(json).unwrap();
        assert_eq!(back, sample_user());
    }
}
