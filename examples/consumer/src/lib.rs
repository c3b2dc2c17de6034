//! An example consumer of labelbox-rs with its own GraphQL operation.
//!
//! `graphql/my_key_names.graphql` is checked against the bundled Labelbox schema by this
//! crate's `build.rs` (with `labelbox-codegen`), which generates the [`my_key_names`] module;
//! [`key_names`] runs it with the SDK's typed [`Client::execute`]; [`revoke_key`] runs the
//! crate's own mutation, whose error says whether it may have been delivered.
#![warn(missing_docs)]

use labelbox_sdk::Client;

include!(concat!(env!("OUT_DIR"), "/operations.rs"));

/// Runs `MyKeyNames`: the caller's email and the id and name of each of its API keys
/// (`None` if the server returns no user).
pub async fn key_names(
    client: &Client,
) -> Result<Option<my_key_names::MyKeyNamesUser>, labelbox_sdk::Error> {
    let data = client
        .execute::<my_key_names::MyKeyNames>(my_key_names::Variables)
        .await?;
    Ok(data.user)
}

/// Runs `RevokeMyKey`: revokes the key `id`. On failure,
/// [`Error::may_have_been_delivered`](labelbox_sdk::Error::may_have_been_delivered) tells a
/// revocation that may have happened (a timeout after sending) from one that did not (the
/// connection was refused).
pub async fn revoke_key(client: &Client, id: &str) -> Result<(), labelbox_sdk::Error> {
    client
        .execute::<revoke_my_key::RevokeMyKey>(revoke_my_key::Variables { id: id.to_owned() })
        .await?;
    Ok(())
}
