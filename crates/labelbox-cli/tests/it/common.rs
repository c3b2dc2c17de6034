//! Setup shared by the CLI's end-to-end test files: the built `labelbox` binary and an
//! emulator for it (from `labelbox-test-support`), under the names the tests use.
// Not every helper serves a test at every moment.
#![allow(dead_code, unused_imports)]

use std::ops::Deref;

pub use labelbox_test_support::cli::{assert_fails, assert_ok, is_jwt, stderr, stdout, CliEnv};
pub use labelbox_test_support::{repo_path, temp_dir};

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_labelbox");

/// An emulator running on its own runtime while the test thread runs [`BIN`]
/// ([`CliEnv`] for this crate's binary).
pub struct Env(CliEnv);

impl Env {
    /// Starts an emulator with the default seed.
    pub fn start() -> Env {
        Env(CliEnv::start(BIN))
    }

    /// Starts an emulator with `config`.
    pub fn start_with(config: labelbox_emulator::EmulatorConfig) -> Env {
        Env(CliEnv::start_with(BIN, config))
    }

    /// Starts an emulator whose organization and members (the admin among them) carry the
    /// [`HOSTILE_NAMES`].
    pub fn start_with_hostile_names() -> Env {
        let mut seed = labelbox_emulator::Seed::default();
        seed.organization.name = HOSTILE_NAMES[0].to_owned();
        for (user, name) in seed.users.iter_mut().zip(HOSTILE_NAMES) {
            user.name = name.to_owned();
        }
        Self::start_with(labelbox_emulator::EmulatorConfig::default().seed(seed))
    }
}

impl Deref for Env {
    type Target = CliEnv;

    fn deref(&self) -> &CliEnv {
        &self.0
    }
}

/// A server on loopback that answers every request with `body` (200, JSON); its URL.
pub fn canned_server(body: String) -> String {
    use labelbox_test_support::scripted::{Reply, TestServer};
    let reply = Reply::Http {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body,
    };
    TestServer::start_detached(move |_, _| reply.clone()).url
}

/// Names a hostile server (or a key's creator) could hold: an OSC 52 clipboard write, a
/// line erase, a newline that fakes a table row, C1 CSI, and bidirectional overrides.
pub const HOSTILE_NAMES: [&str; 5] = [
    "clip\x1b]52;c;aGVsbG8=\x07board",
    "erase\x1b[2Kline",
    "fake\nck_fake  row  root@example.com",
    "c1\u{9b}31mred",
    "bidi\u{202e}txet\u{2066}x\u{200f}y\u{61c}z",
];

/// Asserts that human output holds none of the characters a terminal acts on, and shows
/// each hostile name escaped as `char::escape_debug` writes it.
#[track_caller]
pub fn assert_terminal_safe(text: &str, names: &[&str]) {
    for c in text.chars() {
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}');
        assert!(
            (!c.is_control() || c == '\n') && !bidi,
            "{c:?} reached the terminal: {text:?}"
        );
    }
    for name in names {
        let escaped: String = name
            .chars()
            .map(|c| {
                let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}');
                if c.is_control() || bidi {
                    format!("\\u{{{:x}}}", u32::from(c)).replace("\\u{a}", "\\n")
                } else {
                    c.to_string()
                }
            })
            .collect();
        assert!(text.contains(&escaped), "{escaped:?} not shown: {text}");
    }
}
