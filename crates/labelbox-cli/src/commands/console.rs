//! `labelbox console`: starts the API-keys page (crate `labelbox-console`) on loopback and
//! prints its one-time login URL; `--emulator` serves an embedded emulator's organization.

use labelbox_console::{Console, ConsoleConfig, ConsoleError};
use labelbox_emulator::{Emulator, EmulatorConfig};
use labelbox_sdk::{Client, ExposeSecret, SecretString};

use crate::child;
use crate::cli::ConsoleArgs;
use crate::commands::Ctx;
use crate::exit::CliError;

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
    if args.open {
        open_browser(url);
    }
    let _ = tokio::signal::ctrl_c().await;
    console.shutdown().await;
    if let Some(emulator) = emulator {
        emulator.shutdown().await;
    }
    Ok(())
}

/// Launches the desktop browser on `url` through `child::command` (no secret variable
/// reaches it). A failure is reported, not fatal: the URL is printed anyway.
fn open_browser(url: &str) {
    let program = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let spawned = child::command(program)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    if let Err(e) = spawned {
        eprintln!("could not start the browser with {program} ({e}); open the link above by hand");
    }
}
