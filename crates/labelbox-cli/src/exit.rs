//! Errors as the user sees them: one line, a hint where one helps, and an exit code.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | success |
//! | 1 | API or network error (server error, timeout, unreachable endpoint, not found, I/O); an address of `users invite` left neither invited nor a member |
//! | 2 | usage or validation error (bad flag value, unknown user or role, refused overwrite) |
//! | 3 | authentication or authorization error (missing, invalid, revoked or expired key; no permission) |
//! | 4 | a new key's secret could not be handed over (stdout or `--secret-file` failed); the new key was revoked, so no new key is live and, for `rotate`, the old key is still live and unchanged |
//! | 5 | as 4, but revoking the new key failed too: the new key is live and nobody holds its secret (the message names it; revoke it) |
//! | 6 | `keys list --fail-if-any` listed at least one key (for CI alerts) |
//!
//! A batch (`keys revoke ID...`, `keys rotate --expiring-within`) exits with its most
//! severe code (4 and 5 above 3 above 2 above 1).

use std::fmt;
use std::process::ExitCode;

use labelbox_sdk::{ConstructionError, Error as SdkError, ServiceError};

use crate::output::{terminal_safe, Paint, Style};

/// The class of a failure, which decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    /// Exit 6: `keys list --fail-if-any` listed keys. Not a failure of the tool: the least
    /// severe, so it is declared first.
    KeysFound,
    /// Exit 1: the API or the network failed.
    Api,
    /// Exit 2: the command line or an input value is wrong.
    Usage,
    /// Exit 3: the key is missing, invalid, or lacks permission.
    Auth,
    /// Exit 4: a new key's secret could not be handed over; the new key was revoked.
    HandOverFailed,
    /// Exit 5: a new key's secret could not be handed over and the new key could not be
    /// revoked: it is live and nobody holds its secret.
    UnheldKeyLive,
}

impl Kind {
    /// The process exit code of this class.
    pub fn code(self) -> u8 {
        match self {
            Kind::Api => 1,
            Kind::Usage => 2,
            Kind::Auth => 3,
            Kind::HandOverFailed => 4,
            Kind::UnheldKeyLive => 5,
            Kind::KeysFound => 6,
        }
    }
}

/// A failure to report: one line and an optional hint. Never holds a secret.
#[derive(Debug)]
pub struct CliError {
    /// The class (exit code).
    pub kind: Kind,
    /// The one-line message.
    pub message: String,
    /// What the user can do about it.
    pub hint: Option<String>,
}

impl CliError {
    /// A usage or validation error.
    pub fn usage(message: impl Into<String>) -> Self {
        Self::new(Kind::Usage, message)
    }

    /// An API, network or local I/O error.
    pub fn api(message: impl Into<String>) -> Self {
        Self::new(Kind::Api, message)
    }

    /// An error of the given kind.
    pub fn new(kind: Kind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: one_line(&message.into()),
            hint: None,
        }
    }

    /// Adds a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Prefixes the message with context (`revoking abc: ...`).
    pub fn context(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// Prints the error to stderr and returns its exit code. A stderr that cannot be
    /// written (a closed pipe) is not a panic: the exit code still tells.
    pub fn report(&self) -> ExitCode {
        if self.message.is_empty() {
            return ExitCode::from(self.kind.code());
        }
        let style = Style::stderr();
        // Messages carry server text (errors, key names): never raw to the terminal.
        errln!(
            "{} {}",
            style.paint(Paint::Red, "error:"),
            terminal_safe(&self.message)
        );
        if let Some(hint) = &self.hint {
            errln!(
                "{} {}",
                style.paint(Paint::Dim, "hint:"),
                terminal_safe(hint)
            );
        }
        ExitCode::from(self.kind.code())
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Joins a multi-line message into one line.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

impl From<std::io::Error> for CliError {
    fn from(e: std::io::Error) -> Self {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            // `labelbox keys list | head -1`: the reader left; nothing useful to say.
            return CliError {
                kind: Kind::Api,
                message: String::new(),
                hint: None,
            };
        }
        CliError::api(format!("I/O error: {e}"))
    }
}

impl From<SdkError> for CliError {
    fn from(e: SdkError) -> Self {
        cli_error_from_sdk(&e)
    }
}

/// Maps an SDK error to its exit class and a hint.
pub fn cli_error_from_sdk(e: &SdkError) -> CliError {
    let message = e.to_string();
    match e {
        SdkError::Construction(refused) => match refused {
            ConstructionError::MissingApiKey => CliError::new(Kind::Auth, message).with_hint(
                "set LABELBOX_API_KEY (preferred) or pass --api-key; try `labelbox demo` to \
                 play without an account",
            ),
            ConstructionError::Configuration { .. } => CliError::usage(message).with_hint(
                "--endpoint must be an https URL, or http on a loopback address (like the \
                 emulator)",
            ),
            ConstructionError::UserNotFound { .. } => CliError::usage(message)
                .with_hint("the user must belong to your organization; check the email"),
            ConstructionError::InvalidRole { .. } => CliError::usage(message)
                .with_hint("`labelbox roles` lists the roles and their names"),
            // A local check (validation) or any refusal before sending: the input is wrong.
            _ => CliError::usage(message),
        },
        SdkError::Service(service) => match service {
            ServiceError::Authentication(_) => CliError::new(Kind::Auth, message).with_hint(
                "the key is invalid, revoked, expired or not allowed from this IP address; \
                 check LABELBOX_API_KEY",
            ),
            ServiceError::Authorization(_) => CliError::new(Kind::Auth, message)
                .with_hint("the key's role lacks the permission for this operation"),
            ServiceError::RateLimited { .. } => {
                CliError::api(message).with_hint("wait a moment and try again")
            }
            _ => CliError::api(message),
        },
        SdkError::Timeout { .. } => {
            CliError::api(message).with_hint("the server did not answer in time; try --timeout")
        }
        SdkError::Dispatch { .. } => CliError::api(message)
            .with_hint("check --endpoint / LABELBOX_ENDPOINT and your network connection"),
        _ => CliError::api(message),
    }
}
