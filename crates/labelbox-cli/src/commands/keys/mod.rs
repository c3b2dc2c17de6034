//! `labelbox keys list|get|create|revoke|rotate`: one module per subcommand, batch rotation
//! (`batch.rs`) and the `--exec` runner (`exec.rs`) on their own.

use crate::cli::KeysCommand;
use crate::commands::Ctx;
use crate::exit::CliError;

mod batch;
mod create;
mod exec;
mod revoke;
mod rotate;
mod show;

pub use show::keys_table;

/// Runs a `keys` subcommand.
pub async fn run(ctx: &Ctx, command: KeysCommand) -> Result<(), CliError> {
    match command {
        KeysCommand::List(args) => show::list(ctx, args).await,
        KeysCommand::Get(args) => show::get(ctx, args).await,
        KeysCommand::Create(args) => create::create(ctx, args).await,
        KeysCommand::Revoke(args) => revoke::revoke(ctx, args).await,
        KeysCommand::Rotate(args) => match args.expiring_within {
            Some(within) => batch::rotate_batch(ctx, &args, within).await,
            None => rotate::rotate(ctx, args).await,
        },
    }
}
