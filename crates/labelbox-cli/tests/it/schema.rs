//! `labelbox schema pull|check|diff`: the built binary against an emulator started in this
//! process and the repository's schema and operations.

use crate::common;

use std::process::Command;

use common::{assert_fails, assert_ok, repo_path, stderr, stdout, temp_dir, Env, BIN};
use serde_json::Value;

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
    // The listing and the console's overview both read `ApiKey.expiresAtEpoch`.
    assert_fails(&out, 1, "2 operations in");
    assert!(stderr(&out).contains("break against"), "{}", stderr(&out));
    assert!(stdout(&out).contains("ListApiKeys"), "{}", stdout(&out));
    assert!(stdout(&out).contains("Overview"), "{}", stdout(&out));
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
