//! `labelbox keys create`, and the durable hand-over of a new secret that rotation shares.

use std::io;
use std::path::Path;

use labelbox_sdk::{
    AllowedIpError, AllowlistError, ApiKeyId, Client, CreateApiKeyRequest, CreatedApiKey,
    ExposeSecret, IpAllowlist, SecretString, Validity,
};
use labelbox_sdk::{RoleRef, UserRef};
use serde::Serialize;
use time::OffsetDateTime;

use crate::cli::CreateArgs;
use crate::commands::Ctx;
use crate::exit::{cli_error_from_sdk, CliError, Kind};
use crate::output::{self, terminal_safe, Paint};
use crate::secret_file::SecretFile;

/// The stable JSON shape of a newly created key (`keys create`, and `new` in `keys rotate`).
///
/// Holds the secret as a `SecretString`: `Debug` shows `[REDACTED]`; only the JSON output
/// exposes it.
#[derive(Debug, Serialize)]
pub(super) struct CreatedJson {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) user_email: String,
    /// The role of the new key.
    pub(super) role: String,
    #[serde(with = "time::serde::rfc3339")]
    pub(super) expires_at: OffsetDateTime,
    pub(super) allowed_ip_cidrs: Vec<String>,
    /// The secret, when it goes to stdout; `null` when it went to `secret_file`.
    #[serde(serialize_with = "expose_secret")]
    pub(super) secret: Option<SecretString>,
    pub(super) secret_file: Option<String>,
}

pub(super) fn expose_secret<S: serde::Serializer>(
    secret: &Option<SecretString>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match secret {
        Some(secret) => serializer.serialize_some(secret.expose_secret()),
        None => serializer.serialize_none(),
    }
}

/// What to create.
pub(super) struct NewKey {
    pub(super) name: String,
    pub(super) user: String,
    pub(super) role: String,
    pub(super) validity: Validity,
    pub(super) allowlist: Option<IpAllowlist>,
}

pub(super) fn parse_validity(text: &str) -> Result<Validity, CliError> {
    text.parse::<Validity>().map_err(|e| {
        CliError::usage(format!("invalid --validity '{text}': {e}"))
            .with_hint("use a number and a unit between 1 minute and 25 weeks: 90m, 12h, 30d, 2w")
    })
}

pub(super) fn parse_allowlist(entries: &[String]) -> Result<Option<IpAllowlist>, CliError> {
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
pub(super) fn open_secret_destination(
    secret_path: Option<&Path>,
) -> Result<Option<SecretFile>, CliError> {
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
pub(super) type HandOverError = (String, io::Error);

/// Hands a new secret over: to the secret file (written, fsynced, its directory fsynced),
/// or on stdout through `print_secret` (written, flushed, fsynced when stdout is a regular
/// file). Only `Ok` means the secret is held.
pub(super) fn hand_over_secret(
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
pub(super) async fn create_and_hand_over(
    client: &Client,
    new: NewKey,
    secret_path: Option<&Path>,
    print_secret: impl FnOnce(&CreatedJson) -> io::Result<()>,
) -> Result<CreatedJson, CliError> {
    let mut secret_file = open_secret_destination(secret_path)?;
    let mut request = CreateApiKeyRequest::new(
        new.name.as_str(),
        UserRef::by_email(new.user.as_str()),
        RoleRef::by_name(new.role.as_str()),
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
pub(super) fn hand_over_failed(
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
pub(super) fn print_created(ctx: &Ctx, j: &CreatedJson) -> io::Result<()> {
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
pub(super) fn remind(ctx: &Ctx) {
    errln!(
        "{} the secret is shown only once and cannot be retrieved again; store it now.",
        ctx.err.paint(Paint::Yellow, "note:")
    );
}

/// Prints a created key, as JSON or for humans.
pub(super) fn print_created_as(ctx: &Ctx, created: &CreatedJson) -> io::Result<()> {
    if ctx.json {
        output::print_json(created)
    } else {
        print_created(ctx, created)
    }
}

/// The error when output after a successful hand-over fails: the new key is live and held.
pub(super) fn output_failed_after_hand_over(created: &CreatedJson, e: &io::Error) -> CliError {
    let held = match &created.secret_file {
        Some(path) => format!("its secret is in {path}"),
        None => "its secret was written to standard output".to_owned(),
    };
    CliError::api(format!(
        "the new key {} is live and {held}, but writing the rest of the output failed ({e})",
        created.id
    ))
}

pub(super) async fn create(ctx: &Ctx, args: CreateArgs) -> Result<(), CliError> {
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
