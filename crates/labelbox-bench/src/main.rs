//! `labelbox-bench`: our SDK against the official Python SDK and a raw HTTP POST, on the
//! emulator, in one run. See `BENCHMARKS.md` and `bench/run.sh`.
//!
//! `labelbox-bench run` runs every scenario and prints (or splices into `BENCHMARKS.md`)
//! the tables; `labelbox-bench server --keys N` is the emulator side, started by `run` in
//! its own process so that its CPU time is never charged to a client.
#![warn(missing_docs)]

mod breakdown;
mod clients;
mod harness;
mod invites;
mod machine;
mod raw;
mod report;
mod server;
mod start_cost;
mod stats;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Benchmarks of the Labelbox SDK, the official Python SDK and a raw HTTP POST.
#[derive(Debug, Parser)]
#[command(name = "labelbox-bench")]
struct Args {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Debug, Subcommand)]
enum Cmd {
    /// Runs every scenario and reports.
    Run(RunArgs),
    /// The emulator side (started by `run`): serves until `quit` or end of input.
    Server {
        /// Keys the bootstrap admin key sees.
        #[arg(long)]
        keys: usize,
        /// Serve the emulator's listing answer from a minimal hyper server instead (the
        /// floor the emulator is compared with).
        #[arg(long)]
        floor: bool,
        /// The emulator's state file (created; mutations are written and fsynced).
        #[arg(long)]
        state: Option<PathBuf>,
    },
    /// Lists 1,000 pending invitations (`--count`) with our SDK, the official Python SDK
    /// and a raw POST per page, and prints the table (one round trip per page of 100).
    Invites {
        /// Pending invitations to seed and list.
        #[arg(long, default_value_t = 1000)]
        count: usize,
        /// Python of a venv with `labelbox==7.17.0` (bench/run.sh creates target/bench-venv).
        #[arg(long, default_value = "target/bench-venv/bin/python")]
        python: PathBuf,
        /// The Python side.
        #[arg(long, default_value = "bench/python_bench.py")]
        script: PathBuf,
        /// Untimed warm-up of each loop, seconds.
        #[arg(long, default_value_t = 0.5)]
        warmup: f64,
        /// Timed part of each loop, seconds.
        #[arg(long, default_value_t = 2.0)]
        duration: f64,
        /// Core for the emulator (`taskset`); none: not pinned.
        #[arg(long)]
        server_cpu: Option<usize>,
    },
    /// Profiling aid: starts an emulator process and lists keys with one client in a loop
    /// (run it under `perf record` or `valgrind --tool=callgrind`).
    Loop {
        /// Keys to list.
        #[arg(long, default_value_t = 1000)]
        keys: usize,
        /// `sdk`, `raw`, or `decode` (one answer fetched, then only the SDK's decoding of
        /// it, `labelbox_sdk::__fuzz::decode_listing`, in the loop).
        #[arg(long, default_value = "sdk")]
        client: String,
        /// Calls to make.
        #[arg(long, default_value_t = 200)]
        calls: usize,
    },
    /// What one in-process emulator costs a test: the medians of its start and shutdown.
    StartCost {
        /// Starts to measure (after one untimed first start).
        #[arg(long, default_value_t = 20)]
        starts: usize,
    },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// Python of a venv with `labelbox==7.17.0` (bench/run.sh creates target/bench-venv).
    #[arg(long, default_value = "target/bench-venv/bin/python")]
    python: PathBuf,
    /// The Python side.
    #[arg(long, default_value = "bench/python_bench.py")]
    script: PathBuf,
    /// The `labelbox` CLI (default: next to this binary).
    #[arg(long)]
    cli: Option<PathBuf>,
    /// Key counts of the listing scenario.
    #[arg(long, value_delimiter = ',', default_value = "2,100,1000")]
    keys: Vec<usize>,
    /// Untimed warm-up of each loop, seconds.
    #[arg(long, default_value_t = 0.5)]
    warmup: f64,
    /// Timed part of each loop, seconds.
    #[arg(long, default_value_t = 2.0)]
    duration: f64,
    /// Alternating rounds per client.
    #[arg(long, default_value_t = 2)]
    rounds: usize,
    /// Creations per create row.
    #[arg(long, default_value_t = 10)]
    create_count: usize,
    /// Calls in flight in the concurrent scenario.
    #[arg(long, default_value_t = 64)]
    concurrency: usize,
    /// Key count of the concurrent scenario.
    #[arg(long, default_value_t = 100)]
    concurrent_keys: usize,
    /// Key count of the one-shot scenario.
    #[arg(long, default_value_t = 100)]
    oneshot_keys: usize,
    /// Key count of the scale scenario (listing, creating with a state file, one-shot); 0
    /// leaves it out.
    #[arg(long, default_value_t = 10_000)]
    scale_keys: usize,
    /// Timed runs of each one-shot command.
    #[arg(long, default_value_t = 10)]
    oneshot_runs: usize,
    /// Core for this process and the Python clients.
    #[arg(long, default_value_t = 0)]
    client_cpu: usize,
    /// Core for the emulator.
    #[arg(long, default_value_t = 1)]
    server_cpu: usize,
    /// Do not pin processes to cores.
    #[arg(long)]
    no_pin: bool,
    /// Splice the report into this Markdown file (for example BENCHMARKS.md).
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Set in the environment of the re-executed, pinned harness.
const PINNED_ENV: &str = "LABELBOX_BENCH_PINNED";

fn main() -> ExitCode {
    let args = Args::parse();
    match args.command {
        Cmd::Server { keys, floor, state } => {
            let runtime = match tokio::runtime::Runtime::new() {
                Ok(rt) => rt,
                Err(e) => {
                    eprintln!("error: {e}");
                    return ExitCode::FAILURE;
                }
            };
            match runtime.block_on(server::serve(keys, floor, state)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Cmd::Loop {
            keys,
            client,
            calls,
        } => match profile_loop(keys, &client, calls) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Cmd::StartCost { starts } => match start_cost::run(starts) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Cmd::Invites {
            count,
            python,
            script,
            warmup,
            duration,
            server_cpu,
        } => {
            let config = invites::InvitesConfig {
                count,
                python,
                script,
                loops: harness::loops(warmup, duration, stats::clock_ticks_per_second()),
                server_cpu,
            };
            let table = tokio::runtime::Runtime::new()
                .map_err(|e| e.to_string())
                .and_then(|rt| rt.block_on(invites::run(&config)));
            match table {
                Ok(table) => {
                    println!("{table}");
                    ExitCode::SUCCESS
                }
                Err(e) => {
                    eprintln!("error: {e}");
                    ExitCode::FAILURE
                }
            }
        }
        Cmd::Run(run) => match run_all(run) {
            Ok(code) => code,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
    }
}

fn profile_loop(keys: usize, client: &str, calls: usize) -> Result<(), String> {
    let ticks = stats::clock_ticks_per_second();
    let server = server::ServerProcess::start(keys, None, ticks)?;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let cpu0 = stats::cpu_seconds(None, ticks).map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    runtime.block_on(async {
        match client {
            "sdk" => {
                let sdk = clients::sdk_client(&server.endpoint, &server.admin_key)?;
                for _ in 0..calls {
                    clients::sdk_list(&sdk).await?;
                }
            }
            "raw" => {
                let raw = raw::RawClient::new(
                    &server.endpoint,
                    &server.admin_key,
                    "Client:list_api_keys",
                )?;
                let body = raw::list_body();
                for _ in 0..calls {
                    raw.post(body.clone()).await?;
                }
            }
            "decode" => {
                let raw = raw::RawClient::new(
                    &server.endpoint,
                    &server.admin_key,
                    "Client:list_api_keys",
                )?;
                let body = raw.post_bytes(raw::list_body()).await?;
                for _ in 0..calls {
                    let keys = labelbox_sdk::__fuzz::decode_listing(200, &body)
                        .map_err(|e| e.to_string())?;
                    std::hint::black_box(keys);
                }
            }
            other => return Err(format!("unknown client {other:?}")),
        }
        Ok::<(), String>(())
    })?;
    let cpu = stats::cpu_seconds(None, ticks).map_err(|e| e.to_string())? - cpu0;
    eprintln!(
        "{calls} calls in {:.3} s; client CPU {:.1} µs/call",
        started.elapsed().as_secs_f64(),
        cpu / calls as f64 * 1e6
    );
    server.stop();
    Ok(())
}

fn have_taskset() -> bool {
    std::process::Command::new("taskset")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run_all(args: RunArgs) -> Result<ExitCode, String> {
    let cpus = std::fs::read_to_string("/proc/cpuinfo")
        .unwrap_or_default()
        .lines()
        .filter(|l| l.starts_with("processor"))
        .count();
    let pin = !args.no_pin
        && cpus >= 2
        && args.client_cpu != args.server_cpu
        && args.client_cpu.max(args.server_cpu) < cpus
        && have_taskset();
    if pin && std::env::var_os(PINNED_ENV).is_none() {
        // Re-run this harness pinned to the client core (its children inherit it).
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let status = std::process::Command::new("taskset")
            .arg("-c")
            .arg(args.client_cpu.to_string())
            .arg(exe)
            .args(std::env::args_os().skip(1))
            .env(PINNED_ENV, "1")
            .status()
            .map_err(|e| format!("taskset: {e}"))?;
        return Ok(if status.success() {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    }
    let cli = match args.cli {
        Some(cli) => cli,
        None => std::env::current_exe()
            .map_err(|e| e.to_string())?
            .with_file_name("labelbox"),
    };
    for (what, path) in [
        ("python", &args.python),
        ("script", &args.script),
        ("cli", &cli),
    ] {
        if !path.exists() {
            return Err(format!("{what} {} does not exist", path.display()));
        }
    }
    let ticks = stats::clock_ticks_per_second();
    let config = harness::Config {
        python: args.python,
        script: args.script,
        cli,
        keys: args.keys,
        loops: harness::loops(args.warmup, args.duration, ticks),
        rounds: args.rounds.max(1),
        create_count: args.create_count,
        concurrency: args.concurrency.max(1),
        concurrent_keys: args.concurrent_keys,
        oneshot_keys: args.oneshot_keys,
        oneshot_runs: args.oneshot_runs.max(1),
        scale_keys: args.scale_keys,
        server_cpu: pin.then_some(args.server_cpu),
        client_cpu: pin.then_some(args.client_cpu),
    };
    let mut machine = machine::Machine::describe(&config.python);
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    let results = runtime.block_on(harness::run(&config))?;
    machine.load_after = machine::load_average();
    let section = report::render(&machine, &config, &results);
    println!("{section}");
    if let Some(path) = &args.out {
        let existing = std::fs::read_to_string(path).ok();
        let text = report::splice(existing.as_deref(), &section);
        std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
        eprintln!("bench: wrote {}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
