#![doc = include_str!("../README.md")]
//!
//! ## In detail
//!
//! An async Rust client for Labelbox API keys, roles and users.
//!
//! [`Client`] speaks the Labelbox GraphQL API (the operations are typed at build time from
//! the workspace's `queries/*.graphql`), classifies every failure into one [`Error`] enum,
//! retries only what is safe to retry, and never shows the API key or a created key's
//! secret in `Debug`, `Display`, logs or errors.
//!
//! The domain types of `labelbox-core` ([`ApiKey`], [`Validity`], [`IpAllowlist`],
//! [`Role`], [`User`], [`Error`], ...) are re-exported at the crate root.
//!
//! ```no_run
//! # async fn run() -> Result<(), labelbox_sdk::Error> {
//! use labelbox_sdk::{Client, CreateApiKeyRequest, ExposeSecret, IpAllowlist, Validity};
//!
//! let client = Client::from_env()?;
//! let created = client
//!     .create_api_key(
//!         CreateApiKeyRequest::new("ci-deploy", "ci@example.com", "Labeler", "30d".parse::<Validity>()?)
//!             .allowed_ips(IpAllowlist::new(["10.0.0.0/8"])?),
//!     )
//!     .await?;
//! // The secret is shown once: store it now.
//! let secret: &str = created.secret().expose_secret();
//! # let _ = secret;
//! client.revoke_api_key(created.id()).await?;
//! # Ok(())
//! # }
//! ```
#![warn(missing_docs)]

#[doc(hidden)]
#[path = "fuzz.rs"]
pub mod __fuzz;
mod account;
mod api_keys;
mod cache;
mod client;
mod convert;
mod create;
mod decode;
mod retry;
mod transport;

pub use api_keys::ApiKeyExt;
pub use client::{
    Client, ClientBuilder, RawResponse, API_KEY_ENV, DEFAULT_ENDPOINT, DEFAULT_MAX_RESPONSE_BYTES,
    ENDPOINT_ENV,
};
pub use create::CreateApiKeyRequest;
pub use retry::RetryPolicy;

pub use labelbox_core::*;

/// The generated operations (`schema::list_api_keys::ListApiKeys`, ...) and
/// `graphql_client`, for [`Client::execute`].
pub use labelbox_schema as schema;
