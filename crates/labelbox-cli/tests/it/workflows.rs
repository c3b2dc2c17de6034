//! The key workflows end to end, the built `labelbox` binary against an emulator started in
//! this process: batch rotation (`keys rotate --expiring-within` with `--exec`,
//! `--secret-dir`, `--dry-run`), `keys list --fail-if-any`, `keys create` in two round
//! trips, and shell completions.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use common::{stderr, stdout, BIN};
use labelbox_emulator::KeyInfo;
use serde_json::Value;

const DAY: i64 = 86_400;

/// The shared [`common::Env`] with this file's own helpers (each file of the crate's one
/// test binary keeps its helpers on a type of its own, so their names never clash).
struct Env(common::Env);

impl std::ops::Deref for Env {
    type Target = common::Env;

    fn deref(&self) -> &common::Env {
        &self.0
    }
}

/// What these tests need beyond the shared setup.
impl Env {
    fn start() -> Env {
        Env(common::Env::start())
    }

    fn command(&self, key: &str, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env("LABELBOX_ENDPOINT", &self.endpoint)
            .env("LABELBOX_API_KEY", key)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        command
    }

    /// `labelbox ARGS` as the admin, stdout and stderr captured (pipes).
    fn run(&self, args: &[&str]) -> Output {
        self.command(&self.admin_key, args).output().unwrap()
    }

    /// A key for `email` valid for `secs`; returns (id, secret).
    fn issue(&self, email: &str, role: &str, secs: i64) -> (String, String) {
        self.emulator().issue_key(email, role, secs, None).unwrap()
    }

    fn key(&self, id: &str) -> KeyInfo {
        self.emulator()
            .keys()
            .into_iter()
            .find(|k| k.id == id)
            .unwrap_or_else(|| panic!("no key {id}"))
    }

    fn authenticates(&self, secret: &str) -> bool {
        self.command(secret, &["whoami"])
            .output()
            .unwrap()
            .status
            .success()
    }

    fn count(&self, operation: &str) -> u64 {
        self.emulator().operation_count(operation)
    }
}

#[track_caller]
fn assert_exit(out: &Output, code: i32) {
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {}",
        stdout(out),
        stderr(out)
    );
    assert!(!stderr(out).contains("panicked"), "{}", stderr(out));
}

/// The JSON lines of a batch, by old key id.
fn lines_by_old_id(out: &Output) -> std::collections::BTreeMap<String, Value> {
    stdout(out)
        .lines()
        .map(|line| {
            let v: Value = serde_json::from_str(line)
                .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line}"));
            (v["old_id"].as_str().unwrap().to_owned(), v)
        })
        .collect()
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "labelbox-workflows-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// An `--exec` command that stores its stdin, its environment and its arguments
/// (`/proc/$$/cmdline`) in `$OUT`, named by the old key's id, and prints a line on its
/// stdout (which must not reach the JSON stream).
const DUMPING_EXEC: &str = r#"cat > "$OUT/$LABELBOX_OLD_KEY_ID.secret" && env > "$OUT/$LABELBOX_OLD_KEY_ID.env" && tr '\0' ' ' < /proc/$$/cmdline > "$OUT/$LABELBOX_OLD_KEY_ID.args" && echo exec-stdout-marker"#;

#[test]
fn exec_receives_each_secret_on_stdin_only_and_the_old_keys_are_revoked() {
    let env = Env::start();
    let (a, a_secret) = env.issue("labeler@example.com", "Labeler", DAY);
    let (b, b_secret) = env.issue("reviewer@example.com", "Reviewer", 3 * DAY);
    let (far, far_secret) = env.issue("labeler@example.com", "Labeler", 30 * DAY);
    let out_dir = temp_dir("exec");
    let out = env
        .command(
            &env.admin_key,
            &[
                "--json",
                "keys",
                "rotate",
                "--expiring-within",
                "14d",
                "--exec",
                DUMPING_EXEC,
            ],
        )
        .env("OUT", &out_dir)
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let lines = lines_by_old_id(&out);
    assert_eq!(lines.len(), 2, "{}", stdout(&out));
    for (old, old_secret, email, role) in [
        (&a, &a_secret, "labeler@example.com", "Labeler"),
        (&b, &b_secret, "reviewer@example.com", "Reviewer"),
    ] {
        let line = &lines[old.as_str()];
        assert_eq!(line["status"], "rotated", "{line}");
        assert_eq!(line["old_revoked"], true);
        assert_eq!(line["exit_code"], 0);
        let new_id = line["new_id"].as_str().unwrap();
        let secret = read(&out_dir.join(format!("{old}.secret")));
        let secret = secret.trim_end();
        assert!(env.authenticates(secret), "the handed secret does not work");
        assert!(!env.authenticates(old_secret), "the old key still works");
        assert!(env.key(old).revoked);
        let new = env.key(new_id);
        assert_eq!((new.user_email.as_str(), new.role.as_str()), (email, role));

        // The child's environment names the key, never holds a secret, and no
        // LABELBOX_API_KEY; its arguments hold no secret either.
        let child_env = read(&out_dir.join(format!("{old}.env")));
        assert!(
            child_env.contains(&format!("LABELBOX_KEY_ID={new_id}\n")),
            "{child_env}"
        );
        assert!(child_env.contains(&format!("LABELBOX_OLD_KEY_ID={old}\n")));
        assert!(child_env.contains(&format!("LABELBOX_KEY_USER={email}\n")));
        assert!(child_env.contains("LABELBOX_KEY_NAME="));
        assert!(
            child_env.contains("OUT="),
            "the rest of the environment is inherited"
        );
        assert!(!child_env.contains("LABELBOX_API_KEY"), "{child_env}");
        assert!(!child_env.contains(secret) && !child_env.contains(&env.admin_key));
        let args = read(&out_dir.join(format!("{old}.args")));
        assert!(args.starts_with("sh -c "), "{args}");
        assert!(
            !args.contains(secret) && !args.contains(&env.admin_key),
            "{args}"
        );
    }
    assert!(
        !env.key(&far).revoked,
        "a key outside the window was rotated"
    );
    assert!(env.authenticates(&far_secret));
    // The command's stdout goes to stderr: stdout stays one JSON object per line.
    assert!(
        stderr(&out).contains("exec-stdout-marker"),
        "{}",
        stderr(&out)
    );
    assert!(!stdout(&out).contains("exec-stdout-marker"));
    // Progress is for terminals only: nothing of it in a pipe.
    assert!(!stderr(&out).contains("progress"), "{}", stderr(&out));
    std::fs::remove_dir_all(&out_dir).unwrap();
}

#[test]
fn a_failing_exec_keeps_that_old_key_and_the_batch_goes_on() {
    let env = Env::start();
    let (a, a_secret) = env.issue("labeler@example.com", "Labeler", DAY);
    let (b, b_secret) = env.issue("reviewer@example.com", "Reviewer", 2 * DAY);
    let (c, _) = env.issue("manager@example.com", "Team Manager", 3 * DAY);
    let out_dir = temp_dir("exec-fail");
    // The reviewer's hand-over fails (exit 3); the others store their secret.
    let exec = r#"cat > "$OUT/$LABELBOX_OLD_KEY_ID.secret"; if [ "$LABELBOX_KEY_USER" = reviewer@example.com ]; then exit 3; fi"#;
    let out = env
        .command(
            &env.admin_key,
            &[
                "--json",
                "keys",
                "rotate",
                "--expiring-within",
                "14d",
                "--exec",
                exec,
            ],
        )
        .env("OUT", &out_dir)
        .output()
        .unwrap();
    // The most severe outcome: a failed hand-over (4).
    assert_exit(&out, 4);
    assert!(
        stderr(&out).contains("1 of 3 keys were not rotated"),
        "{}",
        stderr(&out)
    );
    let lines = lines_by_old_id(&out);
    assert_eq!(lines[a.as_str()]["status"], "rotated");
    assert_eq!(lines[c.as_str()]["status"], "rotated");
    let failed = &lines[b.as_str()];
    assert_eq!(failed["status"], "hand_over_failed", "{failed}");
    assert_eq!(failed["exit_code"], 4);
    assert_eq!(failed["old_revoked"], false);
    assert_eq!(failed["new_live"], false);
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("exited with code 3"),
        "{failed}"
    );
    // Only a zero exit revokes the old key; the new one of the failed hand-over is revoked.
    assert!(env.authenticates(&b_secret));
    assert!(!env.key(&b).revoked);
    assert!(env.key(failed["new_id"].as_str().unwrap()).revoked);
    let b_new_secret = read(&out_dir.join(format!("{b}.secret")));
    assert!(!env.authenticates(b_new_secret.trim_end()));
    assert!(!env.authenticates(&a_secret));
    std::fs::remove_dir_all(&out_dir).unwrap();
}

#[test]
fn dry_run_creates_and_revokes_nothing() {
    let env = Env::start();
    let (a, a_secret) = env.issue("labeler@example.com", "Labeler", DAY);
    let (far, _) = env.issue("labeler@example.com", "Labeler", 30 * DAY);
    let out = env.run(&[
        "--json",
        "keys",
        "rotate",
        "--expiring-within",
        "14d",
        "--dry-run",
    ]);
    assert_exit(&out, 0);
    let lines = lines_by_old_id(&out);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[a.as_str()]["status"], "would_rotate");
    assert!(!lines.contains_key(&far));
    let human = env.run(&["keys", "rotate", "--expiring-within", "14d", "--dry-run"]);
    assert_exit(&human, 0);
    assert!(
        stdout(&human).contains(&format!("Would rotate {a}")),
        "{}",
        stdout(&human)
    );
    assert!(stderr(&human).contains("nothing was created or revoked"));
    assert_eq!(env.count("CreateApiKey"), 0);
    assert_eq!(env.count("RevokeApiKey"), 0);
    assert!(env.authenticates(&a_secret));

    // Without --dry-run, a batch needs --exec or --secret-dir.
    let out = env.run(&["keys", "rotate", "--expiring-within", "14d"]);
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--exec CMD or --secret-dir DIR"));
    // The batch flags need the batch.
    for flag in [
        &["--dry-run"][..],
        &["--exec", "true"],
        &["--secret-dir", "/tmp"],
    ] {
        let mut args = vec!["keys", "rotate", a.as_str()];
        args.extend_from_slice(flag);
        let out = env.run(&args);
        assert_exit(&out, 2);
        assert!(
            stderr(&out).contains("apply to a batch"),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(env.count("CreateApiKey"), 0);
}

#[test]
fn secret_dir_files_are_new_0600_and_never_overwritten() {
    let env = Env::start();
    let (a, a_secret) = env.issue("labeler@example.com", "Labeler", DAY);
    let (b, b_secret) = env.issue("reviewer@example.com", "Reviewer", 2 * DAY);
    let dir = temp_dir("secret-dir");
    // A file already where b's secret would go: it is never overwritten, and b stays.
    let taken = dir.join(format!("replaces-{b}.jwt"));
    std::fs::write(&taken, "someone else's file").unwrap();
    let out = env.run(&[
        "keys",
        "rotate",
        "--expiring-within",
        "14d",
        "--secret-dir",
        dir.to_str().unwrap(),
    ]);
    assert_exit(&out, 4);
    let text = stdout(&out);
    assert!(text.contains(&format!("Rotated {a}")), "{text}");
    assert!(text.contains(&format!("Failed {b}")), "{text}");
    assert!(
        text.contains("already exists and is never overwritten"),
        "{text}"
    );
    assert_eq!(read(&taken), "someone else's file");
    assert!(env.authenticates(&b_secret) && !env.key(&b).revoked);

    let path = dir.join(format!("replaces-{a}.jwt"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(env.authenticates(read(&path).trim_end()));
    assert!(!env.authenticates(&a_secret));
    // Only the two files: no stray secret file of the failed key.
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 2);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn batch_progress_shows_on_a_terminal_only() {
    let env = Env::start();
    env.issue("labeler@example.com", "Labeler", DAY);
    let dir = temp_dir("progress");
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .expect("script(1) is needed for this test: install util-linux (bsdutils)");
    let command = format!(
        "{BIN} keys rotate --expiring-within 14d --secret-dir {}",
        dir.display()
    );
    let out = Command::new(script)
        .args(["-qec", &command, "/dev/null"])
        .env("LABELBOX_ENDPOINT", &env.endpoint)
        .env("LABELBOX_API_KEY", &env.admin_key)
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    assert!(
        stdout(&out).contains("progress: 1/1 keys done"),
        "{}",
        stdout(&out)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn list_fail_if_any_exits_6_when_keys_expire_soon() {
    let env = Env::start();
    let (a, _) = env.issue("labeler@example.com", "Labeler", DAY);
    let out = env.run(&[
        "--json",
        "keys",
        "list",
        "--expiring-within",
        "14d",
        "--fail-if-any",
    ]);
    assert_exit(&out, 6);
    assert!(
        stderr(&out).contains("1 API key is listed"),
        "{}",
        stderr(&out)
    );
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(listed[0]["id"], a.as_str());
    let out = env.run(&["keys", "list", "--expiring-within", "1h", "--fail-if-any"]);
    assert_exit(&out, 0);
    assert!(stdout(&out).contains("No API keys."));
}

#[test]
fn create_takes_two_round_trips_and_prints_what_the_creation_knows() {
    let env = Env::start();
    let before = env.emulator().request_count();
    let out = env.run(&[
        "--json",
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
        "--allow-ip",
        "127.0.0.1",
    ]);
    assert_exit(&out, 0);
    assert_eq!(
        env.emulator().request_count() - before,
        2,
        "preflight and mutation only"
    );
    assert_eq!(env.count("CreateApiKeyPreflight"), 1);
    assert_eq!(env.count("CreateApiKey"), 1);
    assert_eq!(env.count("ListApiKeys"), 0, "no listing to print the key");
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["user_email"], "labeler@example.com");
    assert_eq!(v["role"], "Labeler");
    assert_eq!(v["allowed_ip_cidrs"], serde_json::json!(["127.0.0.1"]));
    let stored = env.key(v["id"].as_str().unwrap());
    let printed = time::OffsetDateTime::parse(
        v["expires_at"].as_str().unwrap(),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap()
    .unix_timestamp();
    assert!(
        (printed - stored.expires_at_epoch).abs() <= 5,
        "printed {printed}, stored {}",
        stored.expires_at_epoch
    );
}

#[test]
fn completions_for_each_shell_name_the_commands() {
    for shell in ["bash", "zsh", "fish"] {
        let out = Command::new(BIN)
            .args(["completions", shell])
            .env_remove("LABELBOX_API_KEY")
            .output()
            .unwrap();
        assert_exit(&out, 0);
        let script = stdout(&out);
        assert!(!script.trim().is_empty(), "{shell}");
        for word in [
            "labelbox",
            "keys",
            "rotate",
            "--expiring-within",
            "completions",
        ] {
            assert!(script.contains(word), "{shell} completions lack {word}");
        }
    }
    let out = Command::new(BIN)
        .args(["completions", "tcsh"])
        .output()
        .unwrap();
    assert_exit(&out, 2);
}

/// The API does not report a key's own role: without --role the replacement gets the user's
/// organization role, and the CLI says so on stderr (a Labeler key of an Admin would come
/// back an Admin key); with --role it keeps the scope asked for and says nothing.
#[test]
fn rotate_without_role_says_the_replacement_gets_the_users_role() {
    let env = Env::start();
    let (scoped, _) = env.issue("admin2@example.com", "Labeler", DAY);
    let out = env.run(&["--json", "keys", "rotate", &scoped]);
    assert_exit(&out, 0);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["new"]["role"], "Admin", "{json}");
    assert!(
        stderr(&out).contains("without --role") && stderr(&out).contains("wider"),
        "{}",
        stderr(&out)
    );

    let (scoped, _) = env.issue("admin2@example.com", "Labeler", DAY);
    let out = env.run(&["--json", "keys", "rotate", &scoped, "--role", "Labeler"]);
    assert_exit(&out, 0);
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["new"]["role"], "Labeler", "{json}");
    assert!(!stderr(&out).contains("without --role"), "{}", stderr(&out));
}

#[test]
fn an_exec_command_past_its_timeout_is_killed_and_the_old_key_kept() {
    let env = Env::start();
    let (a, a_secret) = env.issue("labeler@example.com", "Labeler", DAY);
    let out_dir = temp_dir("exec-timeout");
    // Reads the secret, then hangs: killed at the timeout, before it says it stored it.
    let exec = r#"cat > "$OUT/$LABELBOX_OLD_KEY_ID.secret"; sleep 60"#;
    let out = env
        .command(
            &env.admin_key,
            &[
                "--json",
                "keys",
                "rotate",
                "--expiring-within",
                "14d",
                "--exec",
                exec,
                "--exec-timeout",
                "1s",
            ],
        )
        .env("OUT", &out_dir)
        .output()
        .unwrap();
    assert_exit(&out, 4);
    let lines = lines_by_old_id(&out);
    let failed = &lines[a.as_str()];
    assert_eq!(failed["status"], "hand_over_failed", "{failed}");
    assert_eq!(failed["old_revoked"], false);
    assert_eq!(failed["new_live"], false);
    assert!(
        failed["error"]
            .as_str()
            .unwrap()
            .contains("did not finish within 1s (--exec-timeout) and was killed"),
        "{failed}"
    );
    // The old key still works; the replacement the command read is revoked.
    assert!(env.authenticates(&a_secret));
    assert!(env.key(failed["new_id"].as_str().unwrap()).revoked);
    let new_secret = read(&out_dir.join(format!("{a}.secret")));
    assert!(!env.authenticates(new_secret.trim_end()));
    std::fs::remove_dir_all(&out_dir).unwrap();
}

#[test]
fn exec_timeout_needs_exec() {
    // Refused while the arguments are parsed: no server is needed. (The endpoint has nothing
    // listening: a binary that went on would fail another way than a usage error.)
    let out = Command::new(BIN)
        .args([
            "keys",
            "rotate",
            "--expiring-within",
            "14d",
            "--dry-run",
            "--exec-timeout",
            "1s",
        ])
        .env("LABELBOX_ENDPOINT", "http://127.0.0.1:9/graphql")
        .env("LABELBOX_API_KEY", "unused-key")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_exit(&out, 2);
    assert!(stderr(&out).contains("--exec"), "{}", stderr(&out));
}

/// The key the batch runs with is rotated last, even when it expires first: revoked first,
/// it would fail every later key with an authentication error. The output says so.
#[test]
fn the_calling_key_is_rotated_last_even_when_it_expires_first() {
    let env = Env::start();
    let (caller, caller_secret) = env.issue("admin2@example.com", "Admin", DAY / 2);
    let others = [
        env.issue("labeler@example.com", "Labeler", DAY),
        env.issue("reviewer@example.com", "Reviewer", 2 * DAY),
        env.issue("admin2@example.com", "Admin", 3 * DAY),
    ];
    let args = ["keys", "rotate", "--expiring-within", "4d"];

    let out = env
        .command(&caller_secret, &[&args[..], &["--dry-run"]].concat())
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    assert!(
        lines[3].starts_with(&format!("Would rotate {caller} ")),
        "{text}"
    );
    assert!(
        lines[3].contains("the key this command runs with: rotated last"),
        "{text}"
    );

    let dir = temp_dir("caller-last");
    let out = env
        .command(
            &caller_secret,
            &[&args[..], &["--secret-dir", dir.to_str().unwrap()]].concat(),
        )
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "{text}");
    for line in &lines[..3] {
        assert!(line.starts_with("Rotated "), "{text}");
        assert!(!line.contains("rotated last"), "{text}");
    }
    assert!(
        lines[3].starts_with(&format!("Rotated {caller} ")),
        "{text}"
    );
    assert!(
        lines[3].contains("the key this command runs with: rotated last"),
        "{text}"
    );
    for (id, secret) in others.iter().chain([&(caller.clone(), caller_secret)]) {
        assert!(env.key(id).revoked, "{id} was not rotated: {text}");
        assert!(!env.authenticates(secret));
        let new_secret = read(&dir.join(format!("replaces-{id}.jwt")));
        assert!(env.authenticates(new_secret.trim_end()));
    }

    // With --json, the caller's line says so too.
    let (caller, caller_secret) = env.issue("admin2@example.com", "Admin", DAY / 2);
    let (other, _) = env.issue("labeler@example.com", "Labeler", DAY);
    let dir = temp_dir("caller-last-json");
    let out = env
        .command(
            &caller_secret,
            &[
                &["--json"],
                &args[..],
                &["--secret-dir", dir.to_str().unwrap()],
            ]
            .concat(),
        )
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let text = stdout(&out);
    let ids: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .collect();
    let last = ids.last().unwrap();
    assert_eq!(last["old_id"], caller.as_str(), "{text}");
    assert_eq!(last["caller"], true, "{text}");
    assert_eq!(last["status"], "rotated", "{text}");
    assert!(ids
        .iter()
        .any(|v| v["old_id"] == other.as_str() && v["caller"] == false));
}

/// A key name with a NUL (which no environment variable can hold) reaches an `--exec`
/// command percent-encoded, with `LABELBOX_KEY_NAME_ENCODING=percent`; any other name as
/// is, without that variable (even when `labelbox`'s own environment has it). The emulator
/// refuses such names over its API by its own rule, turned off here: a real server may
/// hold them.
#[test]
fn a_name_with_a_nul_reaches_exec_percent_encoded() {
    let env = Env::start();
    let nul_name = "ci\0deploy 100%";
    let issue = |name: &str| {
        env.emulator()
            .issue_named_key(name, "labeler@example.com", "Labeler", DAY, None)
            .unwrap()
    };
    let args = [
        "--json",
        "keys",
        "rotate",
        "--expiring-within",
        "14d",
        "--exec",
        DUMPING_EXEC,
    ];

    // The emulator's rule on: the replacement cannot be created; the old key is untouched.
    let (refused, refused_secret) = issue(nul_name);
    let out = env
        .command(&env.admin_key, &args)
        .env("OUT", temp_dir("nul-refused"))
        .output()
        .unwrap();
    assert_exit(&out, 1);
    let line = &lines_by_old_id(&out)[refused.as_str()];
    assert_eq!(line["status"], "not_created", "{line}");
    assert!(
        line["error"]
            .as_str()
            .unwrap()
            .contains("name must not contain control characters"),
        "{line}"
    );
    assert!(env.authenticates(&refused_secret));
    assert!(!env.key(&refused).revoked);

    env.emulator().set_key_name_rule(false);
    let (nul, _) = issue(nul_name);
    let (plain, _) = issue("plain 100%");
    let out_dir = temp_dir("nul-name");
    let out = env
        .command(&env.admin_key, &args)
        .env("OUT", &out_dir)
        .env("LABELBOX_KEY_NAME_ENCODING", "percent")
        .output()
        .unwrap();
    assert_exit(&out, 0);
    let lines = lines_by_old_id(&out);
    assert_eq!(lines[nul.as_str()]["status"], "rotated");
    assert_eq!(lines[plain.as_str()]["status"], "rotated");
    let nul_env = read(&out_dir.join(format!("{nul}.env")));
    assert!(
        nul_env
            .lines()
            .any(|l| l == "LABELBOX_KEY_NAME=ci%00deploy 100%25"),
        "{nul_env}"
    );
    assert!(nul_env
        .lines()
        .any(|l| l == "LABELBOX_KEY_NAME_ENCODING=percent"));
    let plain_env = read(&out_dir.join(format!("{plain}.env")));
    assert!(
        plain_env
            .lines()
            .any(|l| l == "LABELBOX_KEY_NAME=plain 100%"),
        "{plain_env}"
    );
    assert!(
        !plain_env.contains("LABELBOX_KEY_NAME_ENCODING"),
        "{plain_env}"
    );
    // The replacement keeps the exact name.
    let new_id = lines[nul.as_str()]["new_id"].as_str().unwrap();
    assert_eq!(env.key(new_id).name, nul_name);
    std::fs::remove_dir_all(&out_dir).unwrap();
}

#[test]
fn a_batch_says_when_its_own_key_cannot_be_known_to_go_last() {
    let env = Env::start();
    // A key that names no id (not a JWT with `apiKeyId` or `jti`): the batch says so before
    // it lists anything (here the server then refuses the key).
    let out = env
        .command(
            "not-a-jwt",
            &["keys", "rotate", "--expiring-within", "4d", "--dry-run"],
        )
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(
        err.contains("names no key id") && err.contains("not known to be rotated last"),
        "{err}"
    );
    // A key that names its id gets no such note.
    let (_, secret) = env.issue("admin2@example.com", "Admin", DAY);
    let out = env
        .command(
            &secret,
            &["keys", "rotate", "--expiring-within", "4d", "--dry-run"],
        )
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !stderr(&out).contains("names no key id"),
        "{}",
        stderr(&out)
    );
}
