//! `labelbox users list | set-role | remove` and the role in `labelbox whoami`, run as the
//! real binary against the emulator.

use crate::common;

use std::io::Write as _;
use std::process::{Command, Output, Stdio};

use common::{assert_fails, assert_ok, stderr, stdout, BIN};
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

/// What these tests need beyond the shared setup: the binary with `NO_COLOR` set.
impl Env {
    fn start_with_hostile_names() -> Env {
        Env(common::Env::start_with_hostile_names())
    }

    fn start() -> Env {
        Env(common::Env::start())
    }

    fn start_with(config: labelbox_emulator::EmulatorConfig) -> Env {
        Env(common::Env::start_with(config))
    }

    fn command(&self, key: &str, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env("LABELBOX_ENDPOINT", &self.endpoint)
            .env("LABELBOX_API_KEY", key)
            .env("NO_COLOR", "1");
        command
    }

    /// `labelbox ARGS` as `key`, stdin not a terminal.
    fn run_as(&self, key: &str, args: &[&str]) -> Output {
        self.command(key, args)
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    fn run(&self, args: &[&str]) -> Output {
        self.run_as(&self.admin_key, args)
    }

    fn member_emails(&self) -> Vec<String> {
        self.json(&["users", "list"])
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["email"].as_str().unwrap().to_owned())
            .collect()
    }
}

#[test]
fn whoami_shows_the_callers_organization_role() {
    let env = Env::start();
    let out = env.run(&["whoami"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("Role") && l.trim_end().ends_with("Admin")),
        "{text}"
    );
    let v = env.json(&["whoami"]);
    assert_eq!(v["role"]["name"], "Admin");
    assert!(v["role"]["id"].is_string());

    // The user's role, read at each run: a role change shows.
    let (_, key) = env
        .emulator()
        .issue_key("manager@example.com", "Team Manager", 3600, None)
        .unwrap();
    let out = env.run_as(&key, &["--json", "whoami"]);
    assert_ok(&out);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["role"]["name"], "Team Manager");
    env.emulator()
        .set_user_role("manager@example.com", "Reviewer")
        .unwrap();
    let v: Value = serde_json::from_slice(&env.run_as(&key, &["--json", "whoami"]).stdout).unwrap();
    assert_eq!(v["role"]["name"], "Reviewer");
}

#[test]
fn users_list_human_and_json() {
    let env = Env::start();
    let out = env.run(&["users", "list"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.starts_with("EMAIL"), "{text}");
    let every: Vec<String> = labelbox_emulator::Seed::default()
        .users
        .into_iter()
        .map(|u| u.email)
        .collect();
    for email in &every {
        assert!(text.contains(email.as_str()), "{email}: {text}");
    }
    assert_eq!(env.member_emails(), every);
    let v = env.json(&["users", "list"]);
    let external = v
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "external@example.com")
        .unwrap();
    assert_eq!(external["is_external_user"], true);
    assert_eq!(external["role"]["name"], "Labeler");
    assert!(external["id"].is_string() && external["created_at"].is_string());
    let roles: Vec<(&str, &str)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                u["email"].as_str().unwrap(),
                u["role"]["name"].as_str().unwrap(),
            )
        })
        .collect();
    assert!(
        roles.contains(&("manager@example.com", "Team Manager")),
        "{roles:?}"
    );
    assert!(
        roles.contains(&("tenant-admin@example.com", "Tenant Admin")),
        "{roles:?}"
    );
    assert!(
        text.lines()
            .any(|l| l.starts_with("nobody@example.com") && l.contains(" None ")),
        "{text}"
    );
    // One request for the whole listing (fewer than 100 members), roles included.
    let before = env.emulator().request_count();
    assert_ok(&env.run(&["users", "list"]));
    assert_eq!(env.emulator().request_count() - before, 1);
}

#[test]
fn set_role_by_email_or_id_and_its_refusals() {
    let env = Env::start();
    let out = env.run(&["users", "set-role", "labeler@example.com", "reviewer"]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("labeler@example.com is now Reviewer"),
        "{}",
        stdout(&out)
    );
    let id = env.emulator().user_id("labeler@example.com").unwrap();
    let v = env.json(&["users", "set-role", &id, "Team Manager"]);
    assert_eq!(v["email"], "labeler@example.com");
    assert_eq!(v["role"]["name"], "Team Manager");
    let who = env
        .emulator()
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap()
        .1;
    let v: Value = serde_json::from_slice(&env.run_as(&who, &["--json", "whoami"]).stdout).unwrap();
    assert_eq!(v["role"]["name"], "Team Manager");

    // Never grantable: refused by the server (exit 3); unknown role or member: usage (2).
    assert_fails(
        &env.run(&["users", "set-role", "labeler@example.com", "Tenant Admin"]),
        3,
        "Allowed roles are",
    );
    assert_fails(
        &env.run(&["users", "set-role", "labeler@example.com", "Wizard"]),
        2,
        "no role named",
    );
    assert_fails(
        &env.run(&["users", "set-role", "ghost@example.com", "Reviewer"]),
        2,
        "no member ghost@example.com",
    );
}

#[test]
fn remove_asks_on_a_terminal_refuses_without_one_and_stops_the_members_keys() {
    let env = Env::start();
    let (_, reviewer_key) = env
        .emulator()
        .issue_key("reviewer@example.com", "Reviewer", 3600, None)
        .unwrap();
    assert_ok(&env.run_as(&reviewer_key, &["whoami"]));

    // Not a terminal and no --yes: refused before any request, nobody removed.
    let before = env.emulator().request_count();
    assert_fails(
        &env.run(&["users", "remove", "reviewer@example.com"]),
        2,
        "--yes",
    );
    assert_eq!(env.emulator().request_count(), before);
    assert!(env.emulator().user_id("reviewer@example.com").is_some());

    // On a terminal (util-linux `script` gives the command one), "n" aborts and "y" removes.
    let answer = |reply: &str| in_a_terminal(&env, "users remove reviewer@example.com", reply);
    let out = answer("n\n");
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("Remove reviewer@example.com"), "{all}");
    assert!(all.contains("aborted"), "{all}");
    assert!(env.emulator().user_id("reviewer@example.com").is_some());
    let out = answer("y\n");
    let all = format!("{}{}", stdout(&out), stderr(&out));
    assert!(all.contains("Removed reviewer@example.com"), "{all}");
    assert!(env.emulator().user_id("reviewer@example.com").is_none());

    // The member's key is refused (exit 3) and the member is out of the listing.
    assert_fails(&env.run_as(&reviewer_key, &["whoami"]), 3, "removed");
    assert!(!env
        .member_emails()
        .contains(&"reviewer@example.com".to_owned()));
}

#[test]
fn remove_with_yes_and_json_and_the_last_admin() {
    let env = Env::start();
    let v = env.json(&["users", "remove", "--yes", "labeler@example.com"]);
    assert_eq!(v["email"], "labeler@example.com");
    assert_eq!(v["removed"], true);
    assert!(!env
        .member_emails()
        .contains(&"labeler@example.com".to_owned()));
    assert_fails(
        &env.run(&["users", "remove", "--yes", "labeler@example.com"]),
        2,
        "no member",
    );
    // admin2 removed, the admin is the last Admin: neither removed nor demoted.
    assert_ok(&env.run(&["users", "remove", "--yes", "admin2@example.com"]));
    assert_fails(
        &env.run(&["users", "remove", "--yes", "admin@example.com"]),
        1,
        "last Admin",
    );
    assert_fails(
        &env.run(&["users", "set-role", "admin@example.com", "Reviewer"]),
        1,
        "last Admin",
    );
    assert_ok(&env.run(&["whoami"]));
}

/// `labelbox ARGS` as the admin on a terminal (util-linux `script` gives it one), with
/// `reply` typed in; stdout and stderr both end up in the output's stdout.
fn in_a_terminal(env: &Env, args: &str, reply: &str) -> Output {
    let mut child = Command::new("script")
        .args(["-qec", &format!("{BIN} {args}"), "/dev/null"])
        .env("LABELBOX_ENDPOINT", &env.endpoint)
        .env("LABELBOX_API_KEY", &env.admin_key)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "this test needs util-linux `script` on PATH to give the CLI a terminal ({e}); \
                 install util-linux (apt-get install util-linux)"
            )
        });
    child
        .stdin
        .take()
        .unwrap()
        .write_all(reply.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

/// Members' names reach the terminal escaped in `users list`; `--json` keeps them exact.
#[test]
fn hostile_member_names_are_escaped_for_humans_and_exact_in_json() {
    let env = Env::start_with_hostile_names();
    let out = env.run_as(&env.admin_key, &["users", "list"]);
    assert_ok(&out);
    let text = stdout(&out);
    common::assert_terminal_safe(&text, &common::HOSTILE_NAMES);
    let json = env.json(&["users", "list"]);
    let members = json.as_array().unwrap();
    assert_eq!(
        text.lines().count(),
        members.len() + 1,
        "one row each: {text}"
    );
    for name in common::HOSTILE_NAMES {
        assert!(members.iter().any(|m| m["name"] == name), "{name:?}");
    }
}

/// `users invite` with one address (createInvites) and several (inviteMembers, a status per
/// address), `users invites`, `users cancel-invite`, in human and JSON form.
#[test]
fn invite_list_and_cancel_invitations() {
    let env = Env::start();
    let out = env.run(&["users", "invite", "new@example.com", "--role", "labeler"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.starts_with("Invited new@example.com as Labeler (invite "),
        "{text}"
    );
    // A seeded member gets no invitation (and the command says so).
    let out = env.run(&[
        "users",
        "invite",
        "labeler@example.com",
        "--role",
        "Labeler",
    ]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains("already a member"),
        "{}",
        stdout(&out)
    );

    // Several: one per address, in order; a repeat is DUPLICATE without a request.
    let v = env.json(&[
        "users",
        "invite",
        "two@example.com",
        "Two@Example.com",
        "new@example.com",
        "reviewer@example.com",
        "--role",
        "Reviewer",
    ]);
    let statuses: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["INVITED", "DUPLICATE", "ALREADY_INVITED", "ALREADY_MEMBER"]
    );
    assert!(v[0]["invite_id"].is_string() && v[1]["invite_id"].is_null());

    // The pending invitations, human and JSON.
    let out = env.run(&["users", "invites"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(text.starts_with("EMAIL"), "{text}");
    assert!(
        text.contains("new@example.com") && text.contains("two@example.com"),
        "{text}"
    );
    let invites = env.json(&["users", "invites"]);
    let two = invites
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["email"] == "two@example.com")
        .unwrap()
        .clone();
    assert_eq!(two["role"], "Reviewer");
    assert_eq!(two["id"], v[0]["invite_id"]);

    // Cancel: gone from the listing; a second cancel is "not found" (exit 1).
    let id = two["id"].as_str().unwrap();
    let out = env.run(&["users", "cancel-invite", id]);
    assert_ok(&out);
    assert!(
        stdout(&out).contains(&format!("Cancelled invite {id}")),
        "{}",
        stdout(&out)
    );
    assert!(!env
        .json(&["users", "invites"])
        .to_string()
        .contains("two@example.com"));
    assert_fails(&env.run(&["users", "cancel-invite", id]), 1, "not found");
    let v = env.json(&[
        "users",
        "cancel-invite",
        env.json(&["users", "invites"])[0]["id"].as_str().unwrap(),
    ]);
    assert_eq!(v["cancelled"], true);

    // An unknown role is a usage error before any invitation (exit 2).
    let before = env.json(&["users", "invites"]);
    assert_fails(
        &env.run(&["users", "invite", "x@example.com", "--role", "Wizard"]),
        2,
        "Invalid role",
    );
    assert_eq!(env.json(&["users", "invites"]), before);
}

/// An address that ends neither invited nor a member makes `users invite` exit 1 after the
/// statuses are shown; server text in them reaches the terminal escaped.
#[test]
fn an_address_left_uninvited_exits_1_and_hostile_addresses_are_escaped() {
    let env = Env::start();
    let hostile = "erase\x1b[2Kline@example.com";
    let long = format!("{}@example.com", "l".repeat(320));
    let out = env.run(&[
        "users",
        "invite",
        "ok@example.com",
        hostile,
        &long,
        "--role",
        "Labeler",
    ]);
    assert_fails(&out, 1, "2 of 3 addresses were not invited");
    let text = stdout(&out);
    common::assert_terminal_safe(&text, &[hostile]);
    assert!(text.contains("INVALID_EMAIL"), "{text}");
    let out = env.run(&[
        "--json",
        "users",
        "invite",
        "ok2@example.com",
        hostile,
        "--role",
        "Labeler",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[1]["email"], hostile, "JSON keeps the address exact");
}

/// `users get EMAIL`: one member and their role in two requests, whatever the size of the
/// organization; an unknown address is exit 2.
#[test]
fn users_get_finds_one_member_without_listing_everyone() {
    let env = Env::start();
    let before = env.emulator().request_count();
    let v = env.json(&["users", "get", "Manager@Example.com"]);
    assert_eq!(env.emulator().request_count() - before, 2);
    assert_eq!(env.emulator().operation_count("OrganizationMembers"), 0);
    assert_eq!(
        env.emulator()
            .operation_count("OrganizationMembersWithRoles"),
        0
    );
    assert_eq!(v["email"], "manager@example.com");
    assert_eq!(v["role"]["name"], "Team Manager");
    assert_eq!(
        v["id"],
        env.emulator().user_id("manager@example.com").unwrap()
    );
    let out = env.run(&["users", "get", "manager@example.com"]);
    assert_ok(&out);
    let text = stdout(&out);
    assert!(
        text.lines()
            .any(|l| l.starts_with("Role") && l.trim_end().ends_with("Team Manager")),
        "{text}"
    );
    assert_fails(
        &env.run(&["users", "get", "ghost@example.com"]),
        2,
        "no member ghost@example.com",
    );
}

/// Members' names reach the terminal escaped in `users get` too.
#[test]
fn users_get_escapes_hostile_names() {
    let env = Env::start_with_hostile_names();
    let out = env.run(&["users", "get", "admin@example.com"]);
    assert_ok(&out);
    let text = stdout(&out);
    common::assert_terminal_safe(&text, &common::HOSTILE_NAMES[..1]);
}

/// The exit codes of `users invite`'s refusals: `Tenant Admin` or a key that may not invite
/// (3), a full organization (one address: 1; several: SEAT_LIMIT for the ones past the
/// limit, exit 1).
#[test]
fn invite_refusals_and_the_seat_limit() {
    let members = labelbox_emulator::Seed::default().users.len() as u32;
    let env =
        Env::start_with(labelbox_emulator::EmulatorConfig::default().invite_limit(members + 1));
    assert_fails(
        &env.run(&[
            "users",
            "invite",
            "boss@example.com",
            "--role",
            "Tenant Admin",
        ]),
        3,
        "",
    );
    let (_, labeler) = env
        .emulator()
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    assert_fails(
        &env.run_as(
            &labeler,
            &["users", "invite", "x@example.com", "--role", "Labeler"],
        ),
        3,
        "",
    );
    let out = env.run(&[
        "--json",
        "users",
        "invite",
        "a@example.com",
        "b@example.com",
        "--role",
        "Labeler",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["status"], "INVITED");
    assert_eq!(v[1]["status"], "SEAT_LIMIT");
    assert!(
        stderr(&out).contains("1 of 2 addresses were not invited"),
        "{}",
        stderr(&out)
    );
    assert_fails(
        &env.run(&["users", "invite", "c@example.com", "--role", "Labeler"]),
        1,
        "limit",
    );
}
