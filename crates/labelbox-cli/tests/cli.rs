//! End-to-end tests: the built `labelbox` binary against an emulator started in this
//! process, over real HTTP on loopback.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use labelbox_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_labelbox");

/// An emulator running on its own runtime while the test thread runs the binary.
struct Env {
    rt: tokio::runtime::Runtime,
    emulator: Option<EmulatorHandle>,
    endpoint: String,
    admin_key: String,
    admin_key_id: String,
}

impl Env {
    fn start() -> Env {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let emulator = rt
            .block_on(Emulator::start(EmulatorConfig::default()))
            .unwrap();
        let endpoint = emulator.endpoint();
        let admin_key = emulator.admin_key().to_owned();
        let admin_key_id = emulator.admin_key_id().to_owned();
        Env {
            rt,
            emulator: Some(emulator),
            endpoint,
            admin_key,
            admin_key_id,
        }
    }

    /// `labelbox ARGS` as the admin, stdin not a terminal, no colour.
    fn run(&self, args: &[&str]) -> Output {
        self.run_as(&self.admin_key, args)
    }

    fn run_as(&self, key: &str, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .env("LABELBOX_ENDPOINT", &self.endpoint)
            .env("LABELBOX_API_KEY", key)
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert_ok(&out);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// Creates a key as the admin and returns (id, secret).
    fn create(&self, name: &str, user: &str, role: &str, extra: &[&str]) -> (String, String) {
        let mut args = vec![
            "keys",
            "create",
            "--name",
            name,
            "--user",
            user,
            "--role",
            role,
            "--validity",
            "2w",
        ];
        args.extend_from_slice(extra);
        let v = self.json(&args);
        (
            v["id"].as_str().unwrap().to_owned(),
            v["secret"].as_str().unwrap().to_owned(),
        )
    }

    /// Ids of the listed keys, except the emulator's bootstrap admin key.
    fn listed_ids(&self) -> Vec<String> {
        self.json(&["keys", "list", "--include-expired"])
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].as_str().unwrap().to_owned())
            .filter(|id| *id != self.admin_key_id)
            .collect()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if let Some(emulator) = self.emulator.take() {
            self.rt.block_on(emulator.shutdown());
        }
    }
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout: {}\nstderr: {}",
        out.status.code(),
        stdout(out),
        stderr(out)
    );
}

/// Asserts the exit code and that stderr is one `error:` line plus at most a hint, with no
/// backtrace.
#[track_caller]
fn assert_fails(out: &Output, code: i32, needle: &str) {
    let err = stderr(out);
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}\nstderr: {err}",
        stdout(out)
    );
    assert!(
        err.to_lowercase().contains(&needle.to_lowercase()),
        "stderr lacks {needle:?}: {err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    assert!(!err.contains("backtrace"), "{err}");
}

fn is_jwt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| p.len() > 4)
}

fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "labelbox-cli-test-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn whoami_human_and_json() {
    let env = Env::start();
    let out = env.run(&["whoami"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("admin@example.com"),
        "{}",
        stdout(&out)
    );
    assert!(!stdout(&out).contains('\x1b'), "colour without a terminal");

    let v = env.json(&["whoami"]);
    assert_eq!(v["email"], "admin@example.com");
    assert!(v["id"].is_string());
    assert!(v["name"].is_string());
    assert!(v["organization"]["id"].is_string());
    assert!(v["organization"]["name"].is_string());
}

#[test]
fn roles_human_and_json() {
    let env = Env::start();
    let out = env.run(&["roles"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.starts_with("NAME"), "{text}");
    for role in ["Labeler", "Reviewer", "Admin"] {
        assert!(text.contains(role), "{text}");
    }

    let v = env.json(&["roles"]);
    let roles = v.as_array().unwrap();
    let names: Vec<&str> = roles.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert!(
        names.contains(&"Labeler") && names.contains(&"Admin"),
        "{names:?}"
    );
    let perms = |name: &str| {
        roles.iter().find(|r| r["name"] == name).unwrap()["permissions"]
            .as_array()
            .unwrap()
            .len()
    };
    assert!(perms("Labeler") < perms("Admin"));
}

#[test]
fn create_get_list_human_and_json() {
    let env = Env::start();

    // Human create: the secret on stdout, the reminder on stderr.
    let out = env.run(&[
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
        "10.0.0.0/8",
        "--allow-ip",
        "2001:0db8::1",
    ]);
    assert_ok(&out);
    let text = stdout(&out);
    let secret = text.lines().last().unwrap();
    assert!(is_jwt(secret), "{text}");
    assert!(text.contains("labeler@example.com"), "{text}");
    assert!(
        text.contains("in 13 days") || text.contains("in 14 days"),
        "{text}"
    );
    assert!(text.contains("10.0.0.0/8, 2001:db8::1"), "{text}");
    assert!(stderr(&out).contains("cannot be retrieved again"));

    // JSON create.
    let v = env.json(&[
        "keys",
        "create",
        "--name",
        "ops",
        "--user",
        "reviewer@example.com",
        "--role",
        "Reviewer",
        "--validity",
        "90m",
    ]);
    let id = v["id"].as_str().unwrap().to_owned();
    assert_eq!(v["name"], "ops");
    assert_eq!(v["user_email"], "reviewer@example.com");
    assert_eq!(v["role"], "Reviewer");
    assert!(is_jwt(v["secret"].as_str().unwrap()));
    assert!(v["secret_file"].is_null());
    assert_eq!(v["allowed_ip_cidrs"], serde_json::json!([]));
    assert!(v["expires_at"].is_string());

    // get, JSON and human.
    let k = env.json(&["keys", "get", &id]);
    assert_eq!(k["id"], id.as_str());
    assert_eq!(k["name"], "ops");
    assert_eq!(k["user_email"], "reviewer@example.com");
    assert_eq!(k["revoked"], false);
    assert_eq!(k["expired"], false);
    for field in ["user_id", "created_at", "updated_at", "expires_at"] {
        assert!(k[field].is_string(), "{field}: {k}");
    }
    let out = env.run(&["keys", "get", &id]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.contains("active") && text.contains("in 1 hour"),
        "{text}"
    );
    assert!(!text.contains(secret));

    // list: the human table is aligned, JSON is an array of the same shape.
    let out = env.run(&["keys", "list"]);
    assert_ok(&out);
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("ID"), "{text}");
    let col = lines[0].find("NAME").unwrap();
    for line in &lines[1..] {
        assert_eq!(line.chars().nth(col - 1), Some(' '), "{text}");
        assert_ne!(line.chars().nth(col), Some(' '), "{text}");
    }
    assert!(text.contains("ci") && text.contains("ops"), "{text}");
    let list = env.json(&["keys", "list"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3, "ci, ops and the bootstrap key: {list:?}");
    assert!(list.iter().any(|k| k["id"] == id.as_str()));
    assert!(!serde_json::to_string(&list).unwrap().contains(secret));

    // --expiring-within keeps only the 90-minute key.
    let soon = env.json(&["keys", "list", "--expiring-within", "2h"]);
    let soon = soon.as_array().unwrap();
    assert_eq!(soon.len(), 1);
    assert_eq!(soon[0]["id"], id.as_str());
    let none = env.json(&["keys", "list", "--expiring-within", "1m"]);
    assert_eq!(none, serde_json::json!([]));
    let out = env.run(&["keys", "list", "--expiring-within", "1m"]);
    assert_ok(&out);
    assert_eq!(stdout(&out).trim(), "No API keys.");
}

#[test]
fn secret_file_is_new_and_0600() {
    let env = Env::start();
    let dir = temp_dir("secret");
    let path = dir.join("key.jwt");
    let path_s = path.to_str().unwrap();
    let out = env.run(&[
        "keys",
        "create",
        "--name",
        "f",
        "--user",
        "labeler@example.com",
        "--role",
        "Labeler",
        "--validity",
        "1d",
        "--secret-file",
        path_s,
    ]);
    assert_ok(&out);
    let secret = std::fs::read_to_string(&path).unwrap();
    assert!(is_jwt(secret.trim()));
    assert!(
        !stdout(&out).contains(secret.trim()),
        "secret leaked to stdout"
    );
    assert!(stdout(&out).contains(path_s));
    assert!(stderr(&out).contains("cannot be retrieved again"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "mode {mode:o}");
    }
    // The secret in the file authenticates as the labeler.
    let who = env.run_as(secret.trim(), &["--json", "whoami"]);
    assert_ok(&who);
    assert!(stdout(&who).contains("labeler@example.com"));

    // A second create to the same path is refused before anything is created.
    let before = env.listed_ids();
    let out = env.run(&[
        "--json",
        "keys",
        "create",
        "--name",
        "g",
        "--user",
        "labeler@example.com",
        "--role",
        "Labeler",
        "--validity",
        "1d",
        "--secret-file",
        path_s,
    ]);
    assert_fails(&out, 2, "refusing to overwrite");
    assert!(stdout(&out).is_empty());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), secret);
    assert_eq!(env.listed_ids(), before);

    // JSON with a secret file: no secret in the output, the path instead.
    let path2 = dir.join("key2.jwt");
    let v = env.json(&[
        "keys",
        "create",
        "--name",
        "h",
        "--user",
        "labeler@example.com",
        "--role",
        "Labeler",
        "--validity",
        "1d",
        "--secret-file",
        path2.to_str().unwrap(),
    ]);
    assert!(v["secret"].is_null());
    assert_eq!(v["secret_file"], path2.to_str().unwrap());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_inputs_are_usage_errors_and_create_nothing() {
    let env = Env::start();
    let create = |extra: &[&str]| {
        let mut args = vec!["keys", "create", "--name", "x"];
        args.extend_from_slice(extra);
        env.run(&args)
    };
    let good_user = ["--user", "labeler@example.com"];
    let good_role = ["--role", "Labeler"];
    let with = |a: &[&str], b: &[&str], c: &[&str]| -> Vec<String> {
        a.iter().chain(b).chain(c).map(|s| s.to_string()).collect()
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            with(&good_user, &good_role, &["--validity", "3x"]),
            "--validity",
        ),
        (
            with(&good_user, &good_role, &["--validity", "30s"]),
            "minimum validity",
        ),
        (
            with(&good_user, &good_role, &["--validity", "26w"]),
            "maximum validity",
        ),
        (
            with(
                &good_user,
                &good_role,
                &["--validity", "1d", "--allow-ip", "10.0.0.300"],
            ),
            "--allow-ip",
        ),
        (
            with(
                &good_user,
                &good_role,
                &["--validity", "1d", "--allow-ip", "10.0.0.1/8"],
            ),
            "--allow-ip",
        ),
        (
            with(&good_user, &["--role", "Wizard"], &["--validity", "1d"]),
            "invalid role",
        ),
        (
            with(&good_user, &["--role", "LABELER"], &["--validity", "1d"]),
            "invalid role",
        ),
        (
            with(
                &["--user", "ghost@example.com"],
                &good_role,
                &["--validity", "1d"],
            ),
            "does not exist",
        ),
    ];
    for (extra, needle) in &cases {
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        let out = create(&extra);
        assert_fails(&out, 2, needle);
    }
    assert!(env.listed_ids().is_empty(), "a bad create made a key");

    // Several bad inputs: the contract's order (name, allowlist, ..., validity) decides
    // which is reported.
    let base = [
        "keys",
        "create",
        "--user",
        "labeler@example.com",
        "--role",
        "Labeler",
    ];
    let bad = |extra: &[&str]| {
        let args: Vec<&str> = base.iter().chain(extra).copied().collect();
        env.run(&args)
    };
    assert_fails(
        &bad(&["--name", " ", "--allow-ip", "nope", "--validity", "0m"]),
        2,
        "--name",
    );
    assert_fails(
        &bad(&["--name", "x", "--allow-ip", "nope", "--validity", "0m"]),
        2,
        "--allow-ip",
    );

    // clap-level usage errors.
    assert_fails(&env.run(&["keys", "create", "--name", "x"]), 2, "required");
    assert_fails(
        &env.run(&["keys", "list", "--expiring-within", "soon"]),
        2,
        "duration",
    );
    assert_fails(&env.run(&["--timeout", "fast", "whoami"]), 2, "duration");
    assert_fails(
        &env.run(&["keys", "rotate", "abc", "--validity", "3x"]),
        2,
        "--validity",
    );
}

#[test]
fn credentials_and_network_errors_map_to_exit_codes() {
    let env = Env::start();

    // Missing key: 3, before any request, with a hint.
    let out = Command::new(BIN)
        .args(["keys", "list"])
        .env("LABELBOX_ENDPOINT", &env.endpoint)
        .env_remove("LABELBOX_API_KEY")
        .output()
        .unwrap();
    assert_fails(&out, 3, "LABELBOX_API_KEY");
    assert!(stderr(&out).contains("hint:"));

    // An empty LABELBOX_API_KEY (an unset CI secret) is no key: 3, not a usage error.
    for empty in ["", "  "] {
        let out = env.run_as(empty, &["keys", "list"]);
        assert_fails(&out, 3, "LABELBOX_API_KEY");
    }

    // A key the server does not know: 3, and the key is not echoed.
    let bogus = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJub2JvZHkifQ.c2lnbmF0dXJlLWJvZ3Vz";
    let out = env.run_as(bogus, &["whoami"]);
    assert_fails(&out, 3, "error:");
    assert!(!stderr(&out).contains(bogus));

    // A labeler may not create keys: authorization, 3.
    let (_, labeler_secret) = env.create("l", "labeler@example.com", "Labeler", &[]);
    let out = env.run_as(
        &labeler_secret,
        &[
            "keys",
            "create",
            "--name",
            "y",
            "--user",
            "labeler@example.com",
            "--role",
            "Labeler",
            "--validity",
            "1d",
        ],
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!stderr(&out).contains(&labeler_secret));

    // Unreachable endpoint: 1.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let out = Command::new(BIN)
        .args(["--timeout", "5s", "whoami"])
        .env(
            "LABELBOX_ENDPOINT",
            format!("http://127.0.0.1:{port}/graphql"),
        )
        .env("LABELBOX_API_KEY", &env.admin_key)
        .output()
        .unwrap();
    assert_fails(&out, 1, "error:");
    assert!(!stderr(&out).contains(&env.admin_key));

    // An endpoint that would send the key in clear text to a remote host: usage, 2.
    let out = Command::new(BIN)
        .args(["--endpoint", "http://example.com/graphql", "whoami"])
        .env("LABELBOX_API_KEY", &env.admin_key)
        .output()
        .unwrap();
    assert_fails(&out, 2, "plain http");
    let out = Command::new(BIN)
        .args(["--endpoint", "http://example.com/graphql", "schema", "pull"])
        .env("LABELBOX_API_KEY", &env.admin_key)
        .output()
        .unwrap();
    assert_fails(&out, 2, "plain http");

    // Unknown key id: 1 (not found).
    assert_fails(&env.run(&["keys", "get", "no-such-key"]), 1, "not found");
}

#[test]
fn api_key_on_the_command_line_warns() {
    let env = Env::start();
    let out = Command::new(BIN)
        .args(["whoami", "--api-key", &env.admin_key])
        .env("LABELBOX_ENDPOINT", &env.endpoint)
        .env_remove("LABELBOX_API_KEY")
        .output()
        .unwrap();
    assert_ok(&out);
    assert!(stderr(&out).contains("shell history"), "{}", stderr(&out));
    assert!(!stderr(&out).contains(&env.admin_key));

    let quiet = env.run(&["whoami"]);
    assert_ok(&quiet);
    assert!(!stderr(&quiet).contains("shell history"));
}

#[test]
fn revoke_needs_yes_without_a_terminal() {
    let env = Env::start();
    let (a, a_secret) = env.create("a", "labeler@example.com", "Labeler", &[]);
    let (b, _) = env.create("b", "reviewer@example.com", "Reviewer", &[]);

    let out = env.run(&["keys", "revoke", &a]);
    assert_fails(&out, 2, "--yes");
    assert!(
        env.listed_ids().contains(&a),
        "revoked without confirmation"
    );

    let out = env.run(&["keys", "revoke", &a, "--yes"]);
    assert_ok(&out);
    assert!(stdout(&out).contains(&format!("Revoked {a}")));
    assert!(!env.listed_ids().contains(&a));
    // The revoked key no longer authenticates.
    assert_fails(&env.run_as(&a_secret, &["whoami"]), 3, "error:");

    let v = env.json(&["keys", "revoke", "--yes", &b]);
    assert_eq!(v, serde_json::json!({"revoked": [b.clone()], "failed": []}));

    let out = env.run(&["keys", "revoke", "--yes", "no-such-key"]);
    assert_fails(&out, 1, "no-such-key");
}

#[test]
fn rotate_replaces_the_key_and_keeps_user_and_allowlist() {
    let env = Env::start();
    let (old, old_secret) = env.create(
        "deploy",
        "labeler@example.com",
        "Labeler",
        &["--allow-ip", "127.0.0.1", "--allow-ip", "::1"],
    );

    // Human rotate.
    let out = env.run(&["keys", "rotate", &old]);
    assert_ok(&out);
    let text = stdout(&out);
    let new_secret = text
        .lines()
        .find(|l| is_jwt(l))
        .unwrap_or_else(|| panic!("{text}"))
        .to_owned();
    assert!(text.contains(&format!("Revoked old key {old}")), "{text}");
    assert!(stderr(&out).contains("cannot be retrieved again"));
    let ids = env.listed_ids();
    assert!(!ids.contains(&old));
    assert_eq!(ids.len(), 1);
    let new = env.json(&["keys", "get", &ids[0]]);
    assert_eq!(new["name"], "deploy");
    assert_eq!(new["user_email"], "labeler@example.com");
    assert_eq!(
        new["allowed_ip_cidrs"],
        serde_json::json!(["127.0.0.1", "::1"])
    );
    assert_fails(&env.run_as(&old_secret, &["whoami"]), 3, "error:");
    let who = env.run_as(&new_secret, &["--json", "whoami"]);
    assert_ok(&who);
    assert!(stdout(&who).contains("labeler@example.com"));

    // JSON rotate with an explicit validity and a secret file.
    let dir = temp_dir("rotate");
    let path = dir.join("rotated.jwt");
    let v = env.json(&[
        "keys",
        "rotate",
        &ids[0],
        "--validity",
        "3d",
        "--secret-file",
        path.to_str().unwrap(),
    ]);
    assert_eq!(v["old_id"], ids[0].as_str());
    assert_eq!(v["old_revoked"], true);
    assert_eq!(v["new"]["role"], "Labeler", "the user's organization role");
    assert!(v["new"]["secret"].is_null());
    let newest = v["new"]["id"].as_str().unwrap();
    let k = env.json(&["keys", "get", newest]);
    assert_eq!(
        k["allowed_ip_cidrs"],
        serde_json::json!(["127.0.0.1", "::1"])
    );
    assert!(is_jwt(std::fs::read_to_string(&path).unwrap().trim()));
    std::fs::remove_dir_all(&dir).unwrap();

    // Rotating an unknown key fails before creating anything.
    let before = env.listed_ids();
    assert_fails(&env.run(&["keys", "rotate", "no-such-key"]), 1, "not found");
    assert_eq!(env.listed_ids(), before);
}

#[test]
fn demo_walks_the_lifecycle_and_exits_0() {
    let out = Command::new(BIN)
        .arg("demo")
        .env_remove("LABELBOX_API_KEY")
        .env_remove("LABELBOX_ENDPOINT")
        .output()
        .unwrap();
    assert_ok(&out);
    let text = stdout(&out);
    for needle in [
        "admin@example.com",
        "Labeler",
        "labeler@example.com",
        "[redacted]",
        "refused",
        "[10/10]",
    ] {
        assert!(text.contains(needle), "missing {needle:?}:\n{text}");
    }
    for word in text.split_whitespace() {
        assert!(!is_jwt(word), "a whole secret was printed: {word}");
    }
}

/// `labelbox --json emulator ARGS` in the background; returns the child and its ready line.
fn spawn_emulator(args: &[&str]) -> (std::process::Child, Value) {
    let mut child = Command::new(BIN)
        .args(["--json", "emulator", "--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut json = String::new();
    while !json.trim_end().ends_with('}') {
        let mut line = String::new();
        assert_ne!(
            reader.read_line(&mut line).unwrap(),
            0,
            "emulator exited early"
        );
        json.push_str(&line);
    }
    (child, serde_json::from_str(&json).unwrap())
}

/// Stops a `labelbox emulator` with SIGTERM and checks it exits 0.
fn terminate(mut child: std::process::Child) {
    #[cfg(unix)]
    {
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
        assert!(child.wait().unwrap().success());
    }
    #[cfg(not(unix))]
    {
        child.kill().unwrap();
        child.wait().unwrap();
    }
}

fn run_against(ready: &Value, args: &[&str]) -> Output {
    Command::new(BIN)
        .args(args)
        .env("LABELBOX_ENDPOINT", ready["endpoint"].as_str().unwrap())
        .env("LABELBOX_API_KEY", ready["admin_key"].as_str().unwrap())
        .output()
        .unwrap()
}

#[test]
fn emulator_command_serves_until_terminated() {
    let (child, ready) = spawn_emulator(&[]);
    assert_eq!(ready["admin_email"], "admin@example.com");
    let out = run_against(&ready, &["--json", "whoami"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("admin@example.com"));
    terminate(child);
}

#[test]
fn emulator_command_seeds_and_persists() {
    let dir = temp_dir("emulator");
    let seed = dir.join("seed.json");
    std::fs::write(
        &seed,
        r#"{"organization": {"name": "Acme"},
            "users": [{"email": "boss@acme.test", "name": "Bo Boss", "role": "Admin"},
                      {"email": "ci@acme.test", "name": "C I", "role": "Labeler"}]}"#,
    )
    .unwrap();
    let state = dir.join("state.json");
    let (seed_s, state_s) = (seed.to_str().unwrap(), state.to_str().unwrap());

    let (child, ready) = spawn_emulator(&["--seed", seed_s, "--state", state_s]);
    assert_eq!(ready["admin_email"], "boss@acme.test");
    let who = run_against(&ready, &["--json", "whoami"]);
    assert_ok(&who);
    assert!(stdout(&who).contains("Acme"), "{}", stdout(&who));
    let out = run_against(
        &ready,
        &[
            "--json",
            "keys",
            "create",
            "--name",
            "kept",
            "--user",
            "ci@acme.test",
            "--role",
            "Labeler",
            "--validity",
            "1d",
        ],
    );
    assert_ok(&out);
    let id = serde_json::from_slice::<Value>(&out.stdout).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    terminate(child);

    // Restarted on the same state file, the key is still there.
    let (child, ready) = spawn_emulator(&["--state", state_s]);
    let out = run_against(&ready, &["--json", "keys", "get", &id]);
    assert_ok(&out);
    assert!(stdout(&out).contains("ci@acme.test"));
    terminate(child);

    // A broken seed file is a usage error.
    std::fs::write(&seed, "{not json").unwrap();
    let out = Command::new(BIN)
        .args(["emulator", "--listen", "127.0.0.1:0", "--seed", seed_s])
        .output()
        .unwrap();
    assert_fails(&out, 2, "seed");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn rotate_keeps_the_new_key_when_revoking_the_old_one_fails() {
    let env = Env::start();
    // A second admin key, limited to the requests a rotate makes before its revoke:
    // read the old key, the create preflight, the create.
    let (caller_id, caller_secret) = env.create("ops", "admin2@example.com", "Admin", &[]);
    let (old, _) = env.create("deploy", "labeler@example.com", "Labeler", &[]);
    env.emulator.as_ref().unwrap().set_key_rate_limit(
        &caller_id,
        Some(labelbox_emulator::RateLimit::new(
            3,
            std::time::Duration::from_secs(3600),
        )),
    );
    let out = env.run_as(
        &caller_secret,
        &["--json", "keys", "rotate", &old, "--role", "Labeler"],
    );
    assert_fails(&out, 1, &format!("revoking the old key {old} failed"));
    assert!(stderr(&out).contains("labelbox keys revoke"));
    // The new secret was still handed over, and both keys exist.
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["old_revoked"], false);
    let new_id = v["new"]["id"].as_str().unwrap().to_owned();
    let new_secret = v["new"]["secret"].as_str().unwrap();
    assert!(is_jwt(new_secret));
    let ids = env.listed_ids();
    assert!(ids.contains(&old) && ids.contains(&new_id), "{ids:?}");
    let who = env.run_as(new_secret, &["--json", "whoami"]);
    assert_ok(&who);
    assert!(stdout(&who).contains("labeler@example.com"));
}

#[test]
fn a_silent_server_times_out_with_exit_1() {
    // Accepts connections (the kernel's backlog) but never answers.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}/graphql", silent.local_addr().unwrap());
    let started = std::time::Instant::now();
    let out = Command::new(BIN)
        .args(["--timeout", "300ms", "whoami"])
        .env("LABELBOX_ENDPOINT", &endpoint)
        .env(
            "LABELBOX_API_KEY",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl",
        )
        .output()
        .unwrap();
    assert_fails(&out, 1, "timed out");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(15),
        "took {:?}",
        started.elapsed()
    );
    drop(silent);
}

/// Runs `command` under a pseudo-terminal with `script(1)`, feeding `input`; `None` when
/// `script` is not installed.
fn run_in_terminal(env: &Env, command: &str, input: &str) -> Option<Output> {
    let script = ["/usr/bin/script", "/bin/script"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists())?;
    let mut child = Command::new(script)
        .args(["-qec", command, "/dev/null"])
        .env("LABELBOX_ENDPOINT", &env.endpoint)
        .env("LABELBOX_API_KEY", &env.admin_key)
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    Some(child.wait_with_output().unwrap())
}

#[test]
fn revoke_asks_on_a_terminal_and_colours_only_there() {
    let env = Env::start();
    let (id, _) = env.create("a", "labeler@example.com", "Labeler", &[]);

    let Some(out) = run_in_terminal(&env, &format!("{BIN} keys revoke {id}"), "n\n") else {
        eprintln!("script(1) is not installed: terminal behaviour not tested");
        return;
    };
    let text = stdout(&out);
    assert!(text.contains(&format!("Revoke API key {id}?")), "{text}");
    assert!(text.contains("aborted"), "{text}");
    assert!(env.listed_ids().contains(&id), "revoked despite 'n'");

    let out = run_in_terminal(&env, &format!("{BIN} keys revoke {id}"), "y\n").unwrap();
    assert!(
        stdout(&out).contains(&format!("Revoked\x1b[0m {id}")),
        "{}",
        stdout(&out)
    );
    assert!(!env.listed_ids().contains(&id));

    // Colour on a terminal, none with NO_COLOR.
    let out = run_in_terminal(&env, &format!("{BIN} keys list"), "").unwrap();
    assert!(
        stdout(&out).contains("\x1b[1mID\x1b[0m"),
        "{}",
        stdout(&out)
    );
    let out = run_in_terminal(&env, &format!("NO_COLOR=1 {BIN} keys list"), "").unwrap();
    assert!(stdout(&out).starts_with("ID"), "{}", stdout(&out));
    assert!(!stdout(&out).contains('\x1b'));
}

#[test]
fn expired_keys_are_hidden_unless_asked_for() {
    let env = Env::start();
    let (expired, _) = env
        .emulator
        .as_ref()
        .unwrap()
        .issue_key("labeler@example.com", "Labeler", -7200, None)
        .unwrap();
    let (live, _) = env.create("live", "labeler@example.com", "Labeler", &[]);

    let active = env.json(&["keys", "list"]);
    let ids: Vec<&str> = active
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&live.as_str()) && !ids.contains(&expired.as_str()));

    let all = env.json(&["keys", "list", "--include-expired"]);
    let old = all
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == expired.as_str())
        .expect("expired key listed with --include-expired");
    assert_eq!(old["expired"], true);

    let out = env.run(&["keys", "list", "--include-expired"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("expired 2 hours ago"),
        "{}",
        stdout(&out)
    );
    let out = env.run(&["keys", "get", &expired]);
    assert_ok(&out);
    assert!(stdout(&out).contains("expired"), "{}", stdout(&out));

    // Expired keys count as expiring "within" any window.
    let soon = env.json(&[
        "keys",
        "list",
        "--include-expired",
        "--expiring-within",
        "1h",
    ]);
    assert_eq!(soon.as_array().unwrap().len(), 1);
    assert_eq!(soon[0]["id"], expired.as_str());

    // A window reaching past the last representable date keeps every key (no panic).
    let all_within = env.json(&["keys", "list", "--expiring-within", "1000000w"]);
    let ids: Vec<&str> = all_within
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&live.as_str()), "{all_within}");
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let env = Env::start();
    for _ in 0..3 {
        env.create("k", "labeler@example.com", "Labeler", &[]);
    }
    let mut child = Command::new(BIN)
        .args(["keys", "list"])
        .env("LABELBOX_ENDPOINT", &env.endpoint)
        .env("LABELBOX_API_KEY", &env.admin_key)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes away before the list arrives (as `| head -0` would).
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert!(matches!(out.status.code(), Some(0 | 1)), "{:?}", out.status);
}

fn repo_path(relative: &str) -> String {
    format!("{}/../../{relative}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn schema_pull_check_and_diff() {
    let env = Env::start();
    let dir = temp_dir("schema");
    let pulled = dir.join("pulled.graphql");
    let pulled_s = pulled.to_str().unwrap();

    // pull: the emulator's schema, with a provenance header naming the endpoint.
    let out = env.run(&["schema", "pull", "-o", pulled_s]);
    assert_ok(&out);
    let sdl = std::fs::read_to_string(&pulled).unwrap();
    assert!(sdl.contains(&env.endpoint), "{sdl}");
    assert!(
        sdl.contains("createApiKey") && sdl.contains("type ApiKey"),
        "{sdl}"
    );
    let out = env.run(&["--json", "schema", "pull"]);
    assert_ok(&out);
    let introspection: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(introspection["data"]["__schema"].is_object());
    let out = Command::new(BIN)
        .args(["schema", "pull"])
        .env("LABELBOX_ENDPOINT", &env.endpoint)
        .env_remove("LABELBOX_API_KEY")
        .output()
        .unwrap();
    assert_fails(&out, 3, "LABELBOX_API_KEY");

    // check: the repository's operations against the repository's and the pulled schema.
    let (schema, queries) = (repo_path("schema/labelbox.graphql"), repo_path("queries"));
    for s in [schema.as_str(), pulled_s] {
        let out = env.run(&["schema", "check", "--schema", s, "--queries", &queries]);
        assert_ok(&out);
        assert!(stdout(&out).contains("operation documents are valid"));
    }

    // A schema without ApiKey.expiresAtEpoch breaks ListApiKeys.
    let broken = dir.join("broken.graphql");
    let text = std::fs::read_to_string(&schema).unwrap();
    let without: String = text
        .lines()
        .filter(|line| {
            !matches!(
                line.trim(),
                "expiresAtEpoch: Int!" | r#""""Expiry as Unix seconds.""""#
            )
        })
        .map(|line| format!("{line}\n"))
        .collect();
    assert_ne!(without, text);
    std::fs::write(&broken, without).unwrap();
    let broken_s = broken.to_str().unwrap();
    let out = env.run(&[
        "schema",
        "check",
        "--schema",
        broken_s,
        "--queries",
        &queries,
    ]);
    assert_fails(&out, 1, "expiresAtEpoch");

    let out = env.run(&["schema", "diff", &schema, &schema, "--queries", &queries]);
    assert_ok(&out);
    assert!(stdout(&out).contains("No operation is broken"));
    let out = env.run(&["schema", "diff", &schema, broken_s, "--queries", &queries]);
    assert_fails(&out, 1, "breaks against");
    assert!(stdout(&out).contains("ListApiKeys"), "{}", stdout(&out));
    let v = {
        let out = env.run(&[
            "--json",
            "schema",
            "diff",
            &schema,
            broken_s,
            "--queries",
            &queries,
        ]);
        assert_eq!(out.status.code(), Some(1));
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    assert_eq!(v["changes"][0]["criticality"], "BREAKING");
    assert_eq!(v["broken_operations"][0]["operation"], "ListApiKeys");

    // Unreadable or invalid schemas are usage errors.
    let garbage = dir.join("garbage.graphql");
    std::fs::write(&garbage, "type Query {").unwrap();
    let out = env.run(&["schema", "diff", garbage.to_str().unwrap(), &schema]);
    assert_fails(&out, 2, "not a valid GraphQL schema");
    let out = env.run(&["schema", "diff", "/nonexistent.graphql", &schema]);
    assert_fails(&out, 2, "cannot read");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A one-shot HTTP server on loopback that answers every request with `body` (200, JSON).
fn canned_server(body: String) -> String {
    use std::io::{Read, Write};
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().unwrap_or(0);
                    }
                }
            }
            let mut request = vec![0; length];
            let _ = reader.read_exact(&mut request);
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    url
}

#[test]
fn keys_list_never_shows_revoked_keys_even_if_the_server_returns_them() {
    let expires = time::OffsetDateTime::now_utc().unix_timestamp() + 86_400;
    let key = |id: &str, revoked: bool| {
        serde_json::json!({
            "id": id,
            "name": id,
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
            "revoked": revoked,
            "expiresAtEpoch": expires,
            "userId": "u1",
            "userEmail": "ada@example.com",
            "createdByUserId": null,
            "allowedIpCidrs": null
        })
    };
    let body = serde_json::json!({"data": {"user": {
        "id": "u1",
        "apiKeys": [key("live", false), key("gone", true)],
        "apiKeysOtherUsers": [key("gone-too", true)],
    }}});
    let url = canned_server(body.to_string());
    let out = Command::new(BIN)
        .args(["--json", "keys", "list"])
        .env("LABELBOX_ENDPOINT", &url)
        .env("LABELBOX_API_KEY", "test-key-not-a-secret")
        .output()
        .unwrap();
    assert_ok(&out);
    let listed: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["live"]);
}
