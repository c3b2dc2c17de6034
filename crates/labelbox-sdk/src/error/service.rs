//! [`ServiceError`]: the server's error, one variant per row of the contract's table.

use std::time::Duration;

use super::graphql::authentication_message;
use super::{format_duration, Delivery, GraphQlError};

/// [`Error::Service`](super::Error::Service): the server answered with an error, one variant per row of the
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
