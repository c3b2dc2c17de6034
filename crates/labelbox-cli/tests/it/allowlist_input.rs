//! `labelbox keys create` with an `--allow-ip` that yields no address: the real binary
//! against an emulator over loopback HTTP refuses it as a usage error (exit 2), says that an
//! empty value allows nothing and how to allow any address, and creates no key.

use std::process::{Command, Output, Stdio};

use crate::common;

use common::BIN;

const NAME: &str = "empty-allowlist";

/// The shared [`common::Env`] with this file's own helpers (each file of the crate's one
/// test binary keeps its helpers on a type of its own, so their names never clash).
struct Env(common::Env);

impl std::ops::Deref for Env {
    type Target = common::Env;

    fn deref(&self) -> &common::Env {
        &self.0
    }
}

/// Runs with `NO_COLOR` set (the shared `run` leaves colour to the binary).
impl Env {
    fn start() -> Env {
        Env(common::Env::start())
    }

    fn run(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .env("LABELBOX_ENDPOINT", self.emulator().endpoint())
            .env("LABELBOX_API_KEY", self.emulator().admin_key())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }
}

fn create_args<'a>(allow: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "keys",
        "create",
        "--name",
        NAME,
        "--user",
        "labeler@example.com",
        "--role",
        "Labeler",
        "--validity",
        "1d",
    ];
    for value in allow {
        args.extend(["--allow-ip", value]);
    }
    args
}

#[test]
fn an_allow_ip_that_yields_no_address_is_refused_and_creates_nothing() {
    let env = Env::start();
    for allow in [&[""][..], &["   "], &["10.0.0.0/8", ""]] {
        let out = env.run(&create_args(allow));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{allow:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{allow:?}: nothing on stdout");
        assert!(
            stderr.contains("an empty value allows no address"),
            "{allow:?}: {stderr}"
        );
        assert!(
            stderr.contains("omit --allow-ip for a key usable from any address"),
            "{allow:?}: {stderr}"
        );
        assert_eq!(
            env.emulator().operation_count("CreateApiKey"),
            0,
            "{allow:?}: the mutation was never sent"
        );
        assert!(
            env.emulator().keys().iter().all(|k| k.name != NAME),
            "{allow:?}: no key was created"
        );
    }

    // Without --allow-ip the key is created, with no allowlist: the way to allow any address.
    let out = env.run(&create_args(&[]));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let created: Vec<_> = env
        .emulator()
        .keys()
        .into_iter()
        .filter(|k| k.name == NAME)
        .collect();
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].allowed_ip_cidrs, None);
}
