//! The SDK's [`Error`]: what went wrong with a call, in six kinds a caller can match in a
//! few arms, and how far the request got ([`Delivery`]).
//!
//! The shape follows smithy-rs's `SdkError`: the call was refused before sending
//! ([`Error::Construction`]), it timed out ([`Error::Timeout`]), the connection failed
//! ([`Error::Dispatch`]), the answer could not be read ([`Error::Response`]), or the
//! server answered with an error ([`Error::Service`]: its code, message and
//! retryability). A key creation that did not complete is the sixth kind
//! ([`Error::CreationFailed`]), because it names any key it left live or revoked.
//! Every error says whether the request may have been delivered
//! ([`Error::delivery`], [`Error::may_have_been_delivered`]), so a caller of
//! [`Client::execute`](crate::Client::execute) running its own mutation knows whether a
//! failure means "it did not happen" or "it may have happened".
//!
//! Which answer becomes which kind is one table, `docs/errors.md`; the code that applies it
//! is `classify.rs`.

use std::fmt;
use std::time::Duration;

use crate::{ApiKeyId, ValidationError};

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

/// How far a failed request got: whether the server may have acted on it.
///
/// A query can always be sent again; a mutation that "may have been delivered"
/// ([`Delivery::may_have_been_delivered`]) may have taken effect, so sending it again could
/// do it twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Delivery {
    /// Nothing reached the server: a local check refused the call, or the connection was
    /// never established.
    NotSent,
    /// The server refused the request before processing it (rate limiting).
    Rejected,
    /// The request may or may not have been processed, or was processed with an outcome
    /// that cannot be read (a timeout after sending, a dropped connection, a 5xx, a generic
    /// or unknown server error, a body that is not JSON or does not decode).
    Unknown,
    /// The server processed the request and answered definitively (with an error).
    Processed,
}

impl Delivery {
    /// Whether the server may have acted on the request (`Unknown` or `Processed`).
    pub fn may_have_been_delivered(self) -> bool {
        matches!(self, Delivery::Unknown | Delivery::Processed)
    }
}

/// Everything that can go wrong with an SDK call, in six kinds.
///
/// Display carries the server's own message (never a secret, never a raw response body);
/// causes travel in [`source()`](std::error::Error::source). Which answer becomes which
/// kind, which are retryable, and how far each request got is one table:
/// `docs/errors.md`.
///
/// ```
/// use labelbox_sdk::{Delivery, Error, GraphQlError, ServiceError};
///
/// let error = Error::Service(ServiceError::Authorization(
///     GraphQlError::new("Not allowed to create keys").with_code("AUTHORIZATION_ERROR"),
/// ));
/// match &error {
///     Error::Construction(_) => unreachable!("nothing was refused locally"),
///     Error::Timeout { .. } | Error::Dispatch { .. } => unreachable!("the server answered"),
///     Error::Response(_) => unreachable!("the answer was read"),
///     Error::Service(service) => {
///         assert_eq!(service.code(), Some("AUTHORIZATION_ERROR"));
///         assert_eq!(service.message(), Some("Not allowed to create keys"));
///         assert!(!service.is_retryable());
///     }
///     Error::CreationFailed { .. } => unreachable!("not a creation"),
///     _ => unreachable!("a kind added later"),
/// }
/// assert_eq!(error.delivery(), Delivery::Processed);
/// assert!(error.may_have_been_delivered());
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The call was refused before its request was sent: no key, an unusable setting, a
    /// local check, or a preflight that found the user or role unusable.
    #[error(transparent)]
    Construction(#[from] ConstructionError),
    /// The request timed out. Retrying may help.
    #[error("Request timed out{}", after.map(|d| format!(" after {}", format_duration(d))).unwrap_or_default())]
    Timeout {
        /// The timeout that expired, when known.
        after: Option<Duration>,
        /// How far the request got: [`Delivery::NotSent`] when connecting timed out,
        /// [`Delivery::Unknown`] after it was sent.
        delivery: Delivery,
    },
    /// The connection failed or dropped. Retrying may help.
    #[error("Network error: {message}")]
    Dispatch {
        /// What failed, in words.
        message: String,
        /// How far the request got: [`Delivery::NotSent`] when the connection was never
        /// established, [`Delivery::Unknown`] when it dropped after sending.
        delivery: Delivery,
        /// The transport's error.
        source: BoxError,
    },
    /// An answer arrived but could not be read (too large, not JSON, missing or
    /// mistyped data). The server may have acted on the request.
    #[error(transparent)]
    Response(#[from] ResponseError),
    /// The server answered with an error: GraphQL errors, rate limiting, or an HTTP
    /// error status ([`ServiceError::code`], [`ServiceError::message`],
    /// [`ServiceError::is_retryable`]).
    #[error(transparent)]
    Service(#[from] ServiceError),
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

/// [`Error::Construction`]: the call was refused before its request was sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConstructionError {
    /// No API key was given to the builder and `LABELBOX_API_KEY` is unset.
    #[error("No Labelbox API key: pass one to the builder or set LABELBOX_API_KEY")]
    MissingApiKey,
    /// A client setting is unusable (an endpoint that is not a URL, a bad header value).
    #[error("Invalid client configuration: {message}")]
    Configuration {
        /// What is wrong.
        message: String,
    },
    /// A local check failed.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// The target user is not in the caller's organization (create preflight).
    #[error("User with email '{email}' does not exist in the organization")]
    UserNotFound {
        /// The email that was looked up.
        email: String,
    },
    /// The role is unknown or not grantable by the caller (create preflight).
    #[error("Invalid role specified. Allowed roles are: {}", format_names(allowed))]
    InvalidRole {
        /// The role name asked for.
        requested: String,
        /// The names of the roles the caller may grant.
        allowed: Vec<String>,
    },
}

/// [`Error::Response`]: an answer arrived but could not be read. The request may have
/// been processed ([`Delivery::Unknown`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseError {
    /// The body was larger than the client's limit (`max_response_bytes`, 16 MiB by
    /// default); reading stopped there.
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
    /// A response had no value where one is required (`data`, `createApiKey`,
    /// `updateApiKey.id`).
    #[error("The {operation} response has no {field}")]
    MissingData {
        /// The operation whose response it was.
        operation: String,
        /// The missing field's path.
        field: String,
    },
}

/// [`Error::Service`]: the server answered with an error, one variant per row of the
/// contract's table (they mirror the official SDK's exception classes, so a `match` reads
/// like its `except` clauses).
///
/// [`code`](ServiceError::code), [`message`](ServiceError::message) and
/// [`is_retryable`](ServiceError::is_retryable) answer the usual questions whatever the
/// variant; [`delivery`](ServiceError::delivery) says how far the request got.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
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
    /// The server's top-level message starts "You have exceeded", or the status was 429.
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
    /// `graphql_error`). Retryable, except the reference client's generic error:
    /// `INTERNAL_SERVER_ERROR` with status 500 or none.
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
        /// The GraphQL error it came from, when it came from one.
        graphql_error: Option<Box<GraphQlError>>,
    },
    /// GraphQL errors with codes the contract does not classify; lists each.
    #[error("Unknown error: {}", format_errors(.0))]
    UnknownGraphQl(Vec<GraphQlError>),
    /// A non-200 status with no GraphQL errors (for example 401 when API access is
    /// disabled, or a redirect, which is never followed), with the body's `message`.
    #[error("HTTP status {status}: {}", message.as_deref().unwrap_or("no message"))]
    HttpStatus {
        /// The HTTP status.
        status: u16,
        /// The body's `message`, when present.
        message: Option<String>,
    },
}

impl ServiceError {
    /// How far the request got: [`Delivery::Rejected`] for rate limiting,
    /// [`Delivery::Unknown`] for server failures and unclassified errors,
    /// [`Delivery::Processed`] otherwise.
    pub fn delivery(&self) -> Delivery {
        match self {
            ServiceError::RateLimited { .. } => Delivery::Rejected,
            ServiceError::InternalServer { .. } | ServiceError::UnknownGraphQl(_) => {
                Delivery::Unknown
            }
            _ => Delivery::Processed,
        }
    }

    /// Whether trying again could succeed: rate limiting and server failures (but not the
    /// generic `INTERNAL_SERVER_ERROR` with status 500 or none).
    pub fn is_retryable(&self) -> bool {
        match self {
            ServiceError::InternalServer {
                status,
                graphql_error,
                ..
            } => graphql_error.is_none() || !matches!(status, None | Some(500)),
            ServiceError::RateLimited { .. } => true,
            _ => false,
        }
    }

    /// The GraphQL errors this came from (empty when none).
    pub fn graphql_errors(&self) -> &[GraphQlError] {
        use ServiceError as K;
        match self {
            K::Authentication(e)
            | K::Authorization(e)
            | K::InvalidQuery(e)
            | K::QueryComplexity(e)
            | K::NotFound(e)
            | K::Conflict(e)
            | K::MalformedRequest(e)
            | K::UnprocessableEntity(e)
            | K::OperationNotAllowed(e) => std::slice::from_ref(e),
            K::InternalServer {
                graphql_error: Some(e),
                ..
            } => std::slice::from_ref(&**e),
            K::UnknownGraphQl(errors) => errors,
            _ => &[],
        }
    }
    /// The server's error code (`extensions.code` of the first GraphQL error that has one).
    pub fn code(&self) -> Option<&str> {
        self.graphql_errors().iter().find_map(|e| e.code.as_deref())
    }

    /// The server's message: the first GraphQL error's, or the top-level or status
    /// message.
    pub fn message(&self) -> Option<&str> {
        match self {
            ServiceError::RateLimited { message, .. } => Some(message),
            ServiceError::InternalServer {
                message: Some(m), ..
            } => Some(m),
            ServiceError::HttpStatus { message, .. } => message.as_deref(),
            other => other.graphql_errors().first().map(|e| e.message.as_str()),
        }
    }

    /// The HTTP (or error) status, when there is one.
    pub fn status(&self) -> Option<u16> {
        match self {
            ServiceError::InternalServer { status, .. } => *status,
            ServiceError::HttpStatus { status, .. } => Some(*status),
            other => other.graphql_errors().iter().find_map(|e| e.status),
        }
    }

    /// How long the server asked to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            ServiceError::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

impl From<ValidationError> for Error {
    fn from(e: ValidationError) -> Self {
        Error::Construction(ConstructionError::Validation(e))
    }
}

impl From<crate::ValidityError> for Error {
    fn from(e: crate::ValidityError) -> Self {
        ValidationError::Validity(e).into()
    }
}

impl From<crate::AllowlistError> for Error {
    fn from(e: crate::AllowlistError) -> Self {
        ValidationError::Allowlist(e).into()
    }
}

impl Error {
    /// How far the request got. A call refused locally was [`Delivery::NotSent`]; an
    /// unreadable answer [`Delivery::Unknown`]; a server error says
    /// ([`ServiceError::delivery`]); a failed creation reports its cause's delivery
    /// ([`Delivery::Unknown`] without one).
    pub fn delivery(&self) -> Delivery {
        match self {
            Error::Construction(_) => Delivery::NotSent,
            Error::Timeout { delivery, .. } | Error::Dispatch { delivery, .. } => *delivery,
            Error::Response(_) => Delivery::Unknown,
            Error::Service(e) => e.delivery(),
            Error::CreationFailed { source, .. } => {
                source.as_deref().map_or(Delivery::Unknown, Error::delivery)
            }
        }
    }

    /// Whether the server may have acted on the request: a mutation that failed this way
    /// may have taken effect, so sending it again could do it twice. See [`Delivery`].
    pub fn may_have_been_delivered(&self) -> bool {
        self.delivery().may_have_been_delivered()
    }

    /// Whether trying again could succeed: timeouts, network failures, internal server
    /// errors (but not the generic `INTERNAL_SERVER_ERROR` with status 500 or none, which
    /// the reference client does not retry either) and rate limiting. Everything else fails
    /// the same way again.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Dispatch { .. } => true,
            Error::Service(e) => e.is_retryable(),
            _ => false,
        }
    }

    /// The server's error, when the server answered with one.
    pub fn service_error(&self) -> Option<&ServiceError> {
        match self {
            Error::Service(e) => Some(e),
            _ => None,
        }
    }

    /// The GraphQL errors this error came from (empty when it did not come from any).
    pub fn graphql_errors(&self) -> &[GraphQlError] {
        self.service_error()
            .map_or(&[], ServiceError::graphql_errors)
    }

    /// The first GraphQL error's `extensions.code`, when there is one.
    pub fn code(&self) -> Option<&str> {
        self.service_error().and_then(ServiceError::code)
    }

    /// The HTTP (or error) status this error carries, when it has one.
    pub fn status(&self) -> Option<u16> {
        self.service_error().and_then(ServiceError::status)
    }

    /// How long the server asked to wait before retrying, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.service_error().and_then(ServiceError::retry_after)
    }

    /// Whether this is a local validation or configuration failure (no request was sent;
    /// the preflight's unknown user or role is not one: those asked the server).
    pub fn is_validation(&self) -> bool {
        matches!(
            self,
            Error::Construction(
                ConstructionError::Validation(_)
                    | ConstructionError::MissingApiKey
                    | ConstructionError::Configuration { .. }
            )
        )
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
    use crate::ValidityError;
    use std::error::Error as _;

    fn coded(message: &str, code: &str) -> GraphQlError {
        GraphQlError::new(message).with_code(code)
    }

    #[test]
    fn local_messages_are_the_contract_messages() {
        assert_eq!(
            Error::Construction(ConstructionError::UserNotFound {
                email: "x@example.com".into()
            })
            .to_string(),
            "User with email 'x@example.com' does not exist in the organization"
        );
        assert_eq!(
            Error::Construction(ConstructionError::InvalidRole {
                requested: "LABELER".into(),
                allowed: vec!["Labeler".into(), "Reviewer".into()]
            })
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
            Error::Construction(ConstructionError::MissingApiKey).to_string(),
            "No Labelbox API key: pass one to the builder or set LABELBOX_API_KEY"
        );
        assert!(Error::from(ValidityError::TooShort).is_validation());
    }

    #[test]
    fn transport_and_decoding_messages() {
        assert_eq!(
            Error::Service(ServiceError::HttpStatus {
                status: 401,
                message: Some("API access disabled".into())
            })
            .to_string(),
            "HTTP status 401: API access disabled"
        );
        assert_eq!(
            Error::Timeout {
                after: Some(Duration::from_secs(30)),
                delivery: Delivery::Unknown,
            }
            .to_string(),
            "Request timed out after 30s"
        );
        assert_eq!(
            Error::Timeout {
                after: None,
                delivery: Delivery::Unknown,
            }
            .to_string(),
            "Request timed out"
        );
        assert_eq!(
            Error::Service(ServiceError::RateLimited {
                message: "You have exceeded".into(),
                retry_after: Some(Duration::from_secs(5))
            })
            .to_string(),
            "API rate limit exceeded: You have exceeded (retry after 5s)"
        );
        assert_eq!(
            Error::Response(ResponseError::Decode {
                operation: "ListApiKeys".into(),
                path: "user.apiKeys[0].expiresAtEpoch".into(),
                message: "expected an integer".into()
            })
            .to_string(),
            "Unexpected ListApiKeys response at user.apiKeys[0].expiresAtEpoch: expected an integer"
        );
        assert_eq!(
            Error::Response(ResponseError::MissingData {
                operation: "CreateApiKey".into(),
                field: "createApiKey".into()
            })
            .to_string(),
            "The CreateApiKey response has no createApiKey"
        );
    }

    #[test]
    fn causes_travel_in_source_not_display() {
        let parse = serde_json::from_str::<serde_json::Value>("<html>").unwrap_err();
        let e = Error::Response(ResponseError::InvalidJson {
            source: Box::new(parse),
        });
        assert_eq!(e.to_string(), "Failed to parse response as JSON");
        assert!(e.source().is_some());
        assert!(!e.is_retryable());

        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
        let e = Error::Dispatch {
            message: "connection reset".into(),
            delivery: Delivery::Unknown,
            source: Box::new(io),
        };
        assert_eq!(e.to_string(), "Network error: connection reset");
        assert_eq!(e.source().unwrap().to_string(), "reset by peer");
        assert!(e.is_retryable());

        let inner = Error::Timeout {
            after: None,
            delivery: Delivery::Unknown,
        };
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
        assert!(Error::Timeout {
            after: None,
            delivery: Delivery::Unknown,
        }
        .is_retryable());
        assert!(Error::Service(ServiceError::InternalServer {
            status: Some(502),
            message: None,
            graphql_error: None,
        })
        .is_retryable());
        assert!(Error::Service(ServiceError::RateLimited {
            message: "x".into(),
            retry_after: None
        })
        .is_retryable());
        assert!(!Error::Service(ServiceError::Authentication(coded(
            "x",
            "AUTHENTICATION_ERROR"
        )))
        .is_retryable());
        let generic = |status: Option<u16>| {
            Error::Service(ServiceError::InternalServer {
                status,
                message: Some("x".into()),
                graphql_error: Some(Box::new(coded("x", "INTERNAL_SERVER_ERROR"))),
            })
        };
        assert!(!generic(None).is_retryable());
        assert!(!generic(Some(500)).is_retryable());
        assert!(generic(Some(503)).is_retryable());
        assert!(!Error::Service(ServiceError::HttpStatus {
            status: 401,
            message: None
        })
        .is_retryable());
        assert!(!Error::Construction(ConstructionError::MissingApiKey).is_retryable());
    }

    #[test]
    fn every_kind_says_how_far_the_request_got() {
        let refused = Error::from(ValidationError::EmptyName);
        assert_eq!(refused.delivery(), Delivery::NotSent);
        assert!(!refused.may_have_been_delivered());
        let connect = Error::Dispatch {
            message: "refused".into(),
            delivery: Delivery::NotSent,
            source: "refused".into(),
        };
        assert!(!connect.may_have_been_delivered());
        let late = Error::Timeout {
            after: None,
            delivery: Delivery::Unknown,
        };
        assert!(late.may_have_been_delivered());
        let unreadable = Error::Response(ResponseError::MissingData {
            operation: "CreateApiKey".into(),
            field: "createApiKey".into(),
        });
        assert_eq!(unreadable.delivery(), Delivery::Unknown);
        let limited = Error::Service(ServiceError::RateLimited {
            message: "You have exceeded".into(),
            retry_after: None,
        });
        assert_eq!(limited.delivery(), Delivery::Rejected);
        assert!(!limited.may_have_been_delivered());
        let denied = Error::Service(ServiceError::Authorization(coded(
            "no",
            "AUTHORIZATION_ERROR",
        )));
        assert_eq!(denied.delivery(), Delivery::Processed);
        let unknown = Error::Service(ServiceError::UnknownGraphQl(vec![coded("?", "ODD")]));
        assert_eq!(unknown.delivery(), Delivery::Unknown);
        let failed = Error::CreationFailed {
            message: "lost".into(),
            orphans_revoked: Vec::new(),
            source: Some(Box::new(late)),
        };
        assert_eq!(failed.delivery(), Delivery::Unknown);
    }

    #[test]
    fn the_service_error_gives_code_message_and_retryability() {
        let e = ServiceError::NotFound(coded("gone", "RESOURCE_NOT_FOUND").with_path(["apiKey"]));
        assert_eq!(e.code(), Some("RESOURCE_NOT_FOUND"));
        assert_eq!(e.message(), Some("gone"));
        assert!(!e.is_retryable());
        assert_eq!(e.graphql_errors()[0].path_string(), "apiKey");
        let e = ServiceError::InternalServer {
            status: Some(502),
            message: Some("Bad Gateway".into()),
            graphql_error: None,
        };
        assert_eq!(
            (e.code(), e.message(), e.status()),
            (None, Some("Bad Gateway"), Some(502))
        );
        assert!(e.is_retryable());
    }

    #[test]
    fn error_is_send_sync_and_static() {
        fn assert_bounds<T: Send + Sync + 'static>() {}
        assert_bounds::<Error>();
    }
}
