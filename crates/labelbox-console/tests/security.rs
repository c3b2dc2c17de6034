//! The console's defences, over plain HTTP: one test each.

mod support;

use std::time::Duration;

use labelbox_console::{Console, ConsoleConfig, ConsoleError, CONTENT_SECURITY_POLICY};
use labelbox_sdk::ExposeSecret;
use serde_json::json;
use support::{authenticates, http, login, start};

const IDLE: Duration = Duration::from_secs(600);

#[tokio::test]
async fn the_api_key_never_reaches_the_browser() {
    let s = start(IDLE).await;
    let admin_key = s.emulator.admin_key().to_owned();
    let b = login(&s.console).await;
    let mut seen = String::new();
    for path in [
        "/",
        "/assets/console.js",
        "/assets/console.css",
        "/api/validity?amount=1&unit=days",
    ] {
        let answer = b.get(path).await;
        seen.push_str(&format!("{:?}", answer.headers()));
        seen.push_str(&answer.text().await.unwrap());
    }
    let answer = b
        .post("/api/keys", json!({"name": "x", "amount": "1", "unit": "days", "role": "Labeler", "user": "labeler@example.com"}))
        .await;
    seen.push_str(&answer.text().await.unwrap());
    assert!(seen.contains("API keys"), "the page was served");
    assert!(
        !seen.contains(&admin_key),
        "the console's API key reached the browser"
    );
}

#[tokio::test]
async fn the_login_token_is_single_use_and_becomes_a_strict_httponly_cookie() {
    let s = start(IDLE).await;
    let url = s.console.login_url().expose_secret().to_owned();
    let first = http().get(&url).send().await.unwrap();
    assert_eq!(first.status(), 303);
    let cookie = first.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    let again = http().get(&url).send().await.unwrap();
    assert_eq!(again.status(), 403, "the token works once");
    assert!(again.headers().get("set-cookie").is_none());
    let wrong = http()
        .get(format!(
            "{}/login?token={}",
            s.console.base_url(),
            "0".repeat(64)
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 403);
    assert_eq!(s.console.session_count(), 1);
}

#[tokio::test]
async fn without_a_session_the_page_and_the_api_are_refused() {
    let s = start(IDLE).await;
    let page = http()
        .get(format!("{}/", s.console.base_url()))
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
    let forged = http()
        .get(format!("{}/", s.console.base_url()))
        .header(
            "cookie",
            format!("{}={}", labelbox_console::SESSION_COOKIE, "a".repeat(64)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 401);
}

#[tokio::test]
async fn every_mutation_needs_the_csrf_token() {
    let s = start(IDLE).await;
    let b = login(&s.console).await;
    let body = json!({"name": "csrf", "amount": "1", "unit": "days", "role": "Labeler", "user": "labeler@example.com"});
    let paths = [
        "/api/keys",
        "/api/keys/some-id/rotate",
        "/api/keys/some-id/delete",
        "/api/hand-over/done",
        "/api/hand-over/abandon",
        "/logout",
    ];
    for path in paths {
        for token in [None, Some("f".repeat(64))] {
            let mut request = b
                .http
                .post(format!("{}{path}", b.base))
                .headers(b.headers())
                .json(&body);
            if let Some(token) = &token {
                request = request.header("x-csrf-token", token);
            }
            let answer = request.send().await.unwrap();
            assert_eq!(answer.status(), 403, "{path} with CSRF token {token:?}");
        }
        // The right token from a foreign page (its Origin) is refused too.
        let answer = b
            .http
            .post(format!("{}{path}", b.base))
            .headers(b.headers())
            .header("x-csrf-token", &b.csrf)
            .header("origin", "http://evil.example")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 403, "{path} from a foreign Origin");
    }
    assert!(
        s.emulator.keys().iter().all(|k| k.name != "csrf"),
        "nothing was created"
    );
    assert_eq!(
        s.console.session_count(),
        1,
        "logout without the token did nothing"
    );
    let answer = b.post("/api/keys", body).await;
    assert_eq!(answer.status(), 200, "with the token it works");
}

#[tokio::test]
async fn a_foreign_host_header_is_refused() {
    let s = start(IDLE).await;
    let port = s.console.local_addr().port();
    let url = s.console.login_url().expose_secret().to_owned();
    for host in [
        format!("evil.example:{port}"),
        "evil.example".to_owned(),
        format!("127.0.0.2:{port}"),
    ] {
        let answer = http().get(&url).header("host", &host).send().await.unwrap();
        assert_eq!(answer.status(), 421, "Host {host}");
        assert!(answer.headers().get("set-cookie").is_none());
    }
    // The token was not spent by the refused requests.
    let answer = http()
        .get(&url)
        .header("host", format!("localhost:{port}"))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303);
    let b = login_refused_after_use(&s).await;
    assert_eq!(b, 403);
}

async fn login_refused_after_use(s: &support::Setup) -> u16 {
    http()
        .get(s.console.login_url().expose_secret())
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn every_answer_has_a_strict_content_security_policy_and_the_page_no_inline_script() {
    assert!(CONTENT_SECURITY_POLICY.contains("script-src 'self'"));
    assert!(!CONTENT_SECURITY_POLICY.contains("unsafe"));
    let s = start(IDLE).await;
    let b = login(&s.console).await;
    for path in ["/", "/assets/console.js", "/assets/console.css", "/nowhere"] {
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
    let html = b.get("/").await.text().await.unwrap();
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
    assert_eq!(b.get("/").await.headers()["cache-control"], "no-store");
    let answer = b
        .post("/api/keys", json!({"name": "cache", "amount": "1", "unit": "days", "role": "Labeler", "user": "labeler@example.com"}))
        .await;
    assert_eq!(answer.status(), 200);
    assert_eq!(answer.headers()["cache-control"], "no-store");
    let login_answer = http()
        .get(format!("{}/login?token=x", s.console.base_url()))
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
    assert_eq!(b.get("/").await.status(), 401, "idle too long");
    let answer = b.post("/api/keys", json!({})).await;
    assert_eq!(answer.status(), 401);
}

#[tokio::test]
async fn logout_ends_the_session() {
    let s = start(IDLE).await;
    let b = login(&s.console).await;
    let answer = b.post("/logout", json!({})).await;
    assert_eq!(answer.status(), 200);
    assert!(answer.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert_eq!(b.get("/").await.status(), 401);
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
    let html = b.get("/").await.text().await.unwrap();
    assert!(
        !html.contains(&secret),
        "a created secret is never rendered into the page"
    );
    assert!(authenticates(&s.emulator.endpoint(), &secret).await);
}
