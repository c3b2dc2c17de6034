//! One benchmark run: every scenario with every client, against emulators in their own
//! process.

use std::path::PathBuf;

use std::time::Duration;

use serde_json::Value;

use crate::clients::{self, LoopConfig, Measured};
use crate::raw::{list_body, RawClient};
use crate::server::{ServerProcess, ServerSnapshot};
use crate::stats::{self, Summary};

pub(crate) mod processes;

use processes::{f64_array, oneshot, python, python_loop};

/// What to run and how.
#[derive(Debug, Clone)]
pub struct Config {
    /// The Python interpreter of the venv holding `labelbox==7.17.0`.
    pub python: PathBuf,
    /// `bench/python_bench.py`.
    pub script: PathBuf,
    /// The `labelbox` CLI binary.
    pub cli: PathBuf,
    /// Key counts of the listing scenario.
    pub keys: Vec<usize>,
    /// Timed loop settings.
    pub loops: LoopConfig,
    /// Alternating rounds of each loop (raw, SDK, Python, raw, SDK, Python, ...).
    pub rounds: usize,
    /// Creations per create scenario.
    pub create_count: usize,
    /// Calls in flight in the concurrent scenario.
    pub concurrency: usize,
    /// Key count of the concurrent scenario.
    pub concurrent_keys: usize,
    /// Key count of the one-shot scenario.
    pub oneshot_keys: usize,
    /// Timed runs of each one-shot command (after one untimed run).
    pub oneshot_runs: usize,
    /// Key count of the scale scenario (0: none).
    pub scale_keys: usize,
    /// Core the emulator is pinned to (with `taskset`), if any.
    pub server_cpu: Option<usize>,
    /// Core this process and the Python clients are pinned to, if any.
    pub client_cpu: Option<usize>,
}

/// Raw, SDK and Python measurements of one scenario.
#[derive(Debug, Clone, Default)]
pub struct Trio {
    /// Visible keys.
    pub keys: usize,
    /// The raw-HTTP floor.
    pub raw: Measured,
    /// Our SDK.
    pub sdk: Measured,
    /// The official Python SDK.
    pub python: Measured,
}

/// One row of the create scenario.
#[derive(Debug, Clone)]
pub struct CreateRow {
    /// `ours`, `Python` or `raw`.
    pub client: &'static str,
    /// `cold` or `warm`.
    pub mode: &'static str,
    /// Emulator requests per creation.
    pub round_trips: f64,
    /// Latency of each creation, seconds.
    pub latency: Summary,
    /// Client CPU per creation, seconds (None when not measured separately).
    pub cpu_per_call: Option<f64>,
}

/// One command of the one-shot scenario.
#[derive(Debug, Clone)]
pub struct OneshotRow {
    /// What ran.
    pub label: String,
    /// Median wall time, seconds.
    pub wall_median: f64,
    /// Median peak RSS, KiB.
    pub rss_median_kib: f64,
    /// Median CPU time, seconds.
    pub cpu_median: f64,
    /// Timed runs.
    pub runs: usize,
    /// Where peak RSS came from (`/usr/bin/time`, or `wait4`, an upper bound).
    pub rss_source: String,
}

/// Everything one run measured.
#[derive(Debug, Clone, Default)]
pub struct Results {
    /// Listing at each key count.
    pub list: Vec<Trio>,
    /// Concurrent listing.
    pub concurrent: Option<Trio>,
    /// Creation rows.
    pub create: Vec<CreateRow>,
    /// One-shot rows: ours first, then Python.
    pub oneshot: Vec<OneshotRow>,
    /// Decoding steps timed on the smallest and largest listings' responses:
    /// (keys, body bytes, steps).
    pub breakdown: Vec<(usize, usize, Vec<crate::breakdown::Step>)>,
    /// The emulator against the floor server, per key count (100 keys and up).
    pub floor: Vec<FloorRow>,
    /// The concurrent listing's throughput with the emulator on one core and on two.
    pub scaling: Option<Scaling>,
    /// The scale scenario.
    pub scale: Option<Scale>,
}

/// A large organization: listing, creating with a state file, the one-shot CLI.
#[derive(Debug, Clone)]
pub struct Scale {
    /// Visible keys.
    pub keys: usize,
    /// Sequential listing.
    pub list: Trio,
    /// Creation rows (the emulator writes and fsyncs its state file per creation).
    pub create: Vec<CreateRow>,
    /// One-shot rows: ours, then Python.
    pub oneshot: Vec<OneshotRow>,
}

/// The emulator and the floor server answering the raw POST's listing, sequentially.
#[derive(Debug, Clone)]
pub struct FloorRow {
    /// Visible keys.
    pub keys: usize,
    /// The raw POST against the emulator (the list scenario's `raw` row).
    pub emulator: Measured,
    /// The raw POST against the floor server.
    pub floor: Measured,
}

/// `concurrency` raw listings in flight, the emulator pinned to one core, then to both
/// (where it shares this process's core).
#[derive(Debug, Clone)]
pub struct Scaling {
    /// Visible keys.
    pub keys: usize,
    /// Emulator on one core (the client on the other).
    pub one_core: Measured,
    /// Emulator on both cores (the client shares one of them).
    pub two_cores: Measured,
}

/// Runs every scenario. Progress goes to stderr.
pub async fn run(config: &Config) -> Result<Results, String> {
    let mut results = Results::default();
    let mut key_counts = config.keys.clone();
    for extra in [config.concurrent_keys, config.oneshot_keys] {
        if !key_counts.contains(&extra) {
            key_counts.push(extra);
        }
    }
    key_counts.sort_unstable();
    let create_keys = key_counts[0];
    for &keys in &key_counts {
        let started = std::time::Instant::now();
        let mut server = ServerProcess::start(keys, config.server_cpu, config.loops.ticks)?;
        eprintln!(
            "bench: emulator with {keys} keys ready in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let client = clients::sdk_client(&server.endpoint, &server.admin_key)?;
        let seen = clients::sdk_list(&client).await?;
        if seen != keys {
            return Err(format!("the emulator shows {seen} keys, expected {keys}"));
        }
        if config.keys.contains(&keys) {
            eprintln!("bench: list {keys} keys");
            let trio = list_trio(config, &mut server).await?;
            if keys >= 100 {
                eprintln!("bench: floor server, {keys} keys");
                let floor = floor_loop(config, keys).await?;
                results.floor.push(FloorRow {
                    keys,
                    emulator: trio.raw.clone(),
                    floor,
                });
            }
            results.list.push(trio);
        }
        if Some(&keys) == config.keys.iter().max() || Some(&keys) == config.keys.iter().min() {
            let raw = RawClient::new(&server.endpoint, &server.admin_key, "Client:list_api_keys")?;
            let body = raw.post_bytes(list_body()).await?;
            // About 0.5 s of work per step whatever the size.
            let iterations = (20_000_000 / body.len().max(1)).clamp(20, 20_000);
            let steps = crate::breakdown::measure(&body, iterations)?;
            results.breakdown.push((keys, body.len(), steps));
        }
        if keys == config.concurrent_keys {
            eprintln!(
                "bench: {} concurrent lists, {keys} keys",
                config.concurrency
            );
            results.concurrent = Some(concurrent_trio(config, &mut server).await?);
            if let (Some(client_cpu), Some(server_cpu)) = (config.client_cpu, config.server_cpu) {
                eprintln!("bench: concurrent lists, emulator on one core and on two");
                results.scaling = Some(scaling(config, &mut server, client_cpu, server_cpu).await?);
            }
        }
        if keys == config.oneshot_keys {
            eprintln!("bench: one-shot processes, {keys} keys");
            results.oneshot = oneshot(config, &server)?;
        }
        if keys == create_keys {
            eprintln!("bench: create");
            results.create = create(config, &mut server).await?;
        }
        server.stop();
    }
    if config.scale_keys > 0 {
        results.scale = Some(scale(config).await?);
    }
    Ok(results)
}

/// The scale scenario, on an emulator with `scale_keys` keys and a state file.
async fn scale(config: &Config) -> Result<Scale, String> {
    let keys = config.scale_keys;
    let dir = std::env::temp_dir().join(format!("labelbox-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let state_file = dir.join("state.json");
    let started = std::time::Instant::now();
    let result = async {
        let mut server = ServerProcess::start_with_state(
            keys,
            config.server_cpu,
            &state_file,
            config.loops.ticks,
        )?;
        eprintln!(
            "bench: emulator with {keys} keys and a state file ready in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        let client = clients::sdk_client(&server.endpoint, &server.admin_key)?;
        let seen = clients::sdk_list(&client).await?;
        if seen != keys {
            return Err(format!("the emulator shows {seen} keys, expected {keys}"));
        }
        eprintln!("bench: scale, list {keys} keys");
        let list = list_trio(config, &mut server).await?;
        eprintln!("bench: scale, one-shot processes");
        let oneshot = oneshot(config, &server)?;
        eprintln!("bench: scale, create with a state file");
        let create = create(config, &mut server).await?;
        server.stop();
        Ok(Scale {
            keys,
            list,
            create,
            oneshot,
        })
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn list_trio(config: &Config, server: &mut ServerProcess) -> Result<Trio, String> {
    let sdk = clients::sdk_client(&server.endpoint, &server.admin_key)?;
    let raw = RawClient::new(&server.endpoint, &server.admin_key, "Client:list_api_keys")?;
    let body = list_body();
    let mut trio = Trio {
        keys: server.keys,
        ..Trio::default()
    };
    for _ in 0..config.rounds {
        let m = clients::timed_loop(&config.loops, server, 1, || async {
            raw.post(body.clone()).await.map(|_| ())
        })
        .await?;
        trio.raw.merge(m);
        let m = clients::timed_loop(&config.loops, server, 1, || async {
            clients::sdk_list(&sdk).await.map(|_| ())
        })
        .await?;
        trio.sdk.merge(m);
        let m = python_loop(config, server, &["list"], 1)?;
        trio.python.merge(m);
    }
    Ok(trio)
}

/// The raw POST's sequential listing against a floor server with `keys` keys' answer.
async fn floor_loop(config: &Config, keys: usize) -> Result<Measured, String> {
    let mut floor = ServerProcess::start_with(
        keys,
        true,
        config.server_cpu.map(|c| c.to_string()),
        config.loops.ticks,
    )?;
    let raw = RawClient::new(&floor.endpoint, &floor.admin_key, "Client:list_api_keys")?;
    let body = list_body();
    let mut measured = Measured::default();
    for _ in 0..config.rounds {
        let m = clients::timed_loop(&config.loops, &mut floor, 1, || async {
            raw.post(body.clone()).await.map(|_| ())
        })
        .await?;
        measured.merge(m);
    }
    floor.stop();
    Ok(measured)
}

/// `n` raw listings in flight per batch, timed.
async fn concurrent_raw(
    config: &Config,
    server: &mut ServerProcess,
    n: usize,
) -> Result<Measured, String> {
    let raw = RawClient::new(&server.endpoint, &server.admin_key, "Client:list_api_keys")?;
    let body = list_body();
    clients::timed_loop(&config.loops, server, n, || async {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..n {
            let raw = raw.clone();
            let body = body.clone();
            set.spawn(async move { raw.post(body).await.map(|_| ()) });
        }
        while let Some(r) = set.join_next().await {
            r.map_err(|e| e.to_string())??;
        }
        Ok(())
    })
    .await
}

/// The concurrent raw listing with the emulator on `server_cpu` alone (`one_core`, the
/// running `server`) and on both cores (a second emulator process, same keys), alternating.
async fn scaling(
    config: &Config,
    server: &mut ServerProcess,
    client_cpu: usize,
    server_cpu: usize,
) -> Result<Scaling, String> {
    let mut both = ServerProcess::start_with(
        server.keys,
        false,
        Some(format!("{client_cpu},{server_cpu}")),
        config.loops.ticks,
    )?;
    let mut one_core = Measured::default();
    let mut two_cores = Measured::default();
    for _ in 0..config.rounds {
        one_core.merge(concurrent_raw(config, server, config.concurrency).await?);
        two_cores.merge(concurrent_raw(config, &mut both, config.concurrency).await?);
    }
    both.stop();
    Ok(Scaling {
        keys: server.keys,
        one_core,
        two_cores,
    })
}

impl Scaling {
    /// Calls per second on two cores over one core's.
    pub fn speedup(&self) -> f64 {
        self.two_cores.calls_per_s() / self.one_core.calls_per_s()
    }

    /// What two shared cores allow over one at best: 2 ÷ (emulator CPU/request + client
    /// CPU/call) against 1 ÷ emulator CPU/request (the one-core run's figures).
    pub fn ceiling(&self) -> f64 {
        let emulator = self.one_core.server_cpu_per_request();
        let client = self.one_core.cpu_per_call();
        if emulator + client <= 0.0 {
            return 0.0;
        }
        2.0 * emulator / (emulator + client)
    }
}

async fn concurrent_trio(config: &Config, server: &mut ServerProcess) -> Result<Trio, String> {
    let sdk = clients::sdk_client(&server.endpoint, &server.admin_key)?;
    let raw = RawClient::new(&server.endpoint, &server.admin_key, "Client:list_api_keys")?;
    let body = list_body();
    let n = config.concurrency;
    let mut trio = Trio {
        keys: server.keys,
        ..Trio::default()
    };
    for _ in 0..config.rounds {
        let m = clients::timed_loop(&config.loops, server, n, || async {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..n {
                let raw = raw.clone();
                let body = body.clone();
                set.spawn(async move { raw.post(body).await.map(|_| ()) });
            }
            while let Some(r) = set.join_next().await {
                r.map_err(|e| e.to_string())??;
            }
            Ok(())
        })
        .await?;
        trio.raw.merge(m);
        let m = clients::timed_loop(&config.loops, server, n, || async {
            let mut set = tokio::task::JoinSet::new();
            for _ in 0..n {
                let sdk = sdk.clone();
                set.spawn(async move { clients::sdk_list(&sdk).await.map(|_| ()) });
            }
            while let Some(r) = set.join_next().await {
                r.map_err(|e| e.to_string())??;
            }
            Ok(())
        })
        .await?;
        trio.sdk.merge(m);
        let batch = n.to_string();
        let m = python_loop(config, server, &["concurrent", "--batch", &batch], n)?;
        trio.python.merge(m);
    }
    Ok(trio)
}

async fn create(config: &Config, server: &mut ServerProcess) -> Result<Vec<CreateRow>, String> {
    let n = config.create_count.max(1);
    let mut rows = Vec::new();
    let ticks = config.loops.ticks;
    let cpu = || stats::cpu_seconds(None, ticks).map_err(|e| e.to_string());

    // Ours, cold: a new client (new connection, empty cache) for every creation.
    let before = server.snapshot()?;
    let mut latencies = Vec::new();
    for i in 0..n {
        let client = clients::sdk_client(&server.endpoint, &server.admin_key)?;
        let t0 = std::time::Instant::now();
        clients::sdk_create(&client, &format!("bench-rs-cold-{i}")).await?;
        latencies.push(t0.elapsed().as_secs_f64());
    }
    let delta = server.snapshot()?.since(&before);
    rows.push(create_row("ours", "cold", delta, n, &latencies, None));

    // Ours, warm: one client, one untimed creation first.
    let client = clients::sdk_client(&server.endpoint, &server.admin_key)?;
    clients::sdk_create(&client, "bench-rs-warmup").await?;
    let before = server.snapshot()?;
    let cpu0 = cpu()?;
    let mut latencies = Vec::new();
    for i in 0..n {
        let t0 = std::time::Instant::now();
        clients::sdk_create(&client, &format!("bench-rs-warm-{i}")).await?;
        latencies.push(t0.elapsed().as_secs_f64());
    }
    // Below a few clock ticks the figure is noise: leave it out.
    let cpu_total = cpu()? - cpu0;
    let cpu_per = (cpu_total * ticks >= 5.0).then(|| cpu_total / n as f64);
    let delta = server.snapshot()?.since(&before);
    rows.push(create_row("ours", "warm", delta, n, &latencies, cpu_per));

    // Python, cold: a new `labelbox.Client` for every creation.
    let count = n.to_string();
    let before = server.snapshot()?;
    let out = python(config, server, &["create", "--cold", "--count", &count])?;
    let delta = server.snapshot()?.since(&before);
    let latencies = f64_array(&out, "latencies_s")?;
    rows.push(create_row("Python", "cold", delta, n, &latencies, None));

    // Python, warm: requests of (1 warm-up + n) minus those of (1 warm-up), over n.
    let before = server.snapshot()?;
    python(config, server, &["create", "--warm", "--count", "0"])?;
    let warmup_only = server.snapshot()?.since(&before);
    let before = server.snapshot()?;
    let out = python(config, server, &["create", "--warm", "--count", &count])?;
    let mut delta = server.snapshot()?.since(&before);
    delta.requests = delta.requests.saturating_sub(warmup_only.requests);
    let latencies = f64_array(&out, "latencies_s")?;
    let cpu_per = out
        .get("cpu_s")
        .and_then(Value::as_f64)
        .map(|c| c / n as f64);
    rows.push(create_row("Python", "warm", delta, n, &latencies, cpu_per));

    // Raw: the mutation alone, on a warm connection: the one round trip a creation needs.
    let raw = RawClient::new(&server.endpoint, &server.admin_key, "Client:create_api_key")?;
    raw.post(clients::create_body("bench-raw-warmup")).await?;
    let before = server.snapshot()?;
    let mut latencies = Vec::new();
    for i in 0..n {
        let body = clients::create_body(&format!("bench-raw-{i}"));
        let t0 = std::time::Instant::now();
        raw.post(body).await?;
        latencies.push(t0.elapsed().as_secs_f64());
    }
    let delta = server.snapshot()?.since(&before);
    rows.push(create_row("raw", "warm", delta, n, &latencies, None));
    Ok(rows)
}

fn create_row(
    client: &'static str,
    mode: &'static str,
    delta: ServerSnapshot,
    n: usize,
    latencies: &[f64],
    cpu_per_call: Option<f64>,
) -> CreateRow {
    CreateRow {
        client,
        mode,
        round_trips: delta.requests as f64 / n as f64,
        latency: stats::summarize(latencies),
        cpu_per_call,
    }
}

/// A default loop configuration.
pub fn loops(warmup: f64, duration: f64, ticks: f64) -> LoopConfig {
    LoopConfig {
        warmup: Duration::from_secs_f64(warmup),
        duration: Duration::from_secs_f64(duration),
        ticks,
    }
}
