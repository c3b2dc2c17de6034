//! The one way the CLI starts a child process (a browser, a hand-over command): a child
//! never inherits a secret from the CLI's environment.
//!
//! Rule: every child process is built with [`command`], which removes
//! [`SECRET_VARIABLES`] from the child's environment (the rest is inherited). Nothing else
//! in the CLI calls `std::process::Command::new` or `tokio::process::Command::new`; a
//! test scans the sources for it. For an async child, convert:
//! `tokio::process::Command::from(child::command(program))`. A secret a child must have is
//! passed deliberately (on its stdin), never through the inherited environment.

use std::ffi::OsStr;
use std::process::Command;

/// The environment variables that hold a secret the CLI knows: the API key, and the seed
/// from which the emulator derives its admin key.
pub const SECRET_VARIABLES: &[&str] = &["LABELBOX_API_KEY", "LABELBOX_EMULATOR_ADMIN_KEY_SEED"];

/// A `Command` for `program` whose environment is the CLI's without [`SECRET_VARIABLES`].
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    for name in SECRET_VARIABLES {
        command.env_remove(name);
    }
    command
}

/// [`command`] in a process group of its own (on Unix), so that [`kill_group`] ends it and
/// every process it started. The group does not receive the terminal's Ctrl-C.
pub fn command_in_own_group(program: impl AsRef<OsStr>) -> Command {
    let mut command = command(program);
    #[cfg(unix)]
    std::os::unix::process::CommandExt::process_group(&mut command, 0);
    command
}

/// Kills a child started by [`command_in_own_group`] with its whole process group, then
/// reaps it.
pub fn kill_group(child: &mut std::process::Child) {
    #[cfg(unix)]
    let _ = rustix::process::kill_process_group(
        rustix::process::Pid::from_child(child),
        rustix::process::Signal::KILL,
    );
    let _ = child.kill();
    let _ = child.wait();
}

/// How a command given input by [`run_with_input`] ended, within its deadline.
#[derive(Debug)]
pub struct Finished {
    /// Its exit status.
    pub status: std::process::ExitStatus,
    /// Whether all the input was written to its stdin: `Err` when it closed its stdin (or
    /// exited) before taking all of it.
    pub written: std::io::Result<()>,
}

/// Why [`run_with_input`] gave up on a command.
#[derive(Debug)]
pub enum RunError {
    /// It could not be started.
    Spawn(std::io::Error),
    /// The deadline passed (writing its input or waiting for it): it was killed with its
    /// process group.
    TimedOut,
    /// Waiting for it failed: it was killed with its process group.
    Wait(std::io::Error),
}

/// Runs `command` (built with [`command_in_own_group`]) with `input` (its pieces, in order)
/// on its stdin, within `timeout` for the whole of it: start, write, wait. The write never
/// blocks (the pipe is non-blocking), so a command that never reads its stdin, with input
/// larger than the pipe's buffer, is still killed at the deadline with its process group.
pub fn run_with_input(
    command: &mut Command,
    input: &[&[u8]],
    timeout: std::time::Duration,
) -> Result<Finished, RunError> {
    use std::io::Write as _;
    use std::time::Instant;
    let deadline = Instant::now() + timeout;
    let mut child = command
        .stdin(std::process::Stdio::piped())
        .spawn()
        .map_err(RunError::Spawn)?;
    let mut stdin = child.stdin.take();
    #[cfg(unix)]
    if let Some(pipe) = &stdin {
        // Without it, a full pipe would block the write past the deadline.
        if let Err(e) = rustix::io::ioctl_fionbio(pipe, true) {
            kill_group(&mut child);
            return Err(RunError::Spawn(e.into()));
        }
    }
    let (mut piece, mut offset) = (0, 0);
    let mut written: Option<std::io::Result<()>> = None;
    loop {
        if let Some(pipe) = stdin.as_mut() {
            while piece < input.len() {
                match pipe.write(&input[piece][offset..]) {
                    Ok(n) => {
                        offset += n;
                        if offset == input[piece].len() {
                            piece += 1;
                            offset = 0;
                        }
                    }
                    Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                    Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                    Err(e) => {
                        written = Some(Err(e));
                        break;
                    }
                }
            }
            if piece == input.len() {
                written = Some(Ok(()));
            }
            if written.is_some() {
                // Closed: the command sees the end of its input.
                stdin = None;
            }
        }
        match child.try_wait() {
            Ok(Some(status)) => {
                let written = written.unwrap_or_else(|| {
                    Err(std::io::Error::new(
                        std::io::ErrorKind::BrokenPipe,
                        "the command exited before reading all its input",
                    ))
                });
                return Ok(Finished { status, written });
            }
            Ok(None) if Instant::now() >= deadline => {
                kill_group(&mut child);
                return Err(RunError::TimedOut);
            }
            Ok(None) => std::thread::sleep(std::time::Duration::from_millis(5)),
            Err(e) => {
                kill_group(&mut child);
                return Err(RunError::Wait(e));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SENTINEL: &str = "child-test-sentinel-secret";
    const PARENT_FLAG: &str = "LABELBOX_CLI_CHILD_TEST_PARENT";

    #[test]
    fn the_command_removes_every_secret_variable() {
        let command = command("env");
        let removed: Vec<_> = command
            .get_envs()
            .filter(|(_, value)| value.is_none())
            .map(|(name, _)| name.to_string_lossy().into_owned())
            .collect();
        for name in SECRET_VARIABLES {
            assert!(removed.iter().any(|r| r == name), "{name} not removed");
        }
    }

    /// Runs this test again in a process whose own environment holds the secrets (tests
    /// share one environment, so it cannot be set here); that process spawns `env` through
    /// [`command`] and checks the child's environment.
    #[test]
    fn a_spawned_child_does_not_inherit_the_api_key() {
        if std::env::var_os(PARENT_FLAG).is_some() {
            for name in SECRET_VARIABLES {
                assert_eq!(std::env::var(name).as_deref(), Ok(SENTINEL), "{name}");
            }
            let out = command("env").output().expect("run `env` (coreutils)");
            assert!(out.status.success(), "{out:?}");
            let env = String::from_utf8_lossy(&out.stdout);
            assert!(
                env.contains(&format!("{PARENT_FLAG}=1")),
                "the child inherits the rest of the environment: {env}"
            );
            for name in SECRET_VARIABLES {
                assert!(!env.contains(name), "{name} reached the child");
            }
            assert!(!env.contains(SENTINEL), "a secret reached the child");
            return;
        }
        let mut parent = Command::new(std::env::current_exe().unwrap());
        parent
            .args([
                "--exact",
                "child::tests::a_spawned_child_does_not_inherit_the_api_key",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(PARENT_FLAG, "1");
        for name in SECRET_VARIABLES {
            parent.env(name, SENTINEL);
        }
        let out = parent.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{text}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(text.contains("1 passed"), "the check did not run: {text}");
    }

    /// The rule holds only if nothing else builds a child: no other source file of the CLI
    /// names a process `Command` constructor.
    #[test]
    fn no_other_module_spawns_a_process() {
        let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut offenders = Vec::new();
        let mut dirs = vec![src.clone()];
        let mut scanned = 0;
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") || path.ends_with("child.rs") {
                    continue;
                }
                scanned += 1;
                let text = std::fs::read_to_string(&path).unwrap();
                for needle in ["process::Command", "Command::new(", "Command::from("] {
                    if text.contains(needle) {
                        offenders.push(format!("{} uses {needle}", path.display()));
                    }
                }
            }
        }
        assert!(
            scanned > 5,
            "scanned only {scanned} files under {}",
            src.display()
        );
        assert!(
            offenders.is_empty(),
            "build children with child::command: {offenders:?}"
        );
    }

    /// The deadline covers the write too: a command that never reads its stdin and never
    /// exits, given more than a pipe's buffer (64 KiB), is killed at the deadline.
    #[test]
    fn the_deadline_covers_a_write_the_command_never_reads() {
        let input = vec![b'x'; 1 << 20];
        let (done, result) = std::sync::mpsc::channel();
        let started = std::time::Instant::now();
        std::thread::spawn(move || {
            let mut sleeper = command_in_own_group("sh");
            sleeper.args(["-c", "sleep 600"]);
            let ran = run_with_input(
                &mut sleeper,
                &[&input, b"\n"],
                std::time::Duration::from_millis(500),
            );
            let _ = done.send(ran);
        });
        let ran = result
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the write blocked past the deadline");
        assert!(matches!(ran, Err(RunError::TimedOut)), "{ran:?}");
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn input_reaches_a_command_that_reads_it() {
        let input = vec![b'y'; 200_000];
        let mut counter = command_in_own_group("sh");
        counter.args(["-c", "test \"$(wc -c)\" -eq 200001"]);
        let finished = run_with_input(
            &mut counter,
            &[&input, b"\n"],
            std::time::Duration::from_secs(30),
        )
        .unwrap();
        assert!(finished.status.success(), "{finished:?}");
        assert!(finished.written.is_ok(), "{finished:?}");
    }
}
