//! End to end: the `labelbox` binary with every proxy variable pointing at a fake proxy (a
//! TCP listener that records whatever reaches it). Against a plain-http loopback endpoint,
//! `demo` and `schema pull` succeed and the proxy receives nothing: the key in cleartext
//! never leaves the machine.

use std::io::Read;
use std::net::TcpListener;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use labelbox_emulator::{Emulator, EmulatorConfig};

const BIN: &str = env!("CARGO_BIN_EXE_labelbox");

/// A listener on 127.0.0.1 that counts connections and records the bytes they send.
struct FakeProxy {
    url: String,
    connections: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<u8>>>,
}

impl FakeProxy {
    fn start() -> FakeProxy {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (count, bytes) = (Arc::clone(&connections), Arc::clone(&received));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let bytes = Arc::clone(&bytes);
                std::thread::spawn(move || {
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
                    let mut chunk = [0u8; 4096];
                    while let Ok(n) = stream.read(&mut chunk) {
                        if n == 0 {
                            break;
                        }
                        bytes.lock().unwrap().extend_from_slice(&chunk[..n]);
                    }
                });
            }
        });
        FakeProxy {
            url,
            connections,
            received,
        }
    }

    fn assert_untouched(&self) {
        assert_eq!(
            self.connections.load(Ordering::SeqCst),
            0,
            "the proxy received: {}",
            String::from_utf8_lossy(&self.received.lock().unwrap())
        );
    }
}

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

fn assert_ok(out: &Output) {
    assert!(
        out.status.success(),
        "exit {:?}\nstdout:\n{}\nstderr:\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn demo_on_plain_http_loopback_never_touches_a_proxy() {
    let proxy = FakeProxy::start();
    let out = labelbox(&proxy, &["demo"], &[]);
    assert_ok(&out);
    assert!(String::from_utf8_lossy(&out.stdout).contains("[10/10]"));
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
