//! One module per command; each turns parsed arguments into SDK calls and output.

pub mod completions;
pub mod console;
pub mod demo;
pub mod emulator;
pub mod invites;
pub mod keys;
pub mod roles;
pub mod schema;
pub mod users;
pub mod whoami;

use labelbox_sdk::Client;
use secrecy::{ExposeSecret, SecretString};

use crate::cli::GlobalArgs;
use crate::exit::{CliError, Kind};
use crate::output::Style;

/// What every command needs: the global options and how to print.
#[derive(Debug)]
pub struct Ctx {
    /// `--json`.
    pub json: bool,
    /// Colours for stdout.
    pub out: Style,
    /// Colours for stderr.
    pub err: Style,
    endpoint: String,
    api_key: Option<SecretString>,
    timeout: Option<std::time::Duration>,
}

impl Ctx {
    /// Builds the context from the global options.
    pub fn new(global: GlobalArgs) -> Self {
        Self {
            json: global.json,
            out: Style::stdout(),
            err: Style::stderr(),
            endpoint: global.endpoint,
            api_key: global.api_key.filter(|key| !key.expose_secret().is_empty()),
            timeout: global.timeout,
        }
    }

    /// The chosen endpoint.
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// A client for the chosen endpoint and key; a missing key fails here, before any
    /// request.
    pub fn client(&self) -> Result<Client, CliError> {
        let mut builder = Client::builder()
            .api_key(self.api_key()?)
            .endpoint(self.endpoint.as_str());
        if let Some(timeout) = self.timeout {
            builder = builder.timeout(timeout);
        }
        Ok(builder.build()?)
    }

    /// Like [`Ctx::client`], with `timeout` unless `--timeout` was given.
    pub fn client_with_default_timeout(
        &self,
        timeout: std::time::Duration,
    ) -> Result<Client, CliError> {
        Ok(Client::builder()
            .api_key(self.api_key()?)
            .endpoint(self.endpoint.as_str())
            .timeout(self.timeout.unwrap_or(timeout))
            .build()?)
    }

    /// The API key; its absence is an authentication error (exit 3) with a hint.
    pub fn api_key(&self) -> Result<SecretString, CliError> {
        self.api_key.clone().ok_or_else(|| {
            CliError::new(Kind::Auth, "no API key: LABELBOX_API_KEY is not set").with_hint(
                "export LABELBOX_API_KEY=<your key> (preferred over --api-key); \
                 or try `labelbox demo`, which needs no account",
            )
        })
    }
}

/// Asks `question` on stderr and reads the answer from stdin: `true` only for yes.
pub(crate) fn confirm(question: &str) -> Result<bool, CliError> {
    use std::io::{BufRead, Write};
    eprint!("{question} [y/N] ");
    std::io::stderr().flush()?;
    let mut answer = String::new();
    std::io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}
