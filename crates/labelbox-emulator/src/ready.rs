//! How a started emulator tells whoever started it that it serves: one JSON line on stdout
//! and, on request, a ready file holding the same object. Both binaries (`labelbox-emulator`
//! and `labelbox --json emulator`) announce through [`announce_ready`], so their first line
//! cannot differ.

use std::future::Future;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::pin::Pin;

use serde::Serialize;

use crate::error::EmulatorError;
use crate::handle::EmulatorHandle;
use crate::state_file::write_private_file;

/// What a started emulator announces: its endpoint, the user its bootstrap admin key acts
/// as, that key (a secret: whoever reads it administers the emulator) and the process id.
/// Serialized as `{"endpoint": "...", "admin_email": "...", "admin_key": "...", "pid": N}`.
#[derive(Serialize)]
struct Ready<'a> {
    endpoint: String,
    admin_email: &'a str,
    admin_key: &'a str,
    pid: u32,
}

/// The ready object of `handle`, as one line of JSON (without the newline).
pub fn ready_json(handle: &EmulatorHandle) -> String {
    let ready = Ready {
        endpoint: handle.endpoint(),
        admin_email: handle.admin_email(),
        admin_key: handle.admin_key(),
        pid: std::process::id(),
    };
    // A struct of strings and a number always serializes.
    serde_json::to_string(&ready).unwrap_or_default()
}

/// A ready file written by [`write_ready_file`]: removed when dropped (the emulator stopped;
/// the key it holds is of no more use, and a script waiting for the file must not find a
/// stale one).
#[derive(Debug)]
#[must_use = "dropping it removes the ready file"]
pub struct ReadyFile {
    path: Option<PathBuf>,
}

impl Drop for ReadyFile {
    fn drop(&mut self) {
        if let Some(path) = self.path.take() {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// Before the emulator starts: refuses a ready file whose directory other users could write
/// to (without the sticky bit that stops them from replacing this user's files) or that
/// another user (root aside) owns, and removes a file left at `path` by an earlier run, so
/// that a script waiting for the file never reads a stale one.
pub fn prepare_ready_file(path: &Path) -> Result<(), EmulatorError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    check_directory(dir).map_err(|why| {
        EmulatorError::InvalidArgument(format!(
            "ready file {}: its directory {} {why}; choose a directory only you can write to",
            path.display(),
            dir.display()
        ))
    })?;
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(EmulatorError::Io {
            context: format!("removing the old ready file {}", path.display()),
            source: e,
        }),
        _ => Ok(()),
    }
}

#[cfg(unix)]
fn check_directory(dir: &Path) -> Result<(), &'static str> {
    use std::os::unix::fs::MetadataExt as _;
    let meta = std::fs::metadata(dir).map_err(|_| "cannot be read")?;
    if !meta.is_dir() {
        return Err("is not a directory");
    }
    let owner = meta.uid();
    if owner != rustix::process::geteuid().as_raw() && owner != 0 {
        return Err("belongs to another user");
    }
    let (others_write, sticky) = (meta.mode() & 0o022 != 0, meta.mode() & 0o1000 != 0);
    if others_write && !sticky {
        return Err("is writable by other users (and not sticky, as /tmp is)");
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_directory(dir: &Path) -> Result<(), &'static str> {
    match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => Ok(()),
        _ => Err("is not a directory"),
    }
}

/// Writes the ready object of `handle` (see [`ready_json`], one line) to `path` atomically:
/// a new temporary file in the same directory, created with mode 0600, then renamed over
/// `path`, so a reader sees no file or the whole file. With `None`, writes nothing. Call it
/// once the emulator serves (after [`Emulator::start`](crate::Emulator::start)).
pub fn write_ready_file(
    handle: &EmulatorHandle,
    path: Option<&Path>,
) -> Result<ReadyFile, EmulatorError> {
    if let Some(path) = path {
        let mut line = ready_json(handle);
        line.push('\n');
        write_private_file(path, line.as_bytes())?;
    }
    Ok(ReadyFile {
        path: path.map(Path::to_path_buf),
    })
}

/// Announces a started emulator: writes the ready file, if any ([`write_ready_file`]), then
/// prints the ready object as the first line on stdout. The one announcement of both
/// binaries.
pub fn announce_ready(
    handle: &EmulatorHandle,
    ready_file: Option<&Path>,
) -> Result<ReadyFile, EmulatorError> {
    let file = write_ready_file(handle, ready_file)?;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{}", ready_json(handle));
    let _ = out.flush();
    Ok(file)
}

/// [`shutdown_signal`](crate::shutdown_signal) with its handlers installed before this
/// returns: await the future it gives after announcing, so that a SIGTERM sent as soon as the
/// ready line is read stops the emulator in order (the ready file removed) instead of by the
/// signal's default action.
pub async fn install_shutdown_signal() -> Pin<Box<dyn Future<Output = ()> + Send>> {
    let mut signal = Box::pin(crate::shutdown_signal());
    // One poll runs it up to its first wait, which registers every handler.
    let done = tokio::select! {
        biased;
        () = &mut signal => true,
        () = std::future::ready(()) => false,
    };
    Box::pin(async move {
        if !done {
            signal.await;
        }
    })
}
