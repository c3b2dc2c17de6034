//! `labelbox roles`.

use labelbox_sdk::{Client, Role};
use serde::Serialize;

use crate::commands::Ctx;
use crate::exit::CliError;
use crate::output::{self, Cell};

/// The stable JSON shape of one role.
#[derive(Debug, Serialize)]
pub struct RoleJson {
    id: Option<String>,
    name: String,
    permissions: Vec<String>,
}

/// The organization's roles with ids and permissions, fewest permissions first (so
/// `None` < `Labeler` < `Admin`).
pub async fn fetch(client: &Client) -> Result<Vec<Role>, CliError> {
    let mut roles = client.get_roles_with_permissions().await?.into_vec();
    roles.sort_by(|a, b| {
        (a.permissions.len(), a.name.as_str()).cmp(&(b.permissions.len(), b.name.as_str()))
    });
    Ok(roles)
}

/// The roles as an aligned table.
pub fn roles_table(ctx: &Ctx, roles: &[Role]) -> String {
    let rows: Vec<Vec<Cell>> = roles
        .iter()
        .map(|r| {
            vec![
                Cell::plain(r.name.as_str()),
                Cell::plain(r.id.as_ref().map(ToString::to_string).unwrap_or_default()),
                Cell::plain(r.permissions.len().to_string()),
            ]
        })
        .collect();
    output::table(ctx.out, &["NAME", "ID", "PERMISSIONS"], &rows)
}

/// Runs `labelbox roles`.
pub async fn run(ctx: &Ctx) -> Result<(), CliError> {
    let client = ctx.client()?;
    let roles = fetch(&client).await?;
    if ctx.json {
        let json: Vec<RoleJson> = roles
            .iter()
            .map(|r| RoleJson {
                id: r.id.as_ref().map(ToString::to_string),
                name: r.name.clone(),
                permissions: r.permissions.clone(),
            })
            .collect();
        output::print_json(&json)?;
    } else {
        out!("{}", roles_table(ctx, &roles))?;
    }
    Ok(())
}
