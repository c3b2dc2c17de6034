//! The scenarios run as child processes: the one-shot CLI against the Python one-liner, and
//! the official Python SDK's driver (`python_bench.py`), whose JSON output is read back.

use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::Value;

use super::{Config, OneshotRow};
use crate::clients::Measured;
use crate::server::ServerProcess;
use crate::stats;

/// The Python one-liner of the one-shot scenario: list the keys and print them as JSON.
const PYTHON_ONE_LINER: &str = "import json,os,labelbox as lb;\
c=lb.Client(api_key=os.environ['LABELBOX_API_KEY'],endpoint=os.environ['LABELBOX_ENDPOINT']);\
print(json.dumps([{'id':k.uid,'name':k.name,'user_id':k.user_id,'created_at':k.created_at.isoformat(),\
'expires_at_epoch':k.expires_at_epoch,'revoked':k.revoked,'allowed_ip_cidrs':k.allowed_ip_cidrs} \
for k in c.get_api_keys()]))";

pub(super) fn oneshot(config: &Config, server: &ServerProcess) -> Result<Vec<OneshotRow>, String> {
    let runs = (config.oneshot_runs + 1).to_string();
    let cli = config.cli.to_string_lossy().into_owned();
    let py = config.python.to_string_lossy().into_owned();
    let commands: [(String, Vec<&str>); 2] = [
        (
            "ours: `labelbox keys list --json`".to_owned(),
            vec![&cli, "keys", "list", "--json"],
        ),
        (
            "Python: `python -c 'import labelbox; ...get_api_keys()...'`".to_owned(),
            vec![&py, "-c", PYTHON_ONE_LINER],
        ),
    ];
    let mut rows = Vec::new();
    for (label, command) in commands {
        let mut args = vec!["oneshot", "--runs", &runs, "--"];
        args.extend(command);
        let out = python(config, server, &args)?;
        let all = out
            .get("runs")
            .and_then(Value::as_array)
            .ok_or("oneshot: no runs")?;
        // The first run warms the page cache (and Python's bytecode cache): not timed.
        let timed = &all[1.min(all.len())..];
        let field = |name: &str| -> Vec<f64> {
            timed
                .iter()
                .filter_map(|r| r.get(name).and_then(Value::as_f64))
                .collect()
        };
        rows.push(OneshotRow {
            label,
            wall_median: stats::median(&field("wall_s")),
            rss_median_kib: stats::median(&field("max_rss_kib")),
            cpu_median: stats::median(&field("cpu_s")),
            runs: timed.len(),
            rss_source: out
                .get("rss_source")
                .and_then(Value::as_str)
                .unwrap_or("unknown")
                .to_owned(),
        });
    }
    Ok(rows)
}

/// `python_bench.py ARGS` of the harness's venv against `server`: its JSON output.
pub(super) fn python(
    config: &Config,
    server: &ServerProcess,
    args: &[&str],
) -> Result<Value, String> {
    run_python_bench(&config.python, &config.script, server, args)
}

/// `PYTHON SCRIPT ARGS` (the official SDK's driver, `python_bench.py`) against `server`, with
/// its endpoint and admin key in the environment: the JSON it prints.
pub(crate) fn run_python_bench(
    python: &Path,
    script: &Path,
    server: &ServerProcess,
    args: &[&str],
) -> Result<Value, String> {
    let output = Command::new(python)
        .arg(script)
        .args(args)
        .env("LABELBOX_ENDPOINT", &server.endpoint)
        .env("LABELBOX_API_KEY", &server.admin_key)
        .env("PYTHONWARNINGS", "ignore")
        .stdin(Stdio::null())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("running {}: {e}", python.display()))?;
    if !output.status.success() {
        return Err(format!(
            "python_bench.py {} failed ({})",
            args.first().unwrap_or(&""),
            output.status
        ));
    }
    serde_json::from_slice(&output.stdout)
        .map_err(|e| format!("python_bench.py printed no JSON: {e}"))
}

/// A Python timed loop; the emulator window is the whole process (imports and warm-up
/// included), so its share is computed per request.
pub(super) fn python_loop(
    config: &Config,
    server: &mut ServerProcess,
    args: &[&str],
    per_call: usize,
) -> Result<Measured, String> {
    let warmup = format!("{}", config.loops.warmup.as_secs_f64());
    let duration = format!("{}", config.loops.duration.as_secs_f64());
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--warmup", &warmup, "--duration", &duration]);
    let before = server.snapshot()?;
    let started = std::time::Instant::now();
    let out = python(config, server, &all)?;
    let window = started.elapsed().as_secs_f64();
    let delta = server.snapshot()?.since(&before);
    if let Some(listed) = out.get("keys_listed").and_then(Value::as_u64) {
        if listed != server.keys as u64 {
            return Err(format!(
                "the Python SDK listed {listed} keys, expected {}",
                server.keys
            ));
        }
    }
    let latencies = f64_array(&out, "latencies_s")?;
    let calls = latencies.len();
    Ok(Measured {
        calls,
        per_call,
        wall_s: out.get("wall_s").and_then(Value::as_f64).unwrap_or(0.0),
        cpu_s: out.get("cpu_s").and_then(Value::as_f64).unwrap_or(0.0),
        latencies,
        server: delta,
        timed_requests: (calls * per_call) as u64,
        server_window_s: window,
    })
}

pub(crate) fn f64_array(value: &Value, name: &str) -> Result<Vec<f64>, String> {
    value
        .get(name)
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_f64).collect())
        .ok_or_else(|| format!("python_bench.py output lacks {name}"))
}
