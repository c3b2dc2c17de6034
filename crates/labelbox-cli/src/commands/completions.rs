//! `labelbox completions SHELL`: a completion script generated from the clap definitions.

use clap::CommandFactory;

use crate::cli::{Cli, CompletionsArgs};
use crate::exit::CliError;

/// Prints the completion script for `args.shell` on stdout.
pub fn run(args: CompletionsArgs) -> Result<(), CliError> {
    let mut command = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut command, "labelbox", &mut script);
    out!("{}", String::from_utf8_lossy(&script))?;
    Ok(())
}
