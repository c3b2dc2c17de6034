//! Browser sessions and what they hand over.
//!
//! A session is created by exchanging a one-time login token (the printed link's, or one
//! minted by a signed-in page for a new tab) for a session secret that the page keeps in
//! `sessionStorage` and sends in the [`SESSION_HEADER`](crate::SESSION_HEADER) header (see
//! `auth.rs`). It ends at logout, after the idle timeout, or when the console stops.
//!
//! Every key whose secret is on a page and not yet settled is a [`HandOver`], named by the
//! new key's id (so two tabs, or two rotations, never share one): a created key until the
//! page acknowledges that the secret is on screen, a rotation's replacement until Done. When
//! its session ends first, it is abandoned: the created key, or the replacement, is revoked.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use labelbox_sdk::{ApiKeyId, Client};

use crate::security::{random_token, token_digest, TokenDigest};

/// How long a login link minted by a signed-in page (for a new tab) stays valid.
pub(crate) const MINTED_LOGIN_LIFETIME: Duration = Duration::from_secs(120);

/// How many minted login links may wait unused at once (the oldest goes first).
const MAX_MINTED_LOGINS: usize = 32;

/// How many Create dialogs of one session may be open at once (the oldest one's token
/// stops working first).
const MAX_OPEN_DIALOGS: usize = 16;

/// How many revoked replacements are remembered for a later Done's message.
const MAX_DISCARDED: usize = 1024;

/// A key whose secret is on a page and not yet settled.
#[derive(Debug)]
pub(crate) enum HandOver {
    /// A new key whose secret the page has not yet acknowledged.
    Created(ApiKeyId),
    /// A rotation's replacement, waiting for Done (dropping it abandons it).
    Rotation {
        /// The key being replaced.
        old: ApiKeyId,
        /// The SDK's rotation, waiting for the user.
        rotation: crate::rotation::Rotation,
    },
}

impl HandOver {
    /// Abandoned: a created key is revoked (its secret never reached the user); a rotation's
    /// replacement is revoked and the old key kept.
    pub async fn abandon(self, client: &Client) {
        match self {
            HandOver::Created(id) => match client.revoke_api_key(&id).await {
                Ok(()) => tracing::info!(%id, "revoked a created key whose secret was never shown"),
                Err(error) => tracing::warn!(
                    %id, %error,
                    "revoking a created key whose secret was never shown failed; revoke it by hand"
                ),
            },
            HandOver::Rotation { rotation, .. } => rotation.abandon().await,
        }
    }
}

/// A session, named by the digest of its secret (the secret itself is not kept).
pub(crate) type SessionKey = TokenDigest;

#[derive(Debug)]
struct Session {
    last_seen: Instant,
    /// Tokens of the Create dialogs opened and not yet submitted.
    create_tokens: VecDeque<String>,
}

#[derive(Debug)]
struct Pending {
    session: SessionKey,
    hand_over: HandOver,
}

/// Every live session, the login tokens not yet used, and the open hand-overs.
#[derive(Debug)]
pub(crate) struct Sessions {
    /// Digests of unused login tokens, with the deadline of a minted one.
    logins: HashMap<TokenDigest, Option<Instant>>,
    map: HashMap<SessionKey, Session>,
    hand_overs: HashMap<ApiKeyId, Pending>,
    /// Replacements revoked without Done, with the key each one was to replace.
    discarded: HashMap<ApiKeyId, ApiKeyId>,
    idle: Duration,
}

/// What a lookup found.
#[derive(Debug)]
pub(crate) enum Lookup {
    /// A live session (its last-seen time refreshed).
    Live(SessionKey),
    /// No secret, or an unknown one.
    Missing,
    /// The session had been idle too long; it is gone now, with what it was handing over.
    Expired(Vec<HandOver>),
}

/// Why Done was refused.
#[derive(Debug)]
pub(crate) enum NotPending {
    /// The replacement was revoked (abandoned); the old key is live.
    Discarded { old: ApiKeyId },
    /// No hand-over of this key in this session.
    Unknown,
}

impl Sessions {
    pub fn new(login_token: &str, idle: Duration) -> Self {
        Self {
            logins: HashMap::from([(token_digest(login_token), None)]),
            map: HashMap::new(),
            hand_overs: HashMap::new(),
            discarded: HashMap::new(),
            idle,
        }
    }

    /// Exchanges a one-time login token for a new session's secret; each token works once.
    pub fn login(&mut self, token: &str) -> Option<String> {
        let now = Instant::now();
        self.logins
            .retain(|_, deadline| deadline.is_none_or(|d| d > now));
        self.logins.remove(&token_digest(token))?;
        let secret = random_token();
        self.map.insert(
            token_digest(&secret),
            Session {
                last_seen: now,
                create_tokens: VecDeque::new(),
            },
        );
        Some(secret)
    }

    /// A new one-time login token (for a new tab), valid for [`MINTED_LOGIN_LIFETIME`].
    pub fn mint_login(&mut self) -> String {
        let now = Instant::now();
        self.logins
            .retain(|_, deadline| deadline.is_none_or(|d| d > now));
        let minted = self.logins.values().filter(|d| d.is_some()).count();
        if minted >= MAX_MINTED_LOGINS {
            // The oldest unused link goes: at most this many wait at once.
            let oldest = self
                .logins
                .iter()
                .filter_map(|(k, d)| d.map(|d| (d, *k)))
                .min()
                .map(|(_, k)| k);
            if let Some(oldest) = oldest {
                self.logins.remove(&oldest);
            }
        }
        let token = random_token();
        self.logins
            .insert(token_digest(&token), Some(now + MINTED_LOGIN_LIFETIME));
        token
    }

    pub fn lookup(&mut self, secret: &str) -> Lookup {
        let key = token_digest(secret);
        let Some(session) = self.map.get_mut(&key) else {
            return Lookup::Missing;
        };
        if session.last_seen.elapsed() >= self.idle {
            return Lookup::Expired(self.end(&key));
        }
        session.last_seen = Instant::now();
        Lookup::Live(key)
    }

    /// A new token for a Create dialog of `session`.
    pub fn new_create_token(&mut self, session: &SessionKey) -> Option<String> {
        let s = self.map.get_mut(session)?;
        let token = random_token();
        if s.create_tokens.len() >= MAX_OPEN_DIALOGS {
            s.create_tokens.pop_front();
        }
        s.create_tokens.push_back(token.clone());
        Some(token)
    }

    /// Spends a Create dialog's token: `true` the first time only.
    pub fn spend_create_token(&mut self, session: &SessionKey, token: &str) -> bool {
        self.map.get_mut(session).is_some_and(|s| {
            let at = s.create_tokens.iter().position(|t| t == token);
            at.and_then(|at| s.create_tokens.remove(at)).is_some()
        })
    }

    /// Records a hand-over of `session`, named by its new key's id. When the session is
    /// gone meanwhile, nobody can settle it: it is given back, to be abandoned.
    pub fn begin_hand_over(
        &mut self,
        session: &SessionKey,
        new_id: ApiKeyId,
        hand_over: HandOver,
    ) -> Option<HandOver> {
        if !self.map.contains_key(session) {
            return Some(hand_over);
        }
        self.hand_overs.insert(
            new_id,
            Pending {
                session: *session,
                hand_over,
            },
        );
        None
    }

    /// Takes `session`'s hand-over of key `id`.
    pub fn take_hand_over(
        &mut self,
        session: &SessionKey,
        id: &ApiKeyId,
    ) -> Result<HandOver, NotPending> {
        match self.hand_overs.get(id) {
            Some(p) if p.session == *session => {
                Ok(self.hand_overs.remove(id).expect("present").hand_over)
            }
            Some(_) => Err(NotPending::Unknown),
            None => match self.discarded.get(id) {
                Some(old) => Err(NotPending::Discarded { old: old.clone() }),
                None => Err(NotPending::Unknown),
            },
        }
    }

    /// Takes the hand-over of key `id`, whichever session holds it (the key is being
    /// deleted from the list).
    pub fn take_any_hand_over(&mut self, id: &ApiKeyId) -> Option<HandOver> {
        self.hand_overs.remove(id).map(|p| p.hand_over)
    }

    /// Remembers that replacement `new` was revoked and `old` kept, for a later Done.
    pub fn record_discarded(&mut self, new: ApiKeyId, old: ApiKeyId) {
        if self.discarded.len() >= MAX_DISCARDED {
            self.discarded.clear();
        }
        self.discarded.insert(new, old);
    }

    /// Ends a session; returns what it was handing over.
    pub fn end(&mut self, session: &SessionKey) -> Vec<HandOver> {
        self.map.remove(session);
        let ids: Vec<ApiKeyId> = self
            .hand_overs
            .iter()
            .filter(|(_, p)| p.session == *session)
            .map(|(id, _)| id.clone())
            .collect();
        ids.iter()
            .filter_map(|id| self.hand_overs.remove(id))
            .map(|p| p.hand_over)
            .collect()
    }

    /// Ends every session idle for too long; returns what they were handing over.
    pub fn end_expired(&mut self) -> Vec<HandOver> {
        let idle = self.idle;
        let expired: Vec<SessionKey> = self
            .map
            .iter()
            .filter(|(_, s)| s.last_seen.elapsed() >= idle)
            .map(|(key, _)| *key)
            .collect();
        expired.iter().flat_map(|key| self.end(key)).collect()
    }

    /// Ends every session.
    pub fn end_all(&mut self) -> Vec<HandOver> {
        self.map.clear();
        self.hand_overs.drain().map(|(_, p)| p.hand_over).collect()
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_token_works_once() {
        let mut sessions = Sessions::new("t0ken", Duration::from_secs(60));
        assert!(sessions.login("wrong").is_none());
        let secret = sessions.login("t0ken").expect("first use");
        assert!(sessions.login("t0ken").is_none(), "second use");
        assert!(matches!(sessions.lookup(&secret), Lookup::Live(_)));
        let minted = sessions.mint_login();
        assert!(sessions.login(&minted).is_some());
        assert!(
            sessions.login(&minted).is_none(),
            "a minted token works once"
        );
    }

    #[test]
    fn an_idle_session_expires() {
        let mut sessions = Sessions::new("t", Duration::from_millis(20));
        let secret = sessions.login("t").unwrap();
        std::thread::sleep(Duration::from_millis(40));
        assert!(matches!(sessions.lookup(&secret), Lookup::Expired(_)));
        assert!(matches!(sessions.lookup(&secret), Lookup::Missing));
    }

    #[test]
    fn what_one_session_can_make_the_console_remember_is_bounded() {
        let mut sessions = Sessions::new("t", Duration::from_secs(60));
        let secret = sessions.login("t").unwrap();
        let Lookup::Live(key) = sessions.lookup(&secret) else {
            panic!("live")
        };
        let tokens: Vec<String> = (0..MAX_OPEN_DIALOGS + 4)
            .map(|_| sessions.new_create_token(&key).unwrap())
            .collect();
        assert!(
            !sessions.spend_create_token(&key, &tokens[0]),
            "the oldest dialog's token went"
        );
        assert!(sessions.spend_create_token(&key, tokens.last().unwrap()));
        let minted: Vec<String> = (0..MAX_MINTED_LOGINS + 8)
            .map(|_| sessions.mint_login())
            .collect();
        assert!(sessions.logins.len() <= MAX_MINTED_LOGINS);
        assert!(
            sessions.login(minted.last().unwrap()).is_some(),
            "the newest link works"
        );
        for n in 0..MAX_DISCARDED + 10 {
            sessions.record_discarded(ApiKeyId::from(format!("new{n}")), ApiKeyId::from("old"));
        }
        assert!(sessions.discarded.len() <= MAX_DISCARDED);
    }
}
