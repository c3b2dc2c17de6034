//! Shared by the console's tests: an emulator, a console over it, and an HTTP "browser"
//! that signs in as the page's script does and sends the session header.
#![allow(dead_code, unused_imports)]

pub mod webdriver;

use std::time::Duration;

use labelbox_console::{Console, ConsoleConfig, ConsoleHandle, SESSION_HEADER};
use labelbox_emulator::EmulatorHandle;
use labelbox_sdk::ServiceError;
use labelbox_sdk::{Client, ExposeSecret};
use reqwest::header::{HeaderMap, HeaderValue};

pub struct Setup {
    pub emulator: EmulatorHandle,
    pub console: ConsoleHandle,
    pub admin: Client,
}

pub use labelbox_test_support::eventually;

/// A client for `endpoint` with `key` (and fast retries).
pub fn client(endpoint: &str, key: &str) -> Client {
    labelbox_test_support::emulator::endpoint_client_builder(endpoint, key)
        .build()
        .unwrap()
}

/// An in-memory emulator with the default seed on `127.0.0.1:0`.
pub async fn emulator() -> EmulatorHandle {
    labelbox_test_support::emulator::start().await
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

/// A signed-in browser: the session's secret, as the page keeps it in `sessionStorage`.
pub struct Browser {
    pub http: reqwest::Client,
    pub base: String,
    pub session: String,
}

/// The one-time token of a login URL (`.../login#token=<token>`).
pub fn login_token(url: &str) -> String {
    url.split_once("#token=").expect("a login URL").1.to_owned()
}

/// Exchanges a login token for a session, as the page's script does; `None` when refused.
pub async fn exchange(base: &str, token: &str) -> Option<String> {
    let answer = http()
        .post(format!("{base}/api/session"))
        .json(&serde_json::json!({ "token": token }))
        .send()
        .await
        .unwrap();
    assert!(
        answer.headers().get("set-cookie").is_none(),
        "no cookie is ever set"
    );
    if answer.status() != 200 {
        assert_eq!(answer.status(), 403);
        return None;
    }
    let v: serde_json::Value = answer.json().await.unwrap();
    Some(v["session"].as_str().unwrap().to_owned())
}

/// Signs in with the console's printed login link.
pub async fn login(console: &ConsoleHandle) -> Browser {
    let token = login_token(console.login_url().expose_secret());
    let session = exchange(console.base_url(), &token)
        .await
        .expect("the login token is accepted");
    Browser {
        http: http(),
        base: console.base_url().to_owned(),
        session,
    }
}

impl Browser {
    pub fn headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            SESSION_HEADER,
            HeaderValue::from_str(&self.session).unwrap(),
        );
        h
    }

    /// A second tab: a new login link minted by this one, exchanged.
    pub async fn new_tab(&self) -> Browser {
        let v: serde_json::Value = self
            .post("/api/login-link", serde_json::json!({}))
            .await
            .json()
            .await
            .unwrap();
        let token = login_token(v["path"].as_str().unwrap());
        Browser {
            http: http(),
            base: self.base.clone(),
            session: exchange(&self.base, &token)
                .await
                .expect("a minted link works"),
        }
    }

    /// A fresh Create dialog's token.
    pub async fn create_dialog(&self) -> String {
        let answer = self.post("/api/create-dialog", serde_json::json!({})).await;
        assert_eq!(answer.status(), 200);
        let v: serde_json::Value = answer.json().await.unwrap();
        v["token"].as_str().unwrap().to_owned()
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .headers(self.headers())
            .send()
            .await
            .unwrap()
    }

    /// A mutation with the session's header.
    pub async fn post(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.http
            .post(format!("{}{path}", self.base))
            .headers(self.headers())
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Creates a key through the console as the page does (a dialog's token, then the
    /// acknowledgement once the secret is shown); returns (id, secret).
    pub async fn create(&self, name: &str) -> (String, String) {
        let (id, secret) = self.create_unacknowledged(name).await;
        let shown = self
            .post("/api/hand-over/shown", serde_json::json!({ "id": id }))
            .await;
        assert_eq!(shown.status(), 200);
        (id, secret)
    }

    /// Creates a key without acknowledging its secret; returns (id, secret).
    pub async fn create_unacknowledged(&self, name: &str) -> (String, String) {
        let dialog = self.create_dialog().await;
        let answer = self.post("/api/keys", create_body(name, &dialog)).await;
        assert_eq!(answer.status(), 200);
        let v: serde_json::Value = answer.json().await.unwrap();
        (
            v["id"].as_str().unwrap().to_owned(),
            v["secret"].as_str().unwrap().to_owned(),
        )
    }
}

/// The Create dialog's fields for a Labeler's key named `name`.
pub fn create_body(name: &str, dialog: &str) -> serde_json::Value {
    serde_json::json!({
        "name": name, "amount": "2", "unit": "days", "role": "Labeler",
        "user": "labeler@example.com", "allowed_ips": "", "dialog": dialog
    })
}

/// The emulator's keys named `name` that are not revoked.
pub fn live_keys_named(emulator: &EmulatorHandle, name: &str) -> Vec<String> {
    emulator
        .keys()
        .into_iter()
        .filter(|k| k.name == name && !k.revoked)
        .map(|k| k.id)
        .collect()
}

/// Whether `secret` still authenticates.
pub async fn authenticates(endpoint: &str, secret: &str) -> bool {
    match client(endpoint, secret).get_user().await {
        Ok(_) => true,
        Err(labelbox_sdk::Error::Service(ServiceError::Authentication(_))) => false,
        Err(e) => panic!("unexpected error: {e}"),
    }
}
