//! `labelbox keys ...` (create, get, list, revoke, rotate): the built binary against an
//! emulator started in this process (or a canned server), over real HTTP on loopback.

use crate::common;

use std::process::{Command, Output, Stdio};

use common::{
    assert_fails, assert_ok, assert_terminal_safe, canned_server, is_jwt, stderr, stdout, temp_dir,
    Env, BIN, HOSTILE_NAMES,
};
use serde_json::Value;

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

/// Key names reach the terminal escaped (`keys list`, `keys get`, `keys rotate --dry-run`):
/// no escape sequence runs and a newline cannot fake a table row; `--json` keeps them exact.
#[test]
fn hostile_key_names_are_escaped_for_humans_and_exact_in_json() {
    let env = Env::start();
    let ids: Vec<String> = HOSTILE_NAMES
        .iter()
        .map(|name| {
            env.emulator()
                .issue_named_key(name, "labeler@example.com", "Labeler", 86_400, None)
                .unwrap()
                .0
        })
        .collect();

    let listed = env.json(&["keys", "list"]);
    let listed = listed.as_array().unwrap();
    for (id, name) in ids.iter().zip(HOSTILE_NAMES) {
        let key = listed.iter().find(|k| k["id"] == id.as_str()).unwrap();
        assert_eq!(key["name"], name, "--json is exact");
    }

    let out = env.run(&["keys", "list"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert_terminal_safe(&text, &HOSTILE_NAMES);
    assert_eq!(
        text.lines().count(),
        listed.len() + 1,
        "one row per key: {text}"
    );

    for (id, name) in ids.iter().zip(HOSTILE_NAMES) {
        let out = env.run(&["keys", "get", id]);
        assert_ok(&out);
        assert_terminal_safe(&stdout(&out), &[name]);
        let json = env.json(&["keys", "get", id]);
        assert_eq!(json["name"], name);
    }

    let out = env.run(&["keys", "rotate", "--expiring-within", "2d", "--dry-run"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert_terminal_safe(&text, &HOSTILE_NAMES);
    assert_eq!(text.lines().count(), HOSTILE_NAMES.len(), "{text}");
}

/// A server's error text reaches the terminal escaped too (every error line goes through
/// the same function).
#[test]
fn a_server_error_message_is_escaped_on_stderr() {
    let body = serde_json::json!({"errors": [{
        "message": format!("denied {}", HOSTILE_NAMES[0]),
        "extensions": {"code": "AUTHORIZATION_ERROR"}
    }]});
    let url = canned_server(body.to_string());
    let out = Command::new(BIN)
        .args(["keys", "list"])
        .env("LABELBOX_ENDPOINT", &url)
        .env("LABELBOX_API_KEY", "test-key-not-a-secret")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_fails(&out, 3, "denied");
    assert_terminal_safe(&stderr(&out), &HOSTILE_NAMES[..1]);
}
