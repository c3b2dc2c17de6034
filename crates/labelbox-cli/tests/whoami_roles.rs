//! `labelbox whoami` and `labelbox roles`: the built binary against an emulator started in
//! this process, over real HTTP on loopback.

mod common;

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
