//! Authorization over HTTP: a key acts with the intersection of its role and its user's
//! current organization role. `role_by_operation_table_holds_cell_by_cell` reads the table in
//! `docs/authorization.md` (the crate docs) and checks every cell.

use crate::common;

use std::collections::BTreeSet;

use common::*;
use labelbox_emulator::{roles, Emulator, EmulatorConfig, EmulatorHandle};
use serde_json::{json, Value};

/// The user whose keys the table's cells exercise.
const SUBJECT: &str = "admin2@example.com";
const TABLE_DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/authorization.md");

/// What a cell of the table says an operation does.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cell {
    Allowed,
    Refused(String),
    Null,
    EmptyList,
    OnlyTheCaller,
}

impl Cell {
    fn parse(text: &str) -> Cell {
        match text.trim().trim_matches('`') {
            "allowed" => Cell::Allowed,
            "null" => Cell::Null,
            "[]" => Cell::EmptyList,
            "only the caller" => Cell::OnlyTheCaller,
            code if !code.is_empty()
                && code.chars().all(|c| c.is_ascii_uppercase() || c == '_') =>
            {
                Cell::Refused(code.to_owned())
            }
            other => panic!("{TABLE_DOC}: a cell reads {other:?}, which the test does not know"),
        }
    }
}

/// The table of `docs/authorization.md`: column labels and, per row, the role and its cells.
fn doc_table() -> (Vec<String>, Vec<(String, Vec<Cell>)>) {
    let text = std::fs::read_to_string(TABLE_DOC).unwrap();
    let mut lines = text
        .lines()
        .skip_while(|l| !l.starts_with("| effective role |"));
    let split = |line: &str| -> Vec<String> {
        line.trim()
            .trim_matches('|')
            .split('|')
            .map(|c| c.trim().to_owned())
            .collect()
    };
    let header = split(lines.next().expect("the table's header row"));
    lines.next().expect("the table's separator row");
    let columns: Vec<String> = header[1..].to_vec();
    let rows = lines
        .take_while(|l| l.starts_with('|'))
        .map(|line| {
            let cells = split(line);
            assert_eq!(cells.len(), header.len(), "{TABLE_DOC}: row {line}");
            let role = cells[0].trim_matches('`').to_owned();
            (role, cells[1..].iter().map(|c| Cell::parse(c)).collect())
        })
        .collect();
    (columns, rows)
}

/// An emulator set up for one cell: the subject user's caller key, with the keys around it.
struct Fixture {
    emu: EmulatorHandle,
    ep: String,
    caller_id: String,
    caller: String,
    own_labeler: String,
    own_tenant_admin: String,
    /// A key the subject user created (over HTTP) for labeler@example.com.
    made_for_other: String,
    /// A key of reviewer@example.com that the subject did not create.
    foreign: String,
}

/// Sets up a fresh emulator where the subject user holds a key of `key_role` and has the
/// organization role `user_role`.
async fn fixture(key_role: &str, user_role: &str) -> Fixture {
    let emu = start().await;
    let ep = emu.endpoint();
    emu.set_user_role(SUBJECT, "Tenant Admin").unwrap();
    let (_, maker) = emu.issue_key(SUBJECT, "Tenant Admin", 3600, None).unwrap();
    let (made_for_other, _) = create_ok(
        &ep,
        &maker,
        "made for another user",
        "labeler@example.com",
        "Labeler",
        None,
    )
    .await;
    let (foreign, _) = emu
        .issue_key("reviewer@example.com", "Reviewer", 3600, None)
        .unwrap();
    let (own_labeler, _) = emu.issue_key(SUBJECT, "Labeler", 3600, None).unwrap();
    let (own_tenant_admin, _) = emu.issue_key(SUBJECT, "Tenant Admin", 3600, None).unwrap();
    let (caller_id, caller) = emu.issue_key(SUBJECT, key_role, 3600, None).unwrap();
    emu.set_user_role(SUBJECT, user_role).unwrap();
    Fixture {
        emu,
        ep,
        caller_id,
        caller,
        own_labeler,
        own_tenant_admin,
        made_for_other,
        foreign,
    }
}

fn is_revoked(emu: &EmulatorHandle, id: &str) -> bool {
    emu.keys().iter().any(|k| k.id == id && k.revoked)
}

fn sorted_strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {v}"))
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    out.sort();
    out
}

fn permissions_of(role: &str) -> Vec<String> {
    let mut out: Vec<String> = roles::role_by_name(role)
        .unwrap()
        .permissions
        .iter()
        .map(|p| p.to_string())
        .collect();
    out.sort();
    out
}

/// The error code of a refused body, checking that `data.<field>` is null.
fn refusal(body: &Value, field: &str) -> Result<Cell, String> {
    if !body["data"][field].is_null() {
        return Err(format!("an error with data: {body}"));
    }
    Ok(Cell::Refused(code(body).to_owned()))
}

/// Revokes `target` with the caller key; `Allowed` only when it is revoked afterwards,
/// `Refused(code)` only when it is not.
async fn revoke_cell(f: &Fixture, target: &str) -> Result<Cell, String> {
    let body = revoke(&f.ep, &f.caller, target).await;
    if body.get("errors").is_some() {
        let cell = refusal(&body, "updateApiKey")?;
        if is_revoked(&f.emu, target) {
            return Err(format!("refused but revoked anyway: {body}"));
        }
        return Ok(cell);
    }
    if data(&body)["updateApiKey"]["id"] != json!(target) || !is_revoked(&f.emu, target) {
        return Err(format!("answered without revoking: {body}"));
    }
    Ok(Cell::Allowed)
}

/// Creates a key for labeler@example.com with `role`; `Allowed` only when a key was stored.
async fn create_cell(f: &Fixture, role: &str) -> Result<Cell, String> {
    let before = f.emu.keys().len();
    let body = create(
        &f.ep,
        &f.caller,
        "cell",
        "labeler@example.com",
        Some(role),
        3600,
        None,
    )
    .await;
    let after = f.emu.keys().len();
    if body.get("errors").is_some() {
        let cell = refusal(&body, "createApiKey")?;
        if after != before {
            return Err(format!("refused but a key was stored: {body}"));
        }
        return Ok(cell);
    }
    let jwt = data(&body)["createApiKey"]["jwt"]
        .as_str()
        .unwrap_or_default();
    if after != before + 1 || jwt.split('.').count() != 3 {
        return Err(format!("answered without a new key: {body}"));
    }
    Ok(Cell::Allowed)
}

/// The organization role of the user `email` as the emulator's state holds it, or `None`
/// when the user is no longer a member.
async fn role_of(f: &Fixture, email: &str) -> Option<String> {
    let id = f.emu.user_id(email)?;
    let body = gql(
        &f.ep,
        Some(f.emu.admin_key()),
        "query R($id: ID!) { user(where: {id: $id}) { orgRole { name } } }",
        json!({ "id": id }),
    )
    .await;
    data(&body)["user"]["orgRole"]["name"]
        .as_str()
        .map(str::to_owned)
}

/// Sets the role of `email` to `role` with the caller key; `Allowed` only when the role
/// changed, `Refused(code)` only when it did not.
async fn set_role_cell(f: &Fixture, email: &str, role: &str) -> Result<Cell, String> {
    let before = role_of(f, email).await;
    let body = op(
        &f.ep,
        &f.caller,
        "set_user_org_role",
        json!({
            "userId": f.emu.user_id(email).unwrap(),
            "roleId": roles::role_by_name(role).unwrap().id,
        }),
    )
    .await;
    let after = role_of(f, email).await;
    if body.get("errors").is_some() {
        let cell = refusal(&body, "setOrganizationRole")?;
        if after != before {
            return Err(format!("refused but changed anyway: {body}"));
        }
        return Ok(cell);
    }
    if data(&body)["setOrganizationRole"]["name"] != role || after.as_deref() != Some(role) {
        return Err(format!("answered without the change: {body} ({after:?})"));
    }
    Ok(Cell::Allowed)
}

/// Removes `email` with the caller key; `Allowed` only when the user is gone afterwards.
async fn remove_cell(f: &Fixture, email: &str) -> Result<Cell, String> {
    let id = f.emu.user_id(email).unwrap();
    let body = op(&f.ep, &f.caller, "remove_member", json!({ "userId": id })).await;
    let still_member = f.emu.user_id(email).is_some();
    if body.get("errors").is_some() {
        let cell = refusal(&body, "updateUser")?;
        if !still_member {
            return Err(format!("refused but removed anyway: {body}"));
        }
        return Ok(cell);
    }
    let user = &data(&body)["updateUser"];
    if user["id"] != json!(id) || user["deleted"] != true || still_member {
        return Err(format!("answered without removing: {body}"));
    }
    Ok(Cell::Allowed)
}

/// The organization's id, as the admin key reads it.
async fn organization_id(f: &Fixture) -> String {
    let body = op(&f.ep, f.emu.admin_key(), "organization", json!(null)).await;
    data(&body)["organization"]["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Sends `createInvites` for `email` with `role` as the user of `key`.
async fn invite_as(f: &Fixture, key: &str, email: &str, role: &str) -> Value {
    let me = op(&f.ep, key, "current_user", json!(null)).await;
    let inviter = data(&me)["user"]["id"].clone();
    op(
        &f.ep,
        key,
        "create_invite",
        json!({ "data": [{
            "inviterId": inviter,
            "inviteeEmail": email,
            "organizationId": organization_id(f).await,
            "organizationRoleId": roles::role_by_name(role).unwrap().id,
            "projects": [],
            "userGroupIds": [],
            "userGroupWithRoleIds": [],
        }] }),
    )
    .await
}

/// The ids and roles of the pending invites, as the admin key lists them.
async fn pending_invites(f: &Fixture) -> Vec<(String, String)> {
    let body = op(
        &f.ep,
        f.emu.admin_key(),
        "list_invites",
        json!({ "from": null, "first": 100 }),
    )
    .await;
    data(&body)["organization"]["invites"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["id"].as_str().unwrap().to_owned(),
                i["organizationRoleName"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Invites someone with `role` using the caller key; `Allowed` only when the invite is
/// pending afterwards, with that role.
async fn invite_cell(f: &Fixture, role: &str) -> Result<Cell, String> {
    let body = invite_as(f, &f.caller, "invitee@example.com", role).await;
    let pending = pending_invites(f).await;
    if body.get("errors").is_some() {
        let cell = refusal(&body, "createInvites")?;
        if !pending.is_empty() {
            return Err(format!("refused but invited anyway: {body}"));
        }
        return Ok(cell);
    }
    let id = data(&body)["createInvites"][0]["invite"]["id"].as_str();
    if pending.len() != 1 || id != Some(pending[0].0.as_str()) || pending[0].1 != role {
        return Err(format!("answered without the invite: {body} ({pending:?})"));
    }
    Ok(Cell::Allowed)
}

/// Cancels an invite the admin sent, with the caller key; `Allowed` only when it is no
/// longer pending.
async fn cancel_invite_cell(f: &Fixture) -> Result<Cell, String> {
    let sent = invite_as(f, f.emu.admin_key(), "invitee@example.com", "Labeler").await;
    let id = data(&sent)["createInvites"][0]["invite"]["id"].clone();
    let body = op(
        &f.ep,
        &f.caller,
        "cancel_invite",
        json!({ "where": { "id": id } }),
    )
    .await;
    let pending = pending_invites(f).await;
    if body.get("errors").is_some() {
        let cell = refusal(&body, "cancelInvite")?;
        if pending.len() != 1 {
            return Err(format!("refused but cancelled anyway: {body}"));
        }
        return Ok(cell);
    }
    if data(&body)["cancelInvite"]["id"] != id || !pending.is_empty() {
        return Err(format!("answered without cancelling: {body}"));
    }
    Ok(Cell::Allowed)
}

/// Runs the operation of `column` on a fresh fixture; the cell it observed, or why the
/// answer fits no cell.
async fn observe(
    column: &str,
    row_role: &str,
    key_role: &str,
    user_role: &str,
) -> Result<Cell, String> {
    let f = fixture(key_role, user_role).await;
    let (ep, key) = (f.ep.as_str(), f.caller.as_str());
    let labeler_id = f.emu.user_id("labeler@example.com").unwrap();
    let reviewer_id = f.emu.user_id("reviewer@example.com").unwrap();
    match column {
        "`user`" => {
            let body = op(ep, key, "current_user", json!(null)).await;
            let user = &data(&body)["user"];
            if user["email"] == SUBJECT && user["isViewer"] == true {
                Ok(Cell::Allowed)
            } else {
                Err(format!("not the caller: {body}"))
            }
        }
        "`user(where: {id: other})`" => {
            let body = op(ep, key, "user_by_id", json!({ "id": labeler_id })).await;
            match &data(&body)["user"] {
                Value::Null => Ok(Cell::Null),
                user if user["email"] == "labeler@example.com" => Ok(Cell::Allowed),
                _ => Err(format!("another user: {body}")),
            }
        }
        "`organization`" => {
            let body = op(ep, key, "organization", json!(null)).await;
            if data(&body)["organization"]["name"] == "Example Org" {
                Ok(Cell::Allowed)
            } else {
                Err(format!("{body}"))
            }
        }
        "`organization { users }`" => {
            let body = gql(
                ep,
                Some(key),
                "query { organization { users(skip: 0, first: 100) { email } } }",
                json!({}),
            )
            .await;
            let emails: BTreeSet<String> = data(&body)["organization"]["users"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["email"].as_str().unwrap().to_owned())
                .collect();
            let every: BTreeSet<String> = labelbox_emulator::Seed::default()
                .users
                .into_iter()
                .map(|u| u.email)
                .collect();
            if emails == every {
                Ok(Cell::Allowed)
            } else if emails == BTreeSet::from([SUBJECT.to_owned()]) {
                Ok(Cell::OnlyTheCaller)
            } else {
                Err(format!("neither everyone nor the caller: {emails:?}"))
            }
        }
        "`organizationRole`" => {
            let body = op(ep, key, "caller_permissions", json!({ "userId": null })).await;
            let mine = sorted_strings(&data(&body)["organizationRole"]["permissions"]);
            // The effective permissions: exactly the row's role's.
            if mine == permissions_of(row_role) {
                Ok(Cell::Allowed)
            } else {
                Err(format!("not the {row_role} permissions: {mine:?}"))
            }
        }
        "`organizationRole(userId: other)`" => {
            let body = op(
                ep,
                key,
                "caller_permissions",
                json!({ "userId": reviewer_id }),
            )
            .await;
            match &data(&body)["organizationRole"] {
                Value::Null => Ok(Cell::Null),
                role if sorted_strings(&role["permissions"]) == permissions_of("Reviewer") => {
                    Ok(Cell::Allowed)
                }
                _ => Err(format!("not the reviewer's permissions: {body}")),
            }
        }
        "`roles`" => {
            let body = op(ep, key, "roles_with_permissions", json!({})).await;
            if data(&body)["roles"].as_array().map(Vec::len) == Some(roles::builtin_roles().len()) {
                Ok(Cell::Allowed)
            } else {
                Err(format!("{body}"))
            }
        }
        "`apiKeys`" => {
            let (mine, _) = list(ep, key).await;
            let mine: BTreeSet<String> = ids(&mine).into_iter().collect();
            let expected: BTreeSet<String> = f
                .emu
                .keys()
                .into_iter()
                .filter(|k| k.user_email == SUBJECT && !k.revoked)
                .map(|k| k.id)
                .collect();
            if mine == expected && mine.contains(&f.own_tenant_admin) {
                Ok(Cell::Allowed)
            } else {
                Err(format!(
                    "not every key of the user: {mine:?} (expected {expected:?})"
                ))
            }
        }
        "`apiKeysOtherUsers`" => {
            let (_, others) = list(ep, key).await;
            let others: BTreeSet<String> = ids(&others).into_iter().collect();
            let expected: BTreeSet<String> = f
                .emu
                .keys()
                .into_iter()
                .filter(|k| k.user_email != SUBJECT && !k.revoked)
                .map(|k| k.id)
                .collect();
            if others.is_empty() {
                Ok(Cell::EmptyList)
            } else if others == expected
                && others.contains(&f.made_for_other)
                && others.contains(&f.foreign)
            {
                Ok(Cell::Allowed)
            } else {
                Err(format!(
                    "neither none nor all: {others:?} (all: {expected:?})"
                ))
            }
        }
        "revoke this key" => {
            let cell = revoke_cell(&f, &f.caller_id).await?;
            if cell == Cell::Allowed && authenticates(ep, key).await {
                return Err("revoked but still authenticates".to_owned());
            }
            Ok(cell)
        }
        "revoke own `Labeler` key" => revoke_cell(&f, &f.own_labeler).await,
        "revoke own `Tenant Admin` key" => revoke_cell(&f, &f.own_tenant_admin).await,
        "revoke a key the user made for another user" => revoke_cell(&f, &f.made_for_other).await,
        "revoke another user's key" => revoke_cell(&f, &f.foreign).await,
        "create `Labeler` key" => create_cell(&f, "Labeler").await,
        "create `Admin` key" => create_cell(&f, "Admin").await,
        "create `Tenant Admin` key" => create_cell(&f, "Tenant Admin").await,
        "set a `Labeler`'s role to `Reviewer`" => {
            set_role_cell(&f, "labeler@example.com", "Reviewer").await
        }
        "set a `Labeler`'s role to `Tenant Admin`" => {
            set_role_cell(&f, "labeler@example.com", "Tenant Admin").await
        }
        "set the `Tenant Admin`'s role to `Labeler`" => {
            set_role_cell(&f, "tenant-admin@example.com", "Labeler").await
        }
        "remove a `Labeler`" => remove_cell(&f, "labeler@example.com").await,
        "remove the `Tenant Admin`" => remove_cell(&f, "tenant-admin@example.com").await,
        "set a `Labeler`'s role to `None`" => {
            set_role_cell(&f, "labeler@example.com", "None").await
        }
        "invite as `Labeler`" => invite_cell(&f, "Labeler").await,
        "invite as `None`" => invite_cell(&f, "None").await,
        "invite as `Admin`" => invite_cell(&f, "Admin").await,
        "invite as `Tenant Admin`" => invite_cell(&f, "Tenant Admin").await,
        "cancel an invite" => cancel_invite_cell(&f).await,
        "`organization { invites }`" => {
            let sent = invite_as(&f, f.emu.admin_key(), "pending@example.com", "Labeler").await;
            let id = data(&sent)["createInvites"][0]["invite"]["id"].clone();
            let body = op(
                ep,
                key,
                "list_invites",
                json!({ "from": null, "first": 100 }),
            )
            .await;
            let nodes = &data(&body)["organization"]["invites"]["nodes"];
            match nodes.as_array().map(Vec::as_slice) {
                Some([]) => Ok(Cell::EmptyList),
                Some([one]) if one["id"] == id => Ok(Cell::Allowed),
                _ => Err(format!("neither the invite nor none: {body}")),
            }
        }
        "`invitesLimit`" => {
            invite_as(&f, f.emu.admin_key(), "pending@example.com", "Labeler").await;
            let body = op(
                ep,
                key,
                "invites_limit",
                json!({ "organizationId": organization_id(&f).await }),
            )
            .await;
            let limit = &data(&body)["invitesLimit"];
            let members = labelbox_emulator::Seed::default().users.len() as u64;
            if limit.is_null() {
                Ok(Cell::Null)
            } else if limit["used"] == json!(members + 1)
                && limit["limit"] == json!(labelbox_emulator::DEFAULT_INVITE_LIMIT)
                && limit["remaining"]
                    == json!(u64::from(labelbox_emulator::DEFAULT_INVITE_LIMIT) - members - 1)
            {
                Ok(Cell::Allowed)
            } else {
                Err(format!("not the organization's usage: {body}"))
            }
        }
        other => panic!("{TABLE_DOC}: column {other} has no test; add it to observe()"),
    }
}

#[tokio::test]
async fn role_by_operation_table_holds_cell_by_cell() {
    let (columns, rows) = doc_table();
    let names: Vec<&str> = rows.iter().map(|(r, _)| r.as_str()).collect();
    let builtin: Vec<&str> = roles::builtin_roles().iter().map(|r| r.name).collect();
    assert_eq!(
        names, builtin,
        "{TABLE_DOC}: one row per built-in role, in order"
    );
    assert_eq!(columns.len(), 30, "{TABLE_DOC}: columns {columns:?}");
    let mut failures = Vec::new();
    let mut checked = 0;
    for (role, cells) in &rows {
        // The intersection both ways: the row's role on the key, or on the user.
        let variants = [
            (role.as_str(), "Tenant Admin", "key role, Tenant Admin user"),
            ("Tenant Admin", role.as_str(), "Tenant Admin key, user role"),
        ];
        for (column, expected) in columns.iter().zip(cells) {
            for (key_role, user_role, how) in variants {
                checked += 1;
                let observed = observe(column, role, key_role, user_role).await;
                if observed.as_ref() != Ok(expected) {
                    failures.push(format!(
                        "cell [{role}] × [{column}] ({how}: key role {key_role}, user role {user_role}): documented {expected:?}, observed {observed:?}"
                    ));
                }
            }
        }
    }
    assert_eq!(checked, 6 * 30 * 2);
    assert!(
        failures.is_empty(),
        "{} of {checked} cells differ from {TABLE_DOC}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The regression of issue 11, item 3, over HTTP only: the admin scopes a key down to
/// `Labeler` for itself; that key neither lists nor revokes the keys the admin created for
/// other users, nor creates keys.
#[tokio::test]
async fn a_labeler_key_of_an_admin_cannot_list_revoke_or_create_the_admins_keys() {
    let emu = start().await;
    let ep = emu.endpoint();
    let admin = emu.admin_key();
    let (for_labeler, labeler_key) = create_ok(
        &ep,
        admin,
        "for labeler",
        "labeler@example.com",
        "Labeler",
        None,
    )
    .await;
    let (for_admin2, admin2_key) = create_ok(
        &ep,
        admin,
        "for admin2",
        "admin2@example.com",
        "Admin",
        None,
    )
    .await;
    let (scoped_id, scoped) = create_ok(
        &ep,
        admin,
        "scoped down",
        "admin@example.com",
        "Labeler",
        None,
    )
    .await;

    // It still is the admin's key: it sees the admin and the admin's own keys ...
    let body = op(&ep, &scoped, "current_user", json!(null)).await;
    assert_eq!(data(&body)["user"]["email"], "admin@example.com");
    let (mine, others) = list(&ep, &scoped).await;
    assert!(ids(&mine).contains(&scoped_id));
    // ... but none of the keys the admin created for other users.
    assert_eq!(
        others,
        Vec::<Value>::new(),
        "apiKeysOtherUsers must be empty"
    );
    // Its permissions are the Labeler's, so a client computes no grantable role above them.
    let body = op(&ep, &scoped, "caller_permissions", json!({})).await;
    assert_eq!(
        sorted_strings(&data(&body)["organizationRole"]["permissions"]),
        permissions_of("Labeler")
    );

    // Asked by its user's own id, too: the effective permissions, not the user's role's.
    let body = op(
        &ep,
        &scoped,
        "caller_permissions",
        json!({ "userId": emu.user_id("admin@example.com").unwrap() }),
    )
    .await;
    assert_eq!(
        sorted_strings(&data(&body)["organizationRole"]["permissions"]),
        permissions_of("Labeler")
    );

    for id in [&for_labeler, &for_admin2] {
        let body = revoke(&ep, &scoped, id).await;
        assert_eq!(code(&body), "AUTHORIZATION_ERROR", "revoking {id}: {body}");
    }
    // A stronger key of its own user is out of reach too.
    let body = revoke(&ep, &scoped, emu.admin_key_id()).await;
    assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{body}");
    assert!(authenticates(&ep, &labeler_key).await);
    assert!(authenticates(&ep, &admin2_key).await);
    assert!(authenticates(&ep, admin).await);

    for role in ["Labeler", "Admin", "Tenant Admin"] {
        let before = emu.keys().len();
        let body = create(
            &ep,
            &scoped,
            "x",
            "labeler@example.com",
            Some(role),
            3600,
            None,
        )
        .await;
        assert_eq!(
            code(&body),
            "AUTHORIZATION_ERROR",
            "creating {role}: {body}"
        );
        assert_eq!(emu.keys().len(), before, "a key was stored for {role}");
    }
    // Other users are invisible to it.
    let body = op(
        &ep,
        &scoped,
        "user_by_id",
        json!({ "id": emu.user_id("admin2@example.com").unwrap() }),
    )
    .await;
    assert!(data(&body)["user"].is_null(), "{body}");
}

/// The user's role is read at every request: a demotion bounds every key of the user at
/// once (even an Admin-role key), and a promotion back restores it, within the key's role.
#[tokio::test]
async fn a_role_change_of_the_user_applies_to_its_keys_at_the_next_request() {
    let emu = start().await;
    let ep = emu.endpoint();
    let (_, admin2) = create_ok(
        &ep,
        emu.admin_key(),
        "admin2's",
        "admin2@example.com",
        "Admin",
        None,
    )
    .await;
    let (_, others) = list(&ep, &admin2).await;
    assert!(!others.is_empty());

    emu.set_user_role("admin2@example.com", "Labeler").unwrap();
    let (_, others) = list(&ep, &admin2).await;
    assert!(
        others.is_empty(),
        "a demoted user's key still lists others' keys"
    );
    let body = create(
        &ep,
        &admin2,
        "x",
        "labeler@example.com",
        Some("Labeler"),
        3600,
        None,
    )
    .await;
    assert_eq!(code(&body), "AUTHORIZATION_ERROR", "{body}");
    let body = op(&ep, &admin2, "caller_permissions", json!({})).await;
    assert_eq!(
        sorted_strings(&data(&body)["organizationRole"]["permissions"]),
        permissions_of("Labeler")
    );
    // Others see the user's new role.
    let body = op(
        &ep,
        emu.admin_key(),
        "caller_permissions",
        json!({ "userId": emu.user_id("admin2@example.com").unwrap() }),
    )
    .await;
    assert_eq!(
        sorted_strings(&data(&body)["organizationRole"]["permissions"]),
        permissions_of("Labeler")
    );

    // Promoted above the key's role: the key stays within its own role (Admin).
    emu.set_user_role("admin2@example.com", "Tenant Admin")
        .unwrap();
    let body = op(&ep, &admin2, "caller_permissions", json!({})).await;
    assert_eq!(
        sorted_strings(&data(&body)["organizationRole"]["permissions"]),
        permissions_of("Admin")
    );
    data(
        &create(
            &ep,
            &admin2,
            "x",
            "labeler@example.com",
            Some("Labeler"),
            3600,
            None,
        )
        .await,
    );

    assert!(emu.set_user_role("admin2@example.com", "Boss").is_err());
    assert!(emu.set_user_role("ghost@example.com", "Admin").is_err());
}

#[tokio::test]
async fn a_role_change_is_persisted_with_the_state_file() {
    let path = temp_path("role-change");
    let config = EmulatorConfig::default()
        .admin_key_seed("role-change")
        .state_file(&path);
    let emu = Emulator::start(config.clone()).await.unwrap();
    emu.set_user_role("reviewer@example.com", "Team Manager")
        .unwrap();
    emu.shutdown().await;
    let emu = Emulator::start(config).await.unwrap();
    let body = op(
        &emu.endpoint(),
        emu.admin_key(),
        "caller_permissions",
        json!({ "userId": emu.user_id("reviewer@example.com").unwrap() }),
    )
    .await;
    assert_eq!(
        sorted_strings(&data(&body)["organizationRole"]["permissions"]),
        permissions_of("Team Manager")
    );
    emu.shutdown().await;
}
