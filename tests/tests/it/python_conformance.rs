//! The official Python SDK (labelbox==7.17.0) passes its flows against the emulator:
//! runs `tests/conformance/run.sh` against an in-process emulator.

use std::io::Write as _;
use std::process::Command;

use labelbox_emulator::{Emulator, EmulatorConfig};

/// Set to `1` to skip this test on purpose (it then says so); without it a missing
/// `python3` fails the test.
const OPT_OUT: &str = "LABELBOX_SKIP_PYTHON_CONFORMANCE";

fn python3_available() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

/// Whether the conformance run is skipped; panics with how to make it run when `python3` is
/// missing and nobody opted out.
fn skipped_by_request(opt_out: Option<&str>, python3_available: bool) -> bool {
    if opt_out == Some("1") {
        return true;
    }
    assert!(
        python3_available,
        "the official Python SDK conformance test needs `python3` (with the venv module) on \
         PATH: install it (Debian: apt-get install python3 python3-venv), or set {OPT_OUT}=1 \
         to skip this test on purpose"
    );
    false
}

#[test]
fn a_missing_python3_fails_unless_skipped_by_request() {
    let failed = std::panic::catch_unwind(|| skipped_by_request(None, false));
    let message = *failed
        .expect_err("no python3 and no opt-out must fail")
        .downcast::<String>()
        .unwrap();
    assert!(
        message.contains("apt-get install python3") && message.contains(OPT_OUT),
        "{message}"
    );
    assert!(std::panic::catch_unwind(|| skipped_by_request(Some("0"), false)).is_err());
    assert!(skipped_by_request(Some("1"), false));
    assert!(!skipped_by_request(None, true));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_sdk_passes_against_the_emulator() {
    let opt_out = std::env::var(OPT_OUT).ok();
    if skipped_by_request(opt_out.as_deref(), python3_available()) {
        // Straight to the process's stderr, past the test harness's capture: a skip is seen.
        let _ = writeln!(
            std::io::stderr(),
            "\n*** SKIPPED by request ({OPT_OUT}=1): official Python SDK conformance ***\n"
        );
        return;
    }
    let emulator = Emulator::start(EmulatorConfig::default().admin_key_seed("conformance"))
        .await
        .expect("emulator starts");
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/conformance/run.sh");
    let endpoint = emulator.endpoint();
    let key = emulator.admin_key().to_owned();
    let output = tokio::task::spawn_blocking(move || {
        Command::new("bash")
            .arg(script)
            .env("LABELBOX_CONFORMANCE_ENDPOINT", endpoint)
            .env("LABELBOX_CONFORMANCE_API_KEY", key)
            .output()
            .expect("run conformance/run.sh")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "conformance failed\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    assert!(stdout.contains(" passed, 0 failed"), "{stdout}");
    for flow in [
        "PASS user.org_role() and user.organization()",
        "PASS organization.users() pages through every member",
        "PASS user.update_org_role(role)",
        "PASS organization.remove_user(user)",
        "PASS client.get_users(where=User.email == ...) finds one member",
        "PASS organization.invite_user(email, role) sends an invite",
        "PASS organization.invite_users answers each email",
        "PASS organization.get_invites() pages through every invite (more than one page)",
        "PASS organization.invite_limit() counts members and pending invites",
        "PASS invite.cancel() cancels on the experimental endpoint",
        "PASS an accepted invite makes a member, found by email",
        "PASS user.update_org_role(NONE) makes a project-based member",
    ] {
        assert!(
            stdout.contains(flow),
            "the member and invite flows did not run: {stdout}"
        );
    }
    emulator.shutdown().await;
}
