//! Configuration of an emulator: where it listens, what it starts with, and its limits.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::EmulatorError;

/// Default of [`EmulatorConfig::invite_limit`](crate::EmulatorConfig::invite_limit): members
/// plus pending invites. The default seed's 8 members leave room for 1,992 invites.
pub const DEFAULT_INVITE_LIMIT: u32 = 2_000;

/// How an [`Emulator`](crate::Emulator) starts.
///
/// `EmulatorConfig::default()` listens on `127.0.0.1:0` (a free port), keeps its state in
/// memory, seeds the [default users](Seed::default), mints a random bootstrap admin key,
/// has no rate limit, serves at most [`DEFAULT_MAX_CONNECTIONS`] connections at once,
/// closes a connection that has not sent a request's headers within
/// [`DEFAULT_HEADER_READ_TIMEOUT`] and fails a request whose body has not arrived within
/// [`DEFAULT_REQUEST_READ_TIMEOUT`].
#[derive(Clone, PartialEq, Eq)]
pub struct EmulatorConfig {
    /// Address to listen on; port 0 picks a free port.
    pub listen: SocketAddr,
    /// The organization and users created on a fresh start (ignored when `state_file` exists).
    pub seed: Seed,
    /// Where state is persisted; `None` keeps everything in memory.
    pub state_file: Option<PathBuf>,
    /// Makes the JWT secret and the bootstrap admin key deterministic (for tests): the same
    /// seed always yields the same admin key.
    pub admin_key_seed: Option<String>,
    /// Requests allowed per key and window; `None` means unlimited.
    pub rate_limit: Option<RateLimit>,
    /// Connections served at once (at least 1). When all are taken, a new connection closes
    /// the one that has waited longest for a request (idle, or its headers or body still
    /// arriving); when every one is busy with a request, it waits in the listen backlog.
    pub max_connections: usize,
    /// How long a connection may take to send a request's headers (an idle keep-alive
    /// connection included) before it is closed.
    pub header_read_timeout: Duration,
    /// How long a connection may take, from the moment it waits for a request, until the
    /// request's body has arrived (headers and body); past it the body read fails.
    pub request_read_timeout: Duration,
    /// The organization's invite limit: members plus pending invites (`invitesLimit`);
    /// default [`DEFAULT_INVITE_LIMIT`](crate::DEFAULT_INVITE_LIMIT). Applies at every start,
    /// a loaded state file's included (it is not persisted).
    pub invite_limit: u32,
}

/// Default of [`EmulatorConfig::max_connections`]: far more than any test or tool opens
/// at once, far below the usual limit of 1024 open files.
pub const DEFAULT_MAX_CONNECTIONS: usize = labelbox_serve::DEFAULT_MAX_CONNECTIONS;

/// Default of [`EmulatorConfig::header_read_timeout`]: a local client sends its headers in
/// milliseconds; a connection that dribbles them (slowloris) holds a slot at most this long
/// (and less once every slot is taken: see [`EmulatorConfig::max_connections`]).
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = labelbox_serve::DEFAULT_HEADER_READ_TIMEOUT;

/// Default of [`EmulatorConfig::request_read_timeout`]: a local client sends a 2 MiB body in
/// milliseconds.
pub const DEFAULT_REQUEST_READ_TIMEOUT: Duration = labelbox_serve::DEFAULT_REQUEST_READ_TIMEOUT;

impl Default for EmulatorConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: Seed::default(),
            state_file: None,
            admin_key_seed: None,
            rate_limit: None,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            request_read_timeout: DEFAULT_REQUEST_READ_TIMEOUT,
            invite_limit: DEFAULT_INVITE_LIMIT,
        }
    }
}

impl std::fmt::Debug for EmulatorConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EmulatorConfig")
            .field("listen", &self.listen)
            .field("seed", &self.seed)
            .field("state_file", &self.state_file)
            // The seed determines the admin key: treat it as a secret.
            .field(
                "admin_key_seed",
                &self.admin_key_seed.as_ref().map(|_| "[REDACTED]"),
            )
            .field("rate_limit", &self.rate_limit)
            .field("max_connections", &self.max_connections)
            .field("header_read_timeout", &self.header_read_timeout)
            .field("request_read_timeout", &self.request_read_timeout)
            .field("invite_limit", &self.invite_limit)
            .finish()
    }
}

impl EmulatorConfig {
    /// Sets the listen address.
    pub fn listen(mut self, listen: SocketAddr) -> Self {
        self.listen = listen;
        self
    }

    /// Sets the seed.
    pub fn seed(mut self, seed: Seed) -> Self {
        self.seed = seed;
        self
    }

    /// Persists state in `path` (created if missing, reloaded if present).
    pub fn state_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.state_file = Some(path.into());
        self
    }

    /// Makes the bootstrap admin key deterministic.
    pub fn admin_key_seed(mut self, seed: impl Into<String>) -> Self {
        self.admin_key_seed = Some(seed.into());
        self
    }

    /// Limits every key to `rate_limit`.
    pub fn rate_limit(mut self, rate_limit: RateLimit) -> Self {
        self.rate_limit = Some(rate_limit);
        self
    }

    /// Serves at most `n` connections at once (at least 1).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n;
        self
    }

    /// Closes a connection that has not sent a request's headers within `timeout`.
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Fails a request whose headers and body have not arrived within `timeout` of the
    /// connection starting to wait for it.
    pub fn request_read_timeout(mut self, timeout: Duration) -> Self {
        self.request_read_timeout = timeout;
        self
    }

    /// Allows `limit` members plus pending invites (at most `i32::MAX`, the largest GraphQL
    /// `Int`: a larger limit is answered as `i32::MAX`).
    pub fn invite_limit(mut self, limit: u32) -> Self {
        self.invite_limit = limit;
        self
    }
}

/// A rate limit: at most `requests` requests per key in each fixed window of `per`
/// (measured on the emulator clock, so [`advance_clock`](crate::EmulatorHandle::advance_clock)
/// opens a new window).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests allowed per window.
    pub requests: u32,
    /// Length of a window.
    pub per: Duration,
}

impl RateLimit {
    /// `requests` per `per`.
    pub fn new(requests: u32, per: Duration) -> Self {
        Self { requests, per }
    }
}

/// The organization and users an emulator starts with; readable from a JSON seed file.
///
/// ```json
/// {
///   "organization": { "name": "Example Org" },
///   "users": [
///     { "email": "admin@example.com", "name": "Ada Admin", "role": "Admin" },
///     { "email": "labeler@example.com", "name": "Lee Labeler", "role": "Labeler" }
///   ],
///   "bootstrapAdminEmail": "admin@example.com"
/// }
/// ```
///
/// Ids left out are derived deterministically from the email (users) or name (organization).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Seed {
    /// The one organization.
    #[serde(default)]
    pub organization: SeedOrganization,
    /// Its users.
    pub users: Vec<SeedUser>,
    /// The user the bootstrap admin key acts as; the first `Admin` (else `Tenant Admin`)
    /// user when absent.
    #[serde(default)]
    pub bootstrap_admin_email: Option<String>,
}

/// The organization of a [`Seed`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedOrganization {
    /// Id; derived from the name when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// Display name.
    pub name: String,
}

impl Default for SeedOrganization {
    fn default() -> Self {
        Self {
            id: None,
            name: "Example Org".to_owned(),
        }
    }
}

/// A user of a [`Seed`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SeedUser {
    /// Id; derived from the email when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// Email (unique in the organization, compared case-insensitively).
    pub email: String,
    /// Full name.
    pub name: String,
    /// Organization role: one of `None`, `Labeler`, `Reviewer`, `Team Manager`, `Admin`,
    /// `Tenant Admin`.
    pub role: String,
    /// Nickname.
    #[serde(default)]
    pub nickname: Option<String>,
    /// Picture URL.
    #[serde(default)]
    pub picture: Option<String>,
    /// Whether the user is external to the organization.
    #[serde(default)]
    pub is_external_user: bool,
}

impl SeedUser {
    /// A user of the organization with `email`, full `name` and the built-in organization
    /// `role`; no nickname or picture, not external, id derived from the email.
    pub fn new(email: &str, name: &str, role: &str) -> Self {
        Self {
            id: None,
            email: email.to_owned(),
            name: name.to_owned(),
            role: role.to_owned(),
            nickname: None,
            picture: None,
            is_external_user: false,
        }
    }

    /// What a user needs wherever it is created (a seed, [`EmulatorHandle::add_user`],
    /// `POST /_emulator/users`): a built-in role and an email.
    ///
    /// [`EmulatorHandle::add_user`]: crate::EmulatorHandle::add_user
    pub(crate) fn check(&self) -> Result<(), String> {
        if crate::roles::role_by_name(&self.role).is_none() {
            return Err(format!(
                "user {} has unknown role {:?}",
                self.email, self.role
            ));
        }
        if self.email.trim().is_empty() || !self.email.contains('@') {
            return Err(format!("invalid email {:?}", self.email));
        }
        Ok(())
    }
}

impl Default for Seed {
    /// One organization, "Example Org", with one user per built-in role:
    /// `admin@example.com` (Admin, holder of the bootstrap key), `labeler@example.com`
    /// (Labeler), `reviewer@example.com` (Reviewer), `manager@example.com` (Team Manager),
    /// `tenant-admin@example.com` (Tenant Admin), `nobody@example.com` (None),
    /// `admin2@example.com` (a second Admin) and `external@example.com` (Labeler, external).
    fn default() -> Self {
        let mut external = SeedUser::new("external@example.com", "Ext Ernal", "Labeler");
        external.is_external_user = true;
        Self {
            organization: SeedOrganization::default(),
            users: vec![
                SeedUser::new("admin@example.com", "Ada Admin", "Admin"),
                SeedUser::new("labeler@example.com", "Lee Labeler", "Labeler"),
                SeedUser::new("reviewer@example.com", "Rey Reviewer", "Reviewer"),
                SeedUser::new("manager@example.com", "Max Manager", "Team Manager"),
                SeedUser::new("tenant-admin@example.com", "Tia Tenant", "Tenant Admin"),
                SeedUser::new("nobody@example.com", "Noe Body", "None"),
                SeedUser::new("admin2@example.com", "Abe Admin", "Admin"),
                external,
            ],
            bootstrap_admin_email: None,
        }
    }
}

impl Seed {
    /// Parses a seed from JSON text.
    pub fn from_json(text: &str) -> Result<Self, EmulatorError> {
        serde_json::from_str(text).map_err(|e| EmulatorError::Seed(e.to_string()))
    }

    /// Reads a seed from a JSON file.
    pub fn from_file(path: &Path) -> Result<Self, EmulatorError> {
        let text = std::fs::read_to_string(path).map_err(|source| EmulatorError::Io {
            context: format!("reading seed file {}", path.display()),
            source,
        })?;
        Self::from_json(&text)
    }
}
