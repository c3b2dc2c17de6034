//! [`AppState`]: what every request shares (the SDK's client, the sessions, the console's
//! own address, the tasks still running), and the sweep that ends idle sessions.
//!
//! The modules depend on each other one way: `handlers` and `auth` use this module, which
//! uses `session`, `security` and `tasks`; none of those uses it or them back.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use labelbox_sdk::{ApiKeyId, Client};
use tokio::sync::watch;

use crate::security::OwnAddress;
use crate::session::{HandOver, SessionKey, Sessions};
use crate::tasks::Tasks;

/// Shared by every request.
#[derive(Debug)]
pub(crate) struct AppState {
    pub client: Client,
    pub idle_timeout: Duration,
    pub own_key: Option<ApiKeyId>,
    /// The `Host` and `Origin` values the console answers to.
    pub own_address: Arc<OwnAddress>,
    sessions: Mutex<Sessions>,
    /// Creations and rotations, each on a task of its own so that a closed request does not
    /// cancel it halfway; [`AppState::finish_tasks`] waits for them when the console stops.
    pub tasks: Tasks,
}

impl AppState {
    pub fn new(
        client: Client,
        addr: SocketAddr,
        idle: Duration,
        login_token: &str,
        own_key: Option<ApiKeyId>,
    ) -> Self {
        Self {
            client,
            idle_timeout: idle,
            own_key,
            own_address: Arc::new(OwnAddress::new(addr)),
            sessions: Mutex::new(Sessions::new(login_token, idle)),
            tasks: Tasks::default(),
        }
    }

    /// Waits for every creation and rotation still running (called after every session has
    /// ended, so each one settles: its key handed over or revoked).
    pub async fn finish_tasks(&self) {
        self.tasks.finish().await;
    }

    pub fn sessions(&self) -> MutexGuard<'_, Sessions> {
        self.sessions.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn session_count(&self) -> usize {
        self.sessions().len()
    }

    pub async fn end_all_sessions(&self) {
        let ended = self.sessions().end_all();
        self.abandon_all(ended).await;
    }

    /// Abandons hand-overs whose session ended: created keys and replacements revoked. The
    /// work runs on a task of its own (awaited here and at shutdown): a request closed
    /// meanwhile does not cancel a revoke halfway.
    pub async fn abandon_all(&self, hand_overs: Vec<HandOver>) {
        if hand_overs.is_empty() {
            return;
        }
        let client = self.client.clone();
        let (done, finished) = tokio::sync::oneshot::channel();
        self.tasks.spawn(async move {
            for hand_over in hand_overs {
                hand_over.abandon(&client).await;
            }
            let _ = done.send(());
        });
        let _ = finished.await;
    }

    /// Records the hand-over of `new_id` by the session `session`. When the session is gone
    /// meanwhile (logged out, expired, the console stopping), nobody can settle it: it is
    /// abandoned here, awaited before the request ends, so a stopping console waits for it.
    pub async fn begin_hand_over(
        &self,
        session: &SessionKey,
        new_id: ApiKeyId,
        hand_over: HandOver,
    ) {
        let orphaned = self.sessions().begin_hand_over(session, new_id, hand_over);
        if let Some(orphaned) = orphaned {
            self.abandon_all(vec![orphaned]).await;
        }
    }
}

/// Ends idle sessions in the background, so that a key left on an abandoned page is
/// revoked even when the browser never comes back.
pub(crate) async fn sweep_expired(state: Arc<AppState>, mut stop: watch::Receiver<bool>) {
    let period =
        (state.idle_timeout / 4).clamp(Duration::from_millis(200), Duration::from_secs(30));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(period) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let ended = state.sessions().end_expired();
        state.abandon_all(ended).await;
    }
}
