//! Test setup shared by the workspace's test suites, so that each test file holds tests,
//! not another copy of "start an emulator, build a client, run the binary".
//!
//! - [`emulator`]: an in-process emulator (the default seed: `admin@example.com` with its
//!   admin key, `admin2@example.com`, `labeler@example.com`, ...), and with the `sdk`
//!   feature an SDK client for it with fast retries;
//! - [`graphql`]: raw GraphQL over HTTP against the emulator, running the operation
//!   documents of `queries/` (for tests that must not go through the SDK);
//! - [`cli`]: a built binary (the `labelbox` CLI) run against an emulator that lives on its
//!   own runtime, and the assertions on its output and exit code;
//! - [`started`]: an emulator binary started as a process, its ready line and ready file;
//! - [`proxy`]: a fake proxy that records whatever reaches it;
//! - [`scripted`]: a server that records every request and answers as the test scripts
//!   (misbehaviour included), for a client's tests against something else than the emulator;
//! - [`capture`]: a `tracing` subscriber that keeps every span, field and event, so tests
//!   can search the logs for secrets;
//! - [`workspace_root`], [`repo_path`], [`temp_dir`]: files of the repository and scratch
//!   folders;
//! - [`eventually`] and [`eventually_blocking`]: wait for a condition (with a deadline)
//!   instead of sleeping a fixed time.
//!
//! Used as a dev-dependency only (`publish = false`). The emulator's own tests use it too,
//! without the `sdk` feature: a dev-dependency cycle through a path crate links the one
//! `labelbox_emulator` library into their test binaries, so its types are shared.

pub mod capture;
pub mod cli;
pub mod emulator;
pub mod graphql;
pub mod proxy;
pub mod scripted;
pub mod started;

use std::path::PathBuf;

/// The repository root (this crate lives in `crates/labelbox-test-support`).
pub fn workspace_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("the repository root exists")
}

/// A path of the repository, as a string: `repo_path("queries")`.
pub fn repo_path(relative: &str) -> String {
    workspace_root().join(relative).display().to_string()
}

/// A fresh, empty scratch folder whose name carries `tag`, the process id and the time.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "labelbox-test-{tag}-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// How long [`eventually`] and [`eventually_blocking`] wait before they fail.
pub const EVENTUALLY: std::time::Duration = std::time::Duration::from_secs(30);

/// The pauses between checks: 1 ms, doubling up to 50 ms (a quick event is seen at once, a
/// slow one is not polled in a busy loop).
fn pauses() -> impl Iterator<Item = std::time::Duration> {
    (0..).map(|n: u32| std::time::Duration::from_millis(1u64 << n.min(6)).min(MAX_PAUSE))
}

const MAX_PAUSE: std::time::Duration = std::time::Duration::from_millis(50);

/// Waits until `check` holds; panics naming `what` after [`EVENTUALLY`]. For an event that
/// nothing announces (a server finishing a request, a key revoked in the background).
pub async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = std::time::Instant::now() + EVENTUALLY;
    let mut pauses = pauses();
    while !check().await {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(pauses.next().unwrap_or(MAX_PAUSE)).await;
    }
}

/// [`eventually`] for a test thread without a runtime (the CLI's tests).
pub fn eventually_blocking(what: &str, mut check: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + EVENTUALLY;
    let mut pauses = pauses();
    while !check() {
        assert!(std::time::Instant::now() < deadline, "timed out: {what}");
        std::thread::sleep(pauses.next().unwrap_or(MAX_PAUSE));
    }
}
