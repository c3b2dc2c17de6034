//! A small WebDriver client (JSON over reqwest) for headless Chromium through chromedriver,
//! both found or installed by `scripts/browser.sh`. When no browser can be found or
//! installed, [`Driver::start`] panics with what to install: the browser tests never pass
//! silently.

use std::future::Future;
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use labelbox_test_support::workspace_root;
use serde_json::{json, Value};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One headless Chromium session.
pub struct Driver {
    http: reqwest::Client,
    base: String,
    session: String,
    chromedriver: Child,
    _profile: TempDir,
}

/// A directory removed on drop (the browser's fresh profile).
struct TempDir(PathBuf);

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The paths `scripts/browser.sh` prints (installing Debian's packages as root if needed).
fn find_browser() -> (String, String) {
    let script = workspace_root().join("scripts/browser.sh");
    let out = Command::new("bash")
        .arg(&script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", script.display()));
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        panic!(
            "the browser tests need headless Chromium and chromedriver, and none could be \
             found or installed.\nInstall them (Debian/Ubuntu, as root): \
             apt-get update && apt-get install -y chromium chromium-driver\n\
             or set CHROMIUM and CHROMEDRIVER to their paths.\n{}\n{}",
            stdout,
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let value = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{key}=")))
            .unwrap_or_else(|| panic!("{} printed no {key}: {stdout}", script.display()))
            .to_owned()
    };
    (value("CHROMIUM"), value("CHROMEDRIVER"))
}

fn running_as_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .map(|l| l.split_whitespace().nth(1) == Some("0"))
        })
        .unwrap_or(false)
}

impl Driver {
    pub async fn start() -> Driver {
        let (chromium, chromedriver) = find_browser();
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {chromedriver}: {e}"));
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        labelbox_test_support::eventually("chromedriver started", async || {
            let status = http.get(format!("{base}/status")).send().await;
            status.is_ok_and(|r| r.status().is_success())
        })
        .await;
        let profile = std::env::temp_dir().join(format!(
            "labelbox-console-chromium-{}-{port}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile).unwrap();
        let mut args = vec![
            "--headless".to_owned(),
            "--disable-gpu".to_owned(),
            "--no-first-run".to_owned(),
            "--disable-background-networking".to_owned(),
            "--disable-component-update".to_owned(),
            "--disable-sync".to_owned(),
            "--disable-dev-shm-usage".to_owned(),
            "--window-size=1280,900".to_owned(),
            format!("--user-data-dir={}", profile.display()),
        ];
        if running_as_root() {
            args.push("--no-sandbox".to_owned());
        }
        let answer: Value = http
            .post(format!("{base}/session"))
            .json(&json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {"binary": chromium, "args": args}
            }}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let session = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no WebDriver session: {answer}"))
            .to_owned();
        Driver {
            http,
            base,
            session,
            chromedriver: child,
            _profile: TempDir(profile),
        }
    }

    async fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        let request = match method {
            "GET" => self.http.get(url),
            "DELETE" => self.http.delete(url),
            _ => self.http.post(url).json(&body.unwrap_or(json!({}))),
        };
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        if let Some(error) = answer["value"].get("error") {
            panic!(
                "WebDriver {method} {path}: {error}: {}",
                answer["value"]["message"]
            );
        }
        answer["value"].clone()
    }

    pub async fn goto(&self, url: &str) {
        self.cmd("POST", "/url", Some(json!({ "url": url }))).await;
    }

    /// Chrome DevTools command through chromedriver.
    pub async fn cdp(&self, cmd: &str, params: Value) -> Value {
        self.cmd(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": cmd, "params": params})),
        )
        .await
    }

    pub async fn find(&self, css: &str) -> String {
        let v = self
            .cmd(
                "POST",
                "/element",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("find {css}: {v}"))
            .to_owned()
    }

    pub async fn find_all(&self, css: &str) -> Vec<String> {
        let v = self
            .cmd(
                "POST",
                "/elements",
                Some(json!({"using": "css selector", "value": css})),
            )
            .await;
        v.as_array()
            .unwrap()
            .iter()
            .map(|e| e[ELEMENT].as_str().unwrap().to_owned())
            .collect()
    }

    pub async fn click(&self, element: &str) {
        self.cmd("POST", &format!("/element/{element}/click"), None)
            .await;
    }

    pub async fn displayed(&self, element: &str) -> bool {
        self.cmd("GET", &format!("/element/{element}/displayed"), None)
            .await
            .as_bool()
            .unwrap()
    }

    /// The accessible name Chromium computes for the element.
    pub async fn computed_label(&self, element: &str) -> String {
        self.cmd("GET", &format!("/element/{element}/computedlabel"), None)
            .await
            .as_str()
            .unwrap_or_default()
            .to_owned()
    }

    pub async fn text(&self, element: &str) -> String {
        self.cmd("GET", &format!("/element/{element}/text"), None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    pub async fn run(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    pub async fn run_async(&self, script: &str, args: Value) -> Value {
        self.cmd(
            "POST",
            "/execute/async",
            Some(json!({"script": script, "args": args})),
        )
        .await
    }

    /// Presses keys on whatever has the focus (WebDriver key codes: "\u{E004}" Tab,
    /// "\u{E007}" Enter, "\u{E00C}" Escape, "\u{E009}" Control).
    pub async fn keys(&self, keys: &str) {
        let mut actions = Vec::new();
        for c in keys.chars() {
            actions.push(json!({"type": "keyDown", "value": c.to_string()}));
            actions.push(json!({"type": "keyUp", "value": c.to_string()}));
        }
        self.cmd(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .await;
    }

    /// Ctrl+A: selects the whole text of the focused field.
    pub async fn select_all(&self) {
        let actions = json!([
            {"type": "keyDown", "value": "\u{E009}"},
            {"type": "keyDown", "value": "a"},
            {"type": "keyUp", "value": "a"},
            {"type": "keyUp", "value": "\u{E009}"}
        ]);
        self.cmd(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]})),
        )
        .await;
    }

    /// Opens a new tab and switches to it; returns its handle.
    pub async fn new_tab(&self) -> String {
        let v = self
            .cmd("POST", "/window/new", Some(json!({"type": "tab"})))
            .await;
        let handle = v["handle"].as_str().unwrap().to_owned();
        self.switch_to(&handle).await;
        handle
    }

    /// The current tab's handle.
    pub async fn tab(&self) -> String {
        self.cmd("GET", "/window", None)
            .await
            .as_str()
            .unwrap()
            .to_owned()
    }

    /// Every open tab's handle.
    pub async fn tabs(&self) -> Vec<String> {
        let v = self.cmd("GET", "/window/handles", None).await;
        v.as_array()
            .unwrap()
            .iter()
            .map(|h| h.as_str().unwrap().to_owned())
            .collect()
    }

    pub async fn switch_to(&self, handle: &str) {
        self.cmd("POST", "/window", Some(json!({ "handle": handle })))
            .await;
    }

    /// A real double click (two presses of the mouse button) on the element.
    pub async fn double_click(&self, element: &str) {
        let actions = json!([
            {"type": "pointerMove", "origin": {ELEMENT: element}, "x": 0, "y": 0},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerUp", "button": 0},
            {"type": "pointerDown", "button": 0},
            {"type": "pointerUp", "button": 0}
        ]);
        self.cmd(
            "POST",
            "/actions",
            Some(json!({"actions": [{"type": "pointer", "id": "mouse",
                "parameters": {"pointerType": "mouse"}, "actions": actions}]})),
        )
        .await;
    }

    /// Waits until `script` (a function body) returns true.
    pub async fn wait_for(&self, what: &str, script: &str) {
        // A poll with a deadline, not `eventually`: the browser tests' futures must be `Send`,
        // which an async closure borrowing `self` is not yet.
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            if self.run(script, json!([])).await == json!(true) {
                return;
            }
            assert!(Instant::now() < deadline, "timed out waiting for {what}");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Writes a PNG of the viewport to `target/console-screenshots/<name>.png`.
    pub async fn screenshot(&self, name: &str) -> PathBuf {
        let data = self.cmd("GET", "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(data.as_str().unwrap())
            .unwrap();
        let dir = workspace_root().join("target/console-screenshots");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).unwrap();
        path
    }

    pub async fn quit(mut self) {
        let _ = self.cmd("DELETE", "", None).await;
        let _ = self.chromedriver.kill();
        let _ = self.chromedriver.wait();
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.chromedriver.kill();
    }
}

/// Runs `test` with a fresh browser and always closes the browser afterwards, even when the
/// test fails (a panic inside `test` is re-raised after the browser is gone).
pub async fn with_browser<F, Fut>(test: F)
where
    F: FnOnce(Arc<Driver>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let driver = Arc::new(Driver::start().await);
    let outcome = tokio::spawn(test(driver.clone())).await;
    if let Ok(driver) = Arc::try_unwrap(driver) {
        driver.quit().await;
    }
    if let Err(e) = outcome {
        if e.is_panic() {
            std::panic::resume_unwind(e.into_panic());
        }
        panic!("the browser test did not finish: {e}");
    }
}
