//! `labelbox whoami` and `labelbox roles`: the built binary against an emulator started in
//! this process, over real HTTP on loopback.

use crate::common;

use common::{assert_ok, stdout, Env};

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

/// The user's and organization's names reach the terminal escaped in `whoami`; `--json`
/// keeps them exact.
#[test]
fn whoami_escapes_hostile_names_for_humans() {
    let env = Env::start_with_hostile_names();
    let out = env.run(&["whoami"]);
    assert_ok(&out);
    let text = stdout(&out);
    common::assert_terminal_safe(&text, &common::HOSTILE_NAMES[..1]);
    assert_eq!(text.lines().count(), 5, "{text}");
    let json = env.json(&["whoami"]);
    assert_eq!(json["name"], common::HOSTILE_NAMES[0]);
    assert_eq!(json["organization"]["name"], common::HOSTILE_NAMES[0]);
}

/// Role names come from the server too (the emulator's are fixed, so a canned server
/// answers here): escaped for humans, exact in `--json`.
#[test]
fn roles_escapes_hostile_names_for_humans() {
    let roles: Vec<serde_json::Value> = common::HOSTILE_NAMES
        .iter()
        .enumerate()
        .map(|(i, name)| {
            serde_json::json!({"id": format!("r{i}"), "name": name, "permissions": [], "organizationId": null})
        })
        .collect();
    let url = common::canned_server(serde_json::json!({"data": {"roles": roles}}).to_string());
    let run = |json: bool| {
        let mut args = vec!["roles"];
        if json {
            args.insert(0, "--json");
        }
        std::process::Command::new(common::BIN)
            .args(args)
            .env("LABELBOX_ENDPOINT", &url)
            .env("LABELBOX_API_KEY", "canned-key")
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap()
    };
    let out = run(false);
    assert_ok(&out);
    let text = stdout(&out);
    common::assert_terminal_safe(&text, &common::HOSTILE_NAMES);
    assert_eq!(
        text.lines().count(),
        common::HOSTILE_NAMES.len() + 1,
        "{text}"
    );
    let out = run(true);
    assert_ok(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    for name in common::HOSTILE_NAMES {
        assert!(
            json.as_array().unwrap().iter().any(|r| r["name"] == name),
            "{name:?}"
        );
    }
}
