//! `labelbox whoami`.

use serde::Serialize;

use crate::commands::Ctx;
use crate::exit::CliError;
use crate::output::{self, Cell};

/// The stable JSON shape of `whoami`.
#[derive(Debug, Serialize)]
struct WhoamiJson {
    id: String,
    email: String,
    name: String,
    /// The user's organization role (null when the server shows none).
    role: Option<RoleJson>,
    organization: OrganizationJson,
}

#[derive(Debug, Serialize)]
struct RoleJson {
    id: Option<String>,
    name: String,
}

#[derive(Debug, Serialize)]
struct OrganizationJson {
    id: String,
    name: String,
}

/// Runs `labelbox whoami`.
pub async fn run(ctx: &Ctx) -> Result<(), CliError> {
    let client = ctx.client()?;
    let user = client.get_user().await?;
    let (org, role) = tokio::try_join!(
        client.get_organization(),
        client.get_user_org_role(&user.id)
    )?;
    if ctx.json {
        output::print_json(&WhoamiJson {
            id: user.id.to_string(),
            email: user.email,
            name: user.name,
            role: role.map(|r| RoleJson {
                id: r.id.map(|id| id.to_string()),
                name: r.name,
            }),
            organization: OrganizationJson {
                id: org.id.to_string(),
                name: org.name,
            },
        })?;
    } else {
        let rows = vec![
            vec![Cell::plain("User"), Cell::plain(user.email.as_str())],
            vec![Cell::plain("Name"), Cell::plain(user.name.as_str())],
            vec![Cell::plain("ID"), Cell::plain(user.id.as_str())],
            vec![
                Cell::plain("Role"),
                Cell::plain(role.map_or_else(|| "(none)".to_owned(), |r| r.name)),
            ],
            vec![
                Cell::plain("Organization"),
                Cell::plain(format!("{} ({})", org.name, org.id)),
            ],
        ];
        let text = output::table(ctx.out, &["", ""], &rows);
        for line in text.lines().skip(1) {
            outln!("{line}")?;
        }
    }
    Ok(())
}
