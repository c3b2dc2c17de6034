//! The crate's error type.

use std::path::PathBuf;

/// What can go wrong in the schema workflow.
///
/// Display carries what happened and what to do; the cause (an I/O or HTTP error) travels in
/// [`std::error::Error::source`]. The API key never appears in any variant.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No client could be built for the endpoint: it is not an `http(s)` URL, it is plain
    /// `http` to a non-loopback host, or the key is missing or cannot be sent in a header.
    /// Nothing was sent.
    #[error("cannot send the introspection query to {endpoint}")]
    Client {
        /// The endpoint as given.
        endpoint: String,
        /// The SDK's configuration error.
        #[source]
        source: labelbox_sdk::Error,
    },
    /// The introspection request could not be sent or its answer could not be read (the
    /// connection failed, it timed out, or the answer was larger than the client's cap).
    #[error("the introspection request to {endpoint} failed")]
    Http {
        /// The endpoint the request went to.
        endpoint: String,
        /// The SDK's transport error (`Network`, `Timeout`, `ResponseTooLarge`).
        #[source]
        source: labelbox_sdk::Error,
    },
    /// The server answered with a redirect, which is not followed: the API key would travel
    /// with it (possibly in cleartext, to another host).
    #[error("{endpoint} answered HTTP {status}, a redirect, which is not followed (the API key would travel with it); pull from the final endpoint")]
    Redirected {
        /// The endpoint the request went to.
        endpoint: String,
        /// The HTTP status (301, 302, 303, 307, 308...).
        status: u16,
    },
    /// The server answered the introspection query with a non-success HTTP status.
    #[error("{endpoint} answered HTTP {status} to the introspection query: {body_excerpt}")]
    HttpStatus {
        /// The endpoint the request went to.
        endpoint: String,
        /// The HTTP status code.
        status: u16,
        /// The first few hundred characters of the response body.
        body_excerpt: String,
    },
    /// The server answered with GraphQL errors instead of the schema.
    #[error("{endpoint} refused the introspection query: {messages} (is introspection enabled, and is the API key valid?)")]
    GraphQl {
        /// The endpoint the request went to.
        endpoint: String,
        /// The `errors[].message` values, joined with `; `.
        messages: String,
    },
    /// The introspection answer is not the shape the GraphQL spec describes.
    #[error("the introspection answer is malformed: {0}")]
    Introspection(String),
    /// An SDL document does not parse or is not a valid schema.
    #[error("{name} is not a valid GraphQL schema:\n{diagnostics}")]
    InvalidSchema {
        /// Which schema (a file name, or `old` / `new`).
        name: String,
        /// apollo-compiler's rendered diagnostics.
        diagnostics: String,
    },
    /// A file or folder could not be read.
    #[error("could not read {}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
}
