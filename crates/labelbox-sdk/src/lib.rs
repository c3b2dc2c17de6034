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
//! use labelbox_sdk::{
//!     Client, CreateApiKeyRequest, ExposeSecret, IpAllowlist, RoleRef, UserRef, Validity,
//! };
//!
//! let client = Client::from_env()?;
//! let created = client
//!     .create_api_key(
//!         CreateApiKeyRequest::new(
//!             "ci-deploy",
//!             UserRef::by_email("ci@example.com"),
//!             RoleRef::by_name("Labeler"),
//!             "30d".parse::<Validity>()?,
//!         )
//!         .allowed_ips(IpAllowlist::new(["10.0.0.0/8"])?),
//!     )
//!     .await?;
//! // The secret is shown once: store it now.
//! let secret: &str = created.secret().expose_secret();
//! # let _ = secret;
//! client.revoke_api_key(created.id()).await?;
//! # Ok(())
//! # }
//! ```
//!
//! The key workflows live in the SDK too: [`Client::list_api_keys`] builds a listing
//! (expired keys, an expiry window, one user, an order; revoked keys never listed),
//! [`Client::rotate_api_key`] replaces a key (create, hand the secret to your closure,
//! and only when it succeeds revoke the old key; the [`RotateOutcome`] says which keys
//! are live), and [`ListApiKeys::rotate_each`] rotates every key of a listing.
//!
//! ```no_run
//! # async fn run() -> Result<(), labelbox_sdk::Error> {
//! use std::time::Duration;
//! use labelbox_sdk::{Client, ExposeSecret, RotateOptions};
//!
//! let client = Client::from_env()?;
//! let expiring = client
//!     .list_api_keys()
//!     .expiring_within(Duration::from_secs(14 * 86_400))
//!     .send()
//!     .await?;
//! for key in &expiring {
//!     let outcome = client
//!         .rotate_listed_api_key(key, RotateOptions::new(), |new| async move {
//!             // Store the secret durably (a vault, a 0600 file) before returning Ok.
//!             store_in_vault(&new.old.name, new.created.secret().expose_secret())
//!         })
//!         .await?;
//!     println!("{}: old live {}, new live {}", key.id, outcome.old_key_live(), outcome.new_key_live());
//! }
//! # Ok(())
//! # }
//! # fn store_in_vault(_name: &str, _secret: &str) -> std::io::Result<()> { Ok(()) }
//! ```
#![warn(missing_docs)]

#[doc(hidden)]
#[path = "fuzz.rs"]
pub mod __fuzz;
mod account;
mod api_keys;
mod builder;
mod cache;
mod classify;
mod client;
mod convert;
mod create;
mod decode;
mod error;
mod experimental;
mod failure;
mod invite_plan;
mod invites;
mod listing;
mod listing_data;
mod members;
mod operation;
mod operation_kind;
mod overview;
mod retry;
mod rotate;
mod shared_ids;
mod transport;

pub use api_keys::ApiKeyExt;
pub use builder::ClientBuilder;
pub use client::{
    Client, RawResponse, API_KEY_ENV, DEFAULT_ENDPOINT, DEFAULT_MAX_RESPONSE_BYTES, ENDPOINT_ENV,
};
pub use create::{CreateApiKeyRequest, MAX_SECRET_BYTES};
pub use error::{
    ConstructionError, Delivery, Error, GraphQlError, PathSegment, ResponseError, ServiceError,
};
pub use listing::{KeyOrder, ListApiKeys};
pub use overview::Overview;
pub use retry::RetryPolicy;
pub use rotate::{
    lifetime_of, rotation_order, KeyRotation, Replacement, RotateOptions, RotateOutcome,
};

pub use labelbox_core::*;

/// The generated operations (`schema::list_api_keys::ListApiKeys`, ...) and
/// `graphql_client`, for [`Client::execute`].
pub use labelbox_schema as schema;
pub use labelbox_schema::{Operation, OperationKind};
