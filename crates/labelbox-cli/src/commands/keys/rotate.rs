//! `labelbox keys rotate KEY_ID`: one key, its replacement handed over before the old key is
//! revoked.

use std::io;
use std::path::Path;

use labelbox_sdk::RoleRef;
use labelbox_sdk::{ApiKeyId, Error, Replacement, RotateOptions, RotateOutcome};
use labelbox_sdk::{ResponseError, ServiceError};
use serde::Serialize;

use super::create::{
    hand_over_failed, hand_over_secret, open_secret_destination, output_failed_after_hand_over,
    parse_validity, print_created, remind, CreatedJson,
};
use super::show::{allowlist_strings, not_found};
use crate::cli::RotateArgs;
use crate::commands::Ctx;
use crate::exit::{cli_error_from_sdk, CliError};
use crate::output::{self, Paint};

/// The JSON shape of `keys rotate`. `old_revoked` comes last: it is known only after the
/// new secret was handed over, so the object is written in two parts (see
/// [`rotate_json_head`]).
#[derive(Debug, Serialize)]
pub(super) struct RotateJson<'a> {
    pub(super) old_id: &'a str,
    pub(super) new: &'a CreatedJson,
    pub(super) old_revoked: bool,
}

/// `keys rotate`'s JSON up to and including the new key (with its secret), without the
/// closing brace: written and flushed before the old key is revoked.
pub(super) fn rotate_json_head(old_id: &str, new: &CreatedJson) -> io::Result<String> {
    #[derive(Serialize)]
    struct Head<'a> {
        old_id: &'a str,
        new: &'a CreatedJson,
    }
    let text = serde_json::to_string_pretty(&Head { old_id, new })?;
    text.strip_suffix("\n}")
        .map(str::to_owned)
        .ok_or_else(|| io::Error::other("unexpected JSON layout"))
}

/// The rest of `keys rotate`'s JSON once the revoke of the old key is settled.
pub(super) fn rotate_json_tail(old_revoked: bool) -> String {
    format!(",\n  \"old_revoked\": {old_revoked}\n}}\n")
}

/// The options of `keys rotate`, single or batch. Without `--role`, a note on stderr says
/// that the replacement gets the user's organization role (the API does not report a key's
/// own role, so a key scoped down would come back wider).
pub(super) fn rotate_options(ctx: &Ctx, args: &RotateArgs) -> Result<RotateOptions, CliError> {
    let mut options = RotateOptions::new();
    if let Some(validity) = args.validity.as_deref() {
        options = options.validity(parse_validity(validity)?);
    }
    match &args.role {
        Some(role) => options = options.role(RoleRef::by_name(role.as_str())),
        None => errln!(
            "{} without --role, each replacement gets its user's current organization role, \
             which may be wider than the old key's (the API does not report a key's own role)",
            ctx.err.paint(Paint::Yellow, "note:")
        ),
    }
    Ok(options)
}

/// The JSON of a rotation's new key, from what the hand-over receives.
pub(super) fn replacement_json(new: &Replacement, secret_path: Option<&Path>) -> CreatedJson {
    CreatedJson {
        id: new.created.id().to_string(),
        name: new.old.name.clone(),
        user_email: new.old.user_email.clone(),
        role: new.role.clone(),
        expires_at: new.expires_at,
        allowed_ip_cidrs: allowlist_strings(&new.old),
        secret: secret_path.is_none().then(|| new.created.secret().clone()),
        secret_file: secret_path.map(|p| p.display().to_string()),
    }
}

/// `keys rotate ID`: a thin call of [`labelbox_sdk::Client::rotate_api_key`], whose hand-over prints the
/// new key (with --json, the object up to the new key, flushed before anything is revoked)
/// or writes it to the secret file.
pub(super) async fn rotate(ctx: &Ctx, args: RotateArgs) -> Result<(), CliError> {
    if args.exec.is_some() || args.secret_dir.is_some() || args.dry_run {
        return Err(CliError::usage(
            "--exec, --secret-dir and --dry-run apply to a batch: use them with \
             --expiring-within DURATION instead of a key id",
        ));
    }
    let Some(id) = args.id.as_deref() else {
        return Err(CliError::usage(
            "give the key's id, or --expiring-within DURATION",
        ));
    };
    let options = rotate_options(ctx, &args)?;
    let client = ctx.client()?;
    let old_id = ApiKeyId::from(id);
    let old_str = old_id.to_string();
    let secret_path = args.secret.secret_file.as_deref();
    let mut secret_file = open_secret_destination(secret_path)?;
    let mut created: Option<CreatedJson> = None;
    let rotated = client
        .rotate_api_key(&old_id, options, |new| {
            let json = replacement_json(&new, secret_path);
            let handed_over = hand_over_secret(secret_file.as_mut(), &new.created, || {
                if ctx.json {
                    out!("{}", rotate_json_head(&old_str, &json)?)
                } else {
                    print_created(ctx, &json)
                }
            });
            created = Some(json);
            std::future::ready(handed_over)
        })
        .await;
    let outcome = match rotated {
        Ok(outcome) => outcome,
        Err(e) => {
            if let Some(file) = secret_file {
                file.discard();
            }
            return Err(match e {
                Error::Service(ServiceError::NotFound(_)) => not_found(id),
                e @ Error::Response(ResponseError::MissingData { .. }) => cli_error_from_sdk(&e)
                    .context(format!(
                        "rotating {old_id}: cannot tell the user's organization role; the old \
                         key was left untouched"
                    ))
                    .with_hint("pass --role ROLE (`labelbox roles` lists them)"),
                e => cli_error_from_sdk(&e)
                    .context(format!("rotating {old_id}: the old key was left untouched")),
            });
        }
    };
    let (revoke_error, created) = match (outcome, created) {
        (
            RotateOutcome::HandOverFailed {
                new,
                hand_over_error: (destination, cause),
                ..
            },
            _,
        ) => {
            if let Some(file) = secret_file {
                file.discard();
            }
            return Err(hand_over_failed(
                &destination,
                &cause,
                &new,
                None,
                Some(&old_id),
            ));
        }
        (
            RotateOutcome::NewKeyUnheld {
                new,
                hand_over_error: (destination, cause),
                revoke_error,
                ..
            },
            _,
        ) => {
            if let Some(file) = secret_file {
                file.discard();
            }
            let revoke_error = cli_error_from_sdk(&revoke_error);
            return Err(hand_over_failed(
                &destination,
                &cause,
                &new,
                Some(revoke_error),
                Some(&old_id),
            ));
        }
        (RotateOutcome::Rotated { .. }, Some(created)) => (None, created),
        (RotateOutcome::OldKeyNotRevoked { error, .. }, Some(created)) => (Some(error), created),
        (outcome, _) => {
            return Err(CliError::api(format!(
                "rotating {old_id}: unexpected outcome {outcome:?}"
            )))
        }
    };
    remind(ctx);
    let old_revoked = revoke_error.is_none();

    // The rest of the output.
    let rest = output::print_durably(|| {
        match (secret_path.is_some(), ctx.json) {
            (false, true) => out!("{}", rotate_json_tail(old_revoked))?,
            (true, true) => output::print_json(&RotateJson {
                old_id: &old_str,
                new: &created,
                old_revoked,
            })?,
            (secret_in_file, false) => {
                if secret_in_file {
                    print_created(ctx, &created)?;
                }
                if old_revoked {
                    outln!(
                        "{} old key {old_id}",
                        ctx.out.paint(Paint::Green, "Revoked")
                    )?;
                }
            }
        }
        Ok(())
    });
    match (revoke_error, rest) {
        (None, Ok(())) => Ok(()),
        (Some(e), _) => Err(cli_error_from_sdk(&e)
            .context(format!(
                "the replacement key {} was created and its secret handed over, but revoking \
                 the old key {old_id} failed; both keys are live",
                created.id
            ))
            .with_hint(format!(
                "keep the new key; revoke the old one with `labelbox keys revoke {old_id}`"
            ))),
        (None, Err(e)) => Err(output_failed_after_hand_over(&created, &e)
            .context(format!("rotating {old_id}: the old key was revoked"))),
    }
}

#[cfg(test)]
mod tests {
    use labelbox_sdk::SecretString;
    use time::OffsetDateTime;

    use super::*;

    #[test]
    fn rotate_json_in_two_parts_is_the_whole_object() {
        let new = CreatedJson {
            id: "cknew".to_owned(),
            name: "deploy".to_owned(),
            user_email: "labeler@example.com".to_owned(),
            role: "Labeler".to_owned(),
            expires_at: OffsetDateTime::UNIX_EPOCH,
            allowed_ip_cidrs: vec!["10.0.0.0/8".to_owned()],
            secret: Some(SecretString::from("eyJ.secret.jwt".to_owned())),
            secret_file: None,
        };
        for old_revoked in [true, false] {
            let whole = serde_json::to_string_pretty(&RotateJson {
                old_id: "ckold",
                new: &new,
                old_revoked,
            })
            .unwrap();
            let head = rotate_json_head("ckold", &new).unwrap();
            assert!(head.contains("eyJ.secret.jwt"), "{head}");
            assert!(!head.contains("old_revoked"), "{head}");
            assert_eq!(head + &rotate_json_tail(old_revoked), whole + "\n");
        }
    }
}
