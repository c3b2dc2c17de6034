//! `labelbox keys list|get|create|revoke|rotate`.

use std::io::{self, BufRead, IsTerminal, Write};
use std::path::Path;

use labelbox_sdk::{
    AllowedIpError, AllowlistError, ApiKey, ApiKeyId, Client, CreateApiKeyRequest, Error,
    ExposeSecret, IpAllowlist, SecretString, Validity,
};
use serde::Serialize;
use time::OffsetDateTime;

use crate::cli::{CreateArgs, GetArgs, KeysCommand, ListArgs, RevokeArgs, RotateArgs};
use crate::commands::Ctx;
use crate::exit::{cli_error_from_sdk, CliError, Kind};
use crate::output::{self, Cell, Paint};
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
    let mut keys = client.get_api_keys(args.include_expired).await?;
    // Whether the server lists revoked keys is not known; they are never shown.
    keys.retain(|k| !k.revoked);
    let now = OffsetDateTime::now_utc();
    if let Some(within) = args.expiring_within {
        // A window past the last representable date keeps every key.
        let limit = time::Duration::try_from(within)
            .ok()
            .and_then(|within| now.checked_add(within));
        if let Some(limit) = limit {
            keys.retain(|k| k.expires_at <= limit);
        }
    }
    keys.sort_by(|a, b| (a.expires_at, a.id.as_str()).cmp(&(b.expires_at, b.id.as_str())));
    if ctx.json {
        let json: Vec<KeyJson> = keys.iter().map(|k| KeyJson::new(k, now)).collect();
        output::print_json(&json)?;
    } else if keys.is_empty() {
        outln!("No API keys.")?;
    } else {
        out!("{}", keys_table(ctx, &keys, now))?;
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

/// Creates the key and hands its secret over before anything else happens: to the secret
/// file (written, fsynced, its directory fsynced; the file is created before the key, so a
/// path that cannot be written fails before anything exists on the server), or on stdout
/// through `print_secret` (written, flushed, fsynced when stdout is a regular file). If the
/// hand-over fails, the new key is revoked, since nobody could ever use it, and the error
/// says which keys are live (exit 4, or 5 when that revoke failed too). `old` is the key
/// being rotated, named in that message; it is never touched here.
async fn create_and_hand_over(
    client: &Client,
    new: NewKey,
    secret_path: Option<&Path>,
    old: Option<&ApiKeyId>,
    print_secret: impl FnOnce(&CreatedJson) -> io::Result<()>,
) -> Result<CreatedJson, CliError> {
    let mut secret_file = match secret_path {
        Some(path) => Some(SecretFile::create_new(path)?),
        None if output::stdout_is_null() => {
            return Err(CliError::usage(
                "refusing to create a key whose secret would be lost: standard output is \
                 /dev/null (or was closed); no key was created",
            )
            .with_hint("write the secret to a new file with --secret-file PATH"))
        }
        None => None,
    };
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

    // Details for the output; a failed read falls back to what was asked for, so nothing
    // between the creation and the hand-over can fail.
    let details = client.get_api_key(&id).await.ok().flatten();
    let json = CreatedJson {
        id: id.to_string(),
        name: new.name,
        user_email: details
            .as_ref()
            .map(|k| k.user_email.clone())
            .unwrap_or(new.user),
        role: new.role,
        expires_at: details
            .as_ref()
            .map(|k| k.expires_at)
            .unwrap_or_else(|| {
                OffsetDateTime::now_utc() + time::Duration::seconds(new.validity.as_seconds())
            })
            .to_offset(time::UtcOffset::UTC),
        allowed_ip_cidrs: new.allowlist.map(|a| a.to_strings()).unwrap_or_default(),
        secret: secret_file.is_none().then(|| created.secret().clone()),
        secret_file: secret_path.map(|p| p.display().to_string()),
    };

    let handed_over = match secret_file.as_mut() {
        Some(file) => file
            .write_secret(created.secret().expose_secret())
            .map_err(|e| (file.path().display().to_string(), e)),
        None => output::print_durably(|| print_secret(&json))
            .map_err(|e| ("standard output".to_owned(), e)),
    };
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
        old,
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
        "{} API key {} \"{}\" for {} (role: {role})",
        ctx.out.paint(Paint::Green, "Created"),
        j.id,
        j.name,
        j.user_email
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

/// The once-only reminder, on stderr (never a panic: it runs between the hand-over and
/// the revoke of a rotation).
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
    let created = create_and_hand_over(&client, new, secret_path, None, |created| {
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
                    eprintln!("{} {}", ctx.err.paint(Paint::Red, "failed:"), err.message);
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

/// The organization role of the user `key` acts as: the role whose permissions are exactly
/// the user's (the API reports a user's permissions, not the name of their role, and keys
/// carry no role at all).
async fn user_role(client: &Client, key: &ApiKey) -> Result<String, CliError> {
    let cannot = |why: &str| {
        CliError::usage(format!(
            "cannot tell the role of {} ({why})",
            key.user_email
        ))
        .with_hint("pass --role ROLE (`labelbox roles` lists them)")
    };
    let sorted = |mut permissions: Vec<String>| {
        permissions.sort();
        permissions.dedup();
        permissions
    };
    let permissions = match client.get_permissions(Some(&key.user_id)).await {
        Ok(permissions) => sorted(permissions),
        Err(Error::MissingData { .. }) => {
            return Err(cannot("the API returned no organization role"))
        }
        Err(e) => return Err(e.into()),
    };
    let matching: Vec<String> = client
        .get_roles_with_permissions()
        .await?
        .into_iter()
        .filter(|r| sorted(r.permissions.clone()) == permissions)
        .map(|r| r.name)
        .collect();
    match matching.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(cannot("no role has exactly the user's permissions")),
        _ => Err(cannot("several roles have the user's permissions")),
    }
}

/// The old key's lifetime, clamped into the allowed validity range.
fn lifetime_of(key: &ApiKey) -> Validity {
    let secs = (key.expires_at - key.created_at)
        .whole_seconds()
        .clamp(Validity::MIN.as_seconds(), Validity::MAX.as_seconds());
    Validity::from_seconds(secs).unwrap_or_default()
}

async fn rotate(ctx: &Ctx, args: RotateArgs) -> Result<(), CliError> {
    let validity = args.validity.as_deref().map(parse_validity).transpose()?;
    let client = ctx.client()?;
    let old_id = ApiKeyId::from(args.id.as_str());
    let old = client
        .get_api_key(&old_id)
        .await?
        .ok_or_else(|| not_found(&args.id))?;
    if old.revoked {
        return Err(
            CliError::usage(format!("API key {old_id} is already revoked"))
                .with_hint("create a new key with `labelbox keys create`"),
        );
    }
    let allowlist = parse_allowlist(&allowlist_strings(&old))?;
    let role = match args.role {
        Some(role) => role,
        None => user_role(&client, &old).await?,
    };
    let new = NewKey {
        name: old.name.clone(),
        user: old.user_email.clone(),
        role,
        validity: validity.unwrap_or_else(|| lifetime_of(&old)),
        allowlist,
    };
    // 1. Create the replacement and hand its secret over; on stdout with `--json`, that is
    //    the object up to the new key, flushed before anything is revoked.
    let secret_path = args.secret.secret_file.as_deref();
    let old_str = old_id.to_string();
    let created = create_and_hand_over(&client, new, secret_path, Some(&old_id), |created| {
        if ctx.json {
            out!("{}", rotate_json_head(&old_str, created)?)
        } else {
            print_created(ctx, created)
        }
    })
    .await
    .map_err(|e| match e.kind {
        Kind::HandOverFailed | Kind::UnheldKeyLive => e,
        _ => e.context(format!("rotating {old_id}: the old key was left untouched")),
    })?;
    remind(ctx);

    // 2. Only now revoke the old key.
    let revoke = client.revoke_api_key(&old_id).await;
    let old_revoked = revoke.is_ok();

    // 3. The rest of the output.
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
    match (revoke, rest) {
        (Ok(_), Ok(())) => Ok(()),
        (Err(e), _) => Err(cli_error_from_sdk(&e)
            .context(format!(
                "the replacement key {} was created and its secret handed over, but revoking \
                 the old key {old_id} failed; both keys are live",
                created.id
            ))
            .with_hint(format!(
                "keep the new key; revoke the old one with `labelbox keys revoke {old_id}`"
            ))),
        (Ok(_), Err(e)) => Err(output_failed_after_hand_over(&created, &e)
            .context(format!("rotating {old_id}: the old key was revoked"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
