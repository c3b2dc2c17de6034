//! `labelbox users list | get | set-role | remove` (the invitations are `invites.rs`).

use std::io::{self, IsTerminal};

use labelbox_sdk::{Client, Role, User};
use serde::Serialize;

use crate::cli::{GetUserArgs, RemoveArgs, SetRoleArgs, UsersCommand};
use crate::commands::{confirm, invites, Ctx};
use crate::exit::CliError;
use crate::output::{self, terminal_safe, Cell, Paint};

/// Runs `labelbox users ...`.
pub async fn run(ctx: &Ctx, command: UsersCommand) -> Result<(), CliError> {
    match command {
        UsersCommand::List => list(ctx).await,
        UsersCommand::SetRole(args) => set_role(ctx, args).await,
        UsersCommand::Remove(args) => remove(ctx, args).await,
        UsersCommand::Get(args) => get(ctx, args).await,
        UsersCommand::Invite(args) => invites::invite(ctx, args).await,
        UsersCommand::Invites => invites::list(ctx).await,
        UsersCommand::CancelInvite(args) => invites::cancel(ctx, args).await,
    }
}

/// The stable JSON shape of one member.
#[derive(Debug, Serialize)]
struct UserJson {
    id: String,
    email: String,
    name: String,
    /// The organization role (null when the server shows none).
    role: Option<RoleJson>,
    is_external_user: bool,
    created_at: String,
}

impl UserJson {
    fn new(u: &User, role: Option<&Role>) -> Self {
        Self {
            id: u.id.to_string(),
            email: u.email.clone(),
            name: u.name.clone(),
            role: role.map(RoleJson::from),
            is_external_user: u.is_external_user,
            created_at: output::rfc3339(u.created_at),
        }
    }
}

async fn list(ctx: &Ctx) -> Result<(), CliError> {
    let members = ctx.client()?.get_organization_members_with_roles().await?;
    if ctx.json {
        let json: Vec<UserJson> = members
            .iter()
            .map(|(u, role)| UserJson::new(u, role.as_ref()))
            .collect();
        output::print_json(&json)?;
    } else {
        let rows: Vec<Vec<Cell>> = members
            .iter()
            .map(|(u, role)| {
                vec![
                    Cell::plain(u.email.as_str()),
                    Cell::plain(u.name.as_str()),
                    Cell::plain(role.as_ref().map_or("", |r| r.name.as_str())),
                    Cell::plain(u.id.as_str()),
                    Cell::plain(if u.is_external_user { "yes" } else { "" }),
                ]
            })
            .collect();
        out!(
            "{}",
            output::table(ctx.out, &["EMAIL", "NAME", "ROLE", "ID", "EXTERNAL"], &rows)
        )?;
    }
    Ok(())
}

/// The member named by `user` (an email, compared case-insensitively, or an id) among
/// those the key may see: an email is one lookup ([`Client::find_member`]), an id is
/// looked for in the member listing.
async fn find_member(client: &Client, user: &str) -> Result<User, CliError> {
    let wanted = user.trim();
    let found = if wanted.contains('@') {
        client.find_member(wanted).await?
    } else {
        client
            .get_organization_members()
            .await?
            .into_iter()
            .find(|u| u.id.as_str() == wanted)
    };
    found.ok_or_else(|| {
        CliError::usage(format!("no member {wanted} in your organization"))
            .with_hint("`labelbox users list` shows the members your key may see")
    })
}

/// `labelbox users get EMAIL`: the member and their organization role (two requests,
/// whatever the size of the organization).
async fn get(ctx: &Ctx, args: GetUserArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let member = client
        .find_member(args.email.trim())
        .await?
        .ok_or_else(|| {
            CliError::usage(format!(
                "no member {} in your organization",
                args.email.trim()
            ))
            .with_hint("`labelbox users invites` lists the pending invitations")
        })?;
    let role = client.get_user_org_role(&member.id).await?;
    if ctx.json {
        output::print_json(&UserJson::new(&member, role.as_ref()))?;
    } else {
        let rows = vec![
            vec![Cell::plain("User"), Cell::plain(member.email.as_str())],
            vec![Cell::plain("Name"), Cell::plain(member.name.as_str())],
            vec![Cell::plain("ID"), Cell::plain(member.id.as_str())],
            vec![
                Cell::plain("Role"),
                Cell::plain(role.map_or_else(|| "(none)".to_owned(), |r| r.name)),
            ],
            vec![
                Cell::plain("External"),
                Cell::plain(if member.is_external_user { "yes" } else { "no" }),
            ],
            vec![
                Cell::plain("Created"),
                Cell::plain(output::absolute(member.created_at)),
            ],
        ];
        let text = output::table(ctx.out, &["", ""], &rows);
        for line in text.lines().skip(1) {
            outln!("{line}")?;
        }
    }
    Ok(())
}

/// The JSON shape of `users set-role`.
#[derive(Debug, Serialize)]
struct SetRoleJson {
    id: String,
    email: String,
    role: RoleJson,
}

#[derive(Debug, Serialize)]
struct RoleJson {
    id: Option<String>,
    name: String,
}

impl From<&Role> for RoleJson {
    fn from(role: &Role) -> Self {
        Self {
            id: role.id.as_ref().map(ToString::to_string),
            name: role.name.clone(),
        }
    }
}

async fn set_role(ctx: &Ctx, args: SetRoleArgs) -> Result<(), CliError> {
    let client = ctx.client()?;
    let roles = client.get_roles().await?;
    let role = roles
        .get(&args.role)
        .and_then(|r| r.id.clone())
        .ok_or_else(|| {
            let names: Vec<&str> = roles.iter().map(|r| r.name.as_str()).collect();
            CliError::usage(format!(
                "no role named {:?}; roles: {}",
                args.role,
                names.join(", ")
            ))
        })?;
    let member = find_member(&client, &args.user).await?;
    let new_role = client.set_user_org_role(&member.id, &role).await?;
    if ctx.json {
        output::print_json(&SetRoleJson {
            id: member.id.to_string(),
            email: member.email,
            role: RoleJson::from(&new_role),
        })?;
    } else {
        outln!(
            "{} {} is now {}",
            ctx.out.paint(Paint::Green, "Changed"),
            terminal_safe(&member.email),
            terminal_safe(&new_role.name)
        )?;
    }
    Ok(())
}

/// The JSON shape of `users remove`.
#[derive(Debug, Serialize)]
struct RemovedJson {
    id: String,
    email: String,
    removed: bool,
}

async fn remove(ctx: &Ctx, args: RemoveArgs) -> Result<(), CliError> {
    if !args.yes && !io::stdin().is_terminal() {
        return Err(CliError::usage(
            "refusing to remove a member without confirmation: stdin is not a terminal",
        )
        .with_hint("pass --yes to remove without asking"));
    }
    let client = ctx.client()?;
    let member = find_member(&client, &args.user).await?;
    if !args.yes {
        let question = format!(
            "Remove {} ({}) from the organization? It cannot be undone, and every API key of theirs stops working immediately.",
            terminal_safe(&member.email),
            terminal_safe(member.id.as_str())
        );
        if !confirm(&question)? {
            return Err(CliError::usage("aborted: nobody was removed"));
        }
    }
    client.remove_member(&member.id).await?;
    if ctx.json {
        output::print_json(&RemovedJson {
            id: member.id.to_string(),
            email: member.email,
            removed: true,
        })?;
    } else {
        outln!(
            "{} {} ({})",
            ctx.out.paint(Paint::Green, "Removed"),
            terminal_safe(&member.email),
            terminal_safe(member.id.as_str())
        )?;
    }
    Ok(())
}
