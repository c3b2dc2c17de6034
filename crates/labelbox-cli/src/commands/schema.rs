//! `labelbox schema pull|diff|check`: the schema-update workflow, a thin shell over
//! `labelbox-schema-tools` (see docs/schema-workflow.md).

use std::path::Path;

use labelbox_schema_tools::{
    check, diff_report, load_queries, pull_with_client, Error as SchemaError,
};

use crate::cli::SchemaCommand;
use crate::commands::Ctx;
use crate::exit::{CliError, Kind};
use crate::output;

/// How long `schema pull` waits for the introspection answer unless `--timeout` is given.
const PULL_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs a `schema` subcommand.
pub async fn run(ctx: &Ctx, command: SchemaCommand) -> Result<(), CliError> {
    match command {
        SchemaCommand::Pull { output } => pull_schema(ctx, output.as_deref()).await,
        SchemaCommand::Diff { old, new, queries } => diff_schemas(ctx, &old, &new, &queries),
        SchemaCommand::Check { schema, queries } => check_operations(ctx, &schema, &queries),
    }
}

/// A schema-tools error as a CLI error: reading and parsing problems are usage errors,
/// talking to the endpoint is an API error (an authentication one for HTTP 401/403).
/// A schema's multi-line diagnostics go to stderr first, so the error stays one line.
fn cli_error_from_schema(e: &SchemaError) -> CliError {
    if let SchemaError::InvalidSchema { name, diagnostics } = e {
        eprintln!("{diagnostics}");
        return CliError::usage(format!("{name} is not a valid GraphQL schema"));
    }
    let kind = match e {
        SchemaError::Io { .. } | SchemaError::InvalidSchema { .. } | SchemaError::Client { .. } => {
            Kind::Usage
        }
        SchemaError::HttpStatus {
            status: 401 | 403, ..
        } => Kind::Auth,
        _ => Kind::Api,
    };
    let mut message = e.to_string();
    if let Some(source) = std::error::Error::source(e) {
        message = format!("{message}: {source}");
    }
    CliError::new(kind, message)
}

async fn pull_schema(ctx: &Ctx, output_path: Option<&Path>) -> Result<(), CliError> {
    // The SDK's client, so its transport rules hold: https or loopback http (checked before
    // the key is sent), no proxy for plain http, no redirects, a capped body.
    let client = ctx.client_with_default_timeout(PULL_TIMEOUT)?;
    let pulled = pull_with_client(&client)
        .await
        .map_err(|e| cli_error_from_schema(&e))?;
    match output_path {
        Some(path) => {
            std::fs::write(path, &pulled.sdl)
                .map_err(|e| CliError::api(format!("cannot write {}: {e}", path.display())))?;
            eprintln!(
                "wrote the schema of {} to {}; review it with `git diff`, then `cargo build`",
                ctx.endpoint(),
                path.display()
            );
            if ctx.json {
                output::print_json(&pulled.introspection)?;
            }
        }
        None if ctx.json => output::print_json(&pulled.introspection)?,
        None => out!("{}", pulled.sdl)?,
    }
    Ok(())
}

fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path)
        .map_err(|e| CliError::usage(format!("cannot read {}: {e}", path.display())))
}

/// The operation documents under `queries`; a missing folder means none.
fn queries_in(queries: &Path) -> Result<Vec<(std::path::PathBuf, String)>, CliError> {
    if !queries.exists() {
        return Ok(Vec::new());
    }
    load_queries(queries).map_err(|e| cli_error_from_schema(&e))
}

fn diff_schemas(ctx: &Ctx, old: &Path, new: &Path, queries: &Path) -> Result<(), CliError> {
    let (old_sdl, new_sdl) = (read(old)?, read(new)?);
    let operations = queries_in(queries)?;
    let report =
        diff_report(&old_sdl, &new_sdl, &operations).map_err(|e| cli_error_from_schema(&e))?;
    if ctx.json {
        output::print_json(&report)?;
    } else {
        out!("{report}")?;
    }
    match report.broken_operations.len() {
        0 => Ok(()),
        n => Err(CliError::api(format!(
            "{n} operation{} in {} break{} against {}",
            if n == 1 { "" } else { "s" },
            queries.display(),
            if n == 1 { "s" } else { "" },
            new.display()
        ))
        .with_hint("fix the .graphql files, then `cargo build` and `cargo insta review`")),
    }
}

fn check_operations(ctx: &Ctx, schema: &Path, queries: &Path) -> Result<(), CliError> {
    let sdl = read(schema)?;
    let operations = load_queries(queries).map_err(|e| cli_error_from_schema(&e))?;
    match check(schema, &sdl, &operations) {
        Ok(()) => {
            if ctx.json {
                output::print_json(&serde_json::json!([]))?;
            } else {
                outln!(
                    "{} operation documents are valid against {}",
                    operations.len(),
                    schema.display()
                )?;
            }
            Ok(())
        }
        Err(diagnostics) => {
            if ctx.json {
                output::print_json(&diagnostics)?;
            } else {
                for d in &diagnostics {
                    eprintln!("{}", d.report);
                }
            }
            Err(CliError::api(format!(
                "{} error{} in the operation documents under {}",
                diagnostics.len(),
                if diagnostics.len() == 1 { "" } else { "s" },
                queries.display()
            )))
        }
    }
}
