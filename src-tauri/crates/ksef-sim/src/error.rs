//! The crate's error type.

/// Errors of the simulator's library API (HTTP errors are [`crate::http::error::ApiError`]).
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Starting the server failed (bind, key generation, data directory).
    #[error("simulator start failed: {0}")]
    Startup(String),
    /// A cryptographic operation failed; the message never contains key material.
    #[error("crypto: {0}")]
    Crypto(&'static str),
    /// The invoice store failed.
    #[error("store: {0}")]
    Store(#[from] rusqlite::Error),
    /// File system error.
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    /// Invalid input to a library call (e.g. a seeded invoice that does not pass receipt checks).
    #[error("invalid input: {0}")]
    Invalid(String),
}

/// Result alias.
pub type Result<T, E = SimError> = std::result::Result<T, E>;
