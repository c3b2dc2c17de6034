//! The one [`Error`] type, the local [`ValidationError`]s and the GraphQL error record
//! [`GraphQlError`]. Reading a response into these values (the contract's classification
//! table) is wire knowledge and lives in the SDK (`labelbox-sdk/src/classify.rs`);
//! `docs/errors.md` is that table as one page.
//!
//! The variants that wrap a [`GraphQlError`] and differ only by the server's code
//! (`Authentication`, `Authorization`, `NotFound`, `Conflict`, ...) stay one variant per
//! code rather than one variant carrying a code enum: they mirror the official SDK's
//! exception classes (`AuthenticationError`, `ResourceNotFoundError`, ...), so a `match`
//! reads like its `except` clauses; each has its own Display prefix; and some rows map
//! several codes to one variant (`GRAPHQL_PARSE_FAILED` and `INTERNAL_SERVER_ERROR` with
//! status 400 are both `InvalidQuery`), which a code enum would hide. An unknown code stays
//! readable through [`Error::UnknownGraphQl`] and [`Error::code`]; `Error` is
//! `#[non_exhaustive]`, so a new row can add a variant.

use std::fmt;
use std::time::Duration;

use crate::{AllowlistError, ApiKeyId, ValidityError};

/// A boxed cause, so no foreign crate's error type appears in the public API.
type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

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
/// use labelbox_core::GraphQlError;
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
fn authentication_message(error: &GraphQlError) -> String {
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

/// Everything that can go wrong using the Labelbox API: local validation, the
/// contract's response classification, transport and decoding.
///
/// Display carries the server's own message (never a secret, never a raw response
/// body); causes travel in [`source()`](std::error::Error::source). Which answer becomes
/// which variant, and which variants are retryable, is one table: `docs/errors.md`.
///
/// ```
/// use labelbox_core::{Error, GraphQlError};
///
/// let error = Error::Authorization(
///     GraphQlError::new("Not allowed to create keys").with_code("AUTHORIZATION_ERROR"),
/// );
/// assert!(matches!(error, Error::Authorization(_)));
/// assert_eq!(error.code(), Some("AUTHORIZATION_ERROR"));
/// assert!(!error.is_retryable());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No API key was given to the builder and `LABELBOX_API_KEY` is unset.
    #[error("No Labelbox API key: pass one to the builder or set LABELBOX_API_KEY")]
    MissingApiKey,

    /// A client setting is unusable (an endpoint that is not a URL, a bad header value).
    #[error("Invalid client configuration: {message}")]
    Configuration {
        /// What is wrong.
        message: String,
    },

    /// A local check failed; no request was sent.
    #[error(transparent)]
    Validation(#[from] ValidationError),

    /// The target user is not in the caller's organization.
    #[error("User with email '{email}' does not exist in the organization")]
    UserNotFound {
        /// The email that was looked up.
        email: String,
    },

    /// The role is unknown or not grantable by the caller.
    #[error("Invalid role specified. Allowed roles are: {}", format_names(allowed))]
    InvalidRole {
        /// The role name asked for.
        requested: String,
        /// The names of the roles the caller may grant.
        allowed: Vec<String>,
    },

    /// `AUTHENTICATION_ERROR`: the API key was rejected.
    #[error("{}", authentication_message(.0))]
    Authentication(GraphQlError),

    /// `AUTHORIZATION_ERROR`: the key may not do this.
    #[error("Not authorized: {0}")]
    Authorization(GraphQlError),

    /// `GRAPHQL_VALIDATION_FAILED`, `GRAPHQL_PARSE_FAILED`, or `INTERNAL_SERVER_ERROR`
    /// with status 400.
    #[error("Invalid query: {0}")]
    InvalidQuery(GraphQlError),

    /// `GRAPHQL_VALIDATION_FAILED` with the message "Query complexity limit exceeded".
    #[error("Query rejected: {0}")]
    QueryComplexity(GraphQlError),

    /// The server's top-level message starts "You have exceeded" (or the transport saw
    /// a rate-limit status).
    #[error("API rate limit exceeded: {message}{}", retry_hint(retry_after))]
    RateLimited {
        /// The server's message.
        message: String,
        /// How long the server asked to wait, when it said.
        retry_after: Option<Duration>,
    },

    /// `RESOURCE_NOT_FOUND`.
    #[error("Resource not found: {0}")]
    NotFound(GraphQlError),

    /// `RESOURCE_CONFLICT`.
    #[error("Resource conflict: {0}")]
    Conflict(GraphQlError),

    /// `MALFORMED_REQUEST`.
    #[error("Malformed request: {0}")]
    MalformedRequest(GraphQlError),

    /// `INTERNAL_SERVER_ERROR` with status 422.
    #[error("Unprocessable entity: {0}")]
    UnprocessableEntity(GraphQlError),

    /// `OPERATION_NOT_ALLOWED`, or `INTERNAL_SERVER_ERROR` with status 426.
    #[error("Operation not allowed: {0}")]
    OperationNotAllowed(GraphQlError),

    /// The server failed: HTTP 5xx or an upstream connection failure (no GraphQL error),
    /// or `INTERNAL_SERVER_ERROR` with a status other than 400/422/426 (kept in
    /// `graphql_error`). Retrying may help ([`Error::is_retryable`]), except for the
    /// reference client's generic error: `INTERNAL_SERVER_ERROR` with status 500 or none.
    #[error(
        "Internal server error{}: {}",
        status_suffix(*status),
        server_detail(message.as_deref(), graphql_error.as_deref())
    )]
    InternalServer {
        /// The HTTP status or the error's status, when known.
        status: Option<u16>,
        /// The server's message, when it gave one.
        message: Option<String>,
        /// The GraphQL error it came from, when it came from one (boxed: it is rare, and
        /// keeps `Error` small).
        graphql_error: Option<Box<GraphQlError>>,
    },

    /// GraphQL errors with codes the contract does not classify; lists each.
    #[error("Unknown error: {}", format_errors(.0))]
    UnknownGraphQl(Vec<GraphQlError>),

    /// A non-200 status with no GraphQL errors (for example 401 when API access is
    /// disabled), with the body's `message` when it had one.
    #[error("HTTP status {status}: {}", message.as_deref().unwrap_or("no message"))]
    HttpStatus {
        /// The HTTP status.
        status: u16,
        /// The body's `message`, when present.
        message: Option<String>,
    },

    /// The request timed out. Retrying may help.
    #[error("Request timed out{}", after.map(|d| format!(" after {}", format_duration(d))).unwrap_or_default())]
    Timeout {
        /// The timeout that expired, when known.
        after: Option<Duration>,
    },

    /// The connection failed. Retrying may help.
    #[error("Network error: {message}")]
    Network {
        /// What failed, in words.
        message: String,
        /// The transport's error.
        source: BoxError,
    },

    /// The response body was larger than the client's limit (`max_response_bytes`, 16 MiB
    /// by default); reading stopped there. The request may have taken effect.
    #[error(
        "The response is larger than the {limit}-byte limit; reading stopped there \
         (raise ClientBuilder::max_response_bytes if the endpoint is trusted)"
    )]
    ResponseTooLarge {
        /// The limit in bytes.
        limit: u64,
    },

    /// The body was not JSON (status below 500).
    #[error("Failed to parse response as JSON")]
    InvalidJson {
        /// The JSON parser's error.
        source: BoxError,
    },

    /// A field of a response was missing or of the wrong type.
    #[error("Unexpected {operation} response at {path}: {message}")]
    Decode {
        /// The operation whose response it was.
        operation: String,
        /// The field path, `user.apiKeys[0].expiresAtEpoch`.
        path: String,
        /// What was wrong.
        message: String,
    },

    /// A response had no value where one is required (`createApiKey`, `updateApiKey.id`).
    #[error("The {operation} response has no {field}")]
    MissingData {
        /// The operation whose response it was.
        operation: String,
        /// The missing field's path.
        field: String,
    },

    /// A key creation did not complete. Any keys that may have been created without
    /// their secret reaching the caller and were then revoked are listed.
    #[error(
        "API key creation failed: {message}{}",
        orphans_suffix(orphans_revoked)
    )]
    CreationFailed {
        /// What happened.
        message: String,
        /// Keys that were created but revoked because their secret was lost.
        orphans_revoked: Vec<ApiKeyId>,
        /// The underlying error, when there was one.
        source: Option<Box<Error>>,
    },
}

impl Error {
    /// Whether trying again could succeed: timeouts, network failures, internal server
    /// errors (but not the generic `INTERNAL_SERVER_ERROR` with status 500 or none, which
    /// the reference client does not retry either) and rate limiting. Everything else fails
    /// the same way again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::InternalServer {
                status,
                graphql_error,
                ..
            } => graphql_error.is_none() || !matches!(status, None | Some(500)),
            Error::Timeout { .. } | Error::Network { .. } | Error::RateLimited { .. } => true,
            _ => false,
        }
    }

    /// The GraphQL errors this error came from (empty when it did not come from any).
    pub fn graphql_errors(&self) -> &[GraphQlError] {
        match self {
            Error::Authentication(e)
            | Error::Authorization(e)
            | Error::InvalidQuery(e)
            | Error::QueryComplexity(e)
            | Error::NotFound(e)
            | Error::Conflict(e)
            | Error::MalformedRequest(e)
            | Error::UnprocessableEntity(e)
            | Error::OperationNotAllowed(e) => std::slice::from_ref(e),
            Error::InternalServer {
                graphql_error: Some(e),
                ..
            } => std::slice::from_ref(&**e),
            Error::UnknownGraphQl(errors) => errors,
            _ => &[],
        }
    }

    /// The first GraphQL error's `extensions.code`, when there is one.
    pub fn code(&self) -> Option<&str> {
        self.graphql_errors().iter().find_map(|e| e.code.as_deref())
    }

    /// The HTTP (or error) status this error carries, when it has one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::InternalServer { status, .. } => *status,
            Error::HttpStatus { status, .. } => Some(*status),
            _ => self.graphql_errors().iter().find_map(|e| e.status),
        }
    }

    /// How long the server asked to wait before retrying, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Error::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }

    /// Whether this is a local validation failure (no request was sent).
    pub fn is_validation(&self) -> bool {
        matches!(
            self,
            Error::Validation(_) | Error::MissingApiKey | Error::Configuration { .. }
        )
    }
}

impl From<ValidityError> for Error {
    fn from(e: ValidityError) -> Self {
        Error::Validation(ValidationError::Validity(e))
    }
}

impl From<AllowlistError> for Error {
    fn from(e: AllowlistError) -> Self {
        Error::Validation(ValidationError::Allowlist(e))
    }
}

fn format_names(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
    format!("[{}]", quoted.join(", "))
}

fn format_errors(errors: &[GraphQlError]) -> String {
    if errors.is_empty() {
        return "no error details".to_owned();
    }
    errors
        .iter()
        .map(|e| {
            format!(
                "{} (code {})",
                e.message,
                e.code.as_deref().unwrap_or("none")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn format_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

fn retry_hint(retry_after: &Option<Duration>) -> String {
    match retry_after {
        Some(d) => format!(" (retry after {})", format_duration(*d)),
        None => String::new(),
    }
}

fn server_detail(message: Option<&str>, graphql_error: Option<&GraphQlError>) -> String {
    match (graphql_error, message) {
        (Some(error), _) => error.to_string(),
        (None, Some(message)) => message.to_owned(),
        (None, None) => "no message".to_owned(),
    }
}

fn status_suffix(status: Option<u16>) -> String {
    status.map(|s| format!(" (status {s})")).unwrap_or_default()
}

fn orphans_suffix(orphans: &[ApiKeyId]) -> String {
    if orphans.is_empty() {
        String::new()
    } else {
        let ids: Vec<&str> = orphans.iter().map(ApiKeyId::as_str).collect();
        format!(" (revoked unreachable keys: {})", ids.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::error::Error as _;

    fn coded(message: &str, code: &str) -> GraphQlError {
        GraphQlError::new(message).with_code(code)
    }

    #[test]
    fn local_messages_are_the_contract_messages() {
        assert_eq!(
            Error::UserNotFound {
                email: "x@example.com".into()
            }
            .to_string(),
            "User with email 'x@example.com' does not exist in the organization"
        );
        assert_eq!(
            Error::InvalidRole {
                requested: "LABELER".into(),
                allowed: vec!["Labeler".into(), "Reviewer".into()]
            }
            .to_string(),
            "Invalid role specified. Allowed roles are: ['Labeler', 'Reviewer']"
        );
        assert_eq!(
            Error::from(ValidationError::EmptyName).to_string(),
            "name must be a non-empty string"
        );
        assert_eq!(
            Error::from(ValidityError::TooShort).to_string(),
            "Minimum validity period is 1 minute"
        );
        assert_eq!(
            Error::from(ValidityError::TooLong).to_string(),
            "Maximum validity period is 6 months (or 25 weeks)"
        );
        assert_eq!(
            Error::MissingApiKey.to_string(),
            "No Labelbox API key: pass one to the builder or set LABELBOX_API_KEY"
        );
        assert!(Error::from(ValidityError::TooShort).is_validation());
    }

    #[test]
    fn transport_and_decoding_messages() {
        assert_eq!(
            Error::HttpStatus {
                status: 401,
                message: Some("API access disabled".into())
            }
            .to_string(),
            "HTTP status 401: API access disabled"
        );
        assert_eq!(
            Error::Timeout {
                after: Some(Duration::from_secs(30))
            }
            .to_string(),
            "Request timed out after 30s"
        );
        assert_eq!(
            Error::Timeout { after: None }.to_string(),
            "Request timed out"
        );
        assert_eq!(
            Error::RateLimited {
                message: "You have exceeded".into(),
                retry_after: Some(Duration::from_secs(5))
            }
            .to_string(),
            "API rate limit exceeded: You have exceeded (retry after 5s)"
        );
        assert_eq!(
            Error::Decode {
                operation: "ListApiKeys".into(),
                path: "user.apiKeys[0].expiresAtEpoch".into(),
                message: "expected an integer".into()
            }
            .to_string(),
            "Unexpected ListApiKeys response at user.apiKeys[0].expiresAtEpoch: expected an integer"
        );
        assert_eq!(
            Error::MissingData {
                operation: "CreateApiKey".into(),
                field: "createApiKey".into()
            }
            .to_string(),
            "The CreateApiKey response has no createApiKey"
        );
    }

    #[test]
    fn causes_travel_in_source_not_display() {
        let parse = serde_json::from_str::<serde_json::Value>("<html>").unwrap_err();
        let e = Error::InvalidJson {
            source: Box::new(parse),
        };
        assert_eq!(e.to_string(), "Failed to parse response as JSON");
        assert!(e.source().is_some());
        assert!(!e.is_retryable());

        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let e = Error::Network {
            message: "connection reset".into(),
            source: Box::new(io),
        };
        assert_eq!(e.to_string(), "Network error: connection reset");
        assert_eq!(e.source().unwrap().to_string(), "reset by peer");
        assert!(e.is_retryable());

        let inner = Error::Timeout { after: None };
        let e = Error::CreationFailed {
            message: "the response was lost".into(),
            orphans_revoked: vec!["ck1".into(), "ck2".into()],
            source: Some(Box::new(inner)),
        };
        assert_eq!(
            e.to_string(),
            "API key creation failed: the response was lost (revoked unreachable keys: ck1, ck2)"
        );
        assert_eq!(e.source().unwrap().to_string(), "Request timed out");
        assert!(!e.is_retryable());
    }

    #[test]
    fn retryable_only_for_transient_failures() {
        assert!(Error::Timeout { after: None }.is_retryable());
        assert!(Error::InternalServer {
            status: Some(502),
            message: None,
            graphql_error: None,
        }
        .is_retryable());
        assert!(Error::RateLimited {
            message: "x".into(),
            retry_after: None
        }
        .is_retryable());
        assert!(!Error::Authentication(coded("x", "AUTHENTICATION_ERROR")).is_retryable());
        let generic = |status: Option<u16>| Error::InternalServer {
            status,
            message: Some("x".into()),
            graphql_error: Some(Box::new(coded("x", "INTERNAL_SERVER_ERROR"))),
        };
        assert!(!generic(None).is_retryable());
        assert!(!generic(Some(500)).is_retryable());
        assert!(generic(Some(503)).is_retryable());
        assert!(!Error::HttpStatus {
            status: 401,
            message: None
        }
        .is_retryable());
        assert!(!Error::MissingApiKey.is_retryable());
    }

    #[test]
    fn error_is_send_sync_and_static() {
        fn assert_bounds<T: Send + Sync + 'static>() {}
        assert_bounds::<Error>();
    }
}
