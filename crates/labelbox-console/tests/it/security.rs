//! The console's defences, over plain HTTP: one test each.

use crate::support;

use std::time::Duration;

use labelbox_console::{Console, ConsoleConfig, ConsoleError, CONTENT_SECURITY_POLICY};
use labelbox_sdk::ExposeSecret;
use serde_json::json;
use support::{authenticates, create_body, exchange, http, login, login_token, start};

const IDLE: Duration = Duration::from_secs(600);

#[tokio::test]
async fn the_api_key_never_reaches_the_browser() {
    let s = start(IDLE).await;
    let admin_key = s.emulator.admin_key().to_owned();
    let b = login(&s.console).await;
    let mut seen = String::new();
    for path in [
        "/",
        "/api/page",
        "/assets/console.js",
        "/assets/console.css",
        "/api/validity?amount=1&unit=days",
    ] {
        let answer = b.get(path).await;
        seen.push_str(&format!("{:?}", answer.headers()));
        seen.push_str(&answer.text().await.unwrap());
    }
    let dialog = b.create_dialog().await;
    let answer = b.post("/api/keys", create_body("x", &dialog)).await;
    seen.push_str(&answer.text().await.unwrap());
    assert!(seen.contains("Example Org"), "the page was served");
    assert!(
        !seen.contains(&admin_key),
        "the console's API key reached the browser"
    );
}

/// A page view costs Labelbox one request (`Client::overview`), and the page shows what the
/// SDK's separate calls read.
#[tokio::test]
async fn a_page_view_is_one_request_to_labelbox_with_the_same_data() {
    let s = start(IDLE).await;
    let b = login(&s.console).await;
    b.create("page-key").await;
    s.emulator
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    let before = s.emulator.request_count();
    let answer = b.get("/api/page").await;
    assert_eq!(answer.status(), 200);
    let html = answer.text().await.unwrap();
    assert_eq!(
        s.emulator.request_count() - before,
        1,
        "one request per page view"
    );
    assert_eq!(s.emulator.operation_count("Overview"), 1);

    let me = s.admin.get_user().await.unwrap();
    let organization = s.admin.get_organization().await.unwrap();
    let members = s.admin.get_organization_members().await.unwrap();
    let keys = s
        .admin
        .list_api_keys()
        .include_expired(true)
        .send()
        .await
        .unwrap();
    assert!(keys.len() >= 3 && members.len() >= 8);
    let mut shown = vec![
        format!(r#"<strong id="org-name">{}</strong>"#, organization.name),
        format!(r#"<strong id="user-name">{}</strong>"#, me.name),
        r#"<strong id="user-role">Admin</strong>"#.to_owned(),
    ];
    shown.extend(
        members
            .iter()
            .map(|m| format!(r#"<option value="{}""#, m.email)),
    );
    shown.extend(keys.iter().map(|k| format!(r#"data-key-id="{}""#, k.id)));
    for expected in &shown {
        assert!(html.contains(expected.as_str()), "{expected} not in {html}");
    }
    assert!(
        !html.contains(r#"id="read-only""#),
        "the admin's page is not read-only"
    );
}

#[tokio::test]
async fn the_login_token_is_single_use_and_no_cookie_is_set() {
    let s = start(IDLE).await;
    let url = s.console.login_url().expose_secret().to_owned();
    assert!(
        url.starts_with(&format!("{}/login#token=", s.console.base_url())),
        "the token is in the fragment, which the browser never sends: {}",
        s.console.base_url()
    );
    let token = login_token(&url);
    // `exchange` asserts that no answer sets a cookie.
    let first = exchange(s.console.base_url(), &token).await;
    assert_eq!(first.as_deref().map(str::len), Some(64));
    assert!(
        exchange(s.console.base_url(), &token).await.is_none(),
        "the token works once"
    );
    assert!(exchange(s.console.base_url(), &"0".repeat(64))
        .await
        .is_none());
    assert_eq!(s.console.session_count(), 1);
    // A navigation to the link (what the server sees of it) signs nobody in.
    let page = http()
        .get(s.console.base_url().to_owned() + "/login")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.headers().get("set-cookie").is_none());
    assert_eq!(s.console.session_count(), 1);
}

#[tokio::test]
async fn a_minted_login_link_signs_in_a_new_tab_once_and_only_from_a_session() {
    let s = start(IDLE).await;
    let refused = http()
        .post(format!("{}/api/login-link", s.console.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 401, "no link without a session");
    let b = login(&s.console).await;
    let v: serde_json::Value = b
        .post("/api/login-link", json!({}))
        .await
        .json()
        .await
        .unwrap();
    let path = v["path"].as_str().unwrap();
    assert!(path.starts_with("/login#token="), "{path}");
    let token = login_token(path);
    let tab = exchange(&b.base, &token)
        .await
        .expect("the minted link works");
    assert_ne!(tab, b.session, "the new tab has a session of its own");
    assert!(exchange(&b.base, &token).await.is_none(), "once");
    assert_eq!(s.console.session_count(), 2);
}

#[tokio::test]
async fn a_page_navigation_gets_a_shell_without_secrets_or_key_data() {
    let s = start(IDLE).await;
    let b = login(&s.console).await;
    let (_, secret) = b.create("shell-key").await;
    // Even with the session header and an old session cookie, a navigation gets the shell.
    for path in ["/", "/login"] {
        let answer = b
            .http
            .get(format!("{}{path}", b.base))
            .headers(b.headers())
            .header("cookie", format!("labelbox_console_session={}", b.session))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 200, "{path}");
        assert!(answer.headers().get("set-cookie").is_none());
        let html = answer.text().await.unwrap();
        assert!(html.contains(r#"<div id="app"></div>"#), "{html}");
        for absent in [
            "Example Org",
            "shell-key",
            "admin@example.com",
            "csrf",
            b.session.as_str(),
            secret.as_str(),
            s.emulator.admin_key_id(),
        ] {
            assert!(!html.contains(absent), "{path} holds {absent}");
        }
    }
}

#[tokio::test]
async fn without_a_session_the_page_and_the_api_are_refused() {
    let s = start(IDLE).await;
    let page = http()
        .get(format!("{}/api/page", s.console.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 401);
    assert!(!page.text().await.unwrap().contains("Example Org"));
    let create = http()
        .post(format!("{}/api/keys", s.console.base_url()))
        .json(&json!({"name": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(create.status(), 401);
}

/// The [`SESSION_HEADER`](labelbox_console::SESSION_HEADER) with the live secret is the
/// only credential: no header, a wrong one, the secret in a cookie (with or without an old
/// CSRF token) or in `Authorization`, and the right one from a foreign `Origin` are refused
/// on every API route, and nothing happens.
#[tokio::test]
async fn every_api_route_needs_the_session_header_and_nothing_else_grants_anything() {
    let s = start(IDLE).await;
    let b = login(&s.console).await;
    let (victim, victim_secret) = b.create("victim").await;
    let dialog = b.create_dialog().await;
    let body = create_body("forged", &dialog);
    let routes = [
        ("GET", "/api/page".to_owned()),
        ("GET", "/api/validity?amount=1&unit=days".to_owned()),
        ("POST", "/api/keys".to_owned()),
        ("POST", "/api/create-dialog".to_owned()),
        ("POST", "/api/login-link".to_owned()),
        ("POST", format!("/api/keys/{victim}/rotate")),
        ("POST", format!("/api/keys/{victim}/delete")),
        ("POST", "/api/hand-over/shown".to_owned()),
        ("POST", "/api/hand-over/done".to_owned()),
        ("POST", "/api/hand-over/abandon".to_owned()),
        ("POST", "/logout".to_owned()),
    ];
    let cookie = format!("labelbox_console_session={}", b.session);
    // (what, headers, expected status)
    type Attempt<'a> = (&'a str, Vec<(&'a str, String)>, u16);
    let attempts: Vec<Attempt> = vec![
        ("no header", vec![], 401),
        (
            "a wrong header",
            vec![(labelbox_console::SESSION_HEADER, "f".repeat(64))],
            401,
        ),
        (
            "the secret as a cookie",
            vec![("cookie", cookie.clone())],
            401,
        ),
        (
            "an old CSRF-style request (cookie and X-CSRF-Token)",
            vec![("cookie", cookie.clone()), ("x-csrf-token", "a".repeat(64))],
            401,
        ),
        (
            "the secret as a bearer token",
            vec![("authorization", format!("Bearer {}", b.session))],
            401,
        ),
        (
            "the right header from a foreign Origin",
            vec![
                (labelbox_console::SESSION_HEADER, b.session.clone()),
                ("origin", "http://127.0.0.1:1".to_owned()),
            ],
            403,
        ),
    ];
    for (method, path) in &routes {
        for (what, headers, status) in &attempts {
            let mut request = if *method == "GET" {
                b.http.get(format!("{}{path}", b.base))
            } else {
                b.http.post(format!("{}{path}", b.base)).json(&body)
            };
            for (name, value) in headers {
                request = request.header(*name, value);
            }
            let answer = request.send().await.unwrap();
            assert_eq!(answer.status(), *status, "{method} {path} with {what}");
        }
    }
    assert!(
        s.emulator.keys().iter().all(|k| k.name != "forged"),
        "nothing was created"
    );
    assert!(
        authenticates(&s.emulator.endpoint(), &victim_secret).await,
        "nothing was revoked"
    );
    assert_eq!(s.console.session_count(), 1, "logout did nothing");
    let answer = b.post("/api/keys", body).await;
    assert_eq!(answer.status(), 200, "with the header it works");
}

#[tokio::test]
async fn a_foreign_host_header_is_refused() {
    let s = start(IDLE).await;
    let port = s.console.local_addr().port();
    let token = login_token(s.console.login_url().expose_secret());
    let b = login(&s.console).await;
    let fresh = b
        .post("/api/login-link", json!({}))
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap();
    let fresh = login_token(fresh["path"].as_str().unwrap());
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_owned(),
        format!("127.0.0.2:{port}"),
    ] {
        let answer = http()
            .post(format!("{}/api/session", b.base))
            .header("host", &host)
            .json(&json!({ "token": fresh }))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 421, "Host {host}");
        // The session header through a rebound name is refused too.
        let answer = b
            .http
            .get(format!("{}/api/page", b.base))
            .headers(b.headers())
            .header("host", &host)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 421, "Host {host}");
    }
    // The minted token was not spent by the refused requests; `localhost` is the console's.
    let answer = http()
        .post(format!("{}/api/session", b.base))
        .header("host", format!("localhost:{port}"))
        .json(&json!({ "token": fresh }))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    assert!(
        exchange(&b.base, &token).await.is_none(),
        "the printed token was used"
    );
}

#[tokio::test]
async fn every_answer_has_a_strict_content_security_policy_and_the_page_no_inline_script() {
    assert!(CONTENT_SECURITY_POLICY.contains("script-src 'self'"));
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    let s = start(IDLE).await;
    let b = login(&s.console).await;
    for path in [
        "/",
        "/api/page",
        "/assets/console.js",
        "/assets/console.css",
        "/nowhere",
    ] {
        let answer = b.get(path).await;
        let headers = answer.headers();
        assert_eq!(
            headers["content-security-policy"], CONTENT_SECURITY_POLICY,
            "{path}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "no-referrer", "{path}");
    }
    let fragment = b.get("/api/page").await.text().await.unwrap();
    assert!(fragment.contains("Example Org") && !fragment.to_lowercase().contains("<script"));
    let html = b.get("/").await.text().await.unwrap() + &fragment;
    let scripts: Vec<&str> = html
        .match_indices("<script")
        .map(|(i, _)| &html[i..i + 60.min(html.len() - i)])
        .collect();
    assert_eq!(scripts.len(), 1, "{scripts:?}");
    assert!(
        scripts[0].starts_with(r#"<script src="/assets/console.js""#),
        "{scripts:?}"
    );
    assert!(
        html.contains("</script>") && html.contains("defer></script>"),
        "the one script tag is empty"
    );
    let lower = html.to_lowercase();
    for handler in [
        " onclick=",
        " onload=",
        " onerror=",
        " onsubmit=",
        "javascript:",
        " style=",
    ] {
        assert!(!lower.contains(handler), "inline {handler} in the page");
    }
}

#[tokio::test]
async fn anything_that_shows_a_secret_is_not_stored() {
    let s = start(IDLE).await;
    let b = login(&s.console).await;
    assert_eq!(
        b.get("/api/page").await.headers()["cache-control"],
        "no-store"
    );
    let dialog = b.create_dialog().await;
    let answer = b.post("/api/keys", create_body("cache", &dialog)).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let login_answer = http()
        .post(format!("{}/api/session", s.console.base_url()))
        .json(&json!({"token": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(login_answer.headers()["cache-control"], "no-store");
}

#[tokio::test]
async fn a_session_expires_after_its_idle_timeout() {
    assert_eq!(
        labelbox_console::DEFAULT_IDLE_TIMEOUT,
        Duration::from_secs(30 * 60)
    );
    let s = start(Duration::from_millis(1500)).await;
    let b = login(&s.console).await;
    // The sleeps are what is under test: the idle timeout runs on the console's real clock
    // (it takes no clock to set), so idleness is real time passing without a request.
    // A cheap request (no call to Labelbox) keeps the session alive past the timeout.
    let keep_alive = "/api/validity?amount=1&unit=days";
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(
        b.get(keep_alive).await.status(),
        200,
        "activity keeps it alive"
    );
    tokio::time::sleep(Duration::from_millis(900)).await;
    assert_eq!(
        b.get(keep_alive).await.status(),
        200,
        "1.8 s after login, 0.9 s idle"
    );
    tokio::time::sleep(Duration::from_millis(2000)).await;
    assert_eq!(b.get("/api/page").await.status(), 401, "idle too long");
    let answer = b.post("/api/keys", json!({})).await;
    assert_eq!(answer.status(), 401);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let s = start(IDLE).await;
    let b = login(&s.console).await;
    let answer = b.post("/logout", json!({})).await;
    assert_eq!(answer.status(), 200);
    assert_eq!(b.get("/api/page").await.status(), 401);
    assert_eq!(s.console.session_count(), 0);
}

#[tokio::test]
async fn the_console_binds_loopback_only() {
    let e = support::emulator().await;
    let admin = support::client(&e.endpoint(), e.admin_key());
    for addr in ["0.0.0.0:0", "[::]:0", "192.0.2.1:0"] {
        let result =
            Console::start(ConsoleConfig::new(admin.clone()).listen(addr.parse().unwrap())).await;
        match result {
            Err(ConsoleError::NotLoopback(a)) => assert_eq!(a.to_string(), addr),
            other => panic!("{addr}: {other:?}"),
        }
    }
    let ok = Console::start(ConsoleConfig::new(admin).listen("127.0.0.1:0".parse().unwrap()))
        .await
        .unwrap();
    assert!(ok.local_addr().ip().is_loopback());
    assert_ne!(ok.local_addr().port(), 0, "a free port was chosen");
}

#[tokio::test]
async fn secrets_never_reach_the_url_of_the_page_or_its_links() {
    let s = start(IDLE).await;
    let b = login(&s.console).await;
    let (_, secret) = b.create("link").await;
    let html = b.get("/api/page").await.text().await.unwrap();
    assert!(
        !html.contains(&secret),
        "a created secret is never rendered into the page"
    );
    assert!(authenticates(&s.emulator.endpoint(), &secret).await);
}
