//! `labelbox-emulator`: runs the local Labelbox API server in the foreground.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use labelbox_emulator::{EmulatorConfig, EmulatorError, Fault, RateLimit, Seed};

/// A local Labelbox API server. Once it listens, prints one JSON line on stdout:
/// {"endpoint", "admin_email", "admin_key", "pid"} (the same as `labelbox --json emulator`;
/// with --ready-file, also written to that file), then serves until Ctrl-C or SIGTERM.
/// Exit status: 0 after Ctrl-C or SIGTERM, 2 for bad arguments or seed, 1 otherwise (an
/// address in use included: it never moves to another port or interface).
///
/// Administration: `/_emulator/*` (clock, users, users/role, keys, faults) accepts only
/// the bootstrap admin key printed at this start (HTTP 403 for any other key,
/// 401 without a valid one). With --state, each start mints a new bootstrap key and revokes
/// the previous one (only hashes are stored, so an old key cannot be shown again).
#[derive(Debug, Parser)]
#[command(name = "labelbox-emulator", version)]
struct Args {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Once listening, write the ready line (endpoint, admin key, pid) to this file:
    /// atomically, mode 0600, in a directory only you can write to; removed at the stop.
    #[arg(long, value_name = "PATH")]
    ready_file: Option<PathBuf>,
    /// Persist state in this JSON file (created if missing, reloaded if present).
    #[arg(long = "state", value_name = "FILE")]
    state: Option<PathBuf>,
    /// Seed users from this JSON file (ignored when the state file exists).
    #[arg(long = "seed", value_name = "FILE")]
    seed: Option<PathBuf>,
    /// Makes the bootstrap admin key deterministic (for tests). A secret: whoever knows it
    /// can derive the admin key, so --help never shows the variable's value.
    #[arg(
        long,
        value_name = "S",
        env = "LABELBOX_EMULATOR_ADMIN_KEY_SEED",
        hide_env_values = true
    )]
    admin_key_seed: Option<String>,
    /// Per-key rate limit, as REQUESTS/SECONDS (for example 100/60).
    #[arg(long, value_name = "N/SECS")]
    rate_limit: Option<String>,
    /// Connections served at once; further ones wait until one closes.
    #[arg(long, value_name = "N", default_value_t = labelbox_emulator::DEFAULT_MAX_CONNECTIONS,
          value_parser = clap::value_parser!(usize))]
    max_connections: usize,
    /// Close a connection that has not sent a request's headers within this many seconds.
    #[arg(long, value_name = "SECS",
          default_value_t = labelbox_emulator::DEFAULT_HEADER_READ_TIMEOUT.as_secs())]
    header_read_timeout: u64,
    /// Fail a request whose headers and body have not arrived within this many seconds.
    #[arg(long, value_name = "SECS",
          default_value_t = labelbox_emulator::DEFAULT_REQUEST_READ_TIMEOUT.as_secs())]
    request_read_timeout: u64,
    /// The organization's invite limit: members plus pending invites.
    #[arg(long, value_name = "N", default_value_t = labelbox_emulator::DEFAULT_INVITE_LIMIT,
          value_parser = clap::value_parser!(u32).range(0..=i64::from(i32::MAX)))]
    invite_limit: u32,
    /// Fail the next requests: KIND[:N] with KIND one of http500, bad-gateway,
    /// upstream-503, drop, commit-then-drop, delay=MILLIS, oversized-secret=BYTES,
    /// secret-with-escape (N defaults to 1). Repeatable.
    #[arg(long = "fault", value_name = "KIND[:N]")]
    faults: Vec<String>,
}

fn parse_rate_limit(text: &str) -> Option<RateLimit> {
    let (n, secs) = text.split_once('/')?;
    Some(RateLimit::new(
        n.trim().parse().ok()?,
        Duration::from_secs(secs.trim().parse().ok()?),
    ))
}

fn parse_fault(text: &str) -> Option<(u32, Fault)> {
    let (kind, n) = match text.rsplit_once(':') {
        Some((kind, n)) => (kind, n.parse().ok()?),
        None => (text, 1),
    };
    Some((n, Fault::parse(kind)?))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    let mut config = EmulatorConfig::default().listen(args.listen);
    if let Some(path) = &args.seed {
        match Seed::from_file(path) {
            Ok(seed) => config = config.seed(seed),
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if args.max_connections == 0 || args.header_read_timeout == 0 || args.request_read_timeout == 0
    {
        eprintln!(
            "error: --max-connections, --header-read-timeout and --request-read-timeout must be at least 1"
        );
        return ExitCode::from(2);
    }
    config = config
        .max_connections(args.max_connections)
        .header_read_timeout(Duration::from_secs(args.header_read_timeout))
        .request_read_timeout(Duration::from_secs(args.request_read_timeout))
        .invite_limit(args.invite_limit);
    config.state_file = args.state;
    config.admin_key_seed = args.admin_key_seed;
    if let Some(text) = &args.rate_limit {
        match parse_rate_limit(text) {
            Some(limit) => config.rate_limit = Some(limit),
            None => {
                eprintln!("error: --rate-limit expects REQUESTS/SECONDS, got {text:?}");
                return ExitCode::from(2);
            }
        }
    }
    let mut faults = Vec::new();
    for text in &args.faults {
        match parse_fault(text) {
            Some(f) => faults.push(f),
            None => {
                eprintln!("error: unknown --fault {text:?}");
                return ExitCode::from(2);
            }
        }
    }
    let result =
        labelbox_emulator::run_foreground_with(config, args.ready_file.as_deref(), |handle| {
            for (n, fault) in faults {
                handle.faults().fail_next(n, fault);
            }
        })
        .await;
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            match e {
                // Usage errors: a bad seed or argument.
                EmulatorError::Seed(_) | EmulatorError::InvalidArgument(_) => ExitCode::from(2),
                _ => ExitCode::FAILURE,
            }
        }
    }
}
