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
    /// Another emulator is using the state file (it holds the lock file `lock`).
    #[error(
        "the state file {} is in use by another emulator (it holds the lock {}); stop that emulator or use another state file",
        .path.display(),
        .lock.display()
    )]
    StateInUse {
        /// The state file.
        path: std::path::PathBuf,
        /// Its lock file.
        lock: std::path::PathBuf,
    },
    /// The listen address is taken by another socket. The emulator never falls back to
    /// another port or interface: whoever asked for this address is told.
    #[error(
        "cannot listen on {addr}: the address is already in use (another process listens there); choose another address, or port 0 for a free one"
    )]
    AddressInUse {
        /// The address asked for.
        addr: std::net::SocketAddr,
    },
    /// A helper was called with an invalid argument (unknown user or role, bad network).
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
}
