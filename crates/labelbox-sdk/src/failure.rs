//! How far a failed attempt got ([`Delivery`]), which decides whether a request that is
//! not idempotent may be sent again, and the [`Failure`] that carries it.

use serde_json::Value;

use crate::Error;

/// How far a failed attempt got, which decides whether a non-idempotent request may be
/// sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// The connection was never established: the server saw nothing.
    NotSent,
    /// The server refused the request before processing it (rate limiting).
    Rejected,
    /// The request may or may not have been processed, or was processed with an outcome
    /// we cannot read (timeout after sending, a dropped connection, a 5xx, a generic or
    /// unknown server error, a body that is not JSON or does not decode): a creation may
    /// have happened without its secret reaching us.
    Unknown,
    /// The server processed the request and answered definitively.
    Processed,
}

/// A failed operation: the error, and how far the last attempt got.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) delivery: Delivery,
    /// A non-null `data` that came with the GraphQL errors: the server may have done
    /// something worth knowing (a `createApiKey` that created a key).
    pub(crate) partial_data: Option<Box<PartialData>>,
}

impl Failure {
    pub(crate) fn new(error: Error, delivery: Delivery) -> Self {
        Failure {
            error,
            delivery,
            partial_data: None,
        }
    }
}

/// `data` of an answer that also carried errors. It may hold a created key's secret, so
/// its `Debug` shows nothing of it.
pub(crate) struct PartialData(pub(crate) Value);

impl std::fmt::Debug for PartialData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PartialData(..)")
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        failure.error
    }
}
