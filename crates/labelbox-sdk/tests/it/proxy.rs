//! Proxies and the key: a plain-http endpoint never goes through a proxy (its request, key
//! included, would reach the proxy in cleartext); an https endpoint goes through one only as
//! a `CONNECT` tunnel; `NO_PROXY` keeps its meaning.
//!
//! Proxy settings are environment variables, which are process-global. So each test runs
//! twice: as the parent it starts a fake proxy (a TCP listener that records every byte it
//! receives), re-runs this test binary with the proxy variables set and only this test
//! selected, and checks what the fake proxy received; as the child (marked by
//! `LABELBOX_PROXY_TEST_CHILD`) it makes the SDK calls with those variables in force.

use std::process::Command;
use std::time::Duration;

use labelbox_emulator::{Emulator, EmulatorConfig};
use labelbox_sdk::KeyOrder;
use labelbox_sdk::{Client, Error, RetryPolicy};
use labelbox_test_support::proxy::{Recorder, PROXY_VARIABLES};

const CHILD: &str = "LABELBOX_PROXY_TEST_CHILD";

fn in_child() -> bool {
    std::env::var_os(CHILD).is_some()
}

/// Re-runs this binary with only `test` selected, the proxy variables cleared and then set
/// to `env`; panics with the child's output unless it passed.
fn run_child(test: &str, env: &[(&str, &str)]) {
    // The test's name in the crate's one test binary (`tests/it/`): `proxy::<name>`.
    let test = format!("proxy::{test}");
    let mut command = Command::new(std::env::current_exe().unwrap());
    command
        .args([test.as_str(), "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1");
    for name in PROXY_VARIABLES {
        command.env_remove(name);
    }
    command.envs(env.iter().copied());
    let output = command.output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child {test} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // The child must really have run the test (a wrong name would run nothing and pass).
    assert!(stdout.contains("1 passed"), "child ran no test:\n{stdout}");
}

/// Every proxy variable pointing at `proxy`.
fn all_proxies(proxy: &str) -> Vec<(&'static str, &str)> {
    PROXY_VARIABLES
        .iter()
        .filter(|name| !name.eq_ignore_ascii_case("NO_PROXY"))
        .map(|name| (*name, proxy))
        .collect()
}

/// In the child: the proxy variables are really set.
fn assert_proxy_env() {
    for name in ["HTTP_PROXY", "http_proxy", "ALL_PROXY"] {
        assert!(
            std::env::var_os(name).is_some(),
            "{name} is not set in the child"
        );
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

const KEY: &str = "proxy-test-key-5c1a9e-never-on-the-wire-in-clear";

#[test]
fn plain_http_to_the_emulator_never_goes_through_a_proxy() {
    if in_child() {
        assert_proxy_env();
        runtime().block_on(async {
            let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
            let by_ip = emulator.endpoint();
            assert!(by_ip.starts_with("http://127.0.0.1:"), "{by_ip}");
            let by_name = by_ip.replace("127.0.0.1", "localhost");
            for endpoint in [by_ip, by_name] {
                let client = Client::builder()
                    .api_key(emulator.admin_key())
                    .endpoint(&endpoint)
                    .timeout(Duration::from_secs(10))
                    .build()
                    .unwrap();
                let user = client
                    .get_user()
                    .await
                    .unwrap_or_else(|e| panic!("{endpoint}: {e}"));
                assert_eq!(user.email, "admin@example.com");
                client
                    .list_api_keys()
                    .sort(KeyOrder::Server)
                    .send()
                    .await
                    .unwrap();
                client.get_roles().await.unwrap();
            }
            emulator.shutdown().await;
        });
        return;
    }
    let proxy = Recorder::start();
    run_child(
        "plain_http_to_the_emulator_never_goes_through_a_proxy",
        &all_proxies(&proxy.url),
    );
    assert_eq!(
        proxy.connections(),
        0,
        "the proxy received: {}",
        proxy.text()
    );
}

#[test]
fn plain_http_allowed_off_loopback_still_never_goes_through_a_proxy() {
    if in_child() {
        assert_proxy_env();
        runtime().block_on(async {
            // TEST-NET-1: no route, or no answer (whatever a network in between does,
            // the parent checks that the proxy saw nothing).
            let client = Client::builder()
                .api_key(KEY)
                .endpoint("http://192.0.2.1:9/graphql")
                .allow_insecure_http(true)
                .connect_timeout(Duration::from_millis(500))
                .timeout(Duration::from_secs(5))
                .retry_policy(RetryPolicy::none())
                .build()
                .unwrap();
            client.get_user().await.unwrap_err();
        });
        return;
    }
    let proxy = Recorder::start();
    run_child(
        "plain_http_allowed_off_loopback_still_never_goes_through_a_proxy",
        &all_proxies(&proxy.url),
    );
    assert_eq!(
        proxy.connections(),
        0,
        "the proxy received: {}",
        proxy.text()
    );
}

#[test]
fn https_goes_through_a_proxy_only_as_a_connect_tunnel() {
    if in_child() {
        assert_proxy_env();
        runtime().block_on(async {
            let client = Client::builder()
                .api_key(KEY)
                .endpoint("https://api.labelbox.invalid/graphql")
                .timeout(Duration::from_secs(10))
                .retry_policy(RetryPolicy::none())
                .build()
                .unwrap();
            // The fake proxy refuses the tunnel.
            let error = client.get_user().await.unwrap_err();
            assert!(matches!(error, Error::Dispatch { .. }), "{error:?}");
        });
        return;
    }
    let proxy = Recorder::start();
    run_child(
        "https_goes_through_a_proxy_only_as_a_connect_tunnel",
        &all_proxies(&proxy.url),
    );
    let text = proxy.text();
    assert!(
        text.starts_with("CONNECT api.labelbox.invalid:443 HTTP/1.1\r\n"),
        "{text}"
    );
    assert!(!text.contains(KEY), "{text}");
    let lower = text.to_ascii_lowercase();
    assert!(!lower.contains("\r\nauthorization:"), "{text}");
    assert!(!lower.contains("post "), "{text}");
}

#[test]
fn no_proxy_keeps_its_meaning_for_https() {
    if in_child() {
        assert_proxy_env();
        let port = std::env::var("DIRECT_PORT").unwrap();
        runtime().block_on(async {
            let client = Client::builder()
                .api_key(KEY)
                .endpoint(format!("https://127.0.0.1:{port}/graphql"))
                .timeout(Duration::from_secs(10))
                .retry_policy(RetryPolicy::none())
                .build()
                .unwrap();
            // The direct listener is not a TLS server.
            let error = client.get_user().await.unwrap_err();
            assert!(matches!(error, Error::Dispatch { .. }), "{error:?}");
        });
        return;
    }
    let proxy = Recorder::start();
    let direct = Recorder::start();
    let port = direct.port.to_string();
    let mut env = all_proxies(&proxy.url);
    env.extend([
        ("NO_PROXY", "127.0.0.1"),
        ("no_proxy", "127.0.0.1"),
        ("DIRECT_PORT", port.as_str()),
    ]);
    run_child("no_proxy_keeps_its_meaning_for_https", &env);
    assert_eq!(
        proxy.connections(),
        0,
        "the proxy received: {}",
        proxy.text()
    );
    // The client went straight to the endpoint and started a TLS handshake there.
    assert_eq!(direct.bytes().first(), Some(&0x16), "{:?}", direct.bytes());
}
