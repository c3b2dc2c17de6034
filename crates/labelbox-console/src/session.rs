//! Browser sessions: created from the one-time login token, ended by logout or after the
//! idle timeout. A session may hold one key being handed over (see `rotation.rs`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use labelbox_sdk::ApiKeyId;
use tokio::sync::watch;

use crate::handlers::AppState;
use crate::security::{random_token, tokens_equal};

/// A key whose secret is on the page and not yet confirmed with Done.
#[derive(Debug)]
pub(crate) struct HandOver {
    /// The new key (shown on the page).
    pub new_id: ApiKeyId,
    /// For a rotation: the SDK's rotation waiting for Done (dropping it abandons it).
    pub rotation: Option<crate::rotation::Rotation>,
}

impl HandOver {
    /// Abandoned without Done: a rotation's replacement is revoked and the old key kept. A
    /// plain new key is left alone: its creation was the user's whole request.
    pub async fn abandon(self) {
        if let Some(rotation) = self.rotation {
            rotation.abandon().await;
        }
    }
}

#[derive(Debug)]
pub(crate) struct Session {
    pub csrf: String,
    last_seen: Instant,
    pub hand_over: Option<HandOver>,
}

/// Every live session, keyed by the cookie's value, and the login token until it is used.
#[derive(Debug)]
pub(crate) struct Sessions {
    login_token: Option<String>,
    map: HashMap<String, Session>,
    idle: Duration,
}

/// What a lookup found.
#[derive(Debug)]
pub(crate) enum Lookup {
    /// A live session (its last-seen time refreshed): its id and CSRF token.
    Live { id: String, csrf: String },
    /// No cookie, or an unknown one.
    Missing,
    /// The session had been idle too long; it is gone now, with what it was handing over.
    Expired(Option<HandOver>),
}

impl Sessions {
    pub fn new(login_token: &str, idle: Duration) -> Self {
        Self {
            login_token: Some(login_token.to_owned()),
            map: HashMap::new(),
            idle,
        }
    }

    /// Exchanges the one-time login token for a new session id; the token works once.
    pub fn login(&mut self, token: &str) -> Option<String> {
        let expected = self.login_token.as_deref()?;
        if !tokens_equal(expected, token) {
            return None;
        }
        self.login_token = None;
        let id = random_token();
        self.map.insert(
            id.clone(),
            Session {
                csrf: random_token(),
                last_seen: Instant::now(),
                hand_over: None,
            },
        );
        Some(id)
    }

    pub fn lookup(&mut self, id: Option<&str>) -> Lookup {
        let Some(id) = id else {
            return Lookup::Missing;
        };
        let idle = self.idle;
        let Some(session) = self.map.get_mut(id) else {
            return Lookup::Missing;
        };
        if session.last_seen.elapsed() >= idle {
            let ended = self.map.remove(id).and_then(|s| s.hand_over);
            return Lookup::Expired(ended);
        }
        session.last_seen = Instant::now();
        Lookup::Live {
            id: id.to_owned(),
            csrf: session.csrf.clone(),
        }
    }

    pub fn get_mut(&mut self, id: &str) -> Option<&mut Session> {
        self.map.get_mut(id)
    }

    /// Ends a session; returns what it was handing over.
    pub fn end(&mut self, id: &str) -> Option<HandOver> {
        self.map.remove(id).and_then(|s| s.hand_over)
    }

    /// Ends every session idle for too long; returns what they were handing over.
    pub fn end_expired(&mut self) -> Vec<HandOver> {
        let idle = self.idle;
        let expired: Vec<String> = self
            .map
            .iter()
            .filter(|(_, s)| s.last_seen.elapsed() >= idle)
            .map(|(id, _)| id.clone())
            .collect();
        expired.iter().filter_map(|id| self.end(id)).collect()
    }

    /// Ends every session.
    pub fn end_all(&mut self) -> Vec<HandOver> {
        self.map.drain().filter_map(|(_, s)| s.hand_over).collect()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}

/// Ends idle sessions in the background, so that a replacement key left on an abandoned
/// page is revoked even when the browser never comes back.
pub(crate) async fn sweep_expired(state: Arc<AppState>, mut stop: watch::Receiver<bool>) {
    let period =
        (state.idle_timeout / 4).clamp(Duration::from_millis(200), Duration::from_secs(30));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(period) => {}
            _ = stop.wait_for(|s| *s) => return,
        }
        let ended = state.sessions().end_expired();
        for hand_over in ended {
            hand_over.abandon().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_token_works_once() {
        let mut sessions = Sessions::new("t0ken", Duration::from_secs(60));
        assert!(sessions.login("wrong").is_none());
        let id = sessions.login("t0ken").expect("first use");
        assert!(sessions.login("t0ken").is_none(), "second use");
        assert!(matches!(sessions.lookup(Some(&id)), Lookup::Live { .. }));
    }

    #[test]
    fn an_idle_session_expires() {
        let mut sessions = Sessions::new("t", Duration::from_millis(20));
        let id = sessions.login("t").unwrap();
        std::thread::sleep(Duration::from_millis(40));
        assert!(matches!(sessions.lookup(Some(&id)), Lookup::Expired(None)));
        assert!(matches!(sessions.lookup(Some(&id)), Lookup::Missing));
    }
}
