//! The emulator's data: organization, users, keys (hashes only), pending invites and the
//! JWT secret, plus atomic persistence to a state file.
//!
//! The state file holds the signing secret, so it is private: the file and its temporary
//! files are created with mode 0600 (an existing file readable by others is tightened to
//! 0600 when loaded), a temporary file has a random name and is created exclusively (never
//! through a planted file or symlink), and `<state file>.lock` is locked exclusively while an
//! emulator uses the file, so a second emulator on it refuses to start. Neither the state
//! file nor its lock is opened through a symlink (`O_NOFOLLOW`), and both must be regular
//! files of this user's with one link (no FIFO, no other user's file, no hard link).

use std::collections::BTreeMap;
use std::fs::OpenOptions;
#[cfg(unix)]
use std::os::unix::fs::PermissionsExt as _;
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::allowlist;
use crate::config::Seed;
use crate::config::DEFAULT_INVITE_LIMIT;
use crate::error::EmulatorError;
pub(crate) use crate::ids::{derived_id, random_id, sha256_hex};
use crate::ids::{hex_decode, random_hex};
use crate::roles;
pub(crate) use crate::state_file::{lock_state_file, StateFileLock};
use crate::state_file::{open_no_follow, write_private_file};

/// Version of the state file format: 2 added pending invites. A version-1 file (without
/// invites) still loads, and is written back as version 2; an older emulator refuses a
/// version-2 file rather than silently dropping its invites.
const STATE_VERSION: u32 = 2;

/// The oldest state file format still loaded.
const OLDEST_STATE_VERSION: u32 = 1;

/// Fixed creation time of seeded entities: 2024-01-01T00:00:00Z.
const SEED_CREATED_AT: i64 = 1_704_067_200;

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct OrgRecord {
    pub id: String,
    pub name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UserRecord {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: String,
    pub nickname: Option<String>,
    pub picture: Option<String>,
    pub is_external_user: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// Removed from the organization (`updateUser(data: {deleted: true})`): for good. A
    /// removed user is no longer found by id or email, is left out of every listing, and
    /// its keys no longer authenticate.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub deleted: bool,
}

#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KeyRecord {
    pub id: String,
    pub name: String,
    /// Hex SHA-256 of the JWT; the JWT itself is never stored.
    pub token_sha256: String,
    pub user_id: String,
    pub created_by_user_id: Option<String>,
    /// The role the key acts with.
    pub role: String,
    /// Canonical allowlist entries; `None` means anywhere.
    pub allowed_ip_cidrs: Option<Vec<String>>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    /// Unix seconds.
    pub expires_at: i64,
    pub revoked: bool,
}

impl KeyRecord {
    /// Whether `ip` may use the key.
    pub fn allows(&self, ip: std::net::IpAddr) -> bool {
        allowlist::allows(self.allowed_ip_cidrs.as_deref(), ip)
    }
}

/// Everything the emulator knows. Cloned before a mutation so a failed write can roll back.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct State {
    pub version: u32,
    /// Hex HMAC secret signing every key.
    pub jwt_secret: String,
    /// Id of the user the bootstrap admin key acts as.
    pub bootstrap_admin_id: String,
    pub organization: OrgRecord,
    pub users: Vec<UserRecord>,
    pub keys: BTreeMap<String, KeyRecord>,
    /// Pending invites, oldest first (see `invites.rs`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub invites: Vec<InviteRecord>,
    /// The `seq` of the next invite (the order the invites' pages follow).
    #[serde(default)]
    pub next_invite_seq: u64,
    /// Members plus pending invites allowed ([`crate::EmulatorConfig::invite_limit`]): set
    /// at every start, never persisted.
    #[serde(skip, default = "default_invite_limit")]
    pub invite_limit: u32,
    /// What reads derive from this state, computed once per snapshot (never persisted,
    /// emptied by every clone and every change).
    #[serde(skip)]
    pub derived: Derived,
}

/// What reads derive from a state: its list sizes for the cost check, the listed keys in
/// order, and what a reader attaches (the writer's rendered keys). Computed on first use; a state is never
/// changed after that (a mutation works on a clone, which starts empty, and
/// [`State::invalidate_derived`] empties it on every change through a `StateView`).
#[derive(Default)]
pub(crate) struct Derived {
    data: std::sync::OnceLock<DerivedData>,
}

impl Clone for Derived {
    fn clone(&self) -> Self {
        Self::default()
    }
}

pub(crate) struct DerivedData {
    /// Stored keys, users, and the longest allowlist of a stored key.
    pub counts: StateCounts,
    /// The keys any listing may show (not revoked, of a member), oldest first.
    pub listed: Vec<ListedKey>,
    /// What a reader keeps with this snapshot (the rendered keys of the JSON writer), of a
    /// type the state does not know: created empty on first use, dropped with the snapshot.
    attached: std::sync::OnceLock<Box<dyn std::any::Any + Send + Sync>>,
}

impl DerivedData {
    /// What is attached to this snapshot, of the type `T` (created by `T::default()` on
    /// first use). One type only is ever attached; `T` must be that type.
    pub fn attached<T: std::any::Any + Send + Sync + Default>(&self) -> &T {
        let any = self.attached.get_or_init(|| Box::<T>::default());
        match any.downcast_ref::<T>() {
            Some(value) => value,
            None => unreachable!("one type only is attached to a snapshot"),
        }
    }
}

/// The sizes of a state that the query cost estimate needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct StateCounts {
    /// Stored keys (the upper bound of `apiKeys` and `apiKeysOtherUsers`).
    pub keys: u64,
    /// Users of the organization.
    pub users: u64,
    /// The longest allowlist of a stored key.
    pub allowlist: u64,
    /// JSON bytes of the names of all listed keys together (quotes included): what the
    /// names add to one list of keys, whoever asks.
    pub listed_name_bytes: u64,
    /// JSON bytes of the longest name of a stored key (quotes included).
    pub longest_name_bytes: u64,
    /// JSON bytes of the longest other string of the state (ids, emails, users' names...;
    /// quotes included).
    pub longest_string_bytes: u64,
}

/// The bytes of `s` as a JSON string, quotes included (escaped as `serde_json` escapes).
pub(crate) fn json_len(s: &str) -> u64 {
    let escaped: usize = s
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | b'\n' | b'\r' | b'\t' | 0x08 | 0x0c => 2,
            0..=0x1f => 6,
            _ => 1,
        })
        .sum();
    u64::try_from(escaped.saturating_add(2)).unwrap_or(u64::MAX)
}

/// A key that listings may show: its id and its owner's id.
pub(crate) struct ListedKey {
    pub id: String,
    pub user_id: String,
}

impl State {
    /// A fresh state from a seed; the secret is derived from `admin_key_seed` or random.
    pub fn from_seed(seed: &Seed, admin_key_seed: Option<&str>) -> Result<Self, EmulatorError> {
        let created_at = OffsetDateTime::from_unix_timestamp(SEED_CREATED_AT)
            .map_err(|e| EmulatorError::Seed(e.to_string()))?;
        let mut users: Vec<UserRecord> = Vec::new();
        for u in &seed.users {
            u.check().map_err(EmulatorError::Seed)?;
            if users.iter().any(|x| x.email.eq_ignore_ascii_case(&u.email)) {
                return Err(EmulatorError::Seed(format!("duplicate email {}", u.email)));
            }
            let id = u
                .id
                .clone()
                .unwrap_or_else(|| derived_id(&format!("user:{}", u.email.to_ascii_lowercase())));
            if users.iter().any(|x| x.id == id) {
                return Err(EmulatorError::Seed(format!("duplicate user id {id}")));
            }
            users.push(UserRecord {
                id,
                email: u.email.clone(),
                name: u.name.clone(),
                role: u.role.clone(),
                nickname: u.nickname.clone(),
                picture: u.picture.clone(),
                is_external_user: u.is_external_user,
                created_at,
                deleted: false,
            });
        }
        let admin = match &seed.bootstrap_admin_email {
            Some(email) => users
                .iter()
                .find(|u| u.email.eq_ignore_ascii_case(email))
                .ok_or_else(|| {
                    EmulatorError::Seed(format!("bootstrap admin {email} is not a seeded user"))
                })?,
            None => users
                .iter()
                .find(|u| u.role == "Admin")
                .or_else(|| users.iter().find(|u| u.role == "Tenant Admin"))
                .ok_or_else(|| {
                    EmulatorError::Seed("the seed needs an Admin or Tenant Admin user".to_owned())
                })?,
        };
        let role = roles::role_by_name(&admin.role)
            .ok_or_else(|| EmulatorError::Seed("unknown bootstrap admin role".to_owned()))?;
        if !role.has(roles::MANAGE_API_KEYS) {
            return Err(EmulatorError::Seed(format!(
                "bootstrap admin {} cannot manage API keys (role {})",
                admin.email, admin.role
            )));
        }
        let bootstrap_admin_id = admin.id.clone();
        let jwt_secret = match admin_key_seed {
            Some(s) => sha256_hex(format!("labelbox-emulator/jwt-secret/{s}").as_bytes()),
            None => random_hex(32)?,
        };
        Ok(Self {
            version: STATE_VERSION,
            jwt_secret,
            bootstrap_admin_id,
            organization: OrgRecord {
                id: seed
                    .organization
                    .id
                    .clone()
                    .unwrap_or_else(|| derived_id(&format!("org:{}", seed.organization.name))),
                name: seed.organization.name.clone(),
                created_at,
            },
            users,
            keys: BTreeMap::new(),
            invites: Vec::new(),
            next_invite_seq: 0,
            invite_limit: DEFAULT_INVITE_LIMIT,
            derived: Derived::default(),
        })
    }

    /// Reads a state file; `Ok(None)` when it does not exist. A file readable or writable
    /// by others is first restricted to its owner (0600).
    pub fn load(path: &Path) -> Result<Option<Self>, EmulatorError> {
        let io = |context: &str, source| EmulatorError::Io {
            context: format!("{context} state file {}", path.display()),
            source,
        };
        // Never through a symlink: tightening the mode below would change its target's.
        let mut file = match open_no_follow(OpenOptions::new().read(true), path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(io(
                    "opening (it must be this user's regular file, not a symlink)",
                    source,
                ))
            }
        };
        #[cfg(unix)]
        {
            let mode = file
                .metadata()
                .map_err(|e| io("reading", e))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                file.set_permissions(std::fs::Permissions::from_mode(0o600))
                    .map_err(|e| io("restricting to 0600 the", e))?;
            }
        }
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file, &mut text).map_err(|e| io("reading", e))?;
        let state: State =
            serde_json::from_str(&text).map_err(|e| EmulatorError::State(e.to_string()))?;
        if !(OLDEST_STATE_VERSION..=STATE_VERSION).contains(&state.version) {
            return Err(EmulatorError::State(format!(
                "unsupported version {}",
                state.version
            )));
        }
        Ok(Some(State {
            version: STATE_VERSION,
            ..state
        }))
    }

    /// Writes the state atomically (`write_private_file`: a new 0600 temporary file
    /// beside `path`, fsync, rename, fsync of the directory). On failure `path` is unchanged.
    pub fn save(&self, path: &Path) -> Result<(), EmulatorError> {
        let text =
            serde_json::to_vec_pretty(self).map_err(|e| EmulatorError::State(e.to_string()))?;
        write_private_file(path, &text)
    }

    /// The member with `id`; never a removed one.
    pub fn user_by_id(&self, id: &str) -> Option<&UserRecord> {
        self.members().find(|u| u.id == id)
    }

    /// The member with `email`; never a removed one.
    pub fn user_by_email(&self, email: &str) -> Option<&UserRecord> {
        self.members()
            .find(|u| u.email.eq_ignore_ascii_case(email.trim()))
    }

    /// The user with `id`, removed or not (for the emulator's own bookkeeping only).
    pub fn any_user_by_id(&self, id: &str) -> Option<&UserRecord> {
        self.users.iter().find(|u| u.id == id)
    }

    /// The members of the organization: every user not removed, in seed order.
    pub fn members(&self) -> impl Iterator<Item = &UserRecord> {
        self.users.iter().filter(|u| !u.deleted)
    }

    /// What reads derive from this state (computed on first use).
    pub fn derived(&self) -> &DerivedData {
        self.derived.data.get_or_init(|| {
            let count = |n: usize| u64::try_from(n).unwrap_or(u64::MAX);
            let mut listed: Vec<&KeyRecord> = self
                .keys
                .values()
                // A removed member's keys are left out, as the member is.
                .filter(|k| !k.revoked && self.user_by_id(&k.user_id).is_some())
                .collect();
            let longest =
                |strings: &mut dyn Iterator<Item = &str>| strings.map(json_len).max().unwrap_or(0);
            let org = &self.organization;
            let counts = StateCounts {
                keys: count(self.keys.len()),
                users: count(self.users.len()),
                allowlist: self
                    .keys
                    .values()
                    .filter_map(|k| k.allowed_ip_cidrs.as_ref())
                    .map(|list| count(list.len()))
                    .max()
                    .unwrap_or(0),
                listed_name_bytes: listed
                    .iter()
                    .map(|k| json_len(&k.name))
                    .fold(0, u64::saturating_add),
                longest_name_bytes: longest(&mut self.keys.values().map(|k| k.name.as_str())),
                longest_string_bytes: longest(
                    &mut [org.id.as_str(), org.name.as_str()]
                        .into_iter()
                        .chain(self.users.iter().flat_map(|u| {
                            [
                                u.id.as_str(),
                                u.email.as_str(),
                                u.name.as_str(),
                                u.role.as_str(),
                                u.nickname.as_deref().unwrap_or(""),
                                u.picture.as_deref().unwrap_or(""),
                            ]
                        }))
                        .chain(self.keys.values().flat_map(|k| {
                            [
                                k.id.as_str(),
                                k.user_id.as_str(),
                                k.created_by_user_id.as_deref().unwrap_or(""),
                            ]
                        }))
                        .chain(self.invites.iter().flat_map(|i| {
                            [
                                i.id.as_str(),
                                i.email.as_str(),
                                i.role.as_str(),
                                i.inviter_id.as_str(),
                            ]
                        })),
                ),
            };
            listed.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
            DerivedData {
                counts,
                listed: listed
                    .into_iter()
                    .map(|k| ListedKey {
                        id: k.id.clone(),
                        user_id: k.user_id.clone(),
                    })
                    .collect(),
                attached: std::sync::OnceLock::new(),
            }
        })
    }

    /// Whether what reads derive from this state is computed already.
    #[cfg(any(test, feature = "test-probes"))]
    pub fn is_derived(&self) -> bool {
        self.derived.data.get().is_some()
    }

    /// Forgets what was derived: called on every change.
    pub fn invalidate_derived(&mut self) {
        self.derived = Derived::default();
    }

    pub fn secret_bytes(&self) -> Vec<u8> {
        hex_decode(&self.jwt_secret).unwrap_or_default()
    }
}

/// A pending invite. Accepting or cancelling it removes it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InviteRecord {
    pub id: String,
    /// Order of creation: the listing's pages are cut by it (the cursor).
    pub seq: u64,
    /// Trimmed and lowercased.
    pub email: String,
    /// The organization role the invitee gets on accepting.
    pub role: String,
    /// The user who sent it.
    pub inviter_id: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// `serde(default)` of [`State::invite_limit`]: a loaded state gets the default until the
/// start sets the configured one.
fn default_invite_limit() -> u32 {
    DEFAULT_INVITE_LIMIT
}
