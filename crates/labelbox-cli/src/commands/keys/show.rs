//! `labelbox keys list` and `keys get`: the keys table, one key's details and the JSON shape
//! of a key.

use labelbox_sdk::{ApiKey, ApiKeyId};
use serde::Serialize;
use time::OffsetDateTime;

use crate::cli::{GetArgs, ListArgs};
use crate::commands::Ctx;
use crate::exit::{CliError, Kind};
use crate::output::{self, Cell, Paint};

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

pub(super) fn allowlist_strings(key: &ApiKey) -> Vec<String> {
    key.allowed_ip_cidrs
        .iter()
        .map(ToString::to_string)
        .collect()
}

pub(super) fn allowlist_text(key: &ApiKey) -> String {
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

pub(super) async fn list(ctx: &Ctx, args: ListArgs) -> Result<(), CliError> {
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

pub(super) fn not_found(id: &str) -> CliError {
    CliError::api(format!("API key {id} not found")).with_hint(
        "`labelbox keys list --include-expired` shows the keys you can see (revoked keys are \
         not listed)",
    )
}

pub(super) async fn get(ctx: &Ctx, args: GetArgs) -> Result<(), CliError> {
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
pub(super) fn key_details(ctx: &Ctx, key: &ApiKey, now: OffsetDateTime) -> String {
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
