//! `labelbox emulator`: a local Labelbox API in the foreground.

use labelbox_emulator::{Emulator, EmulatorConfig, EmulatorError, EmulatorHandle, Seed};

use crate::cli::EmulatorArgs;
use crate::commands::Ctx;
use crate::exit::CliError;
use crate::output::Paint;

/// A refused ready file is a usage error (exit 2), like a bad seed; anything else (an
/// address in use, a failed write) is exit 1, as with `labelbox-emulator`.
fn start_error(e: EmulatorError) -> CliError {
    match e {
        EmulatorError::InvalidArgument(_) => CliError::usage(e.to_string()),
        _ => CliError::api(format!("cannot start the emulator: {e}")),
    }
}

/// Runs the emulator until Ctrl-C (or SIGTERM).
pub async fn run(ctx: &Ctx, args: EmulatorArgs) -> Result<(), CliError> {
    let mut config = EmulatorConfig::default()
        .listen(args.listen)
        .invite_limit(args.invite_limit);
    if let Some(path) = &args.seed {
        let seed = Seed::from_file(path).map_err(|e| {
            CliError::usage(format!("cannot use seed file {}: {e}", path.display()))
        })?;
        config = config.seed(seed);
    }
    if let Some(path) = &args.state {
        config = config.state_file(path);
    }
    let ready_file = args.ready_file.as_deref();
    if let Some(path) = ready_file {
        labelbox_emulator::prepare_ready_file(path).map_err(start_error)?;
    }
    let emulator = Emulator::start(config).await.map_err(start_error)?;
    // Before the ready line: a SIGTERM sent as soon as it is read stops the emulator in order.
    let shutdown = labelbox_emulator::install_shutdown_signal().await;
    // `--json`: the ready line of `labelbox-emulator`, from the same function.
    let announced = if ctx.json {
        labelbox_emulator::announce_ready(&emulator, ready_file)
    } else {
        labelbox_emulator::write_ready_file(&emulator, ready_file)
    };
    let _ready = match announced {
        Ok(ready) => ready,
        Err(e) => {
            emulator.shutdown().await;
            return Err(start_error(e));
        }
    };
    if !ctx.json {
        print_for_humans(ctx, &emulator, &args)?;
    }
    shutdown.await;
    emulator.shutdown().await;
    if !ctx.json {
        eprintln!("emulator stopped");
    }
    Ok(())
}

/// What `labelbox emulator` prints without `--json`.
fn print_for_humans(
    ctx: &Ctx,
    emulator: &EmulatorHandle,
    args: &EmulatorArgs,
) -> Result<(), CliError> {
    let endpoint = emulator.endpoint();
    // The emulator's own admin key is printed on purpose: it is a local test credential,
    // and the emulator is useless without it.
    outln!(
        "{} Labelbox API emulator listening",
        ctx.out.paint(Paint::Green, "✓")
    )?;
    outln!("  endpoint:    {endpoint}")?;
    outln!("  admin user:  {}", emulator.admin_email())?;
    outln!("  admin key:   {}", emulator.admin_key())?;
    if let Some(path) = &args.state {
        outln!("  state file:  {}", path.display())?;
    }
    if let Some(path) = &args.ready_file {
        outln!("  ready file:  {}", path.display())?;
    }
    outln!()?;
    outln!("Use it from another shell:")?;
    outln!("  export LABELBOX_ENDPOINT={endpoint}")?;
    outln!("  export LABELBOX_API_KEY=<the admin key above>")?;
    outln!("  labelbox keys list")?;
    outln!()?;
    outln!("Press Ctrl-C to stop.")?;
    Ok(())
}
