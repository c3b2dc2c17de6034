//! Writing a new key's secret to a file that only its owner can read.

use std::fs::{File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use crate::exit::CliError;

/// A new, empty secret file, created before the key exists so that a path that cannot be
/// written fails before anything is created on the server.
///
/// The file is created with `O_CREAT | O_EXCL` and mode 0600, so an existing file (or a
/// symlink planted at the path) is never overwritten or followed, and the secret is never
/// readable by others, not even briefly.
#[derive(Debug)]
pub struct SecretFile {
    path: PathBuf,
    file: File,
}

impl SecretFile {
    /// Creates `path`, which must not exist, in a directory that must exist.
    pub fn create_new(path: &Path) -> Result<Self, CliError> {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options.open(path).map_err(|e| match e.kind() {
            io::ErrorKind::AlreadyExists => CliError::usage(format!(
                "refusing to overwrite {}: the file already exists; no key was created",
                path.display()
            ))
            .with_hint("choose a new path; an existing secret file is never overwritten"),
            io::ErrorKind::NotFound if !parent(path).is_dir() => CliError::usage(format!(
                "cannot write the secret to {}: directory {} does not exist; no key was created",
                path.display(),
                parent(path).display()
            )),
            _ => CliError::usage(format!(
                "cannot create the secret file {}: {e}; no key was created",
                path.display()
            )),
        })?;
        Ok(Self {
            path: path.to_owned(),
            file,
        })
    }

    /// The path given at creation.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Writes `secret` and a newline, then fsyncs the file and its directory. Only `Ok`
    /// means the secret is on disk.
    pub fn write_secret(&mut self, secret: &str) -> io::Result<()> {
        self.file.write_all(secret.as_bytes())?;
        self.file.write_all(b"\n")?;
        self.file.sync_all()?;
        sync_dir(parent(&self.path))
    }

    /// Removes the file after a failure, if the path still names the file created here
    /// (never a file someone put in its place). Best effort.
    pub fn discard(self) {
        if self.is_still_at_path() {
            let _ = std::fs::remove_file(&self.path);
        }
    }

    #[cfg(unix)]
    fn is_still_at_path(&self) -> bool {
        use std::os::unix::fs::MetadataExt;
        match (self.file.metadata(), self.path.symlink_metadata()) {
            (Ok(ours), Ok(there)) => ours.dev() == there.dev() && ours.ino() == there.ino(),
            _ => false,
        }
    }

    #[cfg(not(unix))]
    fn is_still_at_path(&self) -> bool {
        self.path.is_file()
    }
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// Makes the new directory entry durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir)?.sync_all()
}

#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_dir(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("labelbox-cli-secret-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn creates_0600_and_refuses_to_overwrite() {
        let dir = temp_dir("new");
        let path = dir.join("key.jwt");
        let mut file = SecretFile::create_new(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "0600 from creation, before the write");
        }
        file.write_secret("s3cr3t").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "s3cr3t\n");
        let err = SecretFile::create_new(&path).unwrap_err();
        assert!(err.message.contains("refusing to overwrite"), "{err}");
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "s3cr3t\n");

        let err = SecretFile::create_new(&dir.join("missing/key.jwt")).unwrap_err();
        assert!(err.message.contains("does not exist"), "{err}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn discard_removes_only_the_file_it_created() {
        let dir = temp_dir("discard");
        let path = dir.join("key.jwt");
        SecretFile::create_new(&path).unwrap().discard();
        assert!(!path.exists());

        // Someone replaced the file: discard leaves theirs alone.
        let file = SecretFile::create_new(&path).unwrap();
        std::fs::remove_file(&path).unwrap();
        std::fs::write(&path, "theirs").unwrap();
        file.discard();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "theirs");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
