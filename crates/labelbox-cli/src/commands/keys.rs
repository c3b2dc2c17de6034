//! `labelbox keys list|get|create|revoke|rotate`.

use std::borrow::Cow;
use std::io::{self, BufRead, IsTerminal, Write};
use std::path::Path;

use labelbox_sdk::{
    AllowedIpError, AllowlistError, ApiKey, ApiKeyId, Client, CreateApiKeyRequest, CreatedApiKey,
    Error, ExposeSecret, IpAllowlist, KeyRotation, Replacement, RotateOptions, RotateOutcome,
    SecretString, Validity,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::cli::{CreateArgs, GetArgs, KeysCommand, ListArgs, RevokeArgs, RotateArgs};
use crate::commands::Ctx;
use crate::exit::{cli_error_from_sdk, CliError, Kind};
use crate::output::{self, terminal_safe, Cell, Paint};
use crate::secret_file::SecretFile;

/// Runs a `keys` subcommand.
pub async fn run(ctx: &Ctx, command: KeysCommand) -> Result<(), CliError> {
    match command {
        KeysCommand::List(args) => list(ctx, args).await,
        KeysCommand::Get(args) => get(ctx, args).await,
        KeysCommand::Create(args) => create(ctx, args).await,
        KeysCommand::Revoke(args) => revoke(ctx, args).await,
        KeysCommand::Rotate(args) => rotate(ctx, args).await,
    }
}

/// The stable JSON shape of one key (`keys list`, `keys get`).
#[derive(Debug, Serialize)]
pub struct KeyJson {
    id: String,
    name: String,
    user_id: String,
    user_email: String,
    created_by_user_id: Option<String>,
    created_at: String,
    updated_at: String,
    expires_at: String,
    expired: bool,
    revoked: bool,
    allowed_ip_cidrs: Vec<String>,
}

impl KeyJson {
    /// The JSON view of `key` at `now`.
    pub fn new(key: &ApiKey, now: OffsetDateTime) -> Self {
        Self {
            id: key.id.to_string(),
            name: key.name.clone(),
            user_id: key.user_id.to_string(),
            user_email: key.user_email.clone(),
            created_by_user_id: key.created_by_user_id.as_ref().map(ToString::to_string),
            created_at: output::rfc3339(key.created_at),
            updated_at: output::rfc3339(key.updated_at),
            expires_at: output::rfc3339(key.expires_at),
            expired: key.is_expired_at(now),
            revoked: key.revoked,
            allowed_ip_cidrs: allowlist_strings(key),
        }
    }
}

fn allowlist_strings(key: &ApiKey) -> Vec<String> {
    key.allowed_ip_cidrs
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn allowlist_text(key: &ApiKey) -> String {
    if key.allowed_ip_cidrs.is_empty() {
        "any".to_owned()
    } else {
        allowlist_strings(key).join(", ")
    }
}

/// The aligned table of keys printed by `keys list` (and the demo).
pub fn keys_table(ctx: &Ctx, keys: &[ApiKey], now: OffsetDateTime) -> String {
    let rows: Vec<Vec<Cell>> = keys
        .iter()
        .map(|k| {
            vec![
                Cell::plain(k.id.as_str()),
                Cell::plain(k.name.as_str()),
                Cell::plain(k.user_email.as_str()),
                Cell::painted(
                    output::expiry(k.expires_at, now),
                    output::expiry_paint(k.expires_at, now),
                ),
                Cell::plain(allowlist_text(k)),
            ]
        })
        .collect();
    output::table(
        ctx.out,
        &["ID", "NAME", "USER", "EXPIRES", "ALLOWED IPS"],
        &rows,
    )
}

async fn list(ctx: &Ctx, args: ListArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let mut listing = client.list_api_keys().include_expired(args.include_expired);
    if let Some(within) = args.expiring_within {
        listing = listing.expiring_within(within);
    }
    let keys = listing.send().await?;
    let now = OffsetDateTime::now_utc();
    if ctx.json {
        let json: Vec<KeyJson> = keys.iter().map(|k| KeyJson::new(k, now)).collect();
        output::print_json(&json)?;
    } else if keys.is_empty() {
        outln!("No API keys.")?;
    } else {
        out!("{}", keys_table(ctx, &keys, now))?;
    }
    if args.fail_if_any && !keys.is_empty() {
        let n = keys.len();
        return Err(CliError::new(
            Kind::KeysFound,
            format!(
                "{n} API key{} listed (--fail-if-any)",
                if n == 1 { " is" } else { "s are" }
            ),
        ));
    }
    Ok(())
}

fn not_found(id: &str) -> CliError {
    CliError::api(format!("API key {id} not found")).with_hint(
        "`labelbox keys list --include-expired` shows the keys you can see (revoked keys are \
         not listed)",
    )
}

async fn get(ctx: &Ctx, args: GetArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let id = ApiKeyId::from(args.id.as_str());
    let key = client
        .get_api_key(&id)
        .await?
        .ok_or_else(|| not_found(&args.id))?;
    let now = OffsetDateTime::now_utc();
    if ctx.json {
        output::print_json(&KeyJson::new(&key, now))?;
    } else {
        out!("{}", key_details(ctx, &key, now))?;
    }
    Ok(())
}

/// A key as a two-column block.
fn key_details(ctx: &Ctx, key: &ApiKey, now: OffsetDateTime) -> String {
    let status = if key.revoked {
        Cell::painted("revoked", Some(Paint::Red))
    } else if key.is_expired_at(now) {
        Cell::painted("expired", Some(Paint::Red))
    } else {
        Cell::painted("active", Some(Paint::Green))
    };
    let created_ago = output::relative_past(key.created_at, now);
    let rows = vec![
        vec![Cell::plain("ID"), Cell::plain(key.id.as_str())],
        vec![Cell::plain("Name"), Cell::plain(key.name.as_str())],
        vec![
            Cell::plain("User"),
            Cell::plain(format!("{} ({})", key.user_email, key.user_id)),
        ],
        vec![
            Cell::plain("Created by"),
            Cell::plain(key.creator_id().as_str()),
        ],
        vec![
            Cell::plain("Created"),
            Cell::plain(format!(
                "{} ({created_ago})",
                output::absolute(key.created_at)
            )),
        ],
        vec![
            Cell::plain("Expires"),
            Cell::painted(
                output::expiry(key.expires_at, now),
                output::expiry_paint(key.expires_at, now),
            ),
        ],
        vec![Cell::plain("Status"), status],
        vec![Cell::plain("Allowed IPs"), Cell::plain(allowlist_text(key))],
    ];
    // Drop the header line: a details block has no column titles.
    let text = output::table(ctx.out, &["", ""], &rows);
    text.lines().skip(1).map(|l| format!("{l}\n")).collect()
}

/// The stable JSON shape of a newly created key (`keys create`, and `new` in `keys rotate`).
///
/// Holds the secret as a `SecretString`: `Debug` shows `[REDACTED]`; only the JSON output
/// exposes it.
#[derive(Debug, Serialize)]
struct CreatedJson {
    id: String,
    name: String,
    user_email: String,
    /// The role of the new key.
    role: String,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    allowed_ip_cidrs: Vec<String>,
    /// The secret, when it goes to stdout; `null` when it went to `secret_file`.
    #[serde(serialize_with = "expose_secret")]
    secret: Option<SecretString>,
    secret_file: Option<String>,
}

fn expose_secret<S: serde::Serializer>(
    secret: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => serializer.serialize_some(secret.expose_secret()),
        None => serializer.serialize_none(),
    }
}

/// What to create.
struct NewKey {
    name: String,
    user: String,
    role: String,
    validity: Validity,
    allowlist: Option<IpAllowlist>,
}

fn parse_validity(text: &str) -> Result<Validity, CliError> {
    text.parse::<Validity>().map_err(|e| {
        CliError::usage(format!("invalid --validity '{text}': {e}"))
            .with_hint("use a number and a unit between 1 minute and 25 weeks: 90m, 12h, 30d, 2w")
    })
}

fn parse_allowlist(entries: &[String]) -> Result<Option<IpAllowlist>, CliError> {
    if entries.is_empty() {
        return Ok(None);
    }
    IpAllowlist::new(entries).map(Some).map_err(|e| match e {
        // An empty value must not read as "no restriction": say so, and how to get that.
        AllowlistError::Empty
        | AllowlistError::Entry {
            reason: AllowedIpError::Empty,
            ..
        } => CliError::usage(
            "invalid --allow-ip: an empty value allows no address, and an allowlist needs at \
             least one address or network",
        )
        .with_hint("omit --allow-ip for a key usable from any address"),
        e => CliError::usage(format!("invalid --allow-ip: {e}")).with_hint(
            "give IPv4/IPv6 addresses or networks without host bits, e.g. 10.0.0.0/8 or ::1",
        ),
    })
}

/// Where a new secret goes, opened before anything exists on the server: the new secret
/// file (so a path that cannot be written fails before the key is created), or stdout,
/// refused when it is /dev/null (the secret would be lost).
fn open_secret_destination(secret_path: Option<&Path>) -> Result<Option<SecretFile>, CliError> {
    match secret_path {
        Some(path) => Ok(Some(SecretFile::create_new(path)?)),
        None if output::stdout_is_null() => Err(CliError::usage(
            "refusing to create a key whose secret would be lost: standard output is \
             /dev/null (or was closed); no key was created",
        )
        .with_hint("write the secret to a new file with --secret-file PATH")),
        None => Ok(None),
    }
}

/// A failed hand-over: where the secret should have gone, and why it could not.
type HandOverError = (String, io::Error);

/// Hands a new secret over: to the secret file (written, fsynced, its directory fsynced),
/// or on stdout through `print_secret` (written, flushed, fsynced when stdout is a regular
/// file). Only `Ok` means the secret is held.
fn hand_over_secret(
    secret_file: Option<&mut SecretFile>,
    created: &CreatedApiKey,
    print_secret: impl FnOnce() -> io::Result<()>,
) -> Result<(), HandOverError> {
    match secret_file {
        Some(file) => file
            .write_secret(created.secret().expose_secret())
            .map_err(|e| (file.path().display().to_string(), e)),
        None => output::print_durably(print_secret).map_err(|e| ("standard output".to_owned(), e)),
    }
}

/// Creates the key and hands its secret over before anything else happens (see
/// [`hand_over_secret`]). If the hand-over fails, the new key is revoked, since nobody
/// could ever use it, and the error says which keys are live (exit 4, or 5 when that
/// revoke failed too). Two round trips (the creation's preflight and mutation): what is
/// printed is what the creation knows, nothing is read back.
async fn create_and_hand_over(
    client: &Client,
    new: NewKey,
    secret_path: Option<&Path>,
    print_secret: impl FnOnce(&CreatedJson) -> io::Result<()>,
) -> Result<CreatedJson, CliError> {
    let mut secret_file = open_secret_destination(secret_path)?;
    let mut request = CreateApiKeyRequest::new(
        new.name.as_str(),
        new.user.as_str(),
        new.role.as_str(),
        new.validity,
    );
    if let Some(allowlist) = &new.allowlist {
        request = request.allowed_ips(allowlist.clone());
    }
    let created = match client.create_api_key(request).await {
        Ok(created) => created,
        Err(e) => {
            if let Some(file) = secret_file {
                file.discard();
            }
            return Err(e.into());
        }
    };
    let id = created.id().clone();
    let json = CreatedJson {
        id: id.to_string(),
        name: new.name,
        user_email: new.user,
        role: new.role,
        expires_at: OffsetDateTime::now_utc() + new.validity.as_duration(),
        allowed_ip_cidrs: new.allowlist.map(|a| a.to_strings()).unwrap_or_default(),
        secret: secret_file.is_none().then(|| created.secret().clone()),
        secret_file: secret_path.map(|p| p.display().to_string()),
    };

    let handed_over = hand_over_secret(secret_file.as_mut(), &created, || print_secret(&json));
    drop(created);
    let Err((destination, cause)) = handed_over else {
        return Ok(json);
    };
    drop(json);
    if let Some(file) = secret_file {
        file.discard();
    }
    let revoke = client
        .revoke_api_key(&id)
        .await
        .map_err(|e| cli_error_from_sdk(&e));
    Err(hand_over_failed(
        &destination,
        &cause,
        &id,
        revoke.err(),
        None,
    ))
}

/// The error of a failed hand-over: what failed and exactly which keys are live now.
fn hand_over_failed(
    destination: &str,
    cause: &io::Error,
    new_id: &ApiKeyId,
    revoke_error: Option<CliError>,
    old: Option<&ApiKeyId>,
) -> CliError {
    let failed = format!("the new key's secret could not be written to {destination} ({cause})");
    match (revoke_error, old) {
        (None, None) => CliError::new(
            Kind::HandOverFailed,
            format!("{failed}; the new key {new_id} was revoked, so no new key is live"),
        )
        .with_hint("fix the output (or use --secret-file PATH) and create the key again"),
        (None, Some(old)) => CliError::new(
            Kind::HandOverFailed,
            format!(
                "rotating {old}: {failed}; the new key {new_id} was revoked; the old key {old} \
                 is still live and unchanged"
            ),
        )
        .with_hint(
            "keep using the old key; fix the output (or use --secret-file PATH) and rotate again",
        ),
        (Some(e), None) => CliError::new(
            Kind::UnheldKeyLive,
            format!(
                "{failed}, and revoking the new key {new_id} failed too ({e}): the new key \
                 {new_id} is live and nobody holds its secret"
            ),
        )
        .with_hint(format!("revoke it: `labelbox keys revoke --yes {new_id}`")),
        (Some(e), Some(old)) => CliError::new(
            Kind::UnheldKeyLive,
            format!(
                "rotating {old}: {failed}, and revoking the new key {new_id} failed too ({e}): \
                 both keys are live: the old key {old} (unchanged, still yours) and the new \
                 key {new_id}, whose secret nobody holds"
            ),
        )
        .with_hint(format!(
            "keep using the old key; revoke the new one: `labelbox keys revoke --yes {new_id}`"
        )),
    }
}

/// Prints a created key for humans (the secret last, on its own line).
fn print_created(ctx: &Ctx, j: &CreatedJson) -> io::Result<()> {
    let expires = output::expiry(j.expires_at, OffsetDateTime::now_utc());
    let role = &j.role;
    let ips = if j.allowed_ip_cidrs.is_empty() {
        "any".to_owned()
    } else {
        j.allowed_ip_cidrs.join(", ")
    };
    outln!(
        "{} API key {} \"{}\" for {} (role: {})",
        ctx.out.paint(Paint::Green, "Created"),
        terminal_safe(&j.id),
        terminal_safe(&j.name),
        terminal_safe(&j.user_email),
        terminal_safe(role)
    )?;
    outln!("  expires:     {expires}")?;
    outln!("  allowed IPs: {ips}")?;
    match (&j.secret, &j.secret_file) {
        (Some(secret), _) => {
            outln!("  secret:")?;
            outln!("{}", secret.expose_secret())?;
        }
        (None, Some(path)) => outln!("  secret:      written to {path} (mode 0600)")?,
        (None, None) => {}
    }
    Ok(())
}

/// The once-only reminder, on stderr (never a panic: it runs after a hand-over, before
/// the rest of the output).
fn remind(ctx: &Ctx) {
    errln!(
        "{} the secret is shown only once and cannot be retrieved again; store it now.",
        ctx.err.paint(Paint::Yellow, "note:")
    );
}

/// Prints a created key, as JSON or for humans.
fn print_created_as(ctx: &Ctx, created: &CreatedJson) -> io::Result<()> {
    if ctx.json {
        output::print_json(created)
    } else {
        print_created(ctx, created)
    }
}

/// The error when output after a successful hand-over fails: the new key is live and held.
fn output_failed_after_hand_over(created: &CreatedJson, e: &io::Error) -> CliError {
    let held = match &created.secret_file {
        Some(path) => format!("its secret is in {path}"),
        None => "its secret was written to standard output".to_owned(),
    };
    CliError::api(format!(
        "the new key {} is live and {held}, but writing the rest of the output failed ({e})",
        created.id
    ))
}

async fn create(ctx: &Ctx, args: CreateArgs) -> Result<(), CliError> {
    // The contract's order: name, allowlist, then validity.
    if args.name.trim().is_empty() {
        return Err(CliError::usage("--name must not be empty"));
    }
    let allowlist = parse_allowlist(&args.allow_ip)?;
    let validity = parse_validity(&args.validity)?;
    let client = ctx.client()?;
    let new = NewKey {
        name: args.name,
        user: args.user,
        role: args.role,
        validity,
        allowlist,
    };
    let secret_path = args.secret.secret_file.as_deref();
    let created = create_and_hand_over(&client, new, secret_path, |created| {
        print_created_as(ctx, created)
    })
    .await?;
    remind(ctx);
    if secret_path.is_some() {
        // The secret is in the file; stdout gets the summary.
        output::print_durably(|| print_created_as(ctx, &created))
            .map_err(|e| output_failed_after_hand_over(&created, &e))?;
    }
    Ok(())
}

/// The JSON shape of `keys revoke`.
#[derive(Debug, Serialize)]
struct RevokeJson {
    revoked: Vec<String>,
    failed: Vec<FailedJson>,
}

#[derive(Debug, Serialize)]
struct FailedJson {
    id: String,
    error: String,
}

fn confirm(question: &str) -> Result<bool, CliError> {
    eprint!("{question} [y/N] ");
    io::stderr().flush()?;
    let mut answer = String::new();
    io::stdin().lock().read_line(&mut answer)?;
    Ok(matches!(answer.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

async fn revoke(ctx: &Ctx, args: RevokeArgs) -> Result<(), CliError> {
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

/// The JSON shape of `keys rotate`. `old_revoked` comes last: it is known only after the
/// new secret was handed over, so the object is written in two parts (see
/// [`rotate_json_head`]).
#[derive(Debug, Serialize)]
struct RotateJson<'a> {
    old_id: &'a str,
    new: &'a CreatedJson,
    old_revoked: bool,
}

/// `keys rotate`'s JSON up to and including the new key (with its secret), without the
/// closing brace: written and flushed before the old key is revoked.
fn rotate_json_head(old_id: &str, new: &CreatedJson) -> io::Result<String> {
    #[derive(Serialize)]
    struct Head<'a> {
        old_id: &'a str,
        new: &'a CreatedJson,
    }
    let text = serde_json::to_string_pretty(&Head { old_id, new })?;
    text.strip_suffix("\n}")
        .map(str::to_owned)
        .ok_or_else(|| io::Error::other("unexpected JSON layout"))
}

/// The rest of `keys rotate`'s JSON once the revoke of the old key is settled.
fn rotate_json_tail(old_revoked: bool) -> String {
    format!(",\n  \"old_revoked\": {old_revoked}\n}}\n")
}

/// The options of `keys rotate`, single or batch. Without `--role`, a note on stderr says
/// that the replacement gets the user's organization role (the API does not report a key's
/// own role, so a key scoped down would come back wider).
fn rotate_options(ctx: &Ctx, args: &RotateArgs) -> Result<RotateOptions, CliError> {
    let mut options = RotateOptions::new();
    if let Some(validity) = args.validity.as_deref() {
        options = options.validity(parse_validity(validity)?);
    }
    match &args.role {
        Some(role) => options = options.role(role.as_str()),
        None => errln!(
            "{} without --role, each replacement gets its user's current organization role, \
             which may be wider than the old key's (the API does not report a key's own role)",
            ctx.err.paint(Paint::Yellow, "note:")
        ),
    }
    Ok(options)
}

/// The JSON of a rotation's new key, from what the hand-over receives.
fn replacement_json(new: &Replacement, secret_path: Option<&Path>) -> CreatedJson {
    CreatedJson {
        id: new.created.id().to_string(),
        name: new.old.name.clone(),
        user_email: new.old.user_email.clone(),
        role: new.role.clone(),
        expires_at: new.expires_at,
        allowed_ip_cidrs: allowlist_strings(&new.old),
        secret: secret_path.is_none().then(|| new.created.secret().clone()),
        secret_file: secret_path.map(|p| p.display().to_string()),
    }
}

/// `keys rotate ID`: a thin call of [`Client::rotate_api_key`], whose hand-over prints the
/// new key (with --json, the object up to the new key, flushed before anything is revoked)
/// or writes it to the secret file.
async fn rotate(ctx: &Ctx, args: RotateArgs) -> Result<(), CliError> {
    if let Some(within) = args.expiring_within {
        return rotate_batch(ctx, &args, within).await;
    }
    if args.exec.is_some() || args.secret_dir.is_some() || args.dry_run {
        return Err(CliError::usage(
            "--exec, --secret-dir and --dry-run apply to a batch: use them with \
             --expiring-within DURATION instead of a key id",
        ));
    }
    let Some(id) = args.id.as_deref() else {
        return Err(CliError::usage(
            "give the key's id, or --expiring-within DURATION",
        ));
    };
    let options = rotate_options(ctx, &args)?;
    let client = ctx.client()?;
    let old_id = ApiKeyId::from(id);
    let old_str = old_id.to_string();
    let secret_path = args.secret.secret_file.as_deref();
    let mut secret_file = open_secret_destination(secret_path)?;
    let mut created: Option<CreatedJson> = None;
    let rotated = client
        .rotate_api_key(&old_id, options, |new| {
            let json = replacement_json(&new, secret_path);
            let handed_over = hand_over_secret(secret_file.as_mut(), &new.created, || {
                if ctx.json {
                    out!("{}", rotate_json_head(&old_str, &json)?)
                } else {
                    print_created(ctx, &json)
                }
            });
            created = Some(json);
            std::future::ready(handed_over)
        })
        .await;
    let outcome = match rotated {
        Ok(outcome) => outcome,
        Err(e) => {
            if let Some(file) = secret_file {
                file.discard();
            }
            return Err(match e {
                Error::NotFound(_) => not_found(id),
                e @ Error::MissingData { .. } => cli_error_from_sdk(&e)
                    .context(format!(
                        "rotating {old_id}: cannot tell the user's organization role; the old \
                         key was left untouched"
                    ))
                    .with_hint("pass --role ROLE (`labelbox roles` lists them)"),
                e => cli_error_from_sdk(&e)
                    .context(format!("rotating {old_id}: the old key was left untouched")),
            });
        }
    };
    let (revoke_error, created) = match (outcome, created) {
        (
            RotateOutcome::HandOverFailed {
                new,
                hand_over_error: (destination, cause),
                ..
            },
            _,
        ) => {
            if let Some(file) = secret_file {
                file.discard();
            }
            return Err(hand_over_failed(
                &destination,
                &cause,
                &new,
                None,
                Some(&old_id),
            ));
        }
        (
            RotateOutcome::NewKeyUnheld {
                new,
                hand_over_error: (destination, cause),
                revoke_error,
                ..
            },
            _,
        ) => {
            if let Some(file) = secret_file {
                file.discard();
            }
            let revoke_error = cli_error_from_sdk(&revoke_error);
            return Err(hand_over_failed(
                &destination,
                &cause,
                &new,
                Some(revoke_error),
                Some(&old_id),
            ));
        }
        (RotateOutcome::Rotated { .. }, Some(created)) => (None, created),
        (RotateOutcome::OldKeyNotRevoked { error, .. }, Some(created)) => (Some(error), created),
        (outcome, _) => {
            return Err(CliError::api(format!(
                "rotating {old_id}: unexpected outcome {outcome:?}"
            )))
        }
    };
    remind(ctx);
    let old_revoked = revoke_error.is_none();

    // The rest of the output.
    let rest = output::print_durably(|| {
        match (secret_path.is_some(), ctx.json) {
            (false, true) => out!("{}", rotate_json_tail(old_revoked))?,
            (true, true) => output::print_json(&RotateJson {
                old_id: &old_str,
                new: &created,
                old_revoked,
            })?,
            (secret_in_file, false) => {
                if secret_in_file {
                    print_created(ctx, &created)?;
                }
                if old_revoked {
                    outln!(
                        "{} old key {old_id}",
                        ctx.out.paint(Paint::Green, "Revoked")
                    )?;
                }
            }
        }
        Ok(())
    });
    match (revoke_error, rest) {
        (None, Ok(())) => Ok(()),
        (Some(e), _) => Err(cli_error_from_sdk(&e)
            .context(format!(
                "the replacement key {} was created and its secret handed over, but revoking \
                 the old key {old_id} failed; both keys are live",
                created.id
            ))
            .with_hint(format!(
                "keep the new key; revoke the old one with `labelbox keys revoke {old_id}`"
            ))),
        (None, Err(e)) => Err(output_failed_after_hand_over(&created, &e)
            .context(format!("rotating {old_id}: the old key was revoked"))),
    }
}

/// Where a batch hands each new secret.
enum BatchDestination<'a> {
    /// `--exec CMD`: the secret on the command's stdin; the command is killed after the
    /// timeout.
    Exec(&'a str, std::time::Duration),
    /// `--secret-dir DIR`: a new file `DIR/replaces-<old id>.jwt`.
    Dir(&'a Path),
}

/// The path of a new key's secret in `--secret-dir`: named after the key it replaces, so
/// it is known before the run; never overwritten (a file already there fails that key's
/// hand-over: its new key is revoked, the old one kept). The id comes from the server, so
/// it must be a plain name (letters, digits, `-`, `_`): `../x` or `a/b` would put the secret
/// elsewhere than DIR.
fn secret_dir_path(dir: &Path, old_id: &ApiKeyId) -> Result<std::path::PathBuf, String> {
    let id = old_id.as_str();
    let plain = !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if !plain {
        return Err(format!(
            "the key id {:?} is not a plain name; its secret file would not be inside {}",
            id.chars().take(64).collect::<String>(),
            dir.display()
        ));
    }
    Ok(dir.join(format!("replaces-{id}.jwt")))
}

/// Hands one new secret of a batch over; the error is one line (never the secret).
fn hand_over_batch(destination: &BatchDestination<'_>, new: &Replacement) -> Result<(), String> {
    match destination {
        BatchDestination::Dir(dir) => {
            let path = secret_dir_path(dir, &new.old.id)?;
            let mut file = SecretFile::create_new(&path).map_err(|_| {
                if path.symlink_metadata().is_ok() {
                    format!("{} already exists and is never overwritten", path.display())
                } else {
                    format!("the secret file {} could not be created", path.display())
                }
            })?;
            file.write_secret(new.created.secret().expose_secret())
                .map_err(|e| {
                    let message = format!(
                        "the new key's secret could not be written to {} ({e})",
                        path.display()
                    );
                    file.discard();
                    message
                })
        }
        BatchDestination::Exec(command, timeout) => run_exec(command, *timeout, new),
    }
}

/// Runs `--exec CMD` for one new key: `sh -c CMD`, built through `child::command_in_own_group` (so
/// LABELBOX_API_KEY is not inherited), the secret and a newline on its stdin (never in its
/// arguments or environment), the key's ids, name and user in its environment (a name an
/// environment variable cannot hold, with a NUL, is percent-encoded: see [`key_name_env`]),
/// its stdout sent to our stderr (stdout may be a JSON stream). `Ok` only when it exits 0
/// within `timeout`, which covers the whole hand-over (start, the secret's write, the wait):
/// the exit code is the command's word that it stored the secret. A command still running
/// at the timeout, reading its stdin or not, is killed with its process group (the shell and
/// every command it started) and the hand-over has failed. In its own process group, the
/// command does not receive the terminal's Ctrl-C: interrupting `labelbox` leaves it to
/// finish storing. A command that exits 0 without reading its stdin cannot be told from one
/// that did (the secret fits in the pipe's buffer), so only a failed write (a command that
/// closed its stdin early) is caught.
fn run_exec(command: &str, timeout: std::time::Duration, new: &Replacement) -> Result<(), String> {
    use crate::child::RunError;
    // Its own process group, so that a timeout kills what the shell started too.
    let mut child = crate::child::command_in_own_group("sh");
    child
        .arg("-c")
        .arg(command)
        .env("LABELBOX_KEY_ID", new.created.id().as_str())
        .env("LABELBOX_OLD_KEY_ID", new.old.id.as_str())
        .env("LABELBOX_KEY_USER", &new.old.user_email)
        .stdout(stderr_stdio());
    match key_name_env(&new.old.name) {
        Cow::Borrowed(name) => child
            .env("LABELBOX_KEY_NAME", name)
            .env_remove(KEY_NAME_ENCODING_VARIABLE),
        Cow::Owned(encoded) => child
            .env("LABELBOX_KEY_NAME", encoded)
            .env(KEY_NAME_ENCODING_VARIABLE, "percent"),
    };
    let secret = new.created.secret().expose_secret();
    // The deadline covers the whole hand-over: start, the secret's write, the wait.
    let finished =
        match crate::child::run_with_input(&mut child, &[secret.as_bytes(), b"\n"], timeout) {
            Ok(finished) => finished,
            Err(RunError::Spawn(e)) => return Err(format!("--exec: could not start `sh -c`: {e}")),
            Err(RunError::TimedOut) => {
                return Err(format!(
                    "--exec command did not finish within {} (--exec-timeout) and was killed",
                    crate::duration::display_duration(timeout)
                ))
            }
            Err(RunError::Wait(e)) => {
                return Err(format!("--exec: waiting for the command failed: {e}"))
            }
        };
    if !finished.status.success() {
        return Err(match finished.status.code() {
            Some(code) => format!("--exec command exited with code {code}"),
            None => format!("--exec command was killed ({})", finished.status),
        });
    }
    finished.written.map_err(|e| {
        format!(
            "--exec command exited 0 but closed its standard input before the secret was \
             written ({e})"
        )
    })
}

/// Set to `percent` for an `--exec` command when `LABELBOX_KEY_NAME` is percent-encoded;
/// never set otherwise.
const KEY_NAME_ENCODING_VARIABLE: &str = "LABELBOX_KEY_NAME_ENCODING";

/// A key's name as `LABELBOX_KEY_NAME` can hold it: as is, unless it holds a NUL (which no
/// environment variable can); then percent-encoded (RFC 3986: controls, `%` and every
/// non-ASCII byte of its UTF-8 as `%XX`), and [`KEY_NAME_ENCODING_VARIABLE`] says so.
fn key_name_env(name: &str) -> Cow<'_, str> {
    const ENCODED: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS.add(b'%');
    if name.contains('\0') {
        Cow::Owned(percent_encoding::utf8_percent_encode(name, ENCODED).to_string())
    } else {
        Cow::Borrowed(name)
    }
}

/// Our stderr, for a child's stdout.
fn stderr_stdio() -> std::process::Stdio {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = io::stderr().as_fd().try_clone_to_owned() {
            return std::process::Stdio::from(fd);
        }
    }
    std::process::Stdio::null()
}

/// One key's line of a batch rotation (`--json`: one object per line).
#[derive(Debug, Serialize)]
struct BatchJson {
    /// `rotated`, `old_not_revoked`, `hand_over_failed`, `new_key_unheld`, `not_created`,
    /// or `would_rotate` (--dry-run).
    status: &'static str,
    old_id: String,
    name: String,
    user_email: String,
    #[serde(with = "time::serde::rfc3339")]
    expires_at: OffsetDateTime,
    new_id: Option<String>,
    old_revoked: bool,
    new_live: bool,
    secret_file: Option<String>,
    error: Option<String>,
    exit_code: u8,
    /// The key this command runs with: rotated last.
    caller: bool,
}

impl BatchJson {
    fn new(key: &ApiKey, status: &'static str) -> Self {
        Self {
            caller: false,
            status,
            old_id: key.id.to_string(),
            name: key.name.clone(),
            user_email: key.user_email.clone(),
            expires_at: key.expires_at.to_offset(time::UtcOffset::UTC),
            new_id: None,
            old_revoked: false,
            new_live: false,
            secret_file: None,
            error: None,
            exit_code: 0,
        }
    }

    /// The report of one key's rotation, and the error kind it counts as.
    fn from_rotation(rotation: &KeyRotation<String>, dir: Option<&Path>) -> (Self, Option<Kind>) {
        let (mut json, kind) = Self::from_outcome(rotation, dir);
        json.caller = rotation.is_caller;
        (json, kind)
    }

    fn from_outcome(rotation: &KeyRotation<String>, dir: Option<&Path>) -> (Self, Option<Kind>) {
        let key = &rotation.key;
        let outcome = match &rotation.result {
            Err(e) => {
                let err = cli_error_from_sdk(e);
                let mut json = Self::new(key, "not_created");
                json.error = Some(format!("{}; the old key was left untouched", err.message));
                json.exit_code = err.kind.code();
                return (json, Some(err.kind));
            }
            Ok(outcome) => outcome,
        };
        let new_id = outcome.new_id();
        let (status, error, kind) = match outcome {
            RotateOutcome::Rotated { .. } => ("rotated", None, None),
            RotateOutcome::OldKeyNotRevoked { error, .. } => {
                let err = cli_error_from_sdk(error);
                (
                    "old_not_revoked",
                    Some(format!(
                        "revoking the old key failed ({}); both keys are live; revoke it with \
                         `labelbox keys revoke {}`",
                        err.message, key.id
                    )),
                    Some(err.kind),
                )
            }
            RotateOutcome::HandOverFailed {
                hand_over_error, ..
            } => (
                "hand_over_failed",
                Some(format!(
                    "{hand_over_error}; the new key {new_id} was revoked; the old key is still \
                     live and unchanged"
                )),
                Some(Kind::HandOverFailed),
            ),
            RotateOutcome::NewKeyUnheld {
                hand_over_error,
                revoke_error,
                ..
            } => (
                "new_key_unheld",
                Some(format!(
                    "{hand_over_error}, and revoking the new key failed too ({}): both keys are \
                     live; revoke the new one: `labelbox keys revoke --yes {new_id}`",
                    cli_error_from_sdk(revoke_error).message
                )),
                Some(Kind::UnheldKeyLive),
            ),
            other => (
                "unknown",
                Some(format!("unexpected outcome {other:?}")),
                Some(Kind::Api),
            ),
        };
        let mut json = Self::new(key, status);
        json.new_id = Some(new_id.to_string());
        json.old_revoked = !outcome.old_key_live();
        json.new_live = outcome.new_key_live();
        json.secret_file = match dir {
            Some(dir) if outcome.handed_over() => secret_dir_path(dir, &key.id)
                .ok()
                .map(|path| path.display().to_string()),
            _ => None,
        };
        json.error = error;
        json.exit_code = kind.map_or(0, Kind::code);
        (json, kind)
    }

    /// One line for humans.
    fn human(&self, ctx: &Ctx) -> String {
        let what = format!(
            "{} \"{}\" ({})",
            terminal_safe(&self.old_id),
            terminal_safe(&self.name),
            terminal_safe(&self.user_email)
        );
        let line = self.human_outcome(ctx, &what);
        if self.caller {
            format!("{line} [the key this command runs with: rotated last]")
        } else {
            line
        }
    }

    fn human_outcome(&self, ctx: &Ctx, what: &str) -> String {
        match (self.status, &self.new_id, &self.error) {
            ("would_rotate", _, _) => format!(
                "{} {what}, expiring {}",
                ctx.out.paint(Paint::Yellow, "Would rotate"),
                output::expiry(self.expires_at, OffsetDateTime::now_utc())
            ),
            ("rotated", Some(new_id), _) => {
                let held = match &self.secret_file {
                    Some(path) => format!("secret in {path}"),
                    None => "secret handed to --exec".to_owned(),
                };
                format!(
                    "{} {what} -> {} ({}); old key revoked",
                    ctx.out.paint(Paint::Green, "Rotated"),
                    terminal_safe(new_id),
                    terminal_safe(&held)
                )
            }
            (_, _, error) => format!(
                "{} {what}: {}",
                ctx.out.paint(Paint::Red, "Failed"),
                terminal_safe(error.as_deref().unwrap_or("unknown error"))
            ),
        }
    }
}

/// Prints one line of a batch (JSON lines with --json); a write error is kept for the end.
fn print_batch_line(ctx: &Ctx, json: &BatchJson) -> io::Result<()> {
    if ctx.json {
        let line = serde_json::to_string(json)?;
        output::print_durably(|| outln!("{line}"))
    } else {
        output::print_durably(|| outln!("{}", json.human(ctx)))
    }
}

/// `keys rotate --expiring-within D [--exec CMD | --secret-dir DIR] [--dry-run]`: a thin
/// call of the SDK's [`labelbox_sdk::ListApiKeys::rotate_each`].
async fn rotate_batch(
    ctx: &Ctx,
    args: &RotateArgs,
    within: std::time::Duration,
) -> Result<(), CliError> {
    if args.secret.secret_file.is_some() {
        return Err(CliError::usage(
            "--secret-file names one file: a batch rotation takes --secret-dir DIR or --exec CMD",
        ));
    }
    let destination = match (args.exec.as_deref(), args.secret_dir.as_deref()) {
        (Some(command), _) => Some(BatchDestination::Exec(command, args.exec_timeout)),
        (None, Some(dir)) => {
            if !dir.is_dir() {
                return Err(CliError::usage(format!(
                    "--secret-dir {}: not a directory; nothing was rotated",
                    dir.display()
                )));
            }
            Some(BatchDestination::Dir(dir))
        }
        (None, None) => None,
    };
    let options = rotate_options(ctx, args)?;
    let client = ctx.client()?;
    let listing = client.list_api_keys().expiring_within(within);

    let Some(destination) = destination.filter(|_| !args.dry_run) else {
        if !args.dry_run {
            return Err(CliError::usage(
                "a batch rotation needs somewhere to put the new secrets: --exec CMD or \
                 --secret-dir DIR",
            )
            .with_hint("or --dry-run to see which keys would be rotated"));
        }
        let mut keys = listing.send().await?;
        let caller_last = labelbox_sdk::rotation_order(&mut keys, client.calling_key_id().as_ref());
        let total = keys.len();
        for (i, key) in keys.iter().enumerate() {
            let mut json = BatchJson::new(key, "would_rotate");
            json.caller = caller_last && i + 1 == total;
            print_batch_line(ctx, &json)?;
        }
        if !ctx.json {
            errln!(
                "dry run: {} key(s) expire within the window; nothing was created or revoked",
                keys.len()
            );
        }
        return Ok(());
    };

    let progress = !ctx.json && io::stderr().is_terminal();
    let dir = match &destination {
        BatchDestination::Dir(dir) => Some(*dir),
        BatchDestination::Exec(..) => None,
    };
    let mut worst: Option<Kind> = None;
    let mut failed = 0usize;
    let mut write_error: Option<io::Error> = None;
    let results = listing
        .rotate_each(
            options,
            |new| std::future::ready(hand_over_batch(&destination, &new)),
            |done, total, rotation| {
                let (json, kind) = BatchJson::from_rotation(rotation, dir);
                if let Some(kind) = kind {
                    failed += 1;
                    if worst.is_none_or(|w| kind > w) {
                        worst = Some(kind);
                    }
                }
                if let Err(e) = print_batch_line(ctx, &json) {
                    write_error.get_or_insert(e);
                }
                if progress {
                    errln!(
                        "{} {done}/{total} keys done",
                        ctx.err.paint(Paint::Dim, "progress:")
                    );
                }
            },
        )
        .await?;
    if results.is_empty() && !ctx.json {
        outln!("No API keys expire within the window; nothing to rotate.")?;
    }
    if let Some(e) = write_error {
        return Err(CliError::api(format!(
            "writing the batch's report failed ({e}); `labelbox keys list` shows the keys now"
        )));
    }
    match worst {
        None => Ok(()),
        Some(kind) => Err(CliError::new(
            kind,
            format!(
                "{failed} of {} keys were not rotated; each line above says which keys are live",
                results.len()
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_dir_file_is_named_only_after_a_plain_key_id() {
        let dir = Path::new("/run/secrets");
        assert_eq!(
            secret_dir_path(dir, &ApiKeyId::from("ck_9f-A")).unwrap(),
            dir.join("replaces-ck_9f-A.jwt")
        );
        for hostile in ["../../etc/cron.d/x", "a/b", "", "x\0y", "..", "ck id"] {
            let error = secret_dir_path(dir, &ApiKeyId::from(hostile)).unwrap_err();
            assert!(error.contains("not a plain name"), "{hostile:?}: {error}");
        }
    }

    #[test]
    fn only_a_name_with_a_nul_is_percent_encoded() {
        assert!(matches!(
            key_name_env("ci 100% é"),
            Cow::Borrowed("ci 100% é")
        ));
        assert_eq!(
            key_name_env("a\0b%c é\n"),
            "a%00b%25c%20%C3%A9%0A".replace("%20", " ")
        );
    }

    #[test]
    fn rotate_json_in_two_parts_is_the_whole_object() {
        let new = CreatedJson {
            id: "cknew".to_owned(),
            name: "deploy".to_owned(),
            user_email: "labeler@example.com".to_owned(),
            role: "Labeler".to_owned(),
            expires_at: OffsetDateTime::UNIX_EPOCH,
            allowed_ip_cidrs: vec!["10.0.0.0/8".to_owned()],
            secret: Some(SecretString::from("eyJ.secret.jwt".to_owned())),
            secret_file: None,
        };
        for old_revoked in [true, false] {
            let whole = serde_json::to_string_pretty(&RotateJson {
                old_id: "ckold",
                new: &new,
                old_revoked,
            })
            .unwrap();
            let head = rotate_json_head("ckold", &new).unwrap();
            assert!(head.contains("eyJ.secret.jwt"), "{head}");
            assert!(!head.contains("old_revoked"), "{head}");
            assert_eq!(head + &rotate_json_tail(old_revoked), whole + "\n");
        }
    }
}
