//! `labelbox keys revoke`.

use std::io::{self, IsTerminal};

use labelbox_sdk::ApiKeyId;
use serde::Serialize;

use crate::cli::RevokeArgs;
use crate::commands::{confirm, Ctx};
use crate::exit::{cli_error_from_sdk, CliError};
use crate::output::{self, terminal_safe, Paint};

/// The JSON shape of `keys revoke`.
#[derive(Debug, Serialize)]
pub(super) struct RevokeJson {
    pub(super) revoked: Vec<String>,
    pub(super) failed: Vec<FailedJson>,
}

#[derive(Debug, Serialize)]
pub(super) struct FailedJson {
    pub(super) id: String,
    pub(super) error: String,
}

pub(super) async fn revoke(ctx: &Ctx, args: RevokeArgs) -> Result<(), CliError> {
    if !args.yes {
        if !io::stdin().is_terminal() {
            return Err(CliError::usage(
                "refusing to revoke without confirmation: stdin is not a terminal",
            )
            .with_hint("pass --yes to revoke without asking"));
        }
        let question = match args.ids.as_slice() {
            [one] => format!("Revoke API key {one}? It stops working immediately."),
            many => format!(
                "Revoke {} API keys ({})? They stop working immediately.",
                many.len(),
                many.join(", ")
            ),
        };
        if !confirm(&question)? {
            return Err(CliError::usage("aborted: nothing was revoked"));
        }
    }
    let client = ctx.client()?;
    let mut revoked = Vec::new();
    let mut failed = Vec::new();
    let mut worst: Option<CliError> = None;
    for id in &args.ids {
        match client.revoke_api_key(&ApiKeyId::from(id.as_str())).await {
            Ok(_) => {
                if !ctx.json {
                    outln!("{} {id}", ctx.out.paint(Paint::Green, "Revoked"))?;
                }
                revoked.push(id.clone());
            }
            Err(e) => {
                let err = cli_error_from_sdk(&e).context(format!("revoking {id}"));
                if !ctx.json && args.ids.len() > 1 {
                    errln!(
                        "{} {}",
                        ctx.err.paint(Paint::Red, "failed:"),
                        terminal_safe(&err.message)
                    );
                }
                failed.push(FailedJson {
                    id: id.clone(),
                    error: err.message.clone(),
                });
                if worst.as_ref().is_none_or(|w| err.kind > w.kind) {
                    worst = Some(err);
                }
            }
        }
    }
    let failed_count = failed.len();
    if ctx.json {
        output::print_json(&RevokeJson { revoked, failed })?;
    }
    match worst {
        None => Ok(()),
        Some(err) if args.ids.len() == 1 => Err(err),
        Some(err) => Err(CliError::new(
            err.kind,
            format!(
                "{failed_count} of {} keys could not be revoked",
                args.ids.len()
            ),
        )),
    }
}
