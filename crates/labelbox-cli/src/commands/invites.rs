//! `labelbox users invite | invites | cancel-invite`.

use labelbox_sdk::{Invite, InviteId, InviteResult, InviteStatus, Role, RoleRef};
use serde::Serialize;

use crate::cli::{CancelInviteArgs, InviteArgs};
use crate::commands::Ctx;
use crate::exit::CliError;
use crate::output::{self, terminal_safe, Cell, Paint};

/// The stable JSON shape of one invitation.
#[derive(Debug, Serialize)]
struct InviteJson {
    id: String,
    email: String,
    /// The organization role given on accepting.
    role: String,
    created_at: String,
}

impl From<&Invite> for InviteJson {
    fn from(invite: &Invite) -> Self {
        Self {
            id: invite.id.to_string(),
            email: invite.email.clone(),
            role: invite.role_name.clone(),
            created_at: output::rfc3339(invite.created_at),
        }
    }
}

/// The stable JSON shape of one address of `users invite` (an array of them, one address or
/// several).
#[derive(Debug, Serialize)]
struct InviteResultJson<'a> {
    email: &'a str,
    /// `INVITED`, `ALREADY_MEMBER`, `ALREADY_INVITED`, `DUPLICATE`, `INVALID_EMAIL`,
    /// `SEAT_LIMIT`, ... as the API writes it.
    status: &'a str,
    reason: Option<&'a str>,
    invite_id: Option<&'a str>,
}

impl<'a> From<&'a InviteResult> for InviteResultJson<'a> {
    fn from(result: &'a InviteResult) -> Self {
        Self {
            email: &result.email,
            status: result.status.as_str(),
            reason: result.reason.as_deref(),
            invite_id: result.invite_id.as_ref().map(InviteId::as_str),
        }
    }
}

/// `labelbox users invite EMAIL... --role ROLE`: one address is one invitation
/// (`createInvites`), several are one bulk invitation (`inviteMembers`) with a status per
/// address. Exits 1 when an address ends neither invited nor a member.
pub async fn invite(ctx: &Ctx, args: InviteArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    // Matched by normalised name, as `users set-role` matches it (`team manager`).
    let role = RoleRef::from(Role::new(args.role.trim()));
    let results = if let [email] = args.emails.as_slice() {
        let email = email.trim();
        match client.invite_member(email, &role).await? {
            Some(invite) if !ctx.json => {
                outln!(
                    "{} {} as {} (invite {})",
                    ctx.out.paint(Paint::Green, "Invited"),
                    terminal_safe(&invite.email),
                    terminal_safe(&invite.role_name),
                    terminal_safe(invite.id.as_str())
                )?;
                return Ok(());
            }
            Some(invite) => vec![InviteResult::new(
                invite.email,
                InviteStatus::Invited,
                None,
                Some(invite.id),
            )],
            None if !ctx.json => {
                outln!(
                    "{} is already a member: no invitation sent",
                    terminal_safe(email)
                )?;
                return Ok(());
            }
            None => vec![InviteResult::new(
                email,
                InviteStatus::AlreadyMember,
                None,
                None,
            )],
        }
    } else {
        client.invite_members(&args.emails, &role).await?
    };
    if ctx.json {
        let json: Vec<InviteResultJson> = results.iter().map(InviteResultJson::from).collect();
        output::print_json(&json)?;
    } else {
        let rows: Vec<Vec<Cell>> = results
            .iter()
            .map(|r| {
                let paint = if r.status.is_settled() {
                    None
                } else {
                    Some(Paint::Red)
                };
                vec![
                    Cell::plain(r.email.as_str()),
                    Cell::painted(r.status.as_str(), paint),
                    Cell::plain(r.reason.as_deref().unwrap_or("")),
                    Cell::plain(r.invite_id.as_ref().map_or("", InviteId::as_str)),
                ]
            })
            .collect();
        out!(
            "{}",
            output::table(ctx.out, &["EMAIL", "STATUS", "REASON", "INVITE"], &rows)
        )?;
    }
    let unsettled = results.iter().filter(|r| !r.status.is_settled()).count();
    if unsettled > 0 {
        return Err(CliError::api(format!(
            "{unsettled} of {} addresses were not invited (see their status)",
            results.len()
        )));
    }
    Ok(())
}

/// `labelbox users invites`: every pending invitation (one request per 100).
pub async fn list(ctx: &Ctx) -> Result<(), CliError> {
    let invites = ctx.client()?.list_invites().await?;
    if ctx.json {
        let json: Vec<InviteJson> = invites.iter().map(InviteJson::from).collect();
        output::print_json(&json)?;
    } else {
        let rows: Vec<Vec<Cell>> = invites
            .iter()
            .map(|i| {
                vec![
                    Cell::plain(i.email.as_str()),
                    Cell::plain(i.role_name.as_str()),
                    Cell::plain(output::absolute(i.created_at)),
                    Cell::plain(i.id.as_str()),
                ]
            })
            .collect();
        out!(
            "{}",
            output::table(ctx.out, &["EMAIL", "ROLE", "SENT", "ID"], &rows)
        )?;
    }
    Ok(())
}

/// The JSON shape of `users cancel-invite`.
#[derive(Debug, Serialize)]
struct CancelledJson {
    id: String,
    cancelled: bool,
}

/// `labelbox users cancel-invite ID`.
pub async fn cancel(ctx: &Ctx, args: CancelInviteArgs) -> Result<(), CliError> {
    let id = InviteId::from(args.id.trim());
    ctx.client()?.cancel_invite(&id).await?;
    if ctx.json {
        output::print_json(&CancelledJson {
            id: id.to_string(),
            cancelled: true,
        })?;
    } else {
        outln!(
            "{} invite {}",
            ctx.out.paint(Paint::Green, "Cancelled"),
            terminal_safe(id.as_str())
        )?;
    }
    Ok(())
}
