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

use std::time::Duration;

use crate::{ApiKeyId, ValidationError};

mod graphql;
mod service;
#[cfg(test)]
mod tests;

pub use graphql::{GraphQlError, PathSegment};
pub use service::ServiceError;

/// A boxed cause, so no foreign crate's error type appears in the public API.
type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

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

fn format_duration(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{:.1}s", d.as_secs_f64())
    }
}

fn orphans_suffix(orphans: &[ApiKeyId]) -> String {
    if orphans.is_empty() {
        String::new()
    } else {
        let ids: Vec<&str> = orphans.iter().map(ApiKeyId::as_str).collect();
        format!(" (revoked unreachable keys: {})", ids.join(", "))
    }
}
