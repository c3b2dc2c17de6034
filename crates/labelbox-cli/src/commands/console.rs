//! `labelbox console`: starts the API-keys page (crate `labelbox-console`) on loopback and
//! prints its one-time login URL; `--emulator` serves an embedded emulator's organization.

use std::path::{Path, PathBuf};

use labelbox_console::{Console, ConsoleConfig, ConsoleError};
use labelbox_emulator::{Emulator, EmulatorConfig};
use labelbox_sdk::{Client, ExposeSecret, SecretString};

use crate::child;
use crate::cli::ConsoleArgs;
use crate::commands::Ctx;
use crate::exit::CliError;
use crate::secret_file::SecretFile;

/// Runs `labelbox console` until Ctrl+C.
pub async fn run(ctx: &Ctx, args: ConsoleArgs) -> Result<(), CliError> {
    if !args.listen.ip().is_loopback() {
        return Err(CliError::usage(
            ConsoleError::NotLoopback(args.listen).to_string(),
        ));
    }
    let mut emulator = None;
    let mut own_key = None;
    let client = if args.emulator {
        let started = Emulator::start(EmulatorConfig::default().listen(([127, 0, 0, 1], 0).into()))
            .await
            .map_err(|e| CliError::api(format!("cannot start the embedded emulator: {e}")))?;
        let client = Client::builder()
            .api_key(SecretString::from(started.admin_key().to_owned()))
            .endpoint(started.endpoint())
            .build()?;
        outln!(
            "Embedded emulator at {} (organization \"Example Org\", signed in as {})",
            started.endpoint(),
            started.admin_email()
        )?;
        own_key = Some(labelbox_sdk::ApiKeyId::from(started.admin_key_id()));
        emulator = Some(started);
        client
    } else {
        ctx.client()?
    };
    let mut config = ConsoleConfig::new(client)
        .listen(args.listen)
        .idle_timeout(args.idle_timeout);
    if let Some(id) = own_key {
        config = config.own_key(id);
    }
    let console = Console::start(config)
        .await
        .map_err(|e| CliError::usage(e.to_string()))?;
    let url = console.login_url().expose_secret();
    outln!("Labelbox console at {}", console.base_url())?;
    outln!("Open this link in your browser (it signs in once, then stops working):")?;
    outln!("  {url}")?;
    outln!("Press Ctrl+C to stop.")?;
    let login_file = if args.open { open_browser(url) } else { None };
    // The browser reads the login file at once: it is deleted (dropped) a minute later, or
    // at Ctrl+C if that comes first.
    let login_file_lifetime = async move {
        if let Some(file) = login_file {
            tokio::time::sleep(LOGIN_FILE_LIFETIME).await;
            drop(file);
        }
        std::future::pending::<()>().await
    };
    // Ctrl+C, SIGTERM or SIGHUP: the console settles its keys (unacknowledged new keys and
    // pending rotations' replacements revoked) before the process ends.
    tokio::select! {
        () = labelbox_emulator::shutdown_signal() => {}
        () = login_file_lifetime => {}
    }
    console.shutdown().await;
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    Ok(())
}

/// How long `--open`'s login file stays on disk.
const LOGIN_FILE_LIFETIME: std::time::Duration = std::time::Duration::from_secs(60);

/// Launches the desktop browser through `child::command` (no secret variable reaches it)
/// on a [`LoginFile`] that redirects to `url`: the one-time URL itself never appears in a
/// process's arguments, which other users can read (`ps`). A failure is reported, not
/// fatal: the URL is printed anyway.
fn open_browser(url: &str) -> Option<LoginFile> {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let file = match LoginFile::create(url) {
        Ok(file) => file,
        Err(e) => {
            errln!("could not write the browser's login file ({e}); open the link above by hand");
            return None;
        }
    };
    let spawned = child::command(program)
        .arg(file.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        errln!("could not start the browser with {program} ({e}); open the link above by hand");
    }
    Some(file)
}

/// A small HTML page that sends the browser to the one-time login URL, in a directory
/// only the user can enter (`$XDG_DATA_HOME/labelbox/runtime`, or
/// `~/.local/share/labelbox/runtime`: under the home directory, which sandboxed browsers
/// such as Ubuntu's snap Firefox can read, unlike `/tmp`), mode 0600, created new
/// (`O_EXCL`). Deleted on drop.
struct LoginFile {
    file: Option<SecretFile>,
}

impl LoginFile {
    fn create(url: &str) -> Result<Self, String> {
        let base = std::env::var_os("XDG_DATA_HOME")
            .filter(|d| !d.is_empty())
            .map(PathBuf::from)
            .or_else(|| {
                std::env::var_os("HOME")
                    .filter(|h| !h.is_empty())
                    .map(|h| PathBuf::from(h).join(".local/share"))
            })
            .ok_or("neither XDG_DATA_HOME nor HOME is set")?;
        let dir = base.join("labelbox").join("runtime");
        private_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let path = dir.join(format!("console-login-{}-{nanos}.html", std::process::id()));
        let mut file = SecretFile::create_new(&path).map_err(|e| e.message)?;
        let href = html_attribute(url);
        let page = format!(
            "<!DOCTYPE html>\n<meta charset=\"utf-8\">\n<meta name=\"referrer\" content=\"no-referrer\">\n\
             <meta http-equiv=\"refresh\" content=\"0;url={href}\">\n\
             <title>Labelbox console</title>\n<p><a href=\"{href}\">Sign in to the Labelbox console</a></p>\n"
        );
        if let Err(e) = file.write_secret(&page) {
            file.discard();
            return Err(e.to_string());
        }
        Ok(Self { file: Some(file) })
    }

    fn path(&self) -> &Path {
        self.file.as_ref().map_or(Path::new(""), SecretFile::path)
    }
}

impl Drop for LoginFile {
    fn drop(&mut self) {
        if let Some(file) = self.file.take() {
            file.discard();
        }
    }
}

/// Creates `dir` (and its parents) and makes it private: mode 0700, owned by us.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::{MetadataExt, PermissionsExt};
        let meta = std::fs::symlink_metadata(dir)?;
        if !meta.is_dir() || meta.uid() != rustix::process::getuid().as_raw() {
            return Err(std::io::Error::other(
                "not a directory of this user's own; the login file was not written",
            ));
        }
        std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
    }
    Ok(())
}

/// `text` escaped for a double-quoted HTML attribute.
fn html_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}
