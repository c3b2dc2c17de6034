//! A fake proxy: a TCP listener on 127.0.0.1 that records whatever reaches it, for tests
//! proving that a request never goes through a proxy (the key in cleartext would).

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The proxy variables reqwest reads; a test clears them all before setting its own (a CI
/// runner's `NO_PROXY=localhost,127.0.0.1` would hide a leak).
pub const PROXY_VARIABLES: [&str; 8] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
    "NO_PROXY",
    "no_proxy",
];

/// A TCP listener on 127.0.0.1 that records every byte it receives, answers a `CONNECT`
/// with 403 and anything else that looks like HTTP with 502, then closes.
#[derive(Debug)]
pub struct Recorder {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    /// The port it listens on.
    pub port: u16,
    connections: Arc<AtomicUsize>,
    received: Arc<Mutex<Vec<u8>>>,
}

impl Recorder {
    /// Starts listening on a free port.
    pub fn start() -> Recorder {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let connections = Arc::new(AtomicUsize::new(0));
        let received = Arc::new(Mutex::new(Vec::new()));
        let (count, bytes) = (Arc::clone(&connections), Arc::clone(&received));
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let bytes = Arc::clone(&bytes);
                std::thread::spawn(move || record(stream, &bytes));
            }
        });
        Recorder {
            url: format!("http://127.0.0.1:{port}"),
            port,
            connections,
            received,
        }
    }

    /// How many connections reached it.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Everything received, lossily decoded.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.received.lock().unwrap()).into_owned()
    }

    /// Everything received.
    pub fn bytes(&self) -> Vec<u8> {
        self.received.lock().unwrap().clone()
    }

    /// Asserts that nothing connected, showing what was received otherwise.
    #[track_caller]
    pub fn assert_untouched(&self) {
        assert_eq!(self.connections(), 0, "the proxy received: {}", self.text());
    }
}

fn record(mut stream: TcpStream, received: &Mutex<Vec<u8>>) {
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let mut seen = Vec::new();
    let mut chunk = [0u8; 4096];
    while let Ok(n) = stream.read(&mut chunk) {
        if n == 0 {
            break;
        }
        received.lock().unwrap().extend_from_slice(&chunk[..n]);
        seen.extend_from_slice(&chunk[..n]);
        // A TLS handshake (first byte 0x16) or a complete HTTP head: answer and close.
        if seen[0] == 0x16 {
            break;
        }
        if seen.windows(4).any(|w| w == b"\r\n\r\n") {
            let reply: &[u8] = if seen.starts_with(b"CONNECT ") {
                b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n"
            } else {
                b"HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n"
            };
            let _ = stream.write_all(reply);
            break;
        }
    }
}
