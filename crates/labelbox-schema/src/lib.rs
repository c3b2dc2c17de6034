#![doc = include_str!("../README.md")]
//!
//! ## In detail
//!
//! Typed Labelbox GraphQL operations, generated at build time.
//!
//! Every document in the workspace's `queries/` folder was validated against
//! `schema/labelbox.graphql` ([`SCHEMA_SDL`]) when this crate was built, then turned into one
//! module per operation by `labelbox-codegen`: `queries/list_api_keys.graphql`
//! (`query ListApiKeys`) gives [`list_api_keys`], holding the operation struct
//! [`list_api_keys::ListApiKeys`] (a [`GraphQLQuery`]), its `Variables` and `ResponseData`,
//! and one type per fragment and per nested selection.
//!
//! ```
//! use labelbox_schema::{create_api_key, GraphQLQuery};
//!
//! let body = create_api_key::CreateApiKey::build_query(create_api_key::Variables {
//!     name: "ci".to_owned(),
//!     user_email: "me@example.com".to_owned(),
//!     role: None,
//!     validity_seconds: Some(3600),
//!     allowed_ip_cidrs: None,
//! });
//! assert_eq!(body.operation_name, "CreateApiKey");
//! ```
#![warn(missing_docs)]

pub mod scalars;

pub use graphql_client;
pub use graphql_client::{GraphQLQuery, QueryBody, Response};

/// The SDL of the Labelbox API surface the operations were checked against
/// (`schema/labelbox.graphql`).
pub const SCHEMA_SDL: &str = include_str!("../schema/labelbox.graphql");

/// The name of every generated operation (`"ListApiKeys"`, ...), in file order.
pub const OPERATIONS: &[&str] = include!(concat!(env!("OUT_DIR"), "/operation_names.rs"));

/// Whether an operation reads (`query`) or may change state (`mutation`): what decides
/// whether a request may be sent again after an ambiguous failure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OperationKind {
    /// `query`, or the shorthand `{ ... }`.
    Query,
    /// `mutation`.
    Mutation,
    /// `subscription`.
    Subscription,
}

/// A [`GraphQLQuery`] whose kind is known at compile time. `labelbox-codegen` implements it
/// for every operation it generates (with the module's `OPERATION_KIND` constant, written
/// from the validated document); the SDK's `Client::execute` takes it.
pub trait Operation: GraphQLQuery {
    /// Whether this operation is a query or a mutation.
    const KIND: OperationKind;
}

include!(concat!(env!("OUT_DIR"), "/operations.rs"));
