//! The console's server is bounded (`labelbox-serve`): idle, slow-header and slow-body
//! connections beyond its cap never keep a page request out, nor exhaust its file
//! descriptors. It runs in a process of its own, under a lowered open-file limit: this test
//! re-runs itself under `ulimit -n` (a limit on the whole process would starve every other
//! test of the binary).

use std::time::Duration;

use labelbox_console::{Console, ConsoleConfig};
use labelbox_emulator::{Emulator, EmulatorConfig};
use labelbox_sdk::{Client, SecretString};
use tokio::io::AsyncWriteExt as _;

/// Set in the child process that runs the test's body.
const CHILD: &str = "LABELBOX_CONSOLE_SERVER_LIMITS_CHILD";
/// The child's open-file limit: enough for the console's cap (256) and the test's own
/// sockets, not for a server that accepts every one of them.
const OPEN_FILES: u32 = 1200;
/// Connections held open: idle, slow headers, slow body (over the cap, 256, and
/// `OPEN_FILES` if the server kept a descriptor for each one that holds its connection).
const HELD: [usize; 3] = [350, 350, 100];

#[test]
fn a_page_is_served_while_more_idle_and_slow_connections_than_the_cap_are_open() {
    if std::env::var_os(CHILD).is_some() {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
            .block_on(hold_connections_then_load_a_page());
        return;
    }
    // Its name in the crate's one test binary (`tests/it/`), where it is a module.
    let test =
        "server_limits::a_page_is_served_while_more_idle_and_slow_connections_than_the_cap_are_open";
    let output = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -n {OPEN_FILES} && exec \"$0\" \"$@\""))
        .arg(std::env::current_exe().unwrap())
        .args([test, "--exact", "--nocapture"])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "{text}");
    assert!(text.contains("1 passed"), "{text}");
}

async fn hold_connections_then_load_a_page() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let admin = Client::builder()
        .api_key(SecretString::from(emulator.admin_key().to_owned()))
        .endpoint(emulator.endpoint())
        .build()
        .unwrap();
    let console = Console::start(ConsoleConfig::new(admin)).await.unwrap();
    let addr = console.local_addr();
    let mut held = Vec::new();
    let fds = || std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count());
    println!("open files before: {}", fds());
    let kinds = HELD
        .iter()
        .enumerate()
        .flat_map(|(kind, n)| std::iter::repeat_n(kind, *n));
    for (i, kind) in kinds.enumerate() {
        let mut stream = tokio::net::TcpStream::connect(addr)
            .await
            .unwrap_or_else(|e| panic!("connection {i}: {e}"));
        match kind {
            // Idle: connected and silent.
            0 => {}
            // Headers started and never finished.
            1 => stream
                .write_all(b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
                .await
                .unwrap(),
            // Headers announcing a body that never comes.
            _ => stream
                .write_all(
                    format!(
                        "POST /api/keys HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n"
                    )
                    .as_bytes(),
                )
                .await
                .unwrap(),
        }
        held.push(stream);
    }
    let page = tokio::time::timeout(
        Duration::from_secs(10),
        reqwest::get(format!("{}/assets/console.css", console.base_url())),
    )
    .await
    .expect("the page waited for idle and slow connections")
    .expect("the page request failed");
    assert_eq!(page.status(), 200);
    assert!(!page.text().await.unwrap().is_empty());
    println!("open files after: {}", fds());
    assert_eq!(held.len(), HELD.iter().sum::<usize>());
    drop(held);
    console.shutdown().await;
    emulator.shutdown().await;
}
