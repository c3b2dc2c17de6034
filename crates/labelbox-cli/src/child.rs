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
}
