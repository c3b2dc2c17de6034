//! The console in a real browser (headless Chromium through chromedriver, both from
//! `scripts/browser.sh`), end to end against the emulator. Screenshots of each dialog go
//! to `target/console-screenshots/`. Without a browser these tests fail and say what to
//! install.

use crate::support;

use std::time::Duration;

use labelbox_sdk::ExposeSecret;
use serde_json::{json, Value};
use std::sync::Arc;

use support::webdriver::{with_browser, Driver};
use support::{authenticates, live_keys_named, start};

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";
const ESCAPE: &str = "\u{E00C}";

/// Every visible control has a non-empty accessible name, as Chromium computes it.
async fn assert_accessible_names(d: &Driver, scope: &str) {
    let mut checked = 0;
    for css in [
        "button",
        "input",
        "select",
        "textarea",
        "a[href]",
        "[role=menuitem]",
    ] {
        for element in d.find_all(&format!("{scope} {css}")).await {
            if !d.displayed(&element).await {
                continue;
            }
            let label = d.computed_label(&element).await;
            let html = d
                .run(
                    "return arguments[0].outerHTML.slice(0, 120)",
                    json!([{"element-6066-11e4-a52e-4f735466cecf": element}]),
                )
                .await;
            assert!(!label.trim().is_empty(), "no accessible name: {html}");
            checked += 1;
        }
    }
    assert!(checked > 0, "no visible control under {scope}");
}

async fn active_id(d: &Driver) -> String {
    d.run(
        "return document.activeElement ? document.activeElement.id : ''",
        json!([]),
    )
    .await
    .as_str()
    .unwrap_or_default()
    .to_owned()
}

/// Tabs until the element with `id` has the focus (keyboard only).
async fn tab_to(d: &Driver, id: &str) {
    for _ in 0..20 {
        if active_id(d).await == id {
            return;
        }
        d.keys(TAB).await;
    }
    panic!("Tab never reached #{id} (at #{})", active_id(d).await);
}

/// Whether `secret` is anywhere in the page: its markup or any field's value.
async fn secret_in_dom(d: &Driver, secret: &str) -> bool {
    d.run(
        "const s = arguments[0];
         return document.documentElement.outerHTML.includes(s)
           || Array.from(document.querySelectorAll('input, textarea')).some(i => i.value.includes(s));",
        json!([secret]),
    )
    .await
        == json!(true)
}

async fn secret_field(d: &Driver) -> String {
    d.run(
        "return document.getElementById('created-secret').value",
        json!([]),
    )
    .await
    .as_str()
    .unwrap()
    .to_owned()
}

/// Opens a row's menu and picks `action` ("rotate" or "delete").
async fn row_action(d: &Driver, key_id: &str, action: &str) {
    let menu_button = d
        .find(&format!("tr[data-key-id='{key_id}'] .menu-button"))
        .await;
    d.click(&menu_button).await;
    let item = d
        .find(&format!(
            "tr[data-key-id='{key_id}'] [data-action='{action}']"
        ))
        .await;
    assert_eq!(d.computed_label(&item).await.to_lowercase(), action);
    d.click(&item).await;
}

/// Marks the current document, so that [`wait_reloaded`] can tell a new one from it: call it
/// just before the action that reloads the page (closing a dialog, for one, makes the old
/// page look settled before the reload it starts).
async fn mark_page(d: &Driver) {
    d.run("window.__beforeReload = true", json!([])).await;
}

/// Waits for a new document (one without [`mark_page`]'s mark) to finish loading.
async fn wait_reloaded(d: &Driver) {
    d.wait_for(
        "the page to reload",
        "return !window.__beforeReload && document.readyState === 'complete' \
         && !!document.getElementById('keys') && !document.querySelector('dialog[open]')",
    )
    .await;
}

fn key_id_by_secret_name(s: &support::Setup, name: &str) -> Vec<String> {
    live_keys_named(&s.emulator, name)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_copy_done_rotate_delete_in_a_real_browser() {
    with_browser(create_copy_done_rotate_delete).await;
}

async fn create_copy_done_rotate_delete(d: Arc<Driver>) {
    let s = start(Duration::from_secs(600)).await;
    let endpoint = s.emulator.endpoint();
    // An expired key and one expiring within 7 days, for the marks and the toggle.
    s.emulator
        .issue_key("reviewer@example.com", "Reviewer", -3600, None)
        .unwrap();
    s.emulator
        .issue_key("manager@example.com", "Labeler", 3 * 86_400, None)
        .unwrap();

    let base = s.console.base_url().to_owned();
    d.cdp(
        "Browser.grantPermissions",
        json!({"origin": base, "permissions": ["clipboardReadWrite", "clipboardSanitizedWrite"]}),
    )
    .await;
    d.goto(s.console.login_url().expose_secret()).await;
    d.wait_for("the page", "return !!document.getElementById('keys')")
        .await;
    let url = d.run("return location.href", json!([])).await;
    assert_eq!(
        url,
        json!(format!("{base}/")),
        "the token left the address bar"
    );

    // Header: organization, user and role.
    assert_eq!(d.text(&d.find("#org-name").await).await, "Example Org");
    assert!(d
        .text(&d.find("#user-email").await)
        .await
        .contains("admin@example.com"));
    assert_eq!(d.text(&d.find("#user-role").await).await, "Admin");
    assert_accessible_names(&d, "body").await;

    // The console's own key is marked, and deleting it warns that the page stops working.
    let own = s.emulator.admin_key_id().to_owned();
    let badge = d
        .text(&d.find(&format!("tr[data-key-id='{own}'] .badge.own")).await)
        .await;
    assert_eq!(badge, "this console's key");
    row_action(&d, &own, "delete").await;
    d.wait_for(
        "the Delete dialog",
        "return document.getElementById('delete-dialog').open",
    )
    .await;
    let warning = d.find("#delete-dialog [data-own-warning]").await;
    assert!(d.displayed(&warning).await, "the own-key warning is shown");
    d.screenshot("6b-delete-own-key").await;
    d.keys(ESCAPE).await;
    assert!(
        authenticates(&endpoint, s.emulator.admin_key()).await,
        "cancel deleted nothing"
    );

    // Marks and the Show expired toggle.
    let page = d.text(&d.find("#keys").await).await;
    assert!(page.contains("expires within 7 days"), "{page}");
    assert!(
        !page.contains("expired\n") && !page.contains(" expired"),
        "expired rows hidden: {page}"
    );
    d.click(&d.find("#show-expired").await).await;
    let page = d.text(&d.find("#keys").await).await;
    assert!(
        page.contains("expired"),
        "the toggle shows expired keys: {page}"
    );
    assert!(
        page.contains("ago"),
        "relative expiry of the expired key: {page}"
    );
    d.screenshot("0-page-with-expired").await;
    d.click(&d.find("#show-expired").await).await;

    // Create → Done with the keyboard alone.
    d.run(
        "document.activeElement && document.activeElement.blur()",
        json!([]),
    )
    .await;
    tab_to(&d, "create-open").await;
    d.keys(ENTER).await;
    d.wait_for(
        "the Create dialog",
        "return document.getElementById('create-dialog').open",
    )
    .await;
    assert_eq!(
        active_id(&d).await,
        "create-name",
        "the name field has the focus"
    );
    assert_accessible_names(&d, "#create-dialog").await;
    d.keys("browser-key").await;
    d.keys(TAB).await;
    assert_eq!(active_id(&d).await, "create-amount");
    d.select_all().await;
    d.keys("0").await;
    d.wait_for(
        "the inline validity message",
        "return document.getElementById('create-validity-error').textContent === 'Minimum validity period is 1 minute'",
    )
    .await;
    d.screenshot("1-create-validity-message").await;
    d.select_all().await;
    d.keys("26").await;
    d.keys(TAB).await; // the unit
    d.keys("w").await; // weeks
    d.wait_for(
        "the maximum message",
        "return document.getElementById('create-validity-error').textContent === 'Maximum validity period is 6 months (or 25 weeks)'",
    )
    .await;
    tab_to(&d, "create-amount").await;
    d.select_all().await;
    d.keys("2").await;
    d.wait_for(
        "the message to go",
        "return document.getElementById('create-validity-error').textContent === ''",
    )
    .await;
    tab_to(&d, "create-ips").await;
    d.keys("127.0.0.1").await;
    d.screenshot("2-create-dialog").await;
    // Role: only grantable roles are offered.
    let roles = d
        .run(
            "return Array.from(document.querySelectorAll('#create-role option')).map(o => o.value)",
            json!([]),
        )
        .await;
    assert_eq!(
        roles,
        json!(["Labeler", "Reviewer", "Team Manager", "Admin"])
    );
    d.keys(TAB).await; // Cancel
    d.keys(TAB).await; // Create
    let focused = d
        .run("return document.activeElement.textContent", json!([]))
        .await;
    assert_eq!(focused, json!("Create"));
    d.keys(ENTER).await;
    d.wait_for(
        "the API key created dialog",
        "return document.getElementById('created-dialog').open",
    )
    .await;
    assert_accessible_names(&d, "#created-dialog").await;
    let warning = d.text(&d.find("#created-warning").await).await;
    assert!(warning.contains("will not be shown again"), "{warning}");
    let secret = secret_field(&d).await;
    assert_eq!(secret.split('.').count(), 3, "a JWT");
    assert_eq!(active_id(&d).await, "copy");
    d.keys(ENTER).await; // Copy
    d.wait_for(
        "the copy status",
        "return document.getElementById('copy-status').textContent !== ''",
    )
    .await;
    let status = d.text(&d.find("#copy-status").await).await;
    assert_eq!(status, "Copied to the clipboard.");
    let clipboard = d
        .run_async(
            "navigator.clipboard.readText().then(arguments[0], e => arguments[0]('error: ' + e))",
            json!([]),
        )
        .await;
    assert_eq!(clipboard, json!(secret), "the clipboard holds the key");
    d.screenshot("3-api-key-created").await;
    d.keys(TAB).await;
    assert_eq!(active_id(&d).await, "done");
    mark_page(&d).await;
    d.keys(ENTER).await;
    wait_reloaded(&d).await;
    assert!(
        !secret_in_dom(&d, &secret).await,
        "Done removed the secret from the page"
    );
    assert!(
        authenticates(&endpoint, &secret).await,
        "the new key authenticates"
    );
    let ids = key_id_by_secret_name(&s, "browser-key");
    assert_eq!(ids.len(), 1);
    let first_id = ids[0].clone();
    let row = d
        .text(&d.find(&format!("tr[data-key-id='{first_id}']")).await)
        .await;
    assert!(
        row.contains("127.0.0.1") && row.contains("in 2 weeks"),
        "{row}"
    );
    assert_accessible_names(&d, "body").await;

    // Rotate: the replacement is shown like a new key; the old one works until Done.
    row_action(&d, &first_id, "rotate").await;
    d.wait_for(
        "the Rotate dialog",
        "return document.getElementById('rotate-dialog').open",
    )
    .await;
    assert_accessible_names(&d, "#rotate-dialog").await;
    // The default role is the user's, which may be wider than the key's: the dialog says so.
    let note = d.find("#rotate-role-note").await;
    assert!(d.displayed(&note).await);
    assert!(
        d.text(&note).await.contains("choose that role"),
        "{}",
        d.text(&note).await
    );
    d.screenshot("4-rotate-dialog").await;
    d.click(&d.find("#rotate-form button.primary").await).await;
    d.wait_for(
        "the replacement",
        "return document.getElementById('created-dialog').open",
    )
    .await;
    assert!(d.displayed(&d.find("#rotation-note").await).await);
    let replacement = secret_field(&d).await;
    assert_ne!(replacement, secret);
    d.screenshot("5-replacement-created").await;
    assert!(
        authenticates(&endpoint, &secret).await,
        "the old key works until Done"
    );
    assert!(authenticates(&endpoint, &replacement).await);
    mark_page(&d).await;
    d.click(&d.find("#done").await).await;
    wait_reloaded(&d).await;
    assert!(
        !authenticates(&endpoint, &secret).await,
        "Done revoked the old key"
    );
    assert!(
        authenticates(&endpoint, &replacement).await,
        "the replacement works"
    );
    assert!(!secret_in_dom(&d, &replacement).await);
    let ids = key_id_by_secret_name(&s, "browser-key");
    assert_eq!(ids.len(), 1);
    let second_id = ids[0].clone();
    assert_ne!(second_id, first_id);

    // A rotation abandoned (Escape) revokes its replacement and keeps the old key.
    row_action(&d, &second_id, "rotate").await;
    d.wait_for(
        "the Rotate dialog",
        "return document.getElementById('rotate-dialog').open",
    )
    .await;
    d.click(&d.find("#rotate-form button.primary").await).await;
    d.wait_for(
        "the replacement",
        "return document.getElementById('created-dialog').open",
    )
    .await;
    let abandoned = secret_field(&d).await;
    assert!(authenticates(&endpoint, &abandoned).await);
    mark_page(&d).await;
    d.keys(ESCAPE).await;
    wait_reloaded(&d).await;
    assert!(
        !authenticates(&endpoint, &abandoned).await,
        "the abandoned replacement is revoked"
    );
    assert!(
        authenticates(&endpoint, &replacement).await,
        "the old key is kept"
    );
    assert!(!secret_in_dom(&d, &abandoned).await);

    // Delete, with the confirmation saying what stops working.
    row_action(&d, &second_id, "delete").await;
    d.wait_for(
        "the Delete dialog",
        "return document.getElementById('delete-dialog').open",
    )
    .await;
    assert_accessible_names(&d, "#delete-dialog").await;
    let text = d.text(&d.find("#delete-text").await).await;
    assert!(
        text.contains("Any app, script, or service using the key loses access"),
        "{text}"
    );
    assert!(text.contains("browser-key"), "{text}");
    let warning = d.find("#delete-dialog [data-own-warning]").await;
    assert!(
        !d.displayed(&warning).await,
        "no own-key warning for another key"
    );
    d.screenshot("6-delete-dialog").await;
    mark_page(&d).await;
    d.click(&d.find("#delete-form button.danger").await).await;
    wait_reloaded(&d).await;
    assert!(
        !authenticates(&endpoint, &replacement).await,
        "the deleted key is refused"
    );
    let rows = d.find_all(&format!("tr[data-key-id='{second_id}']")).await;
    assert!(rows.is_empty(), "the deleted key left the table");

    // Server errors inline: an allowlist entry with host bits set.
    d.click(&d.find("#create-open").await).await;
    d.wait_for(
        "the Create dialog",
        "return document.getElementById('create-dialog').open",
    )
    .await;
    d.keys("bad-ips").await;
    d.run(
        "document.getElementById('create-ips').value = '10.0.0.1/8'",
        json!([]),
    )
    .await;
    d.click(&d.find("#create-form button.primary").await).await;
    d.wait_for(
        "the allowlist message",
        "return document.getElementById('create-ips-error').textContent !== ''",
    )
    .await;
    let message = d.text(&d.find("#create-ips-error").await).await;
    assert!(message.contains("did you mean 10.0.0.0/8"), "{message}");
    d.screenshot("7-create-error-inline").await;
    d.keys(ESCAPE).await;

    // A server error inline, with the SDK's message: rotating a key revoked meanwhile.
    let (gone_id, _) = s
        .emulator
        .issue_key("labeler@example.com", "Labeler", 86_400, None)
        .unwrap();
    mark_page(&d).await;
    d.run("location.reload()", json!([])).await;
    wait_reloaded(&d).await;
    s.admin
        .revoke_api_key(&labelbox_sdk::ApiKeyId::from(gone_id.as_str()))
        .await
        .unwrap();
    row_action(&d, &gone_id, "rotate").await;
    d.wait_for(
        "the Rotate dialog",
        "return document.getElementById('rotate-dialog').open",
    )
    .await;
    d.click(&d.find("#rotate-form button.primary").await).await;
    d.wait_for(
        "the server's message",
        "return document.querySelector('#rotate-form [data-error=form]').textContent !== ''",
    )
    .await;
    let message = d
        .text(&d.find("#rotate-form [data-error=form]").await)
        .await;
    assert!(
        message.contains(&format!("API key {gone_id} not found")),
        "{message}"
    );
    d.screenshot("7b-rotate-server-error").await;
    d.keys(ESCAPE).await;

    // Log out from the page.
    d.click(&d.find("#logout").await).await;
    d.wait_for(
        "the signed-out page",
        "return document.title.startsWith('Signed out')",
    )
    .await;
    assert_eq!(s.console.session_count(), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_key_without_key_management_sees_the_page_read_only() {
    with_browser(read_only).await;
}

async fn read_only(d: Arc<Driver>) {
    let emulator = support::emulator().await;
    let (_, labeler_key) = emulator
        .issue_key("labeler@example.com", "Labeler", 86_400, None)
        .unwrap();
    let client = support::client(&emulator.endpoint(), &labeler_key);
    let console = labelbox_console::Console::start(labelbox_console::ConsoleConfig::new(client))
        .await
        .unwrap();
    d.goto(console.login_url().expose_secret()).await;
    d.wait_for("the page", "return !!document.getElementById('keys')")
        .await;
    let reason = d.text(&d.find("#read-only").await).await;
    assert!(
        reason.contains("Read-only") && reason.contains("MANAGE_API_KEYS"),
        "{reason}"
    );
    let controls: Value = d
        .run(
            "return [document.getElementById('create-open'), document.querySelector('.menu-button'), document.querySelector('dialog')].map(e => e === null)",
            json!([]),
        )
        .await;
    assert_eq!(
        controls,
        json!([true, true, true]),
        "no create, rotate or delete controls"
    );
    assert_eq!(d.text(&d.find("#user-role").await).await, "Labeler");
    assert_accessible_names(&d, "body").await;
    d.screenshot("8-read-only").await;
}

/// Signs the current tab in with `login_url` and waits for the page.
async fn sign_in(d: &Driver, login_url: &str) {
    d.goto(login_url).await;
    d.wait_for("the page", "return !!document.getElementById('keys')")
        .await;
}

/// The keys as the emulator holds them: (id, revoked), to see that nothing changed.
fn key_states(s: &support::Setup) -> Vec<(String, bool)> {
    let mut keys: Vec<(String, bool)> = s
        .emulator
        .keys()
        .into_iter()
        .map(|k| (k.id, k.revoked))
        .collect();
    keys.sort();
    keys
}

/// A local server on another port (a dev server, a notebook, a malicious package's page):
/// records the headers of every request the browser sends it, cookies included.
async fn recording_server() -> (String, Arc<std::sync::Mutex<Vec<axum::http::HeaderMap>>>) {
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let record = seen.clone();
    let app = axum::Router::new().fallback(move |headers: axum::http::HeaderMap| {
        let record = record.clone();
        async move {
            record.lock().unwrap().push(headers);
            axum::response::Html(
                "<!DOCTYPE html><title>another server</title><p id=other>another server</p>\
                 <img src=/pixel.png alt=pixel>",
            )
        }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (format!("http://{addr}"), seen)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_the_browser_sends_another_local_port_grants_nothing() {
    with_browser(another_port).await;
}

async fn another_port(d: Arc<Driver>) {
    let s = start(Duration::from_secs(600)).await;
    let (victim, victim_secret) = s
        .emulator
        .issue_key("labeler@example.com", "Labeler", 86_400, None)
        .unwrap();
    let login_url = s.console.login_url().expose_secret().to_owned();
    sign_in(&d, &login_url).await;
    let session = d
        .run(
            "return sessionStorage.getItem('labelbox_console_session')",
            json!([]),
        )
        .await;
    let session = session
        .as_str()
        .expect("the tab holds its session")
        .to_owned();
    let console_tab = d.tab().await;
    // The user opens another local server's page: in a new tab, and in the console's tab.
    let (other, seen) = recording_server().await;
    d.new_tab().await;
    d.goto(&format!("{other}/")).await;
    d.wait_for(
        "the other page",
        "return !!document.getElementById('other')",
    )
    .await;
    d.switch_to(&console_tab).await;
    d.goto(&format!("{other}/from-the-console-tab")).await;
    d.wait_for(
        "the other page",
        "return !!document.getElementById('other')",
    )
    .await;
    let received = seen.lock().unwrap().clone();
    assert!(
        received.len() >= 2,
        "the browser reached the other server: {received:?}"
    );
    let text = format!("{received:?}");
    let token = support::login_token(&login_url);
    assert!(
        !text.contains(&session),
        "the session secret reached another port"
    );
    assert!(
        !text.contains(&token),
        "the login token reached another port"
    );
    assert!(
        !text.to_lowercase().contains("cookie"),
        "a cookie reached another port: {text}"
    );

    // The other server's program replays everything it received, with the console's Host,
    // and tries what the issue's attacker did: read the page (and any CSRF token in it),
    // list, create, rotate and revoke.
    let before = key_states(&s);
    let console = s.console.base_url().to_owned();
    let host = console.trim_start_matches("http://").to_owned();
    let http = support::http();
    for headers in &received {
        let replay = |request: reqwest::RequestBuilder| {
            let mut request = request;
            for (name, value) in headers {
                if name != "host" && name != "content-length" {
                    request = request.header(name.as_str(), value.as_bytes());
                }
            }
            request.header("host", &host)
        };
        for path in ["/", "/login", "/api/page"] {
            let page = replay(http.get(format!("{console}{path}")))
                .send()
                .await
                .unwrap();
            let body = page.text().await.unwrap();
            assert!(
                !body.contains("Example Org"),
                "{path} showed the organization"
            );
            assert!(!body.contains(&victim), "{path} listed a key");
            assert!(!body.contains("csrf"), "{path} has a CSRF token");
        }
        let dialog = replay(http.post(format!("{console}/api/create-dialog")))
            .send()
            .await
            .unwrap();
        assert_eq!(dialog.status(), 401);
        let attempts = [
            ("/api/keys".to_owned(), support::create_body("attacker", "")),
            (
                format!("/api/keys/{victim}/rotate"),
                json!({"amount": "1", "unit": "days", "role": "Admin"}),
            ),
            (format!("/api/keys/{victim}/delete"), json!({})),
            ("/api/login-link".to_owned(), json!({})),
        ];
        for (path, body) in attempts {
            let answer = replay(http.post(format!("{console}{path}")))
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(answer.status(), 401, "{path}");
        }
    }
    assert_eq!(
        key_states(&s),
        before,
        "no key was created, rotated or revoked"
    );
    assert!(authenticates(&s.emulator.endpoint(), &victim_secret).await);
    // The console's tab is still signed in: Back to it, reload, and it works.
    d.goto(&format!("{console}/")).await;
    d.wait_for("the page again", "return !!document.getElementById('keys')")
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_consoles_in_one_browser_do_not_sign_each_other_out() {
    with_browser(two_consoles).await;
}

async fn two_consoles(d: Arc<Driver>) {
    let first = start(Duration::from_secs(600)).await;
    let second = start(Duration::from_secs(600)).await;
    sign_in(&d, first.console.login_url().expose_secret()).await;
    let first_tab = d.tab().await;
    d.new_tab().await;
    sign_in(&d, second.console.login_url().expose_secret()).await;
    let cookies = d.cdp("Network.getAllCookies", json!({})).await;
    assert_eq!(cookies["cookies"], json!([]), "the console sets no cookie");
    // Back in the first console's tab: a reload keeps its session, and it can still act.
    d.switch_to(&first_tab).await;
    mark_page(&d).await;
    d.run("location.reload()", json!([])).await;
    wait_reloaded(&d).await;
    d.click(&d.find("#create-open").await).await;
    d.wait_for(
        "the Create dialog",
        "return document.getElementById('create-dialog').open",
    )
    .await;
    d.keys("first-console").await;
    d.click(&d.find("#create-form button.primary").await).await;
    d.wait_for(
        "the created dialog",
        "return document.getElementById('created-dialog').open",
    )
    .await;
    assert_eq!(live_keys_named(&first.emulator, "first-console").len(), 1);
    assert_eq!(first.console.session_count(), 1);
    assert_eq!(second.console.session_count(), 1);
    mark_page(&d).await;
    d.click(&d.find("#done").await).await;
    wait_reloaded(&d).await;

    // Open in a new tab: a fresh one-time link signs the new tab in with its own session.
    let before = d.tabs().await;
    d.click(&d.find("#new-tab").await).await;
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    let opened = loop {
        let now = d.tabs().await;
        if let Some(tab) = now.into_iter().find(|t| !before.contains(t)) {
            break tab;
        }
        assert!(std::time::Instant::now() < deadline, "no new tab opened");
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    d.switch_to(&opened).await;
    d.wait_for(
        "the new tab's page",
        "return !!document.getElementById('keys')",
    )
    .await;
    let url = d.run("return location.href", json!([])).await;
    assert_eq!(
        url,
        json!(format!("{}/", first.console.base_url())),
        "the token left the address bar"
    );
    assert_eq!(
        first.console.session_count(),
        2,
        "the new tab has its own session"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_double_click_on_create_makes_one_key() {
    with_browser(double_click).await;
}

async fn double_click(d: Arc<Driver>) {
    let s = start(Duration::from_secs(600)).await;
    // Labelbox answers slowly, so that the second click lands while the first is in flight.
    sign_in(&d, s.console.login_url().expose_secret()).await;
    d.click(&d.find("#create-open").await).await;
    d.wait_for(
        "the Create dialog",
        "return document.getElementById('create-dialog').open",
    )
    .await;
    d.keys("double-click").await;
    s.emulator.faults().fail_next(
        1,
        labelbox_emulator::Fault::Delay(Duration::from_millis(500)),
    );
    // Counts the page's create requests, and those still unanswered.
    d.run(
        "window.__creates = 0; window.__pending = 0; const f = window.fetch;
         window.fetch = (url, options) => {
           if (url !== '/api/keys') return f(url, options);
           window.__creates++; window.__pending++;
           return f(url, options).finally(() => { window.__pending--; });
         };",
        json!([]),
    )
    .await;
    d.double_click(&d.find("#create-form button.primary").await)
        .await;
    d.wait_for(
        "the created dialog",
        "return document.getElementById('created-dialog').open",
    )
    .await;
    let secret = secret_field(&d).await;
    d.wait_for("every create answered", "return window.__pending === 0")
        .await;
    let creates = d.run("return window.__creates", json!([])).await;
    assert_eq!(creates, json!(1), "one request: the button was disabled");
    mark_page(&d).await;
    d.click(&d.find("#done").await).await;
    wait_reloaded(&d).await;
    let keys = live_keys_named(&s.emulator, "double-click");
    assert_eq!(keys.len(), 1, "one key");
    assert_eq!(
        s.emulator
            .keys()
            .iter()
            .filter(|k| k.name == "double-click")
            .count(),
        1
    );
    assert!(
        authenticates(&s.emulator.endpoint(), &secret).await,
        "the one shown"
    );
    let rows = d.find_all("tr[data-key-name='double-click']").await;
    assert_eq!(rows.len(), 1);
}

/// A duplicated tab (the same session) deletes the replacement that the first tab shows:
/// the first tab's Done then says that the replacement was revoked and the old key is live.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn done_on_a_replacement_revoked_in_another_tab_says_so() {
    with_browser(discarded_in_another_tab).await;
}

async fn discarded_in_another_tab(d: Arc<Driver>) {
    let s = start(Duration::from_secs(600)).await;
    let (old, old_secret) = s
        .emulator
        .issue_key("labeler@example.com", "Labeler", 7 * 86_400, None)
        .unwrap();
    sign_in(&d, s.console.login_url().expose_secret()).await;
    let first_tab = d.tab().await;
    let session = d
        .run(
            "return sessionStorage.getItem('labelbox_console_session')",
            json!([]),
        )
        .await;
    row_action(&d, &old, "rotate").await;
    d.wait_for(
        "the Rotate dialog",
        "return document.getElementById('rotate-dialog').open",
    )
    .await;
    d.click(&d.find("#rotate-form button.primary").await).await;
    d.wait_for(
        "the replacement",
        "return document.getElementById('created-dialog').open",
    )
    .await;
    let name = s
        .emulator
        .keys()
        .into_iter()
        .find(|k| k.id == old)
        .unwrap()
        .name;
    let replacement: Vec<String> = live_keys_named(&s.emulator, &name)
        .into_iter()
        .filter(|id| *id != old)
        .collect();
    assert_eq!(replacement.len(), 1);
    // The duplicate: a tab with a copy of the first one's sessionStorage.
    d.new_tab().await;
    d.goto(s.console.base_url()).await;
    d.run(
        "sessionStorage.setItem('labelbox_console_session', arguments[0])",
        json!([session]),
    )
    .await;
    mark_page(&d).await;
    d.run("location.reload()", json!([])).await;
    wait_reloaded(&d).await;
    row_action(&d, &replacement[0], "delete").await;
    d.wait_for(
        "the Delete dialog",
        "return document.getElementById('delete-dialog').open",
    )
    .await;
    mark_page(&d).await;
    d.click(&d.find("#delete-form button.danger").await).await;
    wait_reloaded(&d).await;
    d.switch_to(&first_tab).await;
    d.click(&d.find("#done").await).await;
    d.wait_for(
        "the error",
        "return document.getElementById('page-error').textContent !== ''",
    )
    .await;
    let message = d.text(&d.find("#page-error").await).await;
    assert!(
        message.contains(&format!(
            "This replacement was revoked; {old} is still live"
        )),
        "{message}"
    );
    d.screenshot("9-done-on-a-revoked-replacement").await;
    assert!(
        authenticates(&s.emulator.endpoint(), &old_secret).await,
        "the old key is live"
    );
}

/// Where no browser can be found or installed, the script fails and says what to install
/// (and `Driver::start` turns that into a failing test, never a skipped one).
#[test]
fn without_a_browser_the_script_fails_and_says_what_to_install() {
    let empty = std::env::temp_dir().join(format!(
        "labelbox-console-no-browser-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&empty).unwrap();
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/browser.sh");
    let out = std::process::Command::new("/bin/bash")
        .arg(&script)
        .env("PATH", &empty)
        .env_remove("CHROMIUM")
        .env_remove("CHROMEDRIVER")
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&empty);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("apt-get install -y chromium chromium-driver"),
        "{err}"
    );
    assert!(out.stdout.is_empty(), "no path printed: {out:?}");
}
