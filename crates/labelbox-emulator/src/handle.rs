//! A running emulator's handle: its address and bootstrap key, the clock, faults, rate
//! limits, and the test helpers that read or seed its state.

use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::watch;

use crate::config::RateLimit;
use crate::error::EmulatorError;
use crate::faults::Faults;
use crate::journal::Journal;
use crate::seeding::{self, KeyInfo};
use crate::server::{self, App};

/// The counters of an emulator's work, for its own tests ([`EmulatorHandle::probe`],
/// feature `test-probes`): never timings.
#[cfg(feature = "test-probes")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Probe {
    /// Queries tried on the JSON writer.
    pub writer_attempts: u64,
    /// Queries the JSON writer answered.
    pub writer_answers: u64,
    /// Queries answered on the task that received them (not on a blocking thread).
    pub inline_answers: u64,
    /// Keys the JSON writer rendered (kept or written directly).
    pub rendered_keys: u64,
    /// Bytes of the keys rendered.
    pub rendered_bytes: u64,
    /// Prepared documents kept.
    pub cached_documents: usize,
    /// Their estimated memory.
    pub cached_document_bytes: usize,
    /// Distinct operation names counted (the shared count of the others included).
    pub counted_operations: usize,
    /// Whether the current state snapshot's derived data (listed keys, sizes) is computed.
    pub snapshot_is_derived: bool,
    /// The bytes the request journal keeps, as counted against
    /// [`MAX_JOURNAL_BYTES`](crate::MAX_JOURNAL_BYTES).
    pub journal_bytes: usize,
}

/// A member who accepted an invite ([`EmulatorHandle::accept_invite`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AcceptedInvite {
    /// The new member's user id: new at every acceptance, even for an email that was a
    /// member before (removed, then invited again), so the old keys stay dead.
    pub user_id: String,
    /// Their email, as the invite holds it (trimmed and lowercased).
    pub email: String,
    /// Their organization role: the invite's.
    pub role: String,
}

/// A running emulator. Dropping it stops the server (like [`shutdown`](Self::shutdown),
/// without waiting).
pub struct EmulatorHandle {
    pub(crate) app: Arc<App>,
    pub(crate) local_addr: SocketAddr,
    pub(crate) admin_key: String,
    pub(crate) admin_key_id: String,
    pub(crate) admin_email: String,
    pub(crate) shutdown: watch::Sender<bool>,
    pub(crate) task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for EmulatorHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorHandle")
            .field("endpoint", &self.endpoint())
            .field("admin_email", &self.admin_email)
            .field("admin_key_id", &self.admin_key_id)
            .field("admin_key", &"[REDACTED]")
            .finish()
    }
}

impl EmulatorHandle {
    /// The GraphQL endpoint, `http://127.0.0.1:PORT/graphql`.
    pub fn endpoint(&self) -> String {
        format!("http://{}/graphql", self.local_addr)
    }

    /// The address the server is bound to.
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The bootstrap admin API key: a real JWT, a secret (do not log it). A plain `&str`
    /// because the emulator does not depend on `secrecy`; wrap it in a `SecretString`.
    pub fn admin_key(&self) -> &str {
        &self.admin_key
    }

    /// The id of the bootstrap admin key.
    pub fn admin_key_id(&self) -> &str {
        &self.admin_key_id
    }

    /// The email of the user the bootstrap admin key acts as (`admin@example.com` by default).
    pub fn admin_email(&self) -> &str {
        &self.admin_email
    }

    /// Fault injection: `handle.faults().fail_next(2, Fault::Http500)`.
    pub fn faults(&self) -> &Faults {
        &self.app.faults
    }

    /// Moves the emulator clock forward (expiry, rate-limit windows and new keys' times
    /// follow it), to at most about 100 years ahead of the real clock.
    pub fn advance_clock(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let _ =
            self.app
                .clock_offset_ms
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |current| {
                    Some(current.saturating_add(ms).min(server::MAX_CLOCK_OFFSET_MS))
                });
    }

    /// The emulator's current time.
    pub fn now(&self) -> OffsetDateTime {
        self.app.now()
    }

    /// Requests received on `/graphql` (and `/_gql`) so far (faulted and refused ones
    /// included).
    pub fn request_count(&self) -> u64 {
        self.app.requests.load(Ordering::SeqCst)
    }

    /// Authenticated requests that executed the operation named `operation_name`
    /// (`<anonymous>` for unnamed operations). Names longer than 128 bytes, and new names
    /// once 1,024 distinct ones are counted, share one count (`<other>`), which this
    /// returns for them.
    pub fn operation_count(&self, operation_name: &str) -> u64 {
        self.app.operation_count(operation_name)
    }

    /// The request journal: what each GraphQL request asked for (operation, variables,
    /// document, the calling key's id; never a secret), oldest first, within
    /// [`MAX_JOURNAL_ENTRIES`](crate::MAX_JOURNAL_ENTRIES) and
    /// [`MAX_JOURNAL_BYTES`](crate::MAX_JOURNAL_BYTES). Serialized, it is the JSON that
    /// `GET /_emulator/journal` answers. See [`Journal`] for what is recorded.
    pub fn journal(&self) -> Journal {
        self.app.journal.read()
    }

    /// Empties the request journal and its dropped count (between tests); returns the
    /// entries removed. Sequence numbers go on from where they were.
    pub fn clear_journal(&self) -> usize {
        self.app.journal.clear()
    }

    /// Test helper: turns off (or back on) the emulator's own rule that `createApiKey`
    /// refuses control characters in a name, to test a client against a server that takes
    /// them. On by default.
    pub fn set_key_name_rule(&self, enabled: bool) {
        self.app.api.key_name_rule.store(enabled, Ordering::SeqCst);
    }

    /// What the emulator did so far, for its own tests: the counters of its work (feature
    /// `test-probes`, which only the emulator's tests turn on).
    #[cfg(feature = "test-probes")]
    pub fn probe(&self) -> Probe {
        let app = &self.app;
        let stats = &app.api.stats;
        let (cached_documents, cached_document_bytes) = app.api.cached_documents();
        Probe {
            writer_attempts: stats.attempts.load(Ordering::SeqCst),
            writer_answers: app.writer_answers.load(Ordering::SeqCst),
            inline_answers: app.inline_answers.load(Ordering::SeqCst),
            rendered_keys: stats.rendered_keys.load(Ordering::SeqCst),
            rendered_bytes: stats.rendered_bytes.load(Ordering::SeqCst),
            cached_documents,
            cached_document_bytes,
            counted_operations: app.counted_operations(),
            snapshot_is_derived: app.state().is_derived(),
            journal_bytes: app.journal.bytes(),
        }
    }

    /// With `false`, every query is answered by apollo-compiler's executor instead of the
    /// JSON writer first: for the tests comparing both (feature `test-probes`).
    #[cfg(feature = "test-probes")]
    pub fn set_writer(&self, enabled: bool) {
        self.app.json_writer.store(enabled, Ordering::SeqCst);
    }

    /// Sets the default per-key rate limit (`None`: unlimited).
    pub fn set_rate_limit(&self, limit: Option<RateLimit>) {
        self.app.limits().default = limit;
    }

    /// Sets the rate limit of one key, overriding the default (`None`: unlimited).
    pub fn set_key_rate_limit(&self, key_id: &str, limit: Option<RateLimit>) {
        self.app.limits().per_key.insert(key_id.to_owned(), limit);
    }

    /// Every stored key, revoked ones included, oldest first.
    pub fn keys(&self) -> Vec<KeyInfo> {
        seeding::key_infos(&self.app)
    }

    /// The id of the user with `email`, if any.
    pub fn user_id(&self, email: &str) -> Option<String> {
        self.app.state().user_by_email(email).map(|u| u.id.clone())
    }

    /// Changes the organization role of the user with `email` to the built-in `role`, as the
    /// API's `setOrganizationRole` does but without its permission checks (any role, the
    /// last Admin included).
    /// Every key of the user acts with the new role from its next request on, within its
    /// own role (see "Authorization" in the crate docs). Persisted when a state file is
    /// configured.
    pub fn set_user_role(&self, email: &str, role: &str) -> Result<(), EmulatorError> {
        seeding::set_user_role(&self.app, email, role)
    }

    /// Test helper: adds a member to the organization, with the built-in organization
    /// `role` (any of them: `None` and `Tenant Admin` included), as a seed file would; the
    /// email must be new among the members (compared case-insensitively). Returns the
    /// user's id: derived from the email, like a seeded user's, unless a removed member
    /// had it (then a new random id: a removed member is gone for good). Persisted when a
    /// state file is configured. The same as `POST /_emulator/users`.
    pub fn add_user(&self, email: &str, name: &str, role: &str) -> Result<String, EmulatorError> {
        seeding::add_user(&self.app, email, name, role)
    }

    /// Test helper: mints a key for `email` with `role`, valid for `validity_secs` from now
    /// (any value: zero or negative gives an already expired key), bypassing the permission,
    /// grant and validity checks of `createApiKey`; `allowed` is validated like the
    /// mutation's (an empty list is refused). The key is created by its own user. Returns
    /// `(id, jwt)`; persisted when a state file is configured.
    ///
    /// This is how a test gets a key of a role nobody can grant over HTTP (`None`,
    /// `Tenant Admin`), or of a role above its user's: such a key acts with the intersection
    /// of both roles (see "Authorization" in the crate docs), never as more.
    pub fn issue_key(
        &self,
        email: &str,
        role: &str,
        validity_secs: i64,
        allowed: Option<Vec<String>>,
    ) -> Result<(String, String), EmulatorError> {
        self.issue(None, email, role, validity_secs, allowed)
    }

    /// Test helper: [`issue_key`](Self::issue_key) with the key's name. Any name is accepted,
    /// control characters included (`createApiKey` refuses those): this is how a test plants
    /// a name that a real server might hold.
    pub fn issue_named_key(
        &self,
        name: &str,
        email: &str,
        role: &str,
        validity_secs: i64,
        allowed: Option<Vec<String>>,
    ) -> Result<(String, String), EmulatorError> {
        self.issue(Some(name), email, role, validity_secs, allowed)
    }

    fn issue(
        &self,
        name: Option<&str>,
        email: &str,
        role: &str,
        validity_secs: i64,
        allowed: Option<Vec<String>>,
    ) -> Result<(String, String), EmulatorError> {
        seeding::issue(&self.app, name, email, role, validity_secs, allowed)
    }

    /// Test helper: [`issue_key`](Self::issue_key) `count` times at once (one state write),
    /// for seeding large states cheaply (a 10,000-key listing takes well under a second to
    /// seed). Returns each `(id, jwt)`, oldest first.
    pub fn issue_keys(
        &self,
        count: usize,
        email: &str,
        role: &str,
        validity_secs: i64,
    ) -> Result<Vec<(String, String)>, EmulatorError> {
        seeding::issue_many(&self.app, count, email, role, validity_secs)
    }

    /// Accepts the pending invite `invite_id`, as its invitee would by e-mail: they become
    /// a member with the invited role and a new user id (see [`AcceptedInvite::user_id`]),
    /// and every pending invite for their email is gone. Also `POST /_emulator/invites/accept`
    /// with `{"inviteId": ...}`. Persisted when a state file is configured.
    pub fn accept_invite(&self, invite_id: &str) -> Result<AcceptedInvite, EmulatorError> {
        accept_invite(&self.app, invite_id)?
            .map_err(|refusal| EmulatorError::InvalidArgument(refusal.to_string()))
    }

    /// Stops accepting connections, lets in-flight requests finish, and waits for the
    /// server task.
    pub async fn shutdown(self) {
        let _ = self.shutdown.send(true);
        let task = self.task;
        let _ = task.await;
        // After the last write: another emulator may now use the state file.
        self.app.release_state_lock();
    }
}

/// Accepts the pending invite `invite_id` (see [`EmulatorHandle::accept_invite`]): the outer
/// error is a failed state write, the inner one why the invite could not be accepted.
pub(crate) fn accept_invite(
    app: &App,
    invite_id: &str,
) -> Result<Result<AcceptedInvite, crate::invites::AcceptError>, EmulatorError> {
    let now = app.now();
    app.mutate(
        |state| match crate::invites::accept(state, invite_id, now) {
            Ok(user) => (
                Ok(AcceptedInvite {
                    user_id: user.id,
                    email: user.email,
                    role: user.role,
                }),
                true,
            ),
            Err(refusal) => (Err(refusal), false),
        },
    )
}
