//! Writing a new key's secret to a file that only its owner can read.

use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::Path;

use crate::exit::CliError;

/// Creates `path` (it must not exist) with mode 0600 and writes `secret` and a newline.
///
/// The file is created with `O_CREAT | O_EXCL`, so an existing file (or a symlink planted
/// at the path) is never overwritten or followed; the mode is set at creation, so the secret
/// is never readable by others, not even briefly.
pub fn write_new(path: &Path, secret: &str) -> Result<(), CliError> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(|e| match e.kind() {
        io::ErrorKind::AlreadyExists => CliError::usage(format!(
            "refusing to overwrite {}: the file already exists",
            path.display()
        ))
        .with_hint("choose a new path; an existing secret file is never overwritten"),
        _ => CliError::api(format!("cannot create {}: {e}", path.display())),
    })?;
    file.write_all(secret.as_bytes())
        .and_then(|()| file.write_all(b"\n"))
        .and_then(|()| file.sync_all())
        .map_err(|e| CliError::api(format!("cannot write {}: {e}", path.display())))
}

/// Checks, before anything is created on the server, that the secret file can be created:
/// the path must not exist and its directory must.
pub fn precheck(path: &Path) -> Result<(), CliError> {
    if path.symlink_metadata().is_ok() {
        return Err(CliError::usage(format!(
            "refusing to overwrite {}: the file already exists",
            path.display()
        ))
        .with_hint("choose a new path; an existing secret file is never overwritten"));
    }
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !parent.is_dir() {
        return Err(CliError::usage(format!(
            "cannot write the secret to {}: directory {} does not exist",
            path.display(),
            parent.display()
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_0600_and_refuses_to_overwrite() {
        let dir = std::env::temp_dir().join(format!("labelbox-cli-secret-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("key.jwt");
        let _ = std::fs::remove_file(&path);
        precheck(&path).unwrap();
        write_new(&path, "s3cr3t").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "s3cr3t\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(precheck(&path).is_err());
        let err = write_new(&path, "other").unwrap_err();
        assert!(err.message.contains("refusing to overwrite"));
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "s3cr3t\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
