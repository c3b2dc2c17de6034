//! The contract's numbers and names, defined once on the client side: validity bounds,
//! allowlist limits, the roles never given to a key, the server's error codes and the
//! messages the error classification matches.
//!
//! The emulator keeps its own copy by design (it never depends on this crate, so that it
//! checks the SDK instead of sharing its mistakes); `tests/tests/it/contract_table.rs` proves
//! the two equal.

/// The shortest key validity, in seconds: 1 minute.
pub const MIN_VALIDITY_SECONDS: i64 = 60;

/// The longest key validity, in seconds: 25 weeks ("about 6 months").
pub const MAX_VALIDITY_SECONDS: i64 = 25 * 604_800;

/// The most unique entries an IP allowlist may hold.
pub const MAX_ALLOWLIST_ENTRIES: usize = 50;

/// Role names that can never be given to an API key, compared after normalisation.
pub const NEVER_GRANTABLE_ROLES: [&str; 2] = ["None", "Tenant Admin"];

/// How a response's top-level `message` starts when the server rate-limits the caller.
pub const RATE_LIMIT_MESSAGE_PREFIX: &str = "You have exceeded";

/// The message of the `GRAPHQL_VALIDATION_FAILED` error that reports a query too complex.
pub const QUERY_COMPLEXITY_MESSAGE: &str = "Query complexity limit exceeded";

/// The `errors[].extensions.code` values the classification table reads
/// (`docs/errors.md`).
pub mod codes {
    /// The API key was rejected.
    pub const AUTHENTICATION_ERROR: &str = "AUTHENTICATION_ERROR";
    /// The key may not do this.
    pub const AUTHORIZATION_ERROR: &str = "AUTHORIZATION_ERROR";
    /// The document does not validate (or is too complex).
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// The document does not parse.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The thing asked for does not exist.
    pub const RESOURCE_NOT_FOUND: &str = "RESOURCE_NOT_FOUND";
    /// The request conflicts with the current state.
    pub const RESOURCE_CONFLICT: &str = "RESOURCE_CONFLICT";
    /// An input was refused.
    pub const MALFORMED_REQUEST: &str = "MALFORMED_REQUEST";
    /// The server failed; `extensions.exception.status` says how.
    pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
    /// The operation is not allowed.
    pub const OPERATION_NOT_ALLOWED: &str = "OPERATION_NOT_ALLOWED";

    /// Every code above, in the classification table's order.
    pub const ALL: [&str; 9] = [
        AUTHENTICATION_ERROR,
        AUTHORIZATION_ERROR,
        GRAPHQL_VALIDATION_FAILED,
        GRAPHQL_PARSE_FAILED,
        RESOURCE_NOT_FOUND,
        RESOURCE_CONFLICT,
        MALFORMED_REQUEST,
        INTERNAL_SERVER_ERROR,
        OPERATION_NOT_ALLOWED,
    ];
}
