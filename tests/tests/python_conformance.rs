//! The official Python SDK (labelbox==7.17.0) passes its flows against the emulator:
//! runs `tests/conformance/run.sh` against an in-process emulator.

use std::process::Command;

use labelbox_emulator::{Emulator, EmulatorConfig};

fn python3_available() -> bool {
    Command::new("python3")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_sdk_passes_against_the_emulator() {
    if !python3_available() {
        eprintln!(
            "\n\n*** SKIPPING official Python SDK conformance: python3 is not installed ***\n\n"
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
    ] {
        assert!(
            stdout.contains(flow),
            "the member flows did not run: {stdout}"
        );
    }
    emulator.shutdown().await;
}
