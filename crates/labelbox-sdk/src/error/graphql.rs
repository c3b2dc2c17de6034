//! [`GraphQlError`]: one entry of a GraphQL response's `errors`, and its [`PathSegment`]s.

use std::fmt;

/// One step of a GraphQL error's `path`: a field name or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(untagged)]
pub enum PathSegment {
    /// A field (response key).
    Field(String),
    /// A position in a list.
    Index(usize),
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Field(name) => f.write_str(name),
            PathSegment::Index(i) => write!(f, "{i}"),
        }
    }
}

impl From<&str> for PathSegment {
    fn from(name: &str) -> Self {
        PathSegment::Field(name.to_owned())
    }
}

impl From<String> for PathSegment {
    fn from(name: String) -> Self {
        PathSegment::Field(name)
    }
}

impl From<usize> for PathSegment {
    fn from(index: usize) -> Self {
        PathSegment::Index(index)
    }
}

/// One entry of a GraphQL response's `errors`, with what classification needs.
///
/// Reading one from the wire (leniently) is the SDK's job; here it is a plain value.
///
/// ```
/// use labelbox_sdk::GraphQlError;
///
/// let error = GraphQlError::new("Not allowed")
///     .with_code("AUTHORIZATION_ERROR")
///     .with_path(["createApiKey"]);
/// assert_eq!(error.code.as_deref(), Some("AUTHORIZATION_ERROR"));
/// assert_eq!(error.to_string(), "Not allowed [AUTHORIZATION_ERROR] at createApiKey");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct GraphQlError {
    /// The server's message.
    pub message: String,
    /// `extensions.code`, when present.
    pub code: Option<String>,
    /// The response path the error belongs to (empty when absent).
    pub path: Vec<PathSegment>,
    /// `extensions.exception.status`, when present and numeric.
    pub status: Option<u16>,
}

impl GraphQlError {
    /// An error with only a message.
    pub fn new(message: impl Into<String>) -> Self {
        GraphQlError {
            message: message.into(),
            code: None,
            path: Vec::new(),
            status: None,
        }
    }

    /// Sets `code`.
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Sets `status`.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }

    /// Sets `path`.
    pub fn with_path<I, S>(mut self, path: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<PathSegment>,
    {
        self.path = path.into_iter().map(Into::into).collect();
        self
    }

    /// The path as text, `user.apiKeys.0.id`.
    pub fn path_string(&self) -> String {
        self.path
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// "Invalid API key: <server message>", without repeating the prefix when the server's
/// message already starts with it.
pub(super) fn authentication_message(error: &GraphQlError) -> String {
    const PREFIX: &str = "Invalid API key";
    let starts_with_prefix = error
        .message
        .get(..PREFIX.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(PREFIX));
    if starts_with_prefix {
        error.to_string()
    } else {
        format!("{PREFIX}: {error}")
    }
}

impl fmt::Display for GraphQlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(code) = &self.code {
            write!(f, " [{code}]")?;
        }
        if !self.path.is_empty() {
            write!(f, " at {}", self.path_string())?;
        }
        Ok(())
    }
}
