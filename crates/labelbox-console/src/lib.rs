#![doc = include_str!("../README.md")]
//!
//! ## In detail
//!
//! `labelbox console`: the API-keys page of Labelbox, served locally over the SDK.
//!
//! [`Console::start`] serves one page on a loopback address. The API key stays in this
//! process (inside the SDK's [`Client`]); the browser gets a one-time login token in the
//! fragment of the printed URL, which the page's script exchanges (`POST /api/session`) for
//! a session secret kept in the tab's `sessionStorage` and sent in [`SESSION_HEADER`] on
//! every call. No cookie is set: a browser sends cookies to every port of a host, so
//! nothing it sends on its own may grant anything. The one check is the `ConsoleSession`
//! extractor (`auth.rs`: the header, the `Host` against DNS rebinding, the `Origin`, idle
//! expiry) that every API handler takes. Every navigation gets the same shell, without
//! data; its script fetches the content (`GET /api/page`, a maud fragment) with the header.
//! A reload keeps the session; a new tab signs in with a login link that the signed-in page
//! mints (`POST /api/login-link`, one-time, valid two minutes). Every answer has a strict
//! Content-Security-Policy (no inline script) and `Cache-Control: no-store`, and a session
//! ends after [`DEFAULT_IDLE_TIMEOUT`] idle or from the page's "Log out" button.
//!
//! The page is rendered on the server with `maud` (checked at compile time); one small
//! script and one stylesheet are embedded in the binary (no CDN, no Node build). Its data
//! comes from one request to Labelbox per page view, the SDK's `Client::overview` (the
//! caller, its role and permissions, the roles, the organization, its members and the keys
//! it can see; an organization with more than 100 members costs one more request per
//! further 100): `page.rs` only renders.
//!
//! The modules import one way, without a circle: `handlers` (the routes) uses `auth` (the
//! extractor), which uses `state` (`AppState`, shared by every request), which uses
//! `session`, `security` (tokens, the console's own Host and Origin values, the answer
//! headers) and `tasks` (creations and rotations that shutdown awaits); `session` uses
//! `rotation`, which uses `tasks`. None of them imports the crate root (a unit test in
//! `lib.rs` reads `src/` and fails on a circle).
//!
//! Every key whose secret is on a page is a hand-over of its own, named by the new key's id
//! (`session.rs`), so that two tabs, or two dialogs, never settle each other's:
//!
//! - Rotation is the SDK's `Client::rotate_api_key` with the hand-over rule: the
//!   replacement is created and shown like a new key, and the old key is revoked only when
//!   the user presses Done (the hand-over future resolves then); a dialog abandoned without
//!   Done (closed, logged out, session expired, console stopped, the replacement deleted
//!   from another tab) revokes the replacement and keeps the old key, and a later Done says
//!   so (see `rotation.rs`).
//! - Creation takes a token that the Create dialog gets when opened (a repeated submission
//!   creates nothing), runs on its own task (a closed request does not cancel it halfway),
//!   and the new key is revoked unless the page acknowledges that its secret is on screen:
//!   when the request is closed before its answer, or the session ends first (logout, idle
//!   expiry, the console stopping; its shutdown waits for every creation and rotation
//!   still running).
//!
//! A key without the key-management permission (`MANAGE_API_KEYS`, the emulator's name:
//! the real permission strings are not public) sees the page read-only, with the reason.
//!
//! Tests: `tests/it/security.rs` (one per defence, over plain HTTP), `tests/it/hand_over.rs`,
//! `tests/logs.rs`, and `tests/it/browser.rs`, which drives headless Chromium through
//! chromedriver (found or installed by `scripts/browser.sh`), with a second local server
//! that records what the browser sends another port, and writes a screenshot of each
//! dialog to `target/console-screenshots/`.
#![warn(missing_docs)]

mod assets;
mod auth;
mod handlers;
mod page;
mod rotation;
mod security;
mod session;
mod state;
mod tasks;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use labelbox_sdk::{ApiKeyId, Client, SecretString};
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub use auth::SESSION_HEADER;
pub use security::CONTENT_SECURITY_POLICY;

/// How long a session may stay idle before it ends: 30 minutes.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// What [`Console::start`] needs.
#[derive(Debug, Clone)]
pub struct ConsoleConfig {
    client: Client,
    listen: SocketAddr,
    idle_timeout: Duration,
    own_key: Option<ApiKeyId>,
}

impl ConsoleConfig {
    /// Serve the keys `client` can see on `127.0.0.1`, a free port, sessions ending after
    /// [`DEFAULT_IDLE_TIMEOUT`] idle.
    pub fn new(client: Client) -> Self {
        Self {
            client,
            listen: SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), 0),
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            own_key: None,
        }
    }

    /// The address to listen on; [`Console::start`] refuses any that is not loopback.
    #[must_use]
    pub fn listen(mut self, addr: SocketAddr) -> Self {
        self.listen = addr;
        self
    }

    /// The id of the key `client` uses, when known (the embedded emulator's admin key): its
    /// row is marked, and rotating or deleting it warns that the console stops working.
    #[must_use]
    pub fn own_key(mut self, id: ApiKeyId) -> Self {
        self.own_key = Some(id);
        self
    }

    /// How long a session may stay idle (tests use seconds).
    #[must_use]
    pub fn idle_timeout(mut self, idle: Duration) -> Self {
        self.idle_timeout = idle;
        self
    }
}

/// Why the console could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConsoleError {
    /// The listen address is not a loopback address.
    #[error(
        "refusing to listen on {0}: the console serves secrets over plain http, so it binds \
         loopback addresses only (127.0.0.1, ::1)"
    )]
    NotLoopback(SocketAddr),
    /// Binding failed.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// The console: [`Console::start`].
#[derive(Debug)]
pub struct Console;

impl Console {
    /// Binds `config`'s loopback address and serves the page until
    /// [`ConsoleHandle::shutdown`].
    pub async fn start(config: ConsoleConfig) -> Result<ConsoleHandle, ConsoleError> {
        if !config.listen.ip().is_loopback() {
            return Err(ConsoleError::NotLoopback(config.listen));
        }
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| ConsoleError::Bind {
                addr: config.listen,
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| ConsoleError::Bind {
            addr: config.listen,
            source,
        })?;
        let login_token = security::random_token();
        let state = Arc::new(state::AppState::new(
            config.client,
            local_addr,
            config.idle_timeout,
            &login_token,
            config.own_key,
        ));
        let (shutdown, mut stop) = watch::channel(false);
        let sweeper = tokio::spawn(state::sweep_expired(state.clone(), stop.clone()));
        let app = handlers::router(state.clone());
        let task = tokio::spawn(async move {
            // The connection cap, header and request deadlines and body cap the emulator has.
            labelbox_serve::serve(
                listener,
                app,
                labelbox_serve::Limits::default(),
                async move {
                    let _ = stop.wait_for(|stop| *stop).await;
                },
            )
            .await;
        });
        tracing::info!(%local_addr, "console listening");
        let base = format!("http://{}", host_for(local_addr));
        Ok(ConsoleHandle {
            login_url: SecretString::from(format!("{base}/login#token={login_token}")),
            base_url: base,
            local_addr,
            state,
            shutdown,
            task,
            sweeper,
        })
    }
}

/// `127.0.0.1:8080` or `[::1]:8080`.
fn host_for(addr: SocketAddr) -> String {
    addr.to_string()
}

/// A running console.
#[derive(Debug)]
pub struct ConsoleHandle {
    login_url: SecretString,
    base_url: String,
    local_addr: SocketAddr,
    state: Arc<state::AppState>,
    shutdown: watch::Sender<bool>,
    task: JoinHandle<()>,
    sweeper: JoinHandle<()>,
}

impl ConsoleHandle {
    /// The URL with the one-time login token, `http://127.0.0.1:<port>/login#token=<token>`:
    /// a secret until it is used. The token is in the fragment, which the browser never
    /// sends to the server (so it reaches no log and no `Referer`); the page's script
    /// exchanges it and removes it from the address bar.
    pub fn login_url(&self) -> &SecretString {
        &self.login_url
    }

    /// `http://127.0.0.1:<port>`, without a token.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The bound address.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The number of live sessions (for tests).
    pub fn session_count(&self) -> usize {
        self.state.session_count()
    }

    /// Waits until the server stops (it runs until [`ConsoleHandle::shutdown`] or the
    /// process ends).
    pub async fn wait(self) {
        let _ = self.task.await;
    }

    /// Ends every session (revoking any replacement key not yet handed over, as an
    /// abandoned dialog does) and stops the server.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        self.state.end_all_sessions().await;
        // A creation or rotation still running settles now (its session is gone, so its key
        // is revoked) before the process may exit.
        self.state.finish_tasks().await;
        let _ = self.task.await;
        self.sweeper.abort();
    }
}

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    /// The modules each module of `src/` names with `crate::` outside comments (`use`
    /// lines and paths); the crate root's own items count as the module `crate`.
    fn imports() -> BTreeMap<String, BTreeSet<String>> {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
        let mut graph = BTreeMap::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_none_or(|x| x != "rs") {
                continue;
            }
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            let module = if name == "lib" {
                "crate".to_owned()
            } else {
                name
            };
            let mut uses = BTreeSet::new();
            for line in std::fs::read_to_string(&path).unwrap().lines() {
                let code = line.split("//").next().unwrap_or_default();
                for (at, _) in code.match_indices("crate::") {
                    let rest = &code[at + "crate::".len()..];
                    let rest = rest.trim_start_matches('{');
                    let target: String = rest
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    // `crate::{a, b}`: every module of the group.
                    if rest.len() < code[at + "crate::".len()..].len() {
                        let group = rest.split('}').next().unwrap_or_default();
                        uses.extend(group.split(',').map(|m| m.trim().to_owned()));
                    } else if target.chars().next().is_some_and(|c| c.is_lowercase()) {
                        uses.insert(target);
                    } else {
                        uses.insert("crate".to_owned());
                    }
                }
            }
            uses.remove(&module);
            graph.insert(module, uses);
        }
        graph
    }

    #[test]
    fn the_modules_import_one_way_without_a_circle() {
        let graph = imports();
        assert!(graph["handlers"].contains("auth") && graph["auth"].contains("state"));
        // The root declares every module: a module that imports from it closes a circle.
        for (module, uses) in &graph {
            assert!(
                module == "crate" || !uses.contains("crate"),
                "{module} imports from the crate root"
            );
        }
        // Depth-first search: a module met again while still on the path closes a circle.
        fn visit<'a>(
            graph: &'a BTreeMap<String, BTreeSet<String>>,
            module: &'a str,
            path: &mut Vec<&'a str>,
            done: &mut BTreeSet<&'a str>,
        ) {
            if let Some(at) = path.iter().position(|m| *m == module) {
                panic!("an import circle: {} -> {module}", path[at..].join(" -> "));
            }
            if !done.insert(module) {
                return;
            }
            path.push(module);
            for next in graph.get(module).into_iter().flatten() {
                visit(graph, next, path, done);
            }
            path.pop();
        }
        let mut done = BTreeSet::new();
        for module in graph.keys() {
            visit(&graph, module, &mut Vec::new(), &mut done);
        }
    }
}
