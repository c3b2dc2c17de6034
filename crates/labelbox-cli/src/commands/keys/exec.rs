//! The runner of `--exec`: the command gets the new secret on its standard input within a
//! deadline that covers the whole hand-over.

use std::borrow::Cow;
use std::io::{self};

use labelbox_sdk::{ExposeSecret, Replacement};

/// Runs `--exec CMD` for one new key: `sh -c CMD`, built through `child::command_in_own_group` (so
/// LABELBOX_API_KEY is not inherited), the secret and a newline on its stdin (never in its
/// arguments or environment), the key's ids, name and user in its environment (a name an
/// environment variable cannot hold, with a NUL, is percent-encoded: see [`key_name_env`]),
/// its stdout sent to our stderr (stdout may be a JSON stream). `Ok` only when it exits 0
/// within `timeout`, which covers the whole hand-over (start, the secret's write, the wait):
/// the exit code is the command's word that it stored the secret. A command still running
/// at the timeout, reading its stdin or not, is killed with its process group (the shell and
/// every command it started) and the hand-over has failed. In its own process group, the
/// command does not receive the terminal's Ctrl-C: interrupting `labelbox` leaves it to
/// finish storing. A command that exits 0 without reading its stdin cannot be told from one
/// that did (the secret fits in the pipe's buffer), so only a failed write (a command that
/// closed its stdin early) is caught.
pub(super) fn run_exec(
    command: &str,
    timeout: std::time::Duration,
    new: &Replacement,
) -> Result<(), String> {
    use crate::child::RunError;
    // Its own process group, so that a timeout kills what the shell started too.
    let mut child = crate::child::command_in_own_group("sh");
    child
        .arg("-c")
        .arg(command)
        .env("LABELBOX_KEY_ID", new.created.id().as_str())
        .env("LABELBOX_OLD_KEY_ID", new.old.id.as_str())
        .env("LABELBOX_KEY_USER", &new.old.user_email)
        .stdout(stderr_stdio());
    match key_name_env(&new.old.name) {
        Cow::Borrowed(name) => child
            .env("LABELBOX_KEY_NAME", name)
            .env_remove(KEY_NAME_ENCODING_VARIABLE),
        Cow::Owned(encoded) => child
            .env("LABELBOX_KEY_NAME", encoded)
            .env(KEY_NAME_ENCODING_VARIABLE, "percent"),
    };
    let secret = new.created.secret().expose_secret();
    // The deadline covers the whole hand-over: start, the secret's write, the wait.
    let finished =
        match crate::child::run_with_input(&mut child, &[secret.as_bytes(), b"\n"], timeout) {
            Ok(finished) => finished,
            Err(RunError::Spawn(e)) => return Err(format!("--exec: could not start `sh -c`: {e}")),
            Err(RunError::TimedOut) => {
                return Err(format!(
                    "--exec command did not finish within {} (--exec-timeout) and was killed",
                    crate::duration::display_duration(timeout)
                ))
            }
            Err(RunError::Wait(e)) => {
                return Err(format!("--exec: waiting for the command failed: {e}"))
            }
        };
    if !finished.status.success() {
        return Err(match finished.status.code() {
            Some(code) => format!("--exec command exited with code {code}"),
            None => format!("--exec command was killed ({})", finished.status),
        });
    }
    finished.written.map_err(|e| {
        format!(
            "--exec command exited 0 but closed its standard input before the secret was \
             written ({e})"
        )
    })
}

/// Set to `percent` for an `--exec` command when `LABELBOX_KEY_NAME` is percent-encoded;
/// never set otherwise.
pub(super) const KEY_NAME_ENCODING_VARIABLE: &str = "LABELBOX_KEY_NAME_ENCODING";

/// A key's name as `LABELBOX_KEY_NAME` can hold it: as is, unless it holds a NUL (which no
/// environment variable can); then percent-encoded (RFC 3986: controls, `%` and every
/// non-ASCII byte of its UTF-8 as `%XX`), and [`KEY_NAME_ENCODING_VARIABLE`] says so.
pub(super) fn key_name_env(name: &str) -> Cow<'_, str> {
    const ENCODED: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b'%');
    if name.contains('\0') {
        Cow::Owned(percent_encoding::utf8_percent_encode(name, ENCODED).to_string())
    } else {
        Cow::Borrowed(name)
    }
}

/// Our stderr, for a child's stdout.
pub(super) fn stderr_stdio() -> std::process::Stdio {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = io::stderr().as_fd().try_clone_to_owned() {
            return std::process::Stdio::from(fd);
        }
    }
    std::process::Stdio::null()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_name_with_a_nul_is_percent_encoded() {
        assert!(matches!(
            key_name_env("ci 100% é"),
            Cow::Borrowed("ci 100% é")
        ));
        assert_eq!(
            key_name_env("a\0b%c é\n"),
            "a%00b%25c%20%C3%A9%0A".replace("%20", " ")
        );
    }
}
