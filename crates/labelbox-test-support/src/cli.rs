//! A built binary (the `labelbox` CLI) run against an emulator that lives on its own runtime,
//! and the assertions every end-to-end test makes on its output.
//!
//! The binary's path is only known to the test crate (`env!("CARGO_BIN_EXE_labelbox")`), so
//! it is passed in: `CliEnv::start(env!("CARGO_BIN_EXE_labelbox"))`.

use std::process::{Command, Output, Stdio};

use labelbox_emulator::{EmulatorConfig, EmulatorHandle};
use serde_json::Value;

/// An emulator running on its own runtime while the test thread runs the binary; shut down
/// when dropped. Its `Debug` leaves the admin key out.
pub struct CliEnv {
    /// The binary under test.
    pub bin: &'static str,
    /// The runtime the emulator runs on.
    pub rt: tokio::runtime::Runtime,
    /// The emulator (`None` only while dropping).
    pub emulator: Option<EmulatorHandle>,
    /// Its GraphQL endpoint.
    pub endpoint: String,
    /// The bootstrap admin's key.
    pub admin_key: String,
    /// The bootstrap admin key's id.
    pub admin_key_id: String,
}

impl CliEnv {
    /// Starts an emulator with the default seed for the binary at `bin`.
    pub fn start(bin: &'static str) -> CliEnv {
        Self::start_with(bin, EmulatorConfig::default())
    }

    /// Starts an emulator with `config` for the binary at `bin`.
    pub fn start_with(bin: &'static str, config: EmulatorConfig) -> CliEnv {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let emulator = rt.block_on(crate::emulator::start_with(config));
        let endpoint = emulator.endpoint();
        let admin_key = emulator.admin_key().to_owned();
        let admin_key_id = emulator.admin_key_id().to_owned();
        CliEnv {
            bin,
            rt,
            emulator: Some(emulator),
            endpoint,
            admin_key,
            admin_key_id,
        }
    }

    /// The running emulator.
    pub fn emulator(&self) -> &EmulatorHandle {
        self.emulator.as_ref().expect("the emulator is running")
    }

    /// `labelbox ARGS` as the admin, stdin not a terminal, no colour.
    pub fn run(&self, args: &[&str]) -> Output {
        self.run_as(&self.admin_key, args)
    }

    /// `labelbox ARGS` as `key`, stdin not a terminal, `NO_COLOR` unset (a test of colour
    /// sees what the binary decides by itself).
    pub fn run_as(&self, key: &str, args: &[&str]) -> Output {
        Command::new(self.bin)
            .args(args)
            .env("LABELBOX_ENDPOINT", &self.endpoint)
            .env("LABELBOX_API_KEY", key)
            .env_remove("NO_COLOR")
            .stdin(Stdio::null())
            .output()
            .unwrap()
    }

    /// `labelbox --json ARGS` as the admin; asserts success and returns the JSON.
    pub fn json(&self, args: &[&str]) -> Value {
        let mut all = vec!["--json"];
        all.extend_from_slice(args);
        let out = self.run(&all);
        assert_ok(&out);
        serde_json::from_slice(&out.stdout)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
    }

    /// Creates a key as the admin and returns (id, secret).
    pub fn create(&self, name: &str, user: &str, role: &str, extra: &[&str]) -> (String, String) {
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
    pub fn listed_ids(&self) -> Vec<String> {
        self.json(&["keys", "list", "--include-expired"])
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k["id"].as_str().unwrap().to_owned())
            .filter(|id| *id != self.admin_key_id)
            .collect()
    }
}

impl std::fmt::Debug for CliEnv {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CliEnv")
            .field("bin", &self.bin)
            .field("endpoint", &self.endpoint)
            .field("admin_key", &"[REDACTED]")
            .field("admin_key_id", &self.admin_key_id)
            .finish_non_exhaustive()
    }
}

impl Drop for CliEnv {
    fn drop(&mut self) {
        if let Some(emulator) = self.emulator.take() {
            self.rt.block_on(emulator.shutdown());
        }
    }
}

/// The process's stdout, lossily decoded.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The process's stderr, lossily decoded.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts exit 0, showing the exit code and both streams otherwise.
#[track_caller]
pub fn assert_ok(out: &Output) {
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
pub fn assert_fails(out: &Output, code: i32, needle: &str) {
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

/// Whether `s` has the shape of a whole JWT (three dot-separated parts of some length).
pub fn is_jwt(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    parts.len() == 3 && parts.iter().all(|p| p.len() > 4)
}

#[cfg(test)]
mod tests {
    #[test]
    fn debug_leaves_the_admin_key_out() {
        let env = super::CliEnv::start("/bin/true");
        let shown = format!("{env:?}");
        assert!(!shown.contains(&env.admin_key), "{shown}");
        assert!(shown.contains("[REDACTED]") && shown.contains(&env.endpoint));
    }
}
