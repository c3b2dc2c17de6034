//! Shared by the console's tests: an emulator, a console over it, and a cookie-keeping
//! HTTP "browser".
#![allow(dead_code)]

pub mod webdriver;

use std::time::Duration;

use labelbox_console::{Console, ConsoleConfig, ConsoleHandle, SESSION_COOKIE};
use labelbox_emulator::{Emulator, EmulatorConfig, EmulatorHandle};
use labelbox_sdk::{Client, ExposeSecret, SecretString};
use reqwest::header::{HeaderMap, HeaderValue};

pub struct Setup {
    pub emulator: EmulatorHandle,
    pub console: ConsoleHandle,
    pub admin: Client,
}

pub fn client(endpoint: &str, key: &str) -> Client {
    Client::builder()
        .api_key(SecretString::from(key.to_owned()))
        .endpoint(endpoint)
        .build()
        .unwrap()
}

pub async fn emulator() -> EmulatorHandle {
    Emulator::start(EmulatorConfig::default().listen(([127, 0, 0, 1], 0).into()))
        .await
        .unwrap()
}

/// An emulator and a console over its admin key.
pub async fn start(idle: Duration) -> Setup {
    let emulator = emulator().await;
    let admin = client(&emulator.endpoint(), emulator.admin_key());
    let config = ConsoleConfig::new(admin.clone())
        .idle_timeout(idle)
        .own_key(emulator.admin_key_id().into());
    let console = Console::start(config).await.unwrap();
    Setup {
        emulator,
        console,
        admin,
    }
}

/// An HTTP client that never follows redirects (to see the login's answer).
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// A signed-in browser: its cookie and the page's CSRF token.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub cookie: String,
    pub csrf: String,
}

/// Exchanges the console's login token for a session, then reads the CSRF token off
/// the page.
pub async fn login(console: &ConsoleHandle) -> Browser {
    let http = http();
    let answer = http
        .get(console.login_url().expose_secret())
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status(), 303, "login redirects to the page");
    let set_cookie = answer.headers()["set-cookie"].to_str().unwrap().to_owned();
    let cookie = set_cookie
        .split(';')
        .next()
        .unwrap()
        .strip_prefix(&format!("{SESSION_COOKIE}="))
        .unwrap()
        .to_owned();
    let mut browser = Browser {
        http,
        base: console.base_url().to_owned(),
        cookie,
        csrf: String::new(),
    };
    let page = browser.get("/").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    browser.csrf = meta_csrf(&html);
    browser
}

pub fn meta_csrf(html: &str) -> String {
    let start = html
        .find(r#"name="csrf-token" content=""#)
        .expect("csrf meta")
        + 27;
    html[start..start + 64].to_owned()
}

impl Browser {
    pub fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            "cookie",
            HeaderValue::from_str(&format!("{SESSION_COOKIE}={}", self.cookie)).unwrap(),
        );
        h
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .headers(self.headers())
            .send()
            .await
            .unwrap()
    }

    /// A mutation with the session's CSRF token.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .headers(self.headers())
            .header("x-csrf-token", &self.csrf)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Creates a key through the console; returns (id, secret).
    pub async fn create(&self, name: &str) -> (String, String) {
        let answer = self
            .post(
                "/api/keys",
                serde_json::json!({
                    "name": name, "amount": "2", "unit": "days", "role": "Labeler",
                    "user": "labeler@example.com", "allowed_ips": ""
                }),
            )
            .await;
        assert_eq!(answer.status(), 200);
        let v: serde_json::Value = answer.json().await.unwrap();
        (
            v["id"].as_str().unwrap().to_owned(),
            v["secret"].as_str().unwrap().to_owned(),
        )
    }
}

/// Whether `secret` still authenticates.
pub async fn authenticates(endpoint: &str, secret: &str) -> bool {
    match client(endpoint, secret).get_user().await {
        Ok(_) => true,
        Err(labelbox_sdk::Error::Authentication(_)) => false,
        Err(e) => panic!("unexpected error: {e}"),
    }
}
