//! The [`Failure`] of one attempt: the error (which carries how far the attempt got,
//! [`Delivery`], which decides whether a request that is not idempotent may be sent again)
//! and any partial data.

use serde_json::Value;

pub(crate) use crate::Delivery;
use crate::Error;

/// A failed operation: the error (which says how far the last attempt got), and any
/// partial data.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: Error,
    /// A non-null `data` that came with the GraphQL errors: the server may have done
    /// something worth knowing (a `createApiKey` that created a key).
    pub(crate) partial_data: Option<Box<PartialData>>,
}

impl Failure {
    pub(crate) fn new(error: Error) -> Self {
        Failure {
            error,
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
