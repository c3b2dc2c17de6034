//! Rotation with the hand-over rule, over the SDK's [`labelbox_sdk::Client::rotate_api_key`].
//!
//! The SDK creates the replacement and calls its hand-over; here the hand-over sends the
//! new secret to the page and then waits for the user: Done resolves it with `Ok` (the SDK
//! revokes the old key), anything else (the dialog closed, logout, the session expired or
//! the console stopping, which drop the [`Rotation`]) resolves it with `Err` (the SDK
//! revokes the replacement and keeps the old key).

use labelbox_sdk::{
    ApiKeyId, Client, ConstructionError, Error, RoleRef, RotateOptions, RotateOutcome,
    SecretString, Validity,
};
use tokio::sync::oneshot;

use crate::tasks::Tasks;

/// The hand-over's error: the user did not press Done.
#[derive(Debug)]
pub(crate) struct Abandoned;

/// A rotation waiting for the user's Done; dropping it abandons the rotation.
#[derive(Debug)]
pub(crate) struct Rotation {
    decision: oneshot::Sender<bool>,
    outcome: oneshot::Receiver<Result<RotateOutcome<Abandoned>, Error>>,
}

/// What the page shows of a new replacement.
#[derive(Debug)]
pub(crate) struct ReplacementShown {
    pub new_id: ApiKeyId,
    pub name: String,
    pub secret: SecretString,
}

/// Starts rotating `old`: returns once the replacement exists (to show it), or with the
/// SDK's error when nothing was created. The rotation runs on a task of `tasks`, so that a
/// closed request does not cancel it halfway.
pub(crate) async fn start(
    client: &Client,
    tasks: &Tasks,
    old: ApiKeyId,
    role: Option<String>,
    validity: Validity,
) -> Result<(ReplacementShown, Rotation), Error> {
    let (shown_tx, shown_rx) = oneshot::channel();
    let (decision_tx, decision_rx) = oneshot::channel::<bool>();
    let (outcome_tx, outcome_rx) = oneshot::channel();
    let mut options = RotateOptions::new().validity(validity);
    if let Some(role) = role {
        options = options.role(RoleRef::by_name(role));
    }
    let client = client.clone();
    tasks.spawn(async move {
        let result = client
            .rotate_api_key(&old, options, move |replacement| async move {
                let shown = ReplacementShown {
                    new_id: replacement.created.id().clone(),
                    name: replacement.old.name.clone(),
                    secret: replacement.created.secret().clone(),
                };
                if shown_tx.send(shown).is_err() {
                    return Err(Abandoned);
                }
                match decision_rx.await {
                    Ok(true) => Ok(()),
                    _ => Err(Abandoned),
                }
            })
            .await;
        log_outcome(&result);
        let _ = outcome_tx.send(result);
    });
    match shown_rx.await {
        Ok(shown) => Ok((
            shown,
            Rotation {
                decision: decision_tx,
                outcome: outcome_rx,
            },
        )),
        Err(_) => match outcome_rx.await {
            Ok(Err(e)) => Err(e),
            _ => Err(Error::Construction(ConstructionError::Configuration {
                message: "the rotation stopped before creating a replacement".to_owned(),
            })),
        },
    }
}

fn log_outcome(result: &Result<RotateOutcome<Abandoned>, Error>) {
    match result {
        Ok(RotateOutcome::Rotated { old, new }) => {
            tracing::info!(%old, %new, "rotation completed: the old key was revoked")
        }
        Ok(RotateOutcome::HandOverFailed { old, new, .. }) => tracing::info!(
            %old, %new,
            "rotation abandoned: the replacement was revoked, the old key kept"
        ),
        Ok(RotateOutcome::OldKeyNotRevoked { old, new, error }) => tracing::warn!(
            %old, %new, %error,
            "rotation handed over, but revoking the old key failed; both keys are live"
        ),
        Ok(RotateOutcome::NewKeyUnheld {
            old,
            new,
            revoke_error,
            ..
        }) => tracing::warn!(
            %old, %new, error = %revoke_error,
            "rotation abandoned, but revoking the replacement failed; revoke it by hand"
        ),
        Ok(other) => tracing::warn!(old = %other.old_id(), new = %other.new_id(), "rotation ended"),
        Err(error) => tracing::info!(%error, "rotation failed before a replacement existed"),
    }
}

impl Rotation {
    /// Done: the SDK revokes the old key. `Err` carries the message to show when that
    /// revoke failed (both keys are then live).
    pub async fn complete(self) -> Result<(), String> {
        let _ = self.decision.send(true);
        match self.outcome.await {
            Ok(Ok(RotateOutcome::Rotated { .. })) => Ok(()),
            Ok(Ok(RotateOutcome::OldKeyNotRevoked { old, error, .. })) => Err(format!(
                "The replacement works, but revoking the old key {old} failed: {error}. \
                 Delete it from the list."
            )),
            Ok(Ok(other)) => Err(format!(
                "The rotation did not complete: the old key {} is live",
                other.old_id()
            )),
            Ok(Err(e)) => Err(e.to_string()),
            Err(_) => Err("The rotation stopped unexpectedly".to_owned()),
        }
    }

    /// Abandoned: the SDK revokes the replacement and keeps the old key; waits for it.
    pub async fn abandon(self) {
        let _ = self.decision.send(false);
        let _ = self.outcome.await;
    }
}
