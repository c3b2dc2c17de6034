//! The emulator's error type.

/// Why the emulator could not start, load or do what a helper asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmulatorError {
    /// An I/O operation failed (binding the socket, reading or writing the state file).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The seed is invalid (unparsable JSON, unknown role, duplicate email, ...).
    #[error("invalid seed: {0}")]
    Seed(String),
    /// The state file is unreadable or inconsistent with the configuration.
    #[error("invalid state file: {0}")]
    State(String),
    /// A helper was called with an invalid argument (unknown user or role, bad network).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}
