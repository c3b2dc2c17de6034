//! A new key's secret is handed over before anything is revoked, and a failed hand-over
//! never leaves a key nobody holds: end to end, the built `labelbox` binary against an
//! emulator started in this process, with stdout a full device, a closed pipe, `/dev/null`
//! or a regular file.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::common;

use common::{is_jwt, stderr, stdout, temp_dir, BIN};
use labelbox_emulator::{Fault, KeyInfo, RateLimit};
use serde_json::Value;

/// The shared [`common::Env`] with this file's own helpers (each file of the crate's one
/// test binary keeps its helpers on a type of its own, so their names never clash).
struct Env(common::Env);

impl std::ops::Deref for Env {
    type Target = common::Env;

    fn deref(&self) -> &common::Env {
        &self.0
    }
}

/// The CLI's run helpers here set `NO_COLOR` and capture stderr (the shared ones do not).
impl Env {
    fn start() -> Env {
        Env(common::Env::start())
    }

    /// `labelbox ARGS` as `key`, with the given stdout; stderr captured, stdin null.
    fn run_with_stdout(&self, key: &str, args: &[&str], stdout: Stdio) -> Output {
        Command::new(BIN)
            .args(args)
            .env("LABELBOX_ENDPOINT", &self.endpoint)
            .env("LABELBOX_API_KEY", key)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(stdout)
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
            .wait_with_output()
            .unwrap()
    }

    /// `labelbox ARGS` as the admin, stdout captured.
    fn run(&self, args: &[&str]) -> Output {
        self.run_as(&self.admin_key, args)
    }

    fn run_as(&self, key: &str, args: &[&str]) -> Output {
        self.run_with_stdout(key, args, Stdio::piped())
    }

    /// Creates a key through the emulator's handle (no CLI involved); returns (id, secret).
    fn issue(&self, email: &str, role: &str) -> (String, String) {
        self.emulator()
            .issue_key(email, role, 14 * 86_400, None)
            .unwrap()
    }

    /// The stored keys that are not revoked, by id.
    fn live_ids(&self) -> Vec<String> {
        self.emulator()
            .keys()
            .into_iter()
            .filter(|k| !k.revoked)
            .map(|k| k.id)
            .collect()
    }

    fn keys(&self) -> Vec<KeyInfo> {
        self.emulator().keys()
    }

    fn creations(&self) -> u64 {
        self.emulator().operation_count("CreateApiKey")
    }

    /// Whether `secret` still authenticates (`labelbox whoami` exits 0).
    fn authenticates(&self, secret: &str) -> bool {
        self.run_as(secret, &["whoami"]).status.success()
    }
}

#[track_caller]
fn assert_exit(out: &Output, code: i32, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    for needle in needles {
        assert!(err.contains(needle), "stderr lacks {needle:?}: {err}");
    }
    assert!(!err.contains("panicked"), "{err}");
}

/// The ways stdout can fail: a full device, and a pipe whose reader has already gone.
#[derive(Debug, Clone, Copy)]
enum BadStdout {
    Full,
    ClosedPipe,
}

const BAD_STDOUTS: [BadStdout; 2] = [BadStdout::Full, BadStdout::ClosedPipe];

impl BadStdout {
    fn stdio(self) -> Stdio {
        match self {
            BadStdout::Full => OpenOptions::new()
                .write(true)
                .open("/dev/full")
                .expect("/dev/full is needed (Linux); run the tests on Linux")
                .into(),
            BadStdout::ClosedPipe => closed_pipe(),
        }
    }

    /// The error text the binary reports for it.
    fn cause(self) -> &'static str {
        match self {
            BadStdout::Full => "No space left on device",
            BadStdout::ClosedPipe => "Broken pipe",
        }
    }
}

/// The write end of a pipe whose read end is already closed, deterministically: the read
/// end belongs only to a process (`true`) that has exited.
fn closed_pipe() -> Stdio {
    let mut reader = Command::new("true")
        .stdin(Stdio::piped())
        .spawn()
        .expect("`true` is needed to make a closed pipe");
    let write_end = reader.stdin.take().unwrap();
    assert!(reader.wait().unwrap().success());
    write_end.into()
}

/// `keys create` arguments for a Labeler key.
fn create_args<'a>(json: bool, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = Vec::new();
    if json {
        args.push("--json");
    }
    args.extend([
        "keys",
        "create",
        "--name",
        "ci",
        "--user",
        "labeler@example.com",
        "--role",
        "Labeler",
        "--validity",
        "2w",
    ]);
    args.extend_from_slice(extra);
    args
}

fn rotate_args<'a>(json: bool, old: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = Vec::new();
    if json {
        args.push("--json");
    }
    args.extend(["keys", "rotate", old]);
    args.extend_from_slice(extra);
    args
}

/// The id in `error: ... the new key ID was revoked ...` / `... revoking the new key ID ...`.
fn new_key_named_in(err: &str) -> String {
    let rest = err
        .split("the new key ")
        .nth(1)
        .unwrap_or_else(|| panic!("no new key named: {err}"));
    rest.split([' ', ','])
        .next()
        .unwrap()
        .trim_end_matches(';')
        .to_owned()
}

#[test]
fn rotate_whose_stdout_fails_revokes_the_new_key_and_keeps_the_old() {
    let env = Env::start();
    let (old, old_secret) = env.issue("labeler@example.com", "Labeler");
    for bad in BAD_STDOUTS {
        for json in [false, true] {
            let live_before = env.live_ids();
            let created_before = env.creations();
            let out =
                env.run_with_stdout(&env.admin_key, &rotate_args(json, &old, &[]), bad.stdio());
            assert_exit(
                &out,
                4,
                &[
                    &format!("rotating {old}"),
                    bad.cause(),
                    &format!("the old key {old} is still live and unchanged"),
                    "was revoked",
                ],
            );
            // A replacement was created, then revoked; nothing else changed.
            assert_eq!(env.creations(), created_before + 1, "{bad:?} json={json}");
            let new_id = new_key_named_in(&stderr(&out));
            let new = env.keys().into_iter().find(|k| k.id == new_id).unwrap();
            assert!(new.revoked, "{bad:?} json={json}: the unheld key is live");
            assert_eq!(env.live_ids(), live_before, "{bad:?} json={json}");
            assert!(env.authenticates(&old_secret), "{bad:?} json={json}");
        }
    }
}

#[test]
fn create_whose_stdout_fails_leaves_no_live_key() {
    let env = Env::start();
    for bad in BAD_STDOUTS {
        for json in [false, true] {
            let live_before = env.live_ids();
            let created_before = env.creations();
            let out = env.run_with_stdout(&env.admin_key, &create_args(json, &[]), bad.stdio());
            assert_exit(
                &out,
                4,
                &[
                    "the new key's secret could not be written to standard output",
                    bad.cause(),
                    "was revoked, so no new key is live",
                ],
            );
            assert_eq!(env.creations(), created_before + 1, "{bad:?} json={json}");
            let new_id = new_key_named_in(&stderr(&out));
            assert!(env.keys().iter().any(|k| k.id == new_id && k.revoked));
            assert_eq!(env.live_ids(), live_before, "{bad:?} json={json}");
        }
    }
}

/// A caller key allowed exactly `requests` requests: the revoke of the new key after a
/// failed hand-over is refused too.
fn limited_admin(env: &Env, requests: u32) -> String {
    let (id, secret) = env.issue("admin2@example.com", "Admin");
    env.emulator().set_key_rate_limit(
        &id,
        Some(RateLimit::new(requests, Duration::from_secs(3600))),
    );
    secret
}

#[test]
fn when_the_new_key_cannot_be_revoked_either_the_message_names_both_live_keys() {
    let env = Env::start();
    let (old, old_secret) = env.issue("labeler@example.com", "Labeler");
    // rotate --role: read the old key, the create preflight, the create; the fourth
    // request (revoking the new key) is refused.
    let caller = limited_admin(&env, 3);
    let out = env.run_with_stdout(
        &caller,
        &rotate_args(true, &old, &["--role", "Labeler"]),
        BadStdout::Full.stdio(),
    );
    assert_exit(
        &out,
        5,
        &["both keys are live", &format!("the old key {old}")],
    );
    let new_id = new_key_named_in(&stderr(&out));
    assert!(
        stderr(&out).contains(&format!("labelbox keys revoke --yes {new_id}")),
        "{}",
        stderr(&out)
    );
    let live = env.live_ids();
    assert!(live.contains(&old) && live.contains(&new_id), "{live:?}");
    assert!(env.authenticates(&old_secret));

    // create: the preflight, the create; the revoke is refused.
    let caller = limited_admin(&env, 2);
    let out = env.run_with_stdout(&caller, &create_args(false, &[]), BadStdout::Full.stdio());
    assert_exit(&out, 5, &["nobody holds its secret"]);
    let new_id = new_key_named_in(&stderr(&out));
    assert!(env.live_ids().contains(&new_id));
    assert!(stderr(&out).contains(&format!("labelbox keys revoke --yes {new_id}")));
}

#[test]
fn rotate_success_hands_the_secret_over_then_revokes_the_old_key() {
    let env = Env::start();

    // Human: the new secret on stdout, then the old key revoked.
    let (old, old_secret) = env.issue("labeler@example.com", "Labeler");
    let out = env.run(&rotate_args(false, &old, &[]));
    assert_exit(&out, 0, &["cannot be retrieved again"]);
    let text = stdout(&out);
    let secret = text
        .lines()
        .find(|l| l.starts_with("eyJ") && is_jwt(l))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(text.contains(&format!("Revoked old key {old}")), "{text}");
    assert!(env.authenticates(secret));
    assert!(!env.authenticates(&old_secret));

    // JSON: one object, the secret in `new`, `old_revoked` last.
    let (old, old_secret) = env.issue("labeler@example.com", "Labeler");
    let out = env.run(&rotate_args(true, &old, &[]));
    assert_exit(&out, 0, &[]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["old_id"], old.as_str());
    assert_eq!(v["old_revoked"], true);
    let secret = v["new"]["secret"].as_str().unwrap();
    assert!(env.authenticates(secret));
    assert!(!env.authenticates(&old_secret));
    assert!(stdout(&out)
        .trim_end()
        .ends_with("\"old_revoked\": true\n}"));

    // Stdout a regular file (flushed and fsynced): the file holds the whole object.
    let dir = temp_dir("stdout-file");
    let path = dir.join("rotate.json");
    let (old, _) = env.issue("labeler@example.com", "Labeler");
    let file = std::fs::File::create(&path).unwrap();
    let out = env.run_with_stdout(&env.admin_key, &rotate_args(true, &old, &[]), file.into());
    assert_exit(&out, 0, &[]);
    let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(v["old_revoked"], true);
    assert!(env.authenticates(v["new"]["secret"].as_str().unwrap()));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn stdout_on_dev_null_is_refused_before_anything_is_created() {
    let env = Env::start();
    let (old, old_secret) = env.issue("labeler@example.com", "Labeler");
    let live_before = env.live_ids();
    for args in [create_args(false, &[]), rotate_args(true, &old, &[])] {
        let out = env.run_with_stdout(&env.admin_key, &args, Stdio::null());
        assert_exit(
            &out,
            2,
            &["standard output is /dev/null", "no key was created"],
        );
    }
    assert_eq!(env.creations(), 0);
    assert_eq!(env.live_ids(), live_before);
    assert!(env.authenticates(&old_secret));

    // With --secret-file the secret does not go to stdout: /dev/null is fine.
    let dir = temp_dir("null-with-file");
    let path = dir.join("key.jwt");
    let out = env.run_with_stdout(
        &env.admin_key,
        &create_args(false, &["--secret-file", path.to_str().unwrap()]),
        Stdio::null(),
    );
    assert_exit(&out, 0, &[]);
    assert!(env.authenticates(std::fs::read_to_string(&path).unwrap().trim()));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A directory this process cannot create files in: a 0500 directory, or (as root, which
/// ignores modes) `/sys`.
fn unwritable_dir() -> (PathBuf, Option<PathBuf>) {
    let dir = temp_dir("readonly");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o500)).unwrap();
    }
    if std::fs::write(dir.join("probe"), "x").is_err() {
        return (dir.clone(), Some(dir));
    }
    std::fs::remove_dir_all(&dir).unwrap();
    let sys = Path::new("/sys");
    assert!(
        std::fs::write(sys.join("labelbox-probe"), "x").is_err(),
        "no unwritable directory found: run the tests as a non-root user, or on Linux"
    );
    (sys.to_owned(), None)
}

#[test]
fn a_secret_file_that_cannot_be_created_fails_before_anything_is_created() {
    let env = Env::start();
    let (old, old_secret) = env.issue("labeler@example.com", "Labeler");
    let (dir, cleanup) = unwritable_dir();
    let path = dir.join("labelbox-key.jwt");
    let path_s = path.to_str().unwrap();
    let live_before = env.live_ids();
    for args in [
        create_args(false, &["--secret-file", path_s]),
        create_args(true, &["--secret-file", path_s]),
        rotate_args(false, &old, &["--secret-file", path_s]),
    ] {
        let out = env.run(&args);
        assert_exit(
            &out,
            2,
            &[
                &format!("cannot create the secret file {path_s}"),
                "no key was created",
            ],
        );
        assert!(stdout(&out).is_empty());
    }
    assert_eq!(env.creations(), 0, "a key was created before the file");
    assert_eq!(env.live_ids(), live_before);
    assert!(env.authenticates(&old_secret));
    assert!(!path.exists());
    if let Some(dir) = cleanup {
        std::fs::remove_dir_all(dir).unwrap();
    }
}

#[test]
fn a_refused_creation_leaves_no_empty_secret_file() {
    let env = Env::start();
    let dir = temp_dir("refused");
    let path = dir.join("key.jwt");
    // The emulator refuses an unknown user after the file was created: the file goes too.
    let out = env.run(&[
        "keys",
        "create",
        "--name",
        "x",
        "--user",
        "ghost@example.com",
        "--role",
        "Labeler",
        "--validity",
        "1d",
        "--secret-file",
        path.to_str().unwrap(),
    ]);
    assert_exit(&out, 2, &["ghost@example.com"]);
    assert!(!path.exists(), "an empty secret file was left behind");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `labelbox ARGS` as the admin, unable to write more than 0 bytes to any regular file
/// (`ulimit -f 0`, with `SIGXFSZ` ignored so a write fails with `EFBIG` instead of killing
/// the process): the secret file is created, then its write fails, like a full disk.
fn run_with_no_file_space(env: &Env, args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg(r#"trap '' XFSZ; ulimit -f 0 && exec "$0" "$@""#)
        .arg(BIN)
        .args(args)
        .env("LABELBOX_ENDPOINT", &env.endpoint)
        .env("LABELBOX_API_KEY", &env.admin_key)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .expect("`sh` is needed for this test")
}

#[test]
fn a_secret_file_that_cannot_be_written_revokes_the_new_key() {
    let env = Env::start();
    let (old, old_secret) = env.issue("labeler@example.com", "Labeler");
    let dir = temp_dir("efbig");
    let path = dir.join("key.jwt");
    let path_s = path.to_str().unwrap();
    for (args, needle) in [
        (
            create_args(true, &["--secret-file", path_s]),
            "so no new key is live".to_owned(),
        ),
        (
            rotate_args(false, &old, &["--secret-file", path_s]),
            format!("the old key {old} is still live and unchanged"),
        ),
    ] {
        let live_before = env.live_ids();
        let created_before = env.creations();
        let out = run_with_no_file_space(&env, &args);
        assert_exit(
            &out,
            4,
            &[
                &format!("could not be written to {path_s} (File too large"),
                "was revoked",
                &needle,
            ],
        );
        assert!(stdout(&out).is_empty(), "{}", stdout(&out));
        assert_eq!(env.creations(), created_before + 1);
        let new_id = new_key_named_in(&stderr(&out));
        assert!(env.keys().iter().any(|k| k.id == new_id && k.revoked));
        assert_eq!(env.live_ids(), live_before);
        assert!(!path.exists(), "the failed secret file was left behind");
    }
    assert!(env.authenticates(&old_secret));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A secret over the SDK's cap (`MAX_SECRET_BYTES`, 16,384 bytes) is a malformed answer in
/// every flow: the new key is revoked, the error says so, no secret is shown, and the old
/// key (rotation) stays live. The batch's `--exec` command here never reads its stdin and
/// never exits; the secret (70,000 bytes) is also larger than a pipe's buffer.
#[test]
fn an_oversized_secret_is_refused_and_its_key_revoked_in_every_flow() {
    let env = Env::start();
    let (old, old_secret) = env.issue("labeler@example.com", "Labeler");
    let batch = [
        "keys",
        "rotate",
        "--expiring-within",
        "15d",
        "--exec",
        "sleep 600",
        "--exec-timeout",
        "3s",
    ];
    let flows = [
        create_args(false, &[]),
        create_args(true, &[]),
        rotate_args(false, &old, &[]),
        rotate_args(true, &old, &[]),
        batch.to_vec(),
    ];
    for args in flows {
        let live_before = env.live_ids();
        let created_before = env.creations();
        env.emulator()
            .faults()
            .fail_next(1, Fault::OversizedSecret(70_000));
        let started = std::time::Instant::now();
        let out = env.run(&args);
        assert!(started.elapsed() < Duration::from_secs(60), "{args:?}");
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!out.status.success(), "{args:?}: {text}");
        assert!(
            text.contains("a secret of 70000 bytes, over the 16384-byte limit"),
            "{args:?}: {text}"
        );
        assert!(text.contains("so the key was revoked"), "{args:?}: {text}");
        assert!(
            !text.contains(&"A".repeat(64)),
            "{args:?}: a secret was shown"
        );
        assert!(!text.contains("eyJ"), "{args:?}: a secret was shown");
        assert_eq!(env.creations(), created_before + 1, "{args:?}");
        assert_eq!(env.live_ids(), live_before, "{args:?}: the new key is live");
        assert!(env.authenticates(&old_secret), "{args:?}");
        assert_eq!(env.emulator().faults().pending(), 0, "{args:?}");
    }
}

#[test]
fn a_secret_with_a_terminal_escape_is_refused_its_key_revoked_and_nothing_printed_raw() {
    let env = Env::start();
    let (old, old_secret) = env.issue("labeler@example.com", "Labeler");
    for args in [
        create_args(false, &[]),
        create_args(true, &[]),
        rotate_args(false, &old, &[]),
    ] {
        let live_before = env.live_ids();
        let created_before = env.creations();
        env.emulator()
            .faults()
            .fail_next(1, Fault::SecretWithEscape);
        let out = env.run(&args);
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(!out.status.success(), "{args:?}: {text}");
        assert!(
            text.contains("a secret that is not a JWT"),
            "{args:?}: {text}"
        );
        assert!(text.contains("so the key was revoked"), "{args:?}: {text}");
        assert!(
            !text.contains('\u{1b}'),
            "{args:?}: an escape reached the terminal"
        );
        assert!(!text.contains("eyJ"), "{args:?}: a secret was shown");
        assert_eq!(env.creations(), created_before + 1, "{args:?}");
        assert_eq!(env.live_ids(), live_before, "{args:?}: the new key is live");
        assert!(env.authenticates(&old_secret), "{args:?}");
    }
}
