//! Rotation with the hand-over rule, the console's one place for it.
//!
//! The SDK's `Client::rotate_api_key` (issue 13, branch `workflows`) had not landed when
//! the console was written, so rotation is composed here from `create_api_key` and
//! `revoke_api_key`, in three steps a page can drive: [`create_replacement`] (the new key
//! is shown like a new key), then either [`complete`] (Done: the old key is revoked) or
//! [`abandon`] (closed, logged out, session expired: the replacement is revoked, the old
//! key keeps working). Once the SDK's rotation lands, this module is where it plugs in
//! (its hand-over future resolves at Done).

use labelbox_sdk::{
    ApiKey, Client, CreateApiKeyRequest, CreatedApiKey, Error, IpAllowlist, Validity,
};

use crate::session::HandOver;

/// Creates the replacement of `old`: same name, user and IP allowlist; the role and the
/// validity are chosen again (the API does not report a key's role).
pub(crate) async fn create_replacement(
    client: &Client,
    old: &ApiKey,
    role: &str,
    validity: Validity,
) -> Result<CreatedApiKey, Error> {
    let mut request =
        CreateApiKeyRequest::new(old.name.clone(), old.user_email.clone(), role, validity);
    if !old.allowed_ip_cidrs.is_empty() {
        let entries = old.allowed_ip_cidrs.iter().map(|ip| ip.to_string());
        request = request.allowed_ips(IpAllowlist::new(entries)?);
    }
    client.create_api_key(request).await
}

/// Done: the new key was handed over, so the key it replaces (if any) is revoked.
pub(crate) async fn complete(client: &Client, hand_over: &HandOver) -> Result<(), Error> {
    match &hand_over.replaces {
        Some(old) => {
            client.revoke_api_key(old).await?;
            tracing::info!(old = %old, new = %hand_over.new_id, "rotation completed: old key revoked");
            Ok(())
        }
        None => Ok(()),
    }
}

/// Abandoned without Done: a replacement is revoked (its secret may never have been
/// stored) and the old key keeps working. A plain new key is left alone: its creation was
/// the user's whole request.
pub(crate) async fn abandon(client: &Client, hand_over: &HandOver) {
    if hand_over.replaces.is_none() {
        return;
    }
    match client.revoke_api_key(&hand_over.new_id).await {
        Ok(()) => tracing::info!(
            new = %hand_over.new_id,
            "rotation abandoned: the replacement was revoked, the old key kept"
        ),
        Err(e) => tracing::warn!(
            new = %hand_over.new_id,
            error = %e,
            "rotation abandoned, but revoking the replacement failed; revoke it by hand"
        ),
    }
}
