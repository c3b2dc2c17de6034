//! End to end: the `labelbox` binary with every proxy variable pointing at a fake proxy (a
//! TCP listener that records whatever reaches it). Against a plain-http loopback endpoint,
//! `demo` and `schema pull` succeed and the proxy receives nothing: the key in cleartext
//! never leaves the machine.

use std::process::{Command, Output};

use crate::common;

use common::{assert_ok, BIN};
use labelbox_emulator::{Emulator, EmulatorConfig};
use labelbox_test_support::proxy::Recorder as FakeProxy;

/// `labelbox ARGS` with every proxy variable set to `proxy` and no `NO_PROXY` (a CI
/// runner's `NO_PROXY=localhost,127.0.0.1` would hide a leak).
fn labelbox(proxy: &FakeProxy, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut command = Command::new(BIN);
    command.args(args);
    for name in [
        "NO_PROXY",
        "no_proxy",
        "LABELBOX_API_KEY",
        "LABELBOX_ENDPOINT",
    ] {
        command.env_remove(name);
    }
    for name in [
        "HTTP_PROXY",
        "http_proxy",
        "HTTPS_PROXY",
        "https_proxy",
        "ALL_PROXY",
        "all_proxy",
    ] {
        command.env(name, &proxy.url);
    }
    command.envs(envs.iter().copied()).output().unwrap()
}

#[test]
fn demo_on_plain_http_loopback_never_touches_a_proxy() {
    let proxy = FakeProxy::start();
    let out = labelbox(&proxy, &["demo"], &[]);
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("[9/9]"));
    proxy.assert_untouched();
}

#[test]
fn schema_pull_on_plain_http_loopback_never_touches_a_proxy() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let emulator = rt
        .block_on(Emulator::start(EmulatorConfig::default()))
        .unwrap();
    let proxy = FakeProxy::start();
    let by_ip = emulator.endpoint();
    let by_name = by_ip.replace("127.0.0.1", "localhost");
    for endpoint in [&by_ip, &by_name] {
        let out = labelbox(
            &proxy,
            &["--endpoint", endpoint, "schema", "pull"],
            &[("LABELBOX_API_KEY", emulator.admin_key())],
        );
        assert_ok(&out);
        let sdl = String::from_utf8_lossy(&out.stdout);
        assert!(sdl.contains("type ApiKey"), "{sdl}");
        assert!(
            sdl.contains(endpoint.as_str()),
            "provenance names {endpoint}"
        );
    }
    // The other SDK commands take the same path.
    let out = labelbox(
        &proxy,
        &["--endpoint", &by_ip, "whoami"],
        &[("LABELBOX_API_KEY", emulator.admin_key())],
    );
    assert_ok(&out);
    proxy.assert_untouched();
    rt.block_on(emulator.shutdown());
}
