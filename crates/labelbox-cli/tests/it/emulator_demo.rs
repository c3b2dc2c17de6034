//! `labelbox demo` and `labelbox emulator` (serving, seeding, persisting): the built binary
//! started as a process and driven over loopback HTTP.

use crate::common;

use std::process::{Command, Output, Stdio};

use common::{assert_fails, assert_ok, is_jwt, stdout, temp_dir, BIN};
use labelbox_test_support::started::Started;
use serde_json::Value;

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
        "[9/9]",
        "the replacement authenticated inside the hand-over",
    ] {
        assert!(text.contains(needle), "missing {needle:?}:\n{text}");
    }
    for word in text.split_whitespace() {
        assert!(!is_jwt(word), "a whole secret was printed: {word}");
    }
}

/// `labelbox --json emulator ARGS` in the background, until its ready line.
fn spawn_emulator(args: &[&str]) -> Started {
    Started::spawn(
        Command::new(BIN)
            .args(["--json", "emulator", "--listen", "127.0.0.1:0"])
            .args(args)
            .stderr(Stdio::null()),
    )
}

/// Stops a `labelbox emulator` with SIGTERM and checks it exits 0.
fn terminate(started: Started) {
    assert!(started.stop().success());
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
    let started = spawn_emulator(&[]);
    assert_eq!(started.ready["admin_email"], "admin@example.com");
    let out = run_against(&started.ready, &["--json", "whoami"]);
    assert_ok(&out);
    assert!(stdout(&out).contains("admin@example.com"));
    terminate(started);
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

    let started = spawn_emulator(&["--seed", seed_s, "--state", state_s]);
    assert_eq!(started.ready["admin_email"], "boss@acme.test");
    let who = run_against(&started.ready, &["--json", "whoami"]);
    assert_ok(&who);
    assert!(stdout(&who).contains("Acme"), "{}", stdout(&who));
    let out = run_against(
        &started.ready,
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
    terminate(started);

    // Restarted on the same state file, the key is still there.
    let started = spawn_emulator(&["--state", state_s]);
    let out = run_against(&started.ready, &["--json", "keys", "get", &id]);
    assert_ok(&out);
    assert!(stdout(&out).contains("ci@acme.test"));
    terminate(started);

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
fn emulator_command_announces_the_ready_line_and_file_of_labelbox_emulator() {
    use labelbox_test_support::started::{assert_ready_file, assert_ready_shape};
    let dir = temp_dir("cli-ready");
    let ready_path = dir.join("ready.json");
    // No --listen: the default is a free loopback port, as for `labelbox-emulator`.
    let started = Started::spawn(
        Command::new(BIN)
            .args(["--json", "emulator", "--ready-file"])
            .arg(&ready_path),
    );
    assert_ready_shape(&started.ready, started.child.id());
    assert!(
        !started.endpoint().contains(":8080/"),
        "{}",
        started.endpoint()
    );
    assert_ready_file(&ready_path, &started.line);
    let who = run_against(&started.ready, &["--json", "whoami"]);
    assert_ok(&who);
    assert!(started.stop().success());
    assert!(!ready_path.exists(), "the ready file outlived the emulator");

    // Without --json the output is for humans, and the ready file is the same.
    let started = Started::spawn(
        Command::new(BIN)
            .args(["emulator", "--ready-file"])
            .arg(&ready_path),
    );
    assert!(
        started.line.contains("emulator listening"),
        "{}",
        started.line
    );
    let text = std::fs::read_to_string(&ready_path).unwrap();
    let ready: Value = serde_json::from_str(&text).unwrap();
    assert_ready_shape(&ready, started.child.id());
    assert!(started.stop().success());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn emulator_command_refuses_a_port_in_use_with_exit_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let out = labelbox_test_support::started::Started::expect_failure(
        Command::new(BIN).args(["--json", "emulator", "--listen", &addr]),
    );
    assert_fails(
        &out,
        1,
        &format!("cannot listen on {addr}: the address is already in use"),
    );
}

/// `labelbox emulator --invite-limit N` takes the same limit as `labelbox-emulator`: with
/// the default seed's 8 members and a limit of 9, one of two invitations gets the last seat.
#[test]
fn emulator_command_takes_the_invite_limit_of_labelbox_emulator() {
    let started =
        Started::spawn(Command::new(BIN).args(["--json", "emulator", "--invite-limit", "9"]));
    let out = run_against(
        &started.ready,
        &[
            "--json",
            "users",
            "invite",
            "first@example.com",
            "second@example.com",
            "--role",
            "Labeler",
        ],
    );
    let results: Value = serde_json::from_slice(&out.stdout).unwrap();
    let statuses: Vec<&str> = results
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["INVITED", "SEAT_LIMIT"], "{results}");
    assert!(started.stop().success());
}
