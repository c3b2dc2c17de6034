//! The state file's private files: temporary files created exclusively with mode 0600, no
//! symlink followed, atomic replacement (also of the ready file), and the exclusive lock of
//! `<state file>.lock`.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
#[cfg(unix)]
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use crate::error::EmulatorError;
use crate::ids::random_hex;

/// Creates `.<state file name>.<random>.tmp` beside `path`, exclusively (`create_new`: an
/// existing file or symlink of that name is never opened or followed) and, on Unix, with
/// mode 0600 from the start.
pub(crate) fn create_temp_file(path: &Path) -> Result<(PathBuf, File), EmulatorError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "state".to_owned());
    let mut attempts = 0;
    loop {
        let tmp = dir.join(format!(".{name}.{}.tmp", random_hex(8)?));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        options.mode(0o600);
        match options.open(&tmp) {
            Ok(file) => return Ok((tmp, file)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && attempts < 8 => {
                attempts += 1;
            }
            Err(source) => {
                return Err(EmulatorError::Io {
                    context: format!("creating a temporary file for {}", path.display()),
                    source,
                })
            }
        }
    }
}

/// Replaces `path` atomically with `bytes`: a new temporary file beside it (random name,
/// created exclusively with mode 0600: see [`create_temp_file`]), fsync, rename over `path`,
/// fsync of the directory. A reader sees the old file or the whole new one, never a part;
/// on failure the temporary file is removed and `path` is unchanged. Used for the state file
/// and the ready file.
pub(crate) fn write_private_file(path: &Path, bytes: &[u8]) -> Result<(), EmulatorError> {
    let io = |context: &str, source| EmulatorError::Io {
        context: format!("{context} {}", path.display()),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let (tmp, mut file) = create_temp_file(path)?;
    let written = file
        .write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(|e| io("writing a temporary file for", e))
        .and_then(|()| {
            drop(file);
            std::fs::rename(&tmp, path).map_err(|e| io("renaming into", e))
        });
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    if let Ok(d) = File::open(dir) {
        // Best effort: makes the rename durable on filesystems that need it.
        let _ = d.sync_all();
    }
    Ok(())
}

/// Opens `path` with `options`, never following a symlink at `path` itself (`O_NOFOLLOW`:
/// a symlink fails with `ELOOP`), so a planted link cannot redirect the open, and never
/// waiting on it (`O_NONBLOCK`: a FIFO planted there cannot hang the open). What was opened
/// must be a regular file of this user's with one link: a FIFO or device, another user's
/// file (a lock another user pre-created to hold it) or a hard link to someone else's file
/// (whose mode loading would tighten) is refused.
pub(crate) fn open_no_follow(options: &mut OpenOptions, path: &Path) -> std::io::Result<File> {
    #[cfg(unix)]
    options
        .custom_flags((rustix::fs::OFlags::NOFOLLOW | rustix::fs::OFlags::NONBLOCK).bits() as i32);
    let file = options.open(path)?;
    check_private_regular_file(&file)?;
    Ok(file)
}

fn check_private_regular_file(file: &File) -> std::io::Result<()> {
    let meta = file.metadata()?;
    let refuse = |why: &str| Err(std::io::Error::new(std::io::ErrorKind::InvalidInput, why));
    if !meta.is_file() {
        return refuse("not a regular file");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt as _;
        if meta.uid() != rustix::process::geteuid().as_raw() {
            return refuse("owned by another user");
        }
        if meta.nlink() != 1 {
            return refuse("a file with more than one link (a hard link)");
        }
    }
    Ok(())
}

/// The lock file of a state file: `<state file>.lock`.
pub(crate) fn lock_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

/// The exclusive lock of a state file, released when dropped.
pub(crate) struct StateFileLock {
    file: File,
}

impl Drop for StateFileLock {
    fn drop(&mut self) {
        // Unlocked explicitly: a child process forked meanwhile may still hold a copy of the
        // descriptor (until its exec), and closing ours alone would leave the lock held.
        let _ = self.file.unlock();
    }
}

/// Takes the exclusive lock of the state file `path` (on `<path>.lock`, created with mode
/// 0600: the state file itself is replaced at each write, so it cannot carry the lock). The
/// lock lasts until the returned value is dropped or the process ends.
pub(crate) fn lock_state_file(path: &Path) -> Result<StateFileLock, EmulatorError> {
    let lock = lock_path(path);
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true).truncate(false);
    #[cfg(unix)]
    options.mode(0o600);
    let file = open_no_follow(&mut options, &lock).map_err(|source| EmulatorError::Io {
        context: format!(
            "opening the lock file {} (it must be this user's regular file, not a symlink)",
            lock.display()
        ),
        source,
    })?;
    match file.try_lock() {
        Ok(()) => Ok(StateFileLock { file }),
        Err(std::fs::TryLockError::WouldBlock) => Err(EmulatorError::StateInUse {
            path: path.to_path_buf(),
            lock,
        }),
        Err(std::fs::TryLockError::Error(source)) => Err(EmulatorError::Io {
            context: format!("locking {}", lock.display()),
            source,
        }),
    }
}
