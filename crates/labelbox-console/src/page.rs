//! The page, rendered on the server with `maud` (checked at compile time). Every control
//! has an accessible name: a `<label>`, an `aria-label` or its text.

use std::collections::HashMap;

use labelbox_sdk::{
    grantable_roles, ApiKey, ApiKeyId, Client, Error, Organization, Overview, Role, TimeUnit, User,
    UserId,
};
use maud::{html, Markup, DOCTYPE};
use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime};

/// The permission that lets a key create, rotate and revoke keys. The real permission
/// strings are not public; this is the emulator's (crates/labelbox-emulator/src/roles.rs).
pub(crate) const KEY_MANAGEMENT_PERMISSION: &str = "MANAGE_API_KEYS";

/// A key expiring sooner than this is marked.
const SOON: Duration = Duration::days(7);

/// Everything the page shows.
#[derive(Debug)]
pub(crate) struct PageData {
    pub organization: Organization,
    pub me: User,
    pub role: String,
    pub read_only: Option<String>,
    pub grantable: Vec<String>,
    pub members: Vec<User>,
    pub keys: Vec<ApiKey>,
    pub now: OffsetDateTime,
    pub own_key: Option<ApiKeyId>,
}

impl PageData {
    /// The page's data from one request ([`Client::overview`]; one more per further 100
    /// members when the organization has more than 100).
    pub async fn load(client: &Client, own_key: Option<ApiKeyId>) -> Result<PageData, Error> {
        Ok(PageData::from_overview(
            client.overview().await?,
            own_key,
            OffsetDateTime::now_utc(),
        ))
    }

    /// What the page shows of `overview`: the caller's role (and the key's, when it is
    /// scoped below it), whether the page is read-only, and the roles the caller may grant.
    fn from_overview(
        overview: Overview,
        own_key: Option<ApiKeyId>,
        now: OffsetDateTime,
    ) -> PageData {
        let Overview {
            user: me,
            org_role,
            permissions,
            roles,
            organization,
            members,
            keys,
            ..
        } = overview;
        let key_role = role_of(&roles, &permissions);
        // The user's organization role; a key scoped below it says so.
        let role = match org_role {
            Some(r) if r.name == key_role => r.name,
            Some(r) => format!("{} (this key acts as {key_role})", r.name),
            None => key_role.clone(),
        };
        let read_only = (!permissions.iter().any(|p| p == KEY_MANAGEMENT_PERMISSION)).then(|| {
            format!(
                "Read-only: this API key ({key_role}) lacks the {KEY_MANAGEMENT_PERMISSION} \
                 permission, so it can list keys but not create, rotate or delete them. \
                 Start the console with an Admin's key to manage keys."
            )
        });
        let grantable = grantable_roles(&roles, &permissions)
            .into_iter()
            .map(|r| r.name.clone())
            .collect();
        PageData {
            organization,
            me,
            role,
            read_only,
            grantable,
            members,
            keys,
            now,
            own_key,
        }
    }
}

/// The name of the role whose permissions are exactly the caller's (the API reports the
/// caller's permissions, not its role's name).
fn role_of(roles: &[Role], permissions: &[String]) -> String {
    let mut mine: Vec<&String> = permissions.iter().collect();
    mine.sort();
    roles
        .iter()
        .find(|r| {
            let mut theirs: Vec<&String> = r.permissions.iter().collect();
            theirs.sort();
            theirs == mine
        })
        .map(|r| r.name.clone())
        .unwrap_or_else(|| "custom role".to_owned())
}

/// The one document every navigation gets: no secret and no key data. Its script signs in
/// or uses the tab's session, then fills `#app` with [`render`]'s fragment; `#signed-out`
/// is shown when there is no session.
pub(crate) fn shell() -> String {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                (head_common("API keys"))
                script src="/assets/console.js" defer {}
            }
            body {
                div #app {}
                main.message #signed-out hidden {
                    h1 { "Signed out" }
                    p #signed-out-reason {
                        "You are not signed in: your session ended (logged out, or idle for too \
                         long), or this tab has none (each tab signs in with its own link). \
                         Open a new login link: one printed by `labelbox console`, or Open in \
                         a new tab on a signed-in page."
                    }
                }
            }
        }
    }
    .into_string()
}

/// A fragment with one message (an upstream failure).
pub(crate) fn message_fragment(title: &str, message: &str) -> String {
    html! {
        main.message {
            h1 { (title) }
            p { (message) }
        }
    }
    .into_string()
}

fn head_common(title: &str) -> Markup {
    html! {
        meta charset="utf-8";
        meta name="viewport" content="width=device-width, initial-scale=1";
        meta name="referrer" content="no-referrer";
        title { (title) " · Labelbox console" }
        link rel="stylesheet" href="/assets/console.css";
    }
}

/// `in 3 days`, `2 hours ago`: the largest unit the span reaches (within 5%, so a key made
/// for 2 weeks says "in 2 weeks" a second later, not "in 1 week"), rounded to a whole one.
pub(crate) fn relative(delta: Duration) -> String {
    let secs = delta.whole_seconds().unsigned_abs();
    let (n, unit) = [
        (604_800, "week"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
    ]
    .iter()
    .find(|(size, _)| secs + size / 20 >= *size)
    .map(|(size, unit)| ((secs + size / 2) / size, *unit))
    .unwrap_or((secs, "second"));
    let plural = if n == 1 { "" } else { "s" };
    if delta.is_negative() {
        format!("{n} {unit}{plural} ago")
    } else {
        format!("in {n} {unit}{plural}")
    }
}

fn absolute(at: OffsetDateTime) -> String {
    at.format(format_description!(
        "[year]-[month]-[day] [hour]:[minute] UTC"
    ))
    .unwrap_or_default()
}

fn machine(at: OffsetDateTime) -> String {
    at.format(&Rfc3339).unwrap_or_default()
}

fn validity_fields(prefix: &str, amount: i64, unit: TimeUnit) -> Markup {
    html! {
        div.field {
            label for={(prefix) "-amount"} { "Validity" }
            div.validity {
                input id={(prefix) "-amount"} name="amount" type="number" min="1" step="1"
                    required value=(amount) aria-describedby={(prefix) "-validity-error"}
                    data-validity-amount;
                label.visually-hidden for={(prefix) "-unit"} { "Validity unit" }
                select id={(prefix) "-unit"} name="unit" data-validity-unit {
                    @for u in [TimeUnit::Minute, TimeUnit::Hour, TimeUnit::Day, TimeUnit::Week] {
                        option value={(u.name()) "s"} selected[u == unit] { (u.name()) "s" }
                    }
                }
            }
            p.hint { "From 1 minute to 25 weeks (about 6 months)." }
            p.error id={(prefix) "-validity-error"} data-error="validity" role="alert" {}
        }
    }
}

fn role_field(prefix: &str, roles: &[String], default: Option<&str>) -> Markup {
    html! {
        div.field {
            label for={(prefix) "-role"} { "Role" }
            select id={(prefix) "-role"} name="role" required aria-describedby={(prefix) "-role-error"} {
                @if let Some(default) = default { option value="" { (default) } }
                @for r in roles { option value=(r) { (r) } }
            }
            p.hint { "Only the roles you may grant are listed." }
            p.error id={(prefix) "-role-error"} data-error="role" role="alert" {}
        }
    }
}

/// The page's content, a fragment for the shell's `#app`.
pub(crate) fn render(d: &PageData) -> String {
    let emails: HashMap<&UserId, &str> = d
        .members
        .iter()
        .map(|u| (&u.id, u.email.as_str()))
        .chain(d.keys.iter().map(|k| (&k.user_id, k.user_email.as_str())))
        .collect();
    let can_manage = d.read_only.is_none();
    html! {
                header.top {
                    div {
                        p.org { span.label { "Organization" } " " strong id="org-name" { (d.organization.name) } }
                        p.me {
                            span.label { "Signed in as" } " "
                            strong id="user-name" { (d.me.name) } " "
                            span id="user-email" { "<" (d.me.email) ">" } " · "
                            span.label { "Role" } " " strong id="user-role" { (d.role) }
                        }
                    }
                    div.session {
                        button #new-tab type="button" { "Open in a new tab" }
                        button #logout type="button" { "Log out" }
                    }
                }
                main {
                    h1 { "API keys" }
                    @if let Some(reason) = &d.read_only {
                        p.notice #read-only role="status" { (reason) }
                    }
                    div.toolbar {
                        @if can_manage {
                            button #create-open.primary type="button" { "Create API key" }
                        }
                        label.toggle {
                            input #show-expired type="checkbox";
                            " Show expired"
                        }
                    }
                    p.error #page-error role="alert" {}
                    table #keys {
                        caption { "API keys of " (d.organization.name) }
                        thead {
                            tr {
                                th scope="col" { "Name" }
                                th scope="col" { "User" }
                                th scope="col" { "Created by" }
                                th scope="col" { "Created" }
                                th scope="col" { "Expires" }
                                th scope="col" { "Allowed IPs" }
                                @if can_manage { th scope="col" { span.visually-hidden { "Actions" } } }
                            }
                        }
                        tbody {
                            @for k in &d.keys {
                                @let expired = k.is_expired_at(d.now);
                                @let soon = !expired && k.expires_in(d.now) <= SOON;
                                @let lifetime = k.expires_at - k.created_at;
                                @let own = d.own_key.as_ref() == Some(&k.id);
                                tr data-key-id=(k.id) data-key-name=(k.name) data-own=(own)
                                    data-expired=(expired) data-lifetime-days=(((lifetime.whole_seconds() + 43_200) / 86_400).max(1))
                                    hidden[expired] {
                                    td.name {
                                        (k.name)
                                        @if own { " " span.badge.own { "this console's key" } }
                                    }
                                    td { (k.user_email) }
                                    td { (emails.get(k.creator_id()).copied().unwrap_or(k.creator_id().as_str())) }
                                    td { time datetime=(machine(k.created_at)) { (absolute(k.created_at)) } }
                                    td {
                                        time datetime=(machine(k.expires_at)) title=(absolute(k.expires_at)) {
                                            (relative(k.expires_at - d.now))
                                        }
                                        br;
                                        span.abs { (absolute(k.expires_at)) }
                                        @if expired { " " span.badge.expired { "expired" } }
                                        @if soon { " " span.badge.soon { "expires within 7 days" } }
                                    }
                                    td {
                                        @if k.allowed_ip_cidrs.is_empty() {
                                            span.muted { "any" }
                                        } @else {
                                            @for (i, ip) in k.allowed_ip_cidrs.iter().enumerate() {
                                                @if i > 0 { ", " }
                                                code { (ip) }
                                            }
                                        }
                                    }
                                    @if can_manage {
                                        td.actions {
                                            button.menu-button type="button" aria-haspopup="menu"
                                                aria-expanded="false" aria-label={"Actions for " (k.name)} { "⋯" }
                                            div.menu role="menu" hidden {
                                                button type="button" role="menuitem" data-action="rotate" { "Rotate" }
                                                button type="button" role="menuitem" data-action="delete" { "Delete" }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                    @if d.keys.iter().all(|k| k.is_expired_at(d.now)) {
                        p #no-keys.muted { "No active API keys." }
                    }
                }
                @if can_manage {
                    (create_dialog(d))
                    (rotate_dialog(d))
                    (delete_dialog())
                    (created_dialog())
                }
    }
    .into_string()
}

fn create_dialog(d: &PageData) -> Markup {
    html! {
        dialog #create-dialog aria-labelledby="create-title" {
            form #create-form method="dialog" novalidate {
                h2 #create-title { "Create API key" }
                div.field {
                    label for="create-name" { "Name" }
                    input #create-name name="name" type="text" required autocomplete="off"
                        placeholder="A descriptive name, such as ci-deploy" aria-describedby="create-name-error" autofocus;
                    p.error #create-name-error data-error="name" role="alert" {}
                }
                (validity_fields("create", 30, TimeUnit::Day))
                (role_field("create", &d.grantable, None))
                div.field {
                    label for="create-user" { "User" }
                    select #create-user name="user" required aria-describedby="create-user-error" {
                        @for u in &d.members {
                            option value=(u.email) selected[u.id == d.me.id] { (u.name) " <" (u.email) ">" }
                        }
                    }
                    p.hint { "The key acts as this member of the organization." }
                    p.error #create-user-error data-error="user" role="alert" {}
                }
                div.field {
                    label for="create-ips" { "Allowed IPs (optional)" }
                    textarea #create-ips name="allowed_ips" rows="2"
                        placeholder="10.0.0.0/8, 2001:db8::1" aria-describedby="create-ips-error" {}
                    p.hint { "Addresses or CIDR networks, separated by commas or lines. Empty: any address." }
                    p.error #create-ips-error data-error="allowed_ips" role="alert" {}
                }
                p.error data-error="form" role="alert" {}
                div.buttons {
                    button type="button" data-close { "Cancel" }
                    button.primary type="submit" { "Create" }
                }
            }
        }
    }
}

fn rotate_dialog(d: &PageData) -> Markup {
    html! {
        dialog #rotate-dialog aria-labelledby="rotate-title" {
            form #rotate-form method="dialog" novalidate {
                h2 #rotate-title { "Rotate API key" }
                p {
                    "A replacement for " strong data-key-name {} " is created now, with the same name, user and allowed IPs. "
                    "The current key keeps working until you have copied the replacement and pressed Done; then it is deleted. "
                    "If you close the dialog without Done, the replacement is deleted and the current key kept."
                }
                (validity_fields("rotate", 30, TimeUnit::Day))
                (role_field("rotate", &d.grantable, Some("The user's organization role")))
                p.notice #rotate-role-note {
                    "Labelbox does not report the role a key was created with, so the replacement gets "
                    "the user's current organization role unless you choose one. If this key was "
                    "created with a lower role, choose that role: otherwise the replacement can do more."
                }
                p.notice data-own-warning hidden {
                    "The console itself uses this key: once you press Done it is revoked and "
                    "this page stops working. Restart the console with the replacement."
                }
                p.error data-error="form" role="alert" {}
                div.buttons {
                    button type="button" data-close { "Cancel" }
                    button.primary type="submit" { "Create replacement" }
                }
            }
        }
    }
}

fn delete_dialog() -> Markup {
    html! {
        dialog #delete-dialog aria-labelledby="delete-title" aria-describedby="delete-text" {
            form #delete-form method="dialog" {
                h2 #delete-title { "Delete API key" }
                p #delete-text {
                    "Delete " strong data-key-name {} "? Any app, script, or service using the key loses access. "
                    "This cannot be undone."
                }
                p.notice data-own-warning hidden {
                    "The console itself uses this key: this page stops working too."
                }
                p.error data-error="form" role="alert" {}
                div.buttons {
                    button type="button" data-close { "Cancel" }
                    button.danger type="submit" { "Delete" }
                }
            }
        }
    }
}

fn created_dialog() -> Markup {
    html! {
        dialog #created-dialog aria-labelledby="created-title" aria-describedby="created-warning" {
            h2 #created-title { "API key created" }
            p #created-warning.warning {
                "Copy this key and store it somewhere safe. It will not be shown again: "
                "once you press Done, nobody can retrieve it."
            }
            p #rotation-note hidden {
                "This key replaces the old one. The old key keeps working until you press Done; "
                "then it is deleted. Closing this dialog without Done deletes this replacement instead."
            }
            div.field {
                label for="created-secret" { "API key" }
                div.secret-row {
                    input #created-secret type="text" readonly autocomplete="off" spellcheck="false";
                    button #copy type="button" aria-label="Copy API key" { "Copy" }
                }
                p #copy-status role="status" {}
            }
            p.error data-error="form" role="alert" {}
            div.buttons {
                button #done.primary type="button" { "Done" }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_times() {
        assert_eq!(relative(Duration::days(3)), "in 3 days");
        assert_eq!(relative(Duration::hours(-1)), "1 hour ago");
        assert_eq!(
            relative(Duration::weeks(2) + Duration::hours(3)),
            "in 2 weeks"
        );
        assert_eq!(relative(Duration::seconds(30)), "in 30 seconds");
        assert_eq!(
            relative(Duration::weeks(2) - Duration::seconds(5)),
            "in 2 weeks"
        );
        assert_eq!(relative(Duration::days(10)), "in 1 week");
        assert_eq!(
            relative(Duration::days(1) - Duration::seconds(5)),
            "in 1 day"
        );
        assert_eq!(relative(Duration::hours(13)), "in 13 hours");
    }
}
