//! An emulator binary (`labelbox-emulator`, `labelbox --json emulator`) started as a process:
//! its ready line read from stdout, the assertions on it and on the ready file, and a stop
//! by SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

/// A started emulator process and the ready line it printed first. Its `Debug` leaves the
/// admin key out. The child is killed when this is dropped, unless [`stop`](Self::stop)ped.
pub struct Started {
    /// The process.
    pub child: Child,
    /// The ready line, parsed: `endpoint`, `admin_email`, `admin_key`, `pid` (`Null` if
    /// the first line is not JSON).
    pub ready: Value,
    /// The ready line as printed.
    pub line: String,
}

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Started")
            .field("pid", &self.child.id())
            .field("endpoint", &self.ready["endpoint"])
            .finish_non_exhaustive()
    }
}

impl Started {
    /// Spawns `command` with stdout piped and reads the first line (the ready object, from
    /// either binary in JSON mode): panics (naming the exit status) if the process ends first. The rest of
    /// stdout is drained on a thread, so the child never blocks on a full pipe.
    pub fn spawn(command: &mut Command) -> Started {
        let mut child = command
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn the emulator");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        let read = stdout.read_line(&mut line).expect("read the ready line");
        if read == 0 {
            let status = child.wait().expect("wait for the emulator");
            panic!("the emulator ended before its ready line ({status})");
        }
        std::thread::spawn(move || for _ in stdout.lines() {});
        // `Null` when the first line is not JSON (`labelbox emulator` without `--json`).
        let ready: Value = serde_json::from_str(line.trim_end()).unwrap_or(Value::Null);
        Started {
            child,
            ready,
            line: line.trim_end().to_owned(),
        }
    }

    /// Spawns `command` (stdout and stderr piped) for a start that must fail: waits for the
    /// process to end and returns its output; panics, killing it, if it announces a ready
    /// line instead (so a start that wrongly succeeds fails the test at once, never hangs it).
    pub fn expect_failure(command: &mut Command) -> std::process::Output {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn the emulator");
        let mut stdout = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut line = String::new();
        let read = stdout.read_line(&mut line).expect("read stdout");
        if read != 0 {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the emulator started when it should have refused to");
        }
        child.wait_with_output().expect("wait for the emulator")
    }

    /// The endpoint of the ready line.
    pub fn endpoint(&self) -> String {
        self.ready["endpoint"]
            .as_str()
            .expect("endpoint")
            .to_owned()
    }

    /// The admin key of the ready line.
    pub fn admin_key(&self) -> String {
        self.ready["admin_key"]
            .as_str()
            .expect("admin_key")
            .to_owned()
    }

    /// Stops the process with SIGTERM (a kill elsewhere) and waits; the exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        #[cfg(unix)]
        {
            let pid = self.child.id().to_string();
            let sent = Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .expect("run kill");
            assert!(sent.success(), "kill -TERM {pid}");
        }
        #[cfg(not(unix))]
        self.child.kill().expect("kill the emulator");
        self.child.wait().expect("wait for the emulator")
    }
}

impl Drop for Started {
    fn drop(&mut self) {
        // A stopped child has its status already: nothing to kill.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Asserts the ready object's shape, the same for both binaries: exactly `endpoint`
/// (`http://127.0.0.1:PORT/graphql`, a real port), `admin_email`, `admin_key` and `pid`
/// (the process's own).
pub fn assert_ready_shape(ready: &Value, pid: u32) {
    let mut fields: Vec<&str> = ready
        .as_object()
        .expect("the ready line is an object")
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["admin_email", "admin_key", "endpoint", "pid"],
        "ready fields"
    );
    let endpoint = ready["endpoint"].as_str().expect("endpoint");
    let port = endpoint
        .strip_prefix("http://127.0.0.1:")
        .and_then(|rest| rest.strip_suffix("/graphql"))
        .unwrap_or_else(|| panic!("endpoint {endpoint} is not loopback's /graphql"));
    let port: u16 = port.parse().expect("a port");
    assert_ne!(port, 0, "the bound port, not the asked one");
    assert_eq!(ready["pid"].as_u64(), Some(u64::from(pid)), "pid");
    assert_eq!(
        ready["admin_key"].as_str().map(|k| k.split('.').count()),
        Some(3),
        "a JWT"
    );
}

/// Asserts that the file at `path` is the ready file for `line`: the same line and a
/// newline, mode 0600, and no temporary file left beside it.
pub fn assert_ready_file(path: &std::path::Path, line: &str) {
    let text = std::fs::read_to_string(path).expect("the ready file exists once the line is out");
    assert_eq!(
        text,
        format!("{line}\n"),
        "the ready file holds the ready line"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "ready file mode {mode:o}");
    }
    let dir = path.parent().expect("a directory");
    let others: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains(".tmp"))
        .collect();
    assert!(others.is_empty(), "temporary files left: {others:?}");
}
