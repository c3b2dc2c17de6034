//! The emulator in its own process, so its CPU time is never charged to a client.
//!
//! `labelbox-bench server --keys N` starts an emulator, seeds keys until the bootstrap
//! admin key sees `N` keys, prints `endpoint <url>`, `admin_key <key>` and `ready`, then
//! answers `counts` on stdin with `counts <requests>` (requests received on `/graphql`)
//! until `quit` or end of input. [`ServerProcess`] is the harness's side of that protocol.
//!
//! `labelbox-bench server --keys N --floor` is the floor server: it seeds the emulator the
//! same way, takes the emulator's answer to the listing (the bytes the raw POST receives),
//! shuts the emulator down and serves those bytes, prepared in memory, from a minimal hyper
//! server (read the request, answer 200 with the bytes), with the same stdin protocol. The
//! emulator's CPU per listing over the floor's is what the emulator adds to bare HTTP.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use labelbox_emulator::{Emulator, EmulatorConfig};

use crate::stats;

/// Users the seeded keys belong to (the default seed's), in turn.
const KEY_OWNERS: &[&str] = &[
    "admin@example.com",
    "labeler@example.com",
    "reviewer@example.com",
    "manager@example.com",
    "admin2@example.com",
];

/// Keys seeded one by one (the rest in bulk): the listings up to this size have the same
/// keys as before.
const SEEDED_ONE_BY_ONE: usize = 1000;

/// Seeded keys are valid for 30 days.
const SEEDED_VALIDITY_SECS: i64 = 30 * 86_400;

/// Runs the server side: starts the emulator with `keys` visible keys and serves the
/// stdin protocol until `quit` or end of input.
pub async fn serve(
    keys: usize,
    floor: bool,
    state_file: Option<std::path::PathBuf>,
) -> Result<(), String> {
    let config = EmulatorConfig {
        state_file,
        ..EmulatorConfig::default()
    };
    let handle = Emulator::start(config)
        .await
        .map_err(|e| format!("starting the emulator: {e}"))?;
    // The bootstrap admin key is the first; the others are spread over several users, and
    // one in three has an allowlist, so the listing has the shape of a real organization's.
    // Past the first SEEDED_ONE_BY_ONE, keys are issued in bulk (one state change per owner;
    // with a state file, one write each), without allowlists.
    for i in 1..keys.min(SEEDED_ONE_BY_ONE) {
        let owner = KEY_OWNERS[i % KEY_OWNERS.len()];
        let allowed = (i % 3 == 0).then(|| vec!["127.0.0.1".to_owned(), "10.0.0.0/8".to_owned()]);
        handle
            .issue_key(owner, "Labeler", SEEDED_VALIDITY_SECS, allowed)
            .map_err(|e| format!("seeding key {i}: {e}"))?;
    }
    let bulk = keys.saturating_sub(SEEDED_ONE_BY_ONE.max(1));
    for (o, owner) in KEY_OWNERS.iter().enumerate() {
        let count = bulk / KEY_OWNERS.len() + usize::from(o < bulk % KEY_OWNERS.len());
        if count > 0 {
            handle
                .issue_keys(count, owner, "Labeler", SEEDED_VALIDITY_SECS)
                .map_err(|e| format!("seeding keys in bulk: {e}"))?;
        }
    }
    let handle = if floor {
        let raw = crate::raw::RawClient::new(
            &handle.endpoint(),
            handle.admin_key(),
            "Client:list_api_keys",
        )?;
        let body = raw.post_bytes(crate::raw::list_body()).await?;
        let endpoint = handle.endpoint();
        handle.shutdown().await;
        Backend::Floor(FloorServer::start(body, &endpoint).await?)
    } else {
        Backend::Emulator(handle)
    };
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "endpoint {}", handle.endpoint()).map_err(|e| e.to_string())?;
        writeln!(out, "admin_key {}", handle.admin_key()).map_err(|e| e.to_string())?;
        writeln!(out, "ready").map_err(|e| e.to_string())?;
        out.flush().map_err(|e| e.to_string())?;
    }
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    while let Some(line) = rx.recv().await {
        match line.trim() {
            "counts" => {
                let mut out = std::io::stdout().lock();
                let _ = writeln!(out, "counts {}", handle.request_count());
                let _ = out.flush();
            }
            "quit" => break,
            _ => {}
        }
    }
    if let Backend::Emulator(handle) = handle {
        handle.shutdown().await;
    }
    Ok(())
}

/// What `server` serves: the emulator, or the floor server.
enum Backend {
    Emulator(labelbox_emulator::EmulatorHandle),
    Floor(FloorServer),
}

impl Backend {
    fn endpoint(&self) -> String {
        match self {
            Backend::Emulator(handle) => handle.endpoint(),
            Backend::Floor(floor) => floor.endpoint.clone(),
        }
    }

    fn admin_key(&self) -> &str {
        match self {
            Backend::Emulator(handle) => handle.admin_key(),
            // The floor checks nothing; clients send a key all the same.
            Backend::Floor(_) => "floor-server-key",
        }
    }

    fn request_count(&self) -> u64 {
        match self {
            Backend::Emulator(handle) => handle.request_count(),
            Backend::Floor(floor) => floor.requests.load(Ordering::Relaxed),
        }
    }
}

/// The floor: a minimal hyper HTTP/1 server that reads each request's body and answers 200
/// with one response body prepared in memory (no parsing, no auth, no GraphQL).
struct FloorServer {
    endpoint: String,
    requests: Arc<AtomicU64>,
}

impl FloorServer {
    /// Serves `body` at the path of `emulator_endpoint`, on a new loopback port.
    async fn start(body: Vec<u8>, emulator_endpoint: &str) -> Result<FloorServer, String> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .map_err(|e| format!("floor server: {e}"))?;
        let addr = listener
            .local_addr()
            .map_err(|e| format!("floor server: {e}"))?;
        let path = emulator_endpoint
            .split_once("://")
            .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()))
            .unwrap_or_else(|| "/graphql".to_owned());
        let body = bytes::Bytes::from(body);
        let requests = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&requests);
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let body = body.clone();
                let counter = Arc::clone(&counter);
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(
                        move |request: hyper::Request<hyper::body::Incoming>| {
                            let body = body.clone();
                            let counter = Arc::clone(&counter);
                            async move {
                                http_body_util::BodyExt::collect(request.into_body()).await?;
                                counter.fetch_add(1, Ordering::Relaxed);
                                let mut response =
                                    hyper::Response::new(http_body_util::Full::new(body));
                                response.headers_mut().insert(
                                    hyper::header::CONTENT_TYPE,
                                    hyper::header::HeaderValue::from_static("application/json"),
                                );
                                Ok::<_, hyper::Error>(response)
                            }
                        },
                    );
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Ok(FloorServer {
            endpoint: format!("http://{addr}{path}"),
            requests,
        })
    }
}

/// A running `labelbox-bench server` child process.
#[derive(Debug)]
pub struct ServerProcess {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    /// The GraphQL endpoint.
    pub endpoint: String,
    /// The bootstrap admin key (a secret: passed to clients through the environment only).
    pub admin_key: String,
    /// Number of visible keys it was seeded with.
    pub keys: usize,
    ticks: f64,
}

impl ServerProcess {
    /// Starts `<this binary> server --keys N`, under `taskset -c CPU` when `cpu` is given.
    pub fn start(keys: usize, cpu: Option<usize>, ticks: f64) -> Result<Self, String> {
        Self::start_with(keys, false, cpu.map(|c| c.to_string()), ticks)
    }

    /// Starts the emulator with a state file (`--state`): every mutation is written and
    /// fsynced before it is answered.
    pub fn start_with_state(
        keys: usize,
        cpu: Option<usize>,
        state_file: &std::path::Path,
        ticks: f64,
    ) -> Result<Self, String> {
        Self::spawn(
            keys,
            false,
            cpu.map(|c| c.to_string()),
            Some(state_file),
            ticks,
        )
    }

    /// Starts the emulator (or with `floor`, the floor server) under `taskset -c CPUS` when
    /// `cpus` (a `taskset` list such as `1` or `0,1`) is given.
    pub fn start_with(
        keys: usize,
        floor: bool,
        cpus: Option<String>,
        ticks: f64,
    ) -> Result<Self, String> {
        Self::spawn(keys, floor, cpus, None, ticks)
    }

    fn spawn(
        keys: usize,
        floor: bool,
        cpus: Option<String>,
        state_file: Option<&std::path::Path>,
        ticks: f64,
    ) -> Result<Self, String> {
        let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
        let mut command = match cpus {
            Some(cpus) => {
                let mut c = Command::new("taskset");
                c.arg("-c").arg(cpus).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        command.arg("server");
        if floor {
            command.arg("--floor");
        }
        if let Some(path) = state_file {
            command.arg("--state").arg(path);
        }
        command
            .arg("--keys")
            .arg(keys.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        let mut child = command
            .spawn()
            .map_err(|e| format!("starting the emulator process: {e}"))?;
        let stdin = child.stdin.take().ok_or("no stdin")?;
        let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
        let mut endpoint = None;
        let mut admin_key = None;
        loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
                let _ = child.kill();
                let _ = child.wait();
                return Err("the emulator process exited before it was ready".to_owned());
            }
            let line = line.trim_end();
            if let Some(url) = line.strip_prefix("endpoint ") {
                endpoint = Some(url.to_owned());
            } else if let Some(key) = line.strip_prefix("admin_key ") {
                admin_key = Some(key.to_owned());
            } else if line == "ready" {
                break;
            }
        }
        Ok(Self {
            child,
            stdin,
            stdout,
            endpoint: endpoint.ok_or("the emulator printed no endpoint")?,
            admin_key: admin_key.ok_or("the emulator printed no admin key")?,
            keys,
            ticks,
        })
    }

    /// Requests the emulator has received on `/graphql` so far.
    pub fn request_count(&mut self) -> Result<u64, String> {
        writeln!(self.stdin, "counts").map_err(|e| e.to_string())?;
        self.stdin.flush().map_err(|e| e.to_string())?;
        let mut line = String::new();
        self.stdout
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        line.trim()
            .strip_prefix("counts ")
            .and_then(|n| n.parse().ok())
            .ok_or_else(|| format!("unexpected answer from the emulator: {line:?}"))
    }

    /// The emulator process's CPU time so far, in seconds.
    pub fn cpu_seconds(&self) -> Result<f64, String> {
        stats::cpu_seconds(Some(self.child.id()), self.ticks).map_err(|e| e.to_string())
    }

    /// A snapshot of requests and CPU time, to subtract from a later one.
    pub fn snapshot(&mut self) -> Result<ServerSnapshot, String> {
        Ok(ServerSnapshot {
            requests: self.request_count()?,
            cpu_s: self.cpu_seconds()?,
        })
    }

    /// Stops the process.
    pub fn stop(mut self) {
        let _ = writeln!(self.stdin, "quit");
        let _ = self.stdin.flush();
        let _ = self.child.wait();
    }
}

/// Requests received and CPU time used by the emulator up to a point.
#[derive(Debug, Clone, Copy, Default)]
pub struct ServerSnapshot {
    /// Requests received on `/graphql`.
    pub requests: u64,
    /// CPU seconds.
    pub cpu_s: f64,
}

impl ServerSnapshot {
    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &ServerSnapshot) -> ServerSnapshot {
        ServerSnapshot {
            requests: self.requests.saturating_sub(earlier.requests),
            cpu_s: self.cpu_s - earlier.cpu_s,
        }
    }
}
