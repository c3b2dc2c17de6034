//! `labelbox`: the command-line tool for Labelbox API keys.
//!
//! A thin shell over `labelbox-sdk` (and `labelbox-emulator` for `labelbox emulator` and
//! `labelbox demo`). Exit codes: 0 success, 1 API or network error, 2 usage or validation
//! error, 3 authentication or authorization error, 4 a new key's secret could not be handed
//! over (the new key was revoked), 5 the same and the new key could not be revoked, 6
//! `keys list --fail-if-any` listed keys (see `exit.rs`).

// First: its `outln!`/`out!` macros are used by the modules below.
#[macro_use]
mod output;

// Every child process (`keys rotate --exec`, the browser of `console --open`) is built
// through this module.
mod child;
mod cli;
mod commands;
mod duration;
mod exit;
mod secret_file;

use std::process::ExitCode;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches};

use crate::cli::{Cli, Command};
use crate::commands::Ctx;
use crate::exit::CliError;
use crate::output::Paint;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    // clap prints usage errors itself and exits with 2.
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    let ctx = Ctx::new(cli.global);
    if api_key_on_command_line(&matches) {
        eprintln!(
            "{} --api-key on the command line lands in your shell history and the process \
             list; prefer the LABELBOX_API_KEY environment variable",
            ctx.err.paint(Paint::Yellow, "warning:")
        );
    }
    match run(&ctx, cli.command).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => e.report(),
    }
}

/// Whether `--api-key` came from argv (at the top level or after a subcommand).
fn api_key_on_command_line(matches: &clap::ArgMatches) -> bool {
    let mut m = Some(matches);
    while let Some(current) = m {
        if current.value_source("api_key") == Some(ValueSource::CommandLine) {
            return true;
        }
        m = current.subcommand().map(|(_, sub)| sub);
    }
    false
}

async fn run(ctx: &Ctx, command: Command) -> Result<(), CliError> {
    match command {
        Command::Keys(keys) => commands::keys::run(ctx, keys).await,
        Command::Roles => commands::roles::run(ctx).await,
        Command::Users(users) => commands::users::run(ctx, users).await,
        Command::Whoami => commands::whoami::run(ctx).await,
        Command::Emulator(args) => commands::emulator::run(ctx, args).await,
        Command::Demo => commands::demo::run(ctx).await,
        Command::Schema(schema) => commands::schema::run(ctx, schema).await,
        Command::Console(args) => commands::console::run(ctx, args).await,
        Command::Completions(args) => commands::completions::run(args),
    }
}
