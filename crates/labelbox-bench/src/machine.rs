//! Where and when a benchmark run happened: the machine, its load, the tools' versions.

use std::path::Path;

/// Where and when the run happened.
#[derive(Debug, Clone, Default)]
pub struct Machine {
    /// UTC date and time of the run.
    pub date: String,
    /// CPU model from `/proc/cpuinfo`.
    pub cpu: String,
    /// Logical CPUs.
    pub cpus: usize,
    /// `MemTotal` from `/proc/meminfo`.
    pub memory: String,
    /// Kernel release.
    pub kernel: String,
    /// `rustc -V`.
    pub rustc: String,
    /// `python --version` of the venv.
    pub python: String,
    /// `/proc/loadavg` before the run.
    pub load_before: String,
    /// `/proc/loadavg` after the run.
    pub load_after: String,
}

impl Machine {
    /// Reads the machine description (the load after the run is filled in later).
    pub fn describe(python: &Path) -> Machine {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo
            .lines()
            .find_map(|l| l.strip_prefix("model name"))
            .map(|rest| rest.trim_start_matches([' ', '\t', ':']).trim().to_owned())
            .unwrap_or_else(|| "unknown".to_owned());
        let cpus = cpuinfo
            .lines()
            .filter(|l| l.starts_with("processor"))
            .count();
        let memory = std::fs::read_to_string("/proc/meminfo")
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .map(|kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0))
            .unwrap_or_else(|| "unknown".to_owned());
        let date = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default();
        Machine {
            date,
            cpu,
            cpus,
            memory,
            kernel: read_trim("/proc/sys/kernel/osrelease"),
            rustc: command_output("rustc", &["-V"]),
            python: command_output(&python.to_string_lossy(), &["--version"]),
            // bench/run.sh reads it before building, so the build does not show in it.
            load_before: std::env::var("LABELBOX_BENCH_LOAD_BEFORE")
                .ok()
                .filter(|l| !l.trim().is_empty())
                .unwrap_or_else(load_average),
            load_after: String::new(),
        }
    }
}

/// The 1, 5 and 15 minute load averages.
pub fn load_average() -> String {
    read_trim("/proc/loadavg")
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

fn read_trim(path: &str) -> String {
    std::fs::read_to_string(path)
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|_| "unknown".to_owned())
}

fn command_output(program: &str, args: &[&str]) -> String {
    std::process::Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| {
            let text = if o.stdout.is_empty() {
                o.stderr
            } else {
                o.stdout
            };
            String::from_utf8_lossy(&text).trim().to_owned()
        })
        .unwrap_or_else(|| "unknown".to_owned())
}
