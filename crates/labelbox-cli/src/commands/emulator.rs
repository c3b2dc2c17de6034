//! `labelbox emulator`: a local Labelbox API in the foreground.

use labelbox_emulator::{Emulator, EmulatorConfig, Seed};
use serde::Serialize;

use crate::cli::EmulatorArgs;
use crate::commands::Ctx;
use crate::exit::CliError;
use crate::output::{self, Paint};

/// The JSON line printed once the emulator listens.
#[derive(Debug, Serialize)]
struct ReadyJson<'a> {
    endpoint: &'a str,
    admin_email: &'a str,
    admin_key: &'a str,
}

/// Runs the emulator until Ctrl-C (or SIGTERM).
pub async fn run(ctx: &Ctx, args: EmulatorArgs) -> Result<(), CliError> {
    let mut config = EmulatorConfig::default().listen(args.listen);
    if let Some(path) = &args.seed {
        let seed = Seed::from_file(path).map_err(|e| {
            CliError::usage(format!("cannot use seed file {}: {e}", path.display()))
        })?;
        config = config.seed(seed);
    }
    if let Some(path) = &args.state {
        config = config.state_file(path);
    }
    let emulator = Emulator::start(config)
        .await
        .map_err(|e| CliError::api(format!("cannot start the emulator: {e}")))?;
    let endpoint = emulator.endpoint();
    let admin_email = emulator.admin_email().to_string();
    // The emulator's own admin key is printed on purpose: it is a local test credential,
    // and the emulator is useless without it.
    let admin_key = emulator.admin_key().to_owned();
    if ctx.json {
        output::print_json(&ReadyJson {
            endpoint: &endpoint,
            admin_email: &admin_email,
            admin_key: &admin_key,
        })?;
    } else {
        outln!(
            "{} Labelbox API emulator listening",
            ctx.out.paint(Paint::Green, "✓")
        )?;
        outln!("  endpoint:    {endpoint}")?;
        outln!("  admin user:  {admin_email}")?;
        outln!("  admin key:   {admin_key}")?;
        if let Some(path) = &args.state {
            outln!("  state file:  {}", path.display())?;
        }
        outln!()?;
        outln!("Use it from another shell:")?;
        outln!("  export LABELBOX_ENDPOINT={endpoint}")?;
        outln!("  export LABELBOX_API_KEY=<the admin key above>")?;
        outln!("  labelbox keys list")?;
        outln!()?;
        outln!("Press Ctrl-C to stop.")?;
    }
    labelbox_emulator::shutdown_signal().await;
    emulator.shutdown().await;
    if !ctx.json {
        eprintln!("emulator stopped");
    }
    Ok(())
}
