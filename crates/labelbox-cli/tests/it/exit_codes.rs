//! Errors and exit codes of the built `labelbox` binary: usage errors, credentials, network
//! failures, timeouts and a closed stdout, against an emulator or a silent listener.

use crate::common;

use std::net::TcpListener;
use std::process::{Command, Stdio};

use common::{assert_fails, assert_ok, stderr, Env, BIN};

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
