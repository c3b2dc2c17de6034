//! The command tree: clap types only, no behaviour.
//!
//! The doc comments here are `--help` text, written for a terminal: placeholders such as
//! `<old key id>` are meant literally, not as HTML.
#![allow(rustdoc::invalid_html_tags)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use secrecy::SecretString;

use crate::duration::parse_duration;

/// The real Labelbox API.
pub const DEFAULT_ENDPOINT: &str = "https://api.labelbox.com/graphql";

/// `labelbox`: manage Labelbox API keys from shells and CI.
#[derive(Debug, Parser)]
#[command(
    name = "labelbox",
    version,
    about = "Manage Labelbox API keys from shells and CI",
    long_about = "Manage Labelbox API keys from shells and CI.\n\n\
        Try it without an account: `labelbox demo` runs the whole key lifecycle against an \
        embedded emulator.\n\n\
        Exit codes: 0 success, 1 API or network error, 2 usage or validation error, \
        3 authentication or authorization error, 4 a new key's secret could not be handed \
        over (the new key was revoked; nothing else changed), 5 the same, but revoking the \
        new key failed too (it is live and nobody holds its secret; the message names it), \
        6 `keys list --fail-if-any` listed at least one key.",
    propagate_version = true
)]
pub struct Cli {
    /// Options every command accepts.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command accepts.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// The GraphQL endpoint.
    #[arg(
        long,
        global = true,
        env = "LABELBOX_ENDPOINT",
        hide_env_values = true,
        default_value = DEFAULT_ENDPOINT,
        value_name = "URL"
    )]
    pub endpoint: String,

    /// The API key. Prefer the environment variable: a key on the command line lands in
    /// your shell history.
    #[arg(
        long,
        global = true,
        env = "LABELBOX_API_KEY",
        hide_env_values = true,
        value_name = "KEY",
        value_parser = parse_secret
    )]
    pub api_key: Option<SecretString>,

    /// Print machine-readable JSON on stdout (one object or array per command).
    #[arg(long, global = true)]
    pub json: bool,

    /// Give up on a request after this long (e.g. `30s`, `2m`).
    #[arg(long, global = true, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
}

/// An empty key (an unset CI secret exported as `LABELBOX_API_KEY=`) parses; `Ctx` treats it
/// as no key, so commands that need none still run and the others fail as "no API key".
fn parse_secret(s: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(s.trim().to_owned()))
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// List, inspect, create, revoke and rotate API keys.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// List the roles of your organization.
    Roles,
    /// List, find, invite and remove your organization's members; change a member's role.
    #[command(subcommand)]
    Users(UsersCommand),
    /// Show the user the API key acts as, its organization role and organization.
    Whoami,
    /// Run a local Labelbox API emulator in the foreground.
    Emulator(EmulatorArgs),
    /// Walk the whole key lifecycle against an embedded emulator (no account needed).
    Demo,
    /// Pull, diff and check the GraphQL schema and operation documents.
    #[command(subcommand)]
    Schema(SchemaCommand),
    /// Print a shell completion script (e.g. `labelbox completions bash > /etc/bash_completion.d/labelbox`).
    Completions(CompletionsArgs),
    /// Serve the API-keys page on loopback and print its one-time login link.
    ///
    /// The API key stays in this process; the browser signs in with the link's one-time
    /// token. `--emulator` serves an embedded emulator instead (no account needed).
    Console(ConsoleArgs),
}

/// `labelbox completions`
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `labelbox console`
#[derive(Debug, Args)]
pub struct ConsoleArgs {
    /// Address to listen on: loopback only (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Open the link in the desktop browser (through a private login file that redirects to
    /// it, so that the link is not in the process list).
    #[arg(long)]
    pub open: bool,
    /// Serve an embedded emulator's organization (like `labelbox demo`) instead of --endpoint.
    #[arg(long)]
    pub emulator: bool,
    /// End a browser session after this long without a request (e.g. `30m`).
    #[arg(long, default_value = "30m", value_name = "DURATION", value_parser = parse_duration)]
    pub idle_timeout: Duration,
}

/// `labelbox schema ...`
#[derive(Debug, Subcommand)]
pub enum SchemaCommand {
    /// Introspect the endpoint and write its schema as SDL (stdout unless -o).
    Pull {
        /// Where to write the SDL (overwritten; review it with `git diff`).
        #[arg(short = 'o', long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Classify the changes from OLD to NEW and name the operations NEW breaks (exit 1 if any).
    Diff {
        /// The current schema.
        old: PathBuf,
        /// The candidate schema.
        new: PathBuf,
        /// The operation documents to check against NEW (a folder or one file).
        #[arg(long, value_name = "DIR", default_value = "queries")]
        queries: PathBuf,
    },
    /// Validate the operation documents against the schema (exit 1 if any is invalid).
    Check {
        /// The schema.
        #[arg(long, value_name = "FILE", default_value = "schema/labelbox.graphql")]
        schema: PathBuf,
        /// The operation documents (a folder or one file).
        #[arg(long, value_name = "DIR", default_value = "queries")]
        queries: PathBuf,
    },
}

/// `labelbox keys ...`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// List API keys (active ones unless --include-expired). Revoked keys are never listed.
    List(ListArgs),
    /// Show one API key.
    Get(GetArgs),
    /// Create an API key; its secret is shown once.
    ///
    /// The secret is handed over before the command succeeds: printed on stdout (written
    /// and flushed, and fsynced when stdout is a file), or written to a new --secret-file
    /// (mode 0600, fsynced with its directory; the file is created before the key, so a
    /// path that cannot be written fails before anything exists). If the hand-over fails (a
    /// full disk, a closed pipe), the new key is revoked and the command exits 4; if that
    /// revoke fails too, it exits 5 and names the live key to revoke. A standard output
    /// that is /dev/null (or closed) is refused before anything is created.
    Create(CreateArgs),
    /// Revoke API keys (asks for confirmation on a terminal unless --yes).
    Revoke(RevokeArgs),
    /// Replace a key: create one with the same name, user and allowlist, then revoke the old one.
    ///
    /// The role: the API does not report a key's own role, so the replacement gets --role,
    /// or else the user's current organization role, which may be wider than the old key's
    /// (a Labeler key of an Admin becomes an Admin key): pass --role to keep a key scoped
    /// down. A note on stderr says which role was used when --role is not given.
    ///
    /// The order: create the replacement; hand its secret over, as `keys create` does (with
    /// --json, the object is printed up to and including "new", with the secret, and
    /// flushed at this point; "old_revoked" follows once the revoke is settled); only then
    /// revoke the old key.
    ///
    /// If the hand-over fails, the new key is revoked and the old key stays live and
    /// unchanged (exit 4); if revoking the new key fails too, both keys are live and the
    /// message names the new one to revoke (exit 5). If revoking the old key fails, both
    /// keys are live and you hold both secrets ("old_revoked": false; exit 1, or 3 for a
    /// permission problem).
    ///
    /// Batch: `--expiring-within 14d` rotates every key expiring within the window, each
    /// as above, handing each new secret to `--exec CMD` (run with `sh -c`, the secret on
    /// its standard input; LABELBOX_KEY_ID (the new key), LABELBOX_OLD_KEY_ID,
    /// LABELBOX_KEY_NAME and LABELBOX_KEY_USER in its environment; a name with a NUL is
    /// percent-encoded, and then only LABELBOX_KEY_NAME_ENCODING=percent is set; the old
    /// key is revoked only when it exits 0, within --exec-timeout, 5 minutes by default,
    /// covering the secret's write too) or to a new 0600 file
    /// `--secret-dir DIR/replaces-<old id>.jwt`. The key this command runs with is rotated
    /// last, and its line says so. A failure on one key does not stop the others; each
    /// key's outcome is printed (one JSON object per line with --json) and the exit code is
    /// the most severe one. `--dry-run` lists what would be rotated, in that order, and
    /// changes nothing.
    Rotate(RotateArgs),
}

/// `labelbox keys list`
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Include keys that have already expired.
    #[arg(long)]
    pub include_expired: bool,
    /// Only keys expiring within this long from now (e.g. `7d`, `12h`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub expiring_within: Option<Duration>,
    /// Exit 6 when at least one key is listed (for CI alerts, with --expiring-within).
    #[arg(long)]
    pub fail_if_any: bool,
}

/// `labelbox keys get`
#[derive(Debug, Args)]
pub struct GetArgs {
    /// The key's id.
    pub id: String,
}

/// Where a new key's secret goes.
#[derive(Debug, Args)]
pub struct SecretFileArg {
    /// Write the secret to this new file (mode 0600) instead of stdout. An existing file
    /// is never overwritten.
    #[arg(long, value_name = "PATH")]
    pub secret_file: Option<PathBuf>,
}

/// `labelbox keys create`
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// A name for the key.
    #[arg(long)]
    pub name: String,
    /// The email of the user the key acts as.
    #[arg(long, value_name = "EMAIL")]
    pub user: String,
    /// The role the key carries, exactly as the server spells it (see `labelbox roles`).
    #[arg(long)]
    pub role: String,
    /// How long the key is valid: 1 minute to 25 weeks (e.g. `90m`, `12h`, `30d`, `2w`).
    #[arg(long)]
    pub validity: String,
    /// Allow the key only from this IP address or CIDR network (repeatable).
    #[arg(long = "allow-ip", value_name = "CIDR")]
    pub allow_ip: Vec<String>,
    #[command(flatten)]
    pub secret: SecretFileArg,
}

/// `labelbox users ...`
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// List the members of your organization that your key may see.
    List,
    /// Change a member's organization role; their API keys act within it from their next
    /// request on.
    SetRole(SetRoleArgs),
    /// Remove a member from your organization, for good: their API keys stop working at once.
    Remove(RemoveArgs),
    /// Show one member by email address (one lookup, without listing everyone).
    Get(GetUserArgs),
    /// Invite people to your organization with an organization role.
    ///
    /// One address sends one invitation; several are sent together (100 per request) and
    /// each gets a status: INVITED, ALREADY_MEMBER, ALREADY_INVITED, SEAT_LIMIT, ... A
    /// repeated address (without regard to case) is DUPLICATE and an address over 320
    /// characters INVALID_EMAIL, both answered without a request. Exits 1 when an address
    /// ends neither invited nor a member.
    Invite(InviteArgs),
    /// List the pending invitations of your organization.
    Invites,
    /// Cancel a pending invitation (ids from `labelbox users invites`).
    CancelInvite(CancelInviteArgs),
}

/// `labelbox users get`
#[derive(Debug, Args)]
pub struct GetUserArgs {
    /// The member's email address (compared without regard to case).
    #[arg(value_name = "EMAIL")]
    pub email: String,
}

/// `labelbox users invite`
#[derive(Debug, Args)]
pub struct InviteArgs {
    /// The addresses to invite.
    #[arg(required = true, value_name = "EMAIL")]
    pub emails: Vec<String>,
    /// The organization role they get on accepting, as `labelbox roles` lists it
    /// (`Labeler`, `Team Manager`).
    #[arg(long, value_name = "ROLE")]
    pub role: String,
}

/// `labelbox users cancel-invite`
#[derive(Debug, Args)]
pub struct CancelInviteArgs {
    /// The invitation's id.
    #[arg(value_name = "ID")]
    pub id: String,
}

/// `labelbox users set-role`
#[derive(Debug, Args)]
pub struct SetRoleArgs {
    /// The member: an email address or a user id.
    #[arg(value_name = "USER")]
    pub user: String,
    /// The new role's name, as `labelbox roles` lists it (`Reviewer`, `Team Manager`).
    #[arg(value_name = "ROLE")]
    pub role: String,
}

/// `labelbox users remove`
#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// The member: an email address or a user id.
    #[arg(value_name = "USER")]
    pub user: String,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `labelbox keys revoke`
#[derive(Debug, Args)]
pub struct RevokeArgs {
    /// The ids of the keys to revoke.
    #[arg(required = true, value_name = "ID")]
    pub ids: Vec<String>,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long, short = 'y')]
    pub yes: bool,
}

/// `labelbox keys rotate`
#[derive(Debug, Args)]
pub struct RotateArgs {
    /// The id of the key to replace (or --expiring-within to rotate every key expiring soon).
    #[arg(
        required_unless_present = "expiring_within",
        conflicts_with = "expiring_within"
    )]
    pub id: Option<String>,
    /// Rotate every key expiring within this long from now (e.g. `14d`).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub expiring_within: Option<Duration>,
    /// Batch: hand each new secret to this shell command on its standard input; the old
    /// key is revoked only when it exits 0. LABELBOX_KEY_NAME is percent-encoded when the
    /// name holds a NUL, and LABELBOX_KEY_NAME_ENCODING=percent is set only then.
    #[arg(long, value_name = "CMD", conflicts_with = "secret_dir")]
    pub exec: Option<String>,
    /// Batch: how long each --exec command may run, its start and the secret's write
    /// included (e.g. `30s`, `5m`); one still running then is killed and counts as a failed
    /// hand-over (its new key is revoked, the old key kept).
    #[arg(
        long,
        value_name = "DURATION",
        value_parser = parse_duration,
        default_value = "5m",
        requires = "exec"
    )]
    pub exec_timeout: Duration,
    /// Batch: write each new secret to a new file DIR/replaces-<old key id>.jwt (mode 0600;
    /// an existing file is never overwritten: that key is not rotated).
    #[arg(long, value_name = "DIR")]
    pub secret_dir: Option<PathBuf>,
    /// Batch: list the keys that would be rotated; create and revoke nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Validity of the new key (default: the old key's original lifetime).
    #[arg(long)]
    pub validity: Option<String>,
    /// Role of the new key (default: the user's current organization role).
    #[arg(long)]
    pub role: Option<String>,
    #[command(flatten)]
    pub secret: SecretFileArg,
}

/// `labelbox emulator`
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0", value_name = "ADDR")]
    pub listen: SocketAddr,
    /// Persist state to this file (created if missing, reloaded at start).
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,
    /// Seed the organization's users from this file.
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Once listening, write the ready line (endpoint, admin key, pid) to this file:
    /// atomically, mode 0600, in a directory only you can write to; removed at the stop.
    #[arg(long, value_name = "PATH")]
    pub ready_file: Option<PathBuf>,
    /// How many members plus pending invites the organization may hold.
    #[arg(long, value_name = "N", default_value_t = labelbox_emulator::DEFAULT_INVITE_LIMIT,
          value_parser = clap::value_parser!(u32).range(0..=i64::from(i32::MAX)))]
    pub invite_limit: u32,
}
