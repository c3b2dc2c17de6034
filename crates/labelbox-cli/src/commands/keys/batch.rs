//! `labelbox keys rotate --expiring-within`: batch rotation, each replacement handed over
//! to a file, a directory or a command before its old key is revoked.

use std::io::{self, IsTerminal};
use std::path::Path;

use labelbox_sdk::{ApiKey, ApiKeyId, ExposeSecret, KeyRotation, Replacement, RotateOutcome};
use serde::Serialize;
use time::OffsetDateTime;

use super::exec::run_exec;
use super::rotate::rotate_options;
use crate::cli::RotateArgs;
use crate::commands::Ctx;
use crate::exit::{cli_error_from_sdk, CliError, Kind};
use crate::output::{self, terminal_safe, Paint};
use crate::secret_file::SecretFile;

/// Where a batch hands each new secret.
pub(super) enum BatchDestination<'a> {
    /// `--exec CMD`: the secret on the command's stdin; the command is killed after the
    /// timeout.
    Exec(&'a str, std::time::Duration),
    /// `--secret-dir DIR`: a new file `DIR/replaces-<old id>.jwt`.
    Dir(&'a Path),
}

/// The path of a new key's secret in `--secret-dir`: named after the key it replaces, so
/// it is known before the run; never overwritten (a file already there fails that key's
/// hand-over: its new key is revoked, the old one kept). The id comes from the server, so
/// it must be a plain name (letters, digits, `-`, `_`): `../x` or `a/b` would put the secret
/// elsewhere than DIR.
pub(super) fn secret_dir_path(dir: &Path, old_id: &ApiKeyId) -> Result<std::path::PathBuf, String> {
    let id = old_id.as_str();
    let plain = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !plain {
        return Err(format!(
            "the key id {:?} is not a plain name; its secret file would not be inside {}",
            id.chars().take(64).collect::<String>(),
            dir.display()
        ));
    }
    Ok(dir.join(format!("replaces-{id}.jwt")))
}

/// Hands one new secret of a batch over; the error is one line (never the secret).
pub(super) fn hand_over_batch(
    destination: &BatchDestination<'_>,
    new: &Replacement,
) -> Result<(), String> {
    match destination {
        BatchDestination::Dir(dir) => {
            let path = secret_dir_path(dir, &new.old.id)?;
            let mut file = SecretFile::create_new(&path).map_err(|_| {
                if path.symlink_metadata().is_ok() {
                    format!("{} already exists and is never overwritten", path.display())
                } else {
                    format!("the secret file {} could not be created", path.display())
                }
            })?;
            file.write_secret(new.created.secret().expose_secret())
                .map_err(|e| {
                    let message = format!(
                        "the new key's secret could not be written to {} ({e})",
                        path.display()
                    );
                    file.discard();
                    message
                })
        }
        BatchDestination::Exec(command, timeout) => run_exec(command, *timeout, new),
    }
}

/// One key's line of a batch rotation (`--json`: one object per line).
#[derive(Debug, Serialize)]
pub(super) struct BatchJson {
    /// `rotated`, `old_not_revoked`, `hand_over_failed`, `new_key_unheld`, `not_created`,
    /// or `would_rotate` (--dry-run).
    pub(super) status: &'static str,
    pub(super) old_id: String,
    pub(super) name: String,
    pub(super) user_email: String,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) expires_at: OffsetDateTime,
    pub(super) new_id: Option<String>,
    pub(super) old_revoked: bool,
    pub(super) new_live: bool,
    pub(super) secret_file: Option<String>,
    pub(super) error: Option<String>,
    pub(super) exit_code: u8,
    /// The key this command runs with: rotated last.
    pub(super) caller: bool,
}

impl BatchJson {
    fn new(key: &ApiKey, status: &'static str) -> Self {
        Self {
            caller: false,
            status,
            old_id: key.id.to_string(),
            name: key.name.clone(),
            user_email: key.user_email.clone(),
            expires_at: key.expires_at.to_offset(time::UtcOffset::UTC),
            new_id: None,
            old_revoked: false,
            new_live: false,
            secret_file: None,
            error: None,
            exit_code: 0,
        }
    }

    /// The report of one key's rotation, and the error kind it counts as.
    fn from_rotation(rotation: &KeyRotation<String>, dir: Option<&Path>) -> (Self, Option<Kind>) {
        let (mut json, kind) = Self::from_outcome(rotation, dir);
        json.caller = rotation.is_caller;
        (json, kind)
    }

    fn from_outcome(rotation: &KeyRotation<String>, dir: Option<&Path>) -> (Self, Option<Kind>) {
        let key = &rotation.key;
        let outcome = match &rotation.result {
            Err(e) => {
                let err = cli_error_from_sdk(e);
                let mut json = Self::new(key, "not_created");
                json.error = Some(format!("{}; the old key was left untouched", err.message));
                json.exit_code = err.kind.code();
                return (json, Some(err.kind));
            }
            Ok(outcome) => outcome,
        };
        let new_id = outcome.new_id();
        let (status, error, kind) = match outcome {
            RotateOutcome::Rotated { .. } => ("rotated", None, None),
            RotateOutcome::OldKeyNotRevoked { error, .. } => {
                let err = cli_error_from_sdk(error);
                (
                    "old_not_revoked",
                    Some(format!(
                        "revoking the old key failed ({}); both keys are live; revoke it with \
                         `labelbox keys revoke {}`",
                        err.message, key.id
                    )),
                    Some(err.kind),
                )
            }
            RotateOutcome::HandOverFailed {
                hand_over_error, ..
            } => (
                "hand_over_failed",
                Some(format!(
                    "{hand_over_error}; the new key {new_id} was revoked; the old key is still \
                     live and unchanged"
                )),
                Some(Kind::HandOverFailed),
            ),
            RotateOutcome::NewKeyUnheld {
                hand_over_error,
                revoke_error,
                ..
            } => (
                "new_key_unheld",
                Some(format!(
                    "{hand_over_error}, and revoking the new key failed too ({}): both keys are \
                     live; revoke the new one: `labelbox keys revoke --yes {new_id}`",
                    cli_error_from_sdk(revoke_error).message
                )),
                Some(Kind::UnheldKeyLive),
            ),
            other => (
                "unknown",
                Some(format!("unexpected outcome {other:?}")),
                Some(Kind::Api),
            ),
        };
        let mut json = Self::new(key, status);
        json.new_id = Some(new_id.to_string());
        json.old_revoked = !outcome.old_key_live();
        json.new_live = outcome.new_key_live();
        json.secret_file = match dir {
            Some(dir) if outcome.handed_over() => secret_dir_path(dir, &key.id)
                .ok()
                .map(|path| path.display().to_string()),
            _ => None,
        };
        json.error = error;
        json.exit_code = kind.map_or(0, Kind::code);
        (json, kind)
    }

    /// One line for humans.
    fn human(&self, ctx: &Ctx) -> String {
        let what = format!(
            "{} \"{}\" ({})",
            terminal_safe(&self.old_id),
            terminal_safe(&self.name),
            terminal_safe(&self.user_email)
        );
        let line = self.human_outcome(ctx, &what);
        if self.caller {
            format!("{line} [the key this command runs with: rotated last]")
        } else {
            line
        }
    }

    fn human_outcome(&self, ctx: &Ctx, what: &str) -> String {
        match (self.status, &self.new_id, &self.error) {
            ("would_rotate", _, _) => format!(
                "{} {what}, expiring {}",
                ctx.out.paint(Paint::Yellow, "Would rotate"),
                output::expiry(self.expires_at, OffsetDateTime::now_utc())
            ),
            ("rotated", Some(new_id), _) => {
                let held = match &self.secret_file {
                    Some(path) => format!("secret in {path}"),
                    None => "secret handed to --exec".to_owned(),
                };
                format!(
                    "{} {what} -> {} ({}); old key revoked",
                    ctx.out.paint(Paint::Green, "Rotated"),
                    terminal_safe(new_id),
                    terminal_safe(&held)
                )
            }
            (_, _, error) => format!(
                "{} {what}: {}",
                ctx.out.paint(Paint::Red, "Failed"),
                terminal_safe(error.as_deref().unwrap_or("unknown error"))
            ),
        }
    }
}

/// Prints one line of a batch (JSON lines with --json); a write error is kept for the end.
pub(super) fn print_batch_line(ctx: &Ctx, json: &BatchJson) -> io::Result<()> {
    if ctx.json {
        let line = serde_json::to_string(json)?;
        output::print_durably(|| outln!("{line}"))
    } else {
        output::print_durably(|| outln!("{}", json.human(ctx)))
    }
}

/// `keys rotate --expiring-within D [--exec CMD | --secret-dir DIR] [--dry-run]`: a thin
/// call of the SDK's [`labelbox_sdk::ListApiKeys::rotate_each`].
pub(super) async fn rotate_batch(
    ctx: &Ctx,
    args: &RotateArgs,
    within: std::time::Duration,
) -> Result<(), CliError> {
    if args.secret.secret_file.is_some() {
        return Err(CliError::usage(
            "--secret-file names one file: a batch rotation takes --secret-dir DIR or --exec CMD",
        ));
    }
    let destination = match (args.exec.as_deref(), args.secret_dir.as_deref()) {
        (Some(command), _) => Some(BatchDestination::Exec(command, args.exec_timeout)),
        (None, Some(dir)) => {
            if !dir.is_dir() {
                return Err(CliError::usage(format!(
                    "--secret-dir {}: not a directory; nothing was rotated",
                    dir.display()
                )));
            }
            Some(BatchDestination::Dir(dir))
        }
        (None, None) => None,
    };
    let options = rotate_options(ctx, args)?;
    let client = ctx.client()?;
    let listing = client.list_api_keys().expiring_within(within);
    if client.calling_key_id().is_none() {
        // Nothing says which listed key is this command's own: it is rotated in the
        // listing's order, and revoking it early would fail the keys after it.
        errln!(
            "{} this API key names no key id (no `apiKeyId` or `jti` in it): if it is among \
             the keys to rotate, it is not known to be rotated last",
            ctx.err.paint(Paint::Dim, "note:")
        );
    }

    let Some(destination) = destination.filter(|_| !args.dry_run) else {
        if !args.dry_run {
            return Err(CliError::usage(
                "a batch rotation needs somewhere to put the new secrets: --exec CMD or \
                 --secret-dir DIR",
            )
            .with_hint("or --dry-run to see which keys would be rotated"));
        }
        let mut keys = listing.send().await?;
        let caller_last = labelbox_sdk::rotation_order(&mut keys, client.calling_key_id().as_ref());
        let total = keys.len();
        for (i, key) in keys.iter().enumerate() {
            let mut json = BatchJson::new(key, "would_rotate");
            json.caller = caller_last && i + 1 == total;
            print_batch_line(ctx, &json)?;
        }
        if !ctx.json {
            errln!(
                "dry run: {} key(s) expire within the window; nothing was created or revoked",
                keys.len()
            );
        }
        return Ok(());
    };

    let progress = !ctx.json && io::stderr().is_terminal();
    let dir = match &destination {
        BatchDestination::Dir(dir) => Some(*dir),
        BatchDestination::Exec(..) => None,
    };
    let mut worst: Option<Kind> = None;
    let mut failed = 0usize;
    let mut write_error: Option<io::Error> = None;
    let results = listing
        .rotate_each(
            options,
            |new| std::future::ready(hand_over_batch(&destination, &new)),
            |done, total, rotation| {
                let (json, kind) = BatchJson::from_rotation(rotation, dir);
                if let Some(kind) = kind {
                    failed += 1;
                    if worst.is_none_or(|w| kind > w) {
                        worst = Some(kind);
                    }
                }
                if let Err(e) = print_batch_line(ctx, &json) {
                    write_error.get_or_insert(e);
                }
                if progress {
                    errln!(
                        "{} {done}/{total} keys done",
                        ctx.err.paint(Paint::Dim, "progress:")
                    );
                }
            },
        )
        .await?;
    if results.is_empty() && !ctx.json {
        outln!("No API keys expire within the window; nothing to rotate.")?;
    }
    if let Some(e) = write_error {
        return Err(CliError::api(format!(
            "writing the batch's report failed ({e}); `labelbox keys list` shows the keys now"
        )));
    }
    match worst {
        None => Ok(()),
        Some(kind) => Err(CliError::new(
            kind,
            format!(
                "{failed} of {} keys were not rotated; each line above says which keys are live",
                results.len()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_dir_file_is_named_only_after_a_plain_key_id() {
        let dir = Path::new("/run/secrets");
        assert_eq!(
            secret_dir_path(dir, &ApiKeyId::from("ck_9f-A")).unwrap(),
            dir.join("replaces-ck_9f-A.jwt")
        );
        for hostile in ["../../etc/cron.d/x", "a/b", "", "x\0y", "..", "ck id"] {
            let error = secret_dir_path(dir, &ApiKeyId::from(hostile)).unwrap_err();
            assert!(error.contains("not a plain name"), "{hostile:?}: {error}");
        }
    }
}
