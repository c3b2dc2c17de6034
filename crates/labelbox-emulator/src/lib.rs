#![doc = include_str!("../README.md")]
//!
//! ## In detail
//!
//! A local Labelbox API server, in the spirit of LocalStack: `POST /graphql` on loopback,
//! serving exactly `schema/labelbox.graphql` (introspection enabled), with the API-key, role
//! and user model of the Labelbox API, real signed keys, persistence, rate limits and fault
//! injection for tests.
//!
//! ```no_run
//! # async fn demo() -> Result<(), labelbox_emulator::EmulatorError> {
//! use labelbox_emulator::{Emulator, EmulatorConfig};
//!
//! let emulator = Emulator::start(EmulatorConfig::default().admin_key_seed("tests")).await?;
//! println!("{} {}", emulator.endpoint(), emulator.admin_email());
//! // point any Labelbox client at emulator.endpoint() with emulator.admin_key()
//! emulator.shutdown().await;
//! # Ok(()) }
//! ```
//!
//! Run it standalone with the `labelbox-emulator` binary
//! (`labelbox-emulator --listen 127.0.0.1:8080 --state state.json`), or from code with
//! [`run_foreground`].
//!
//! # Wire protocol
//!
//! - `POST /graphql` with `{"query", "variables", "operationName"}`; `variables` may be null.
//!   A body over 2 MiB is refused with HTTP 413; one holding more than 10,000 JSON values
//!   (the query, the variables and each of their elements, counted before parsing) with
//!   `MALFORMED_REQUEST`.
//!   Parsing and validation are apollo-compiler's, against the checked-in SDL (embedded
//!   with `include_str!`, so the served schema cannot drift from the file). A document that
//!   prepared successfully is kept by query text and operation name (at most 512 documents
//!   and 8 MiB of memory, none over 64 KiB of text or 1 MiB of memory; the oldest go
//!   first), so it is parsed and validated once; the cost check still runs at every request
//!   against the current state. A document's memory is estimated from its syntax nodes and
//!   text, above what it really takes (a prepared document takes 2 to 30 times its text:
//!   about 220 bytes per field, 100 to 150 per directive or argument). A query is executed
//!   by a serialising fast path that writes the response bytes directly (a listing's keys
//!   from their JSON, each rendered the first time a listing shows it and kept per state
//!   snapshot and selection, within 32 MiB; which keys the caller sees is decided at every
//!   request, and keys nobody is shown are never rendered); mutations,
//!   introspection, and any query whose answer carries an error are executed by
//!   apollo-compiler's executor, so every error answer is the executor's. Both read who may
//!   see what from one module (`visibility.rs`), and answer the same bytes (tests:
//!   `tests/fast_path.rs`).
//! - **Every response carrying GraphQL errors has HTTP status 200**: the reference client
//!   classifies a body by `errors[].extensions.code` whatever the status, and the contract
//!   names no status for these errors. Every error entry has an `extensions.code`:
//!   | condition | code |
//!   |---|---|
//!   | missing, malformed, wrongly signed, unknown, revoked or expired key; key used from an IP outside its allowlist; key of a removed member | `AUTHENTICATION_ERROR` |
//!   | the key's effective permissions lack what a mutation needs (creating keys, revoking a key it may not, granting a role above them, changing or removing a member; see [Authorization](#authorization)) | `AUTHORIZATION_ERROR` |
//!   | query text that does not parse (worded as graphql-js: `Syntax Error: Unexpected Name "asda".`), or has more than 15,000 tokens (whitespace included: `Syntax Error: Document contains more than 15000 tokens. Parsing aborted.`) or more than 64 levels of nesting | `GRAPHQL_PARSE_FAILED` |
//!   | query that does not validate against the schema (worded as graphql-js, the most relevant error first: `Cannot query field "bbb" on type "Query".`), unknown operation name; a query over the cost limit (message `Query complexity limit exceeded`, `extensions.reason` names the limit) | `GRAPHQL_VALIDATION_FAILED` |
//!   | variables that do not match their declared types (as Apollo Server does) | `BAD_USER_INPUT` |
//!   | bad input to `createApiKey`/`updateApiKey` (empty name or one over 1,000 characters, validity out of range, bad or empty allowlist, unknown target user, unknown role name, un-revoking) and a body that is not a GraphQL request | `MALFORMED_REQUEST` |
//!   | `updateApiKey` with an unknown id; `setOrganizationRole`/`updateUser` for a user the key cannot see (unknown, removed, or not visible) | `RESOURCE_NOT_FOUND` |
//!   | demoting or removing the organization's last `Admin` | `OPERATION_NOT_ALLOWED` |
//!   | anything else (a failed state write, ...) | `INTERNAL_SERVER_ERROR` |
//! - **What a request may cost**: the parser stops at 15,000 tokens and 64 levels of
//!   nesting (apollo-parser's limits), so validation works on a bounded document; at most
//!   100 validation errors are answered, then graphql-js's `Too many validation errors,
//!   error limit reached. Validation aborted.`; every error message is cut at 1,000
//!   characters (messages quote the document's names). Any request within the body limit
//!   takes at most **32 MiB** of memory at its peak (measured: 16.4 MiB, for the worst
//!   documents: many unknown arguments, duplicate or unused variables or unused fragments
//!   with names as long as the body allows, deep nesting, many fields or aliases, huge
//!   tokens, a body full of variable values; from an Admin's key and a Labeler's alike:
//!   `tests/request_memory.rs`, a peak-tracking allocator), and answers at most about
//!   110 KiB of errors. Requests at once cost at most that much each.
//! - Authentication, then the rate limit, happen before the body is read: an
//!   unauthenticated or over-limit request learns nothing about the query's validity and
//!   costs no parsing. Messages say which check failed ("Invalid API key: the key has
//!   expired"); they never contain the key.
//! - **Query cost limit**, computed on the validated document before it executes (fragment
//!   expansion counted with memoisation, so the analysis is linear even for a document whose
//!   expansion is exponential): at most 24 levels of fields, 64 aliases and 1,000 fields
//!   after fragment expansion (and 2,000 fields written in the document, checked before
//!   validation), an estimated 500,000 JSON values in the response (each
//!   field counts once per element of every list above it; lists of keys and users are
//!   estimated from the stored counts, introspection lists from the schema) and an
//!   estimated 128 MiB of JSON (strings at the longest the state holds: key names may be
//!   1,000 characters long). For scale: `labelbox schema pull`'s introspection query has
//!   depth 14, 199 fields and an estimate of 45,000 values; listing 10,000 keys estimates
//!   220,000 values (3.4 MB of JSON; 26 MB estimated if every name had 1,000 characters).
//! - **Connections** (the accept loop is `labelbox-serve`'s, shared with `labelbox console`):
//!   at most [`EmulatorConfig::max_connections`] (default [`DEFAULT_MAX_CONNECTIONS`]) are
//!   served at once. When all are taken, a new connection closes the one that has waited
//!   longest for a request (idle keep-alive, or its headers or body still arriving); only
//!   when every connection's request is being handled or answered does it wait in the listen
//!   backlog. A connection that has not sent a request's headers within
//!   [`EmulatorConfig::header_read_timeout`] (default [`DEFAULT_HEADER_READ_TIMEOUT`]; idle
//!   keep-alive connections included) is closed; a request whose body has not arrived within
//!   [`EmulatorConfig::request_read_timeout`] (default [`DEFAULT_REQUEST_READ_TIMEOUT`],
//!   counted from the moment the connection waits for it) is answered 400. A `POST /graphql`
//!   is authenticated from its headers, and checked against the rate limit, before its body
//!   is read: without a valid key it is answered at once, and its connection closed, however
//!   slowly its body would come. Flags: `--max-connections`, `--header-read-timeout`,
//!   `--request-read-timeout`.
//! - Rate limit: past the limit a key gets HTTP 429 with `Retry-After` (seconds) and the body
//!   `{"message": "You have exceeded the API rate limit of N requests per S seconds ..."}`
//!   (no `errors`, as the contract's table describes).
//! - **Administration**: every `/_emulator/*` endpoint accepts only the bootstrap admin key
//!   of the current start ([`EmulatorHandle::admin_key`], printed by the binary): HTTP 401
//!   with `AUTHENTICATION_ERROR` without a valid key, HTTP 403 with `AUTHORIZATION_ERROR`
//!   for any other valid key, an Admin's created over HTTP included (moving the clock back
//!   un-expires keys, so no API key may do it). No separate token: the bootstrap key is
//!   already the one credential the emulator hands out (it is an API key too: a key with
//!   `MANAGE_API_KEYS` can revoke it, and the administration then waits for a restart).
//!   `POST /_emulator/clock` with
//!   `{"advanceSeconds": N}` (negative allowed) moves the emulator clock for
//!   out-of-process clients and answers `{"now": "<RFC 3339>"}`; a move that would put the
//!   clock more than about 100 years from the real one is refused (400).
//! - Every response's `Date` header reads the emulator clock (like the `createdAt` it
//!   writes), so a client comparing the two sees one clock, moved or not.
//! - Faults ([`Faults`]) act before anything else (HTTP 500 text, 502 HTML, 503 "upstream
//!   connect error...", a closed connection, a delay) or, for mutations, after the change is
//!   persisted (the response is never sent, or, with [`Fault::OversizedSecret`], a created
//!   key's `jwt` is padded to a given size: a malformed answer).
//!
//! # Model and assumptions
//!
//! The real server's behaviour beyond the recorded requests is not public; these are the
//! emulator's choices.
//!
//! - **One organization** with seeded users ([`Seed`]; the default has one user per
//!   built-in role, see [`Seed::default`]). Emails are compared case-insensitively.
//!   Dates are RFC 3339 with milliseconds and `Z`; seeded entities were created
//!   2024-01-01T00:00:00.000Z; `updatedAt` of users and the organization equals `createdAt`;
//!   `lastLoginAt` is always null.
//! - **Roles** are the built-ins `None`, `Labeler`, `Reviewer`, `Team Manager`, `Admin`,
//!   `Tenant Admin`, each holding the permissions of the one before plus its own (invented
//!   names, see [`roles`]). `roles` returns them all with `organizationId: null` (built-in
//!   roles belong to no organization).
//! - **Keys** are HS256 JWTs signed with a per-emulator secret (random, or derived from
//!   [`EmulatorConfig::admin_key_seed`]); claims `jti` (key id, also the header `kid`), `sub`
//!   (user id), `org`, `iat`, `exp`, and a random `nonce` that is never stored (so the state
//!   file, which holds the signing secret, cannot re-mint a key). Only the SHA-256 of each
//!   key is stored. A key's caller is the user it acts as (`sub`); it acts with its
//!   **effective permissions**, those of the key's role (chosen at creation) that the
//!   user's current organization role also holds (see [Authorization](#authorization)).
//!   `organizationRole` without `userId` returns the effective permissions; with another
//!   user's `userId`, that user's organization role's permissions (null for an unknown
//!   user, or one the key may not see).
//! - **Bootstrap admin key**: minted at start for the seed's bootstrap admin (the first
//!   `Admin` user by default), valid until 2038-01-01 (expiry must fit a GraphQL `Int`),
//!   named "Emulator bootstrap admin key", with `createdByUserId: null` (like the "older
//!   keys" the contract mentions). With `admin_key_seed` the key (id, issue time, JWT) is
//!   deterministic; without, a new one is minted at every start, and with a state file
//!   every earlier bootstrap key (a key without creator and with that name) is revoked at
//!   that start: only hashes are stored, so an earlier key could never be shown again.
//! - **Authentication** on every request, before anything else; the allowlist is checked
//!   against the TCP peer address (IPv4-mapped IPv6 peers and entries count as IPv4).
//!   Expiry uses the emulator clock ([`EmulatorHandle::advance_clock`]); a key is expired when
//!   `expiresAtEpoch <= now`.
//! - **createApiKey** checks, in this order: the caller's effective permissions hold
//!   `MANAGE_API_KEYS` (`AUTHORIZATION_ERROR`); `name` non-empty after trimming (stored
//!   trimmed) and at most 1,000 characters (`MALFORMED_REQUEST` "name must be at most 1000
//!   characters": Labelbox documents no limit; this one bounds what one listing may cost)
//!   and holds no control character (U+0000-U+001F, U+007F-U+009F: `MALFORMED_REQUEST`
//!   "name must not contain control characters ..."; a rule of the emulator's own, as
//!   Labelbox documents none, so that the names it creates fit a terminal and an environment
//!   variable; seed files and [`EmulatorHandle::issue_named_key`] still take any name, and
//!   [`EmulatorHandle::set_key_name_rule`] turns the rule off for a test);
//!   `allowedIpCidrs` entries are trimmed, non-empty IPv4/IPv6 addresses or
//!   strict networks (host bits clear), stored canonically (IPv6 compressed), duplicates
//!   dropped, at most 50; an empty list `[]` is refused with `MALFORMED_REQUEST` (like
//!   every other bad allowlist: it would mean "nowhere", and storing it as "no allowlist"
//!   would fail open), null or absent means no allowlist; `validitySeconds` within 60..=15120000
//!   (null means the maximum), with the reference client's messages; the target user exists
//!   ("User with email '...' does not exist in the organization"); the role (the target
//!   user's own role when null) exists and is grantable: never `None` or `Tenant Admin`,
//!   otherwise when all its permissions are the caller's effective ones ("Invalid role specified. Allowed
//!   roles are: [...]", `AUTHORIZATION_ERROR` when the role exists but is not grantable,
//!   `MALFORMED_REQUEST` when no role has that exact, case-sensitive name). The target's own
//!   organization role does not cap the key's role at creation (the contract states no such
//!   rule), but the key never acts beyond it: it acts with the intersection.
//!   `createdByUserId` is the caller.
//! - **Listing**: `user.apiKeys` is the caller's own non-revoked keys; `apiKeysOtherUsers`
//!   is every other user's non-revoked keys when the effective permissions hold
//!   `MANAGE_API_KEYS`, otherwise empty (who created a key does not matter). Both are oldest
//!   first, and include expired keys (clients filter). On a user other than the caller both
//!   lists are empty. `isViewer` is true on the caller only.
//! - **Revoking** (`updateApiKey(where: {id}, data: {revoked: true})`): allowed on the calling
//!   key itself, on the caller's own user's keys whose role is within the effective
//!   permissions, and on any key with `MANAGE_API_KEYS` (see [Authorization](#authorization));
//!   idempotent (revoking a revoked key returns it unchanged); an unknown id is `RESOURCE_NOT_FOUND`;
//!   `revoked: false` on a revoked key is refused; revoking the calling key is allowed and
//!   takes effect from the next request.
//! - **Members**: `user.orgRole` is the user's organization role, `user.organization` the
//!   organization, `organization.users(skip, first)` pages the members.
//!   `setOrganizationRole` and `updateUser(data: {deleted: true})` change a member's role and
//!   remove a member, with `MANAGE_MEMBERS` and within the rules of
//!   [Authorization](#authorization); a removed member is gone for good (persisted), and
//!   every key of theirs fails with `AUTHENTICATION_ERROR` from the next request.
//! - **Persistence**: with a state file, every acknowledged mutation (and every key minted by
//!   [`EmulatorHandle::issue_key`]) is written atomically (a new temporary file with a random
//!   name beside the state file, created exclusively with mode 0600, fsync, rename, directory
//!   fsync) before the response is produced; if the write fails the change is not made and
//!   `INTERNAL_SERVER_ERROR` returned. The state file holds the signing secret: it is always
//!   0600, and an existing one readable by others is tightened to 0600 at start (it is the
//!   user's own file, so the emulator repairs it rather than refusing it). A present state
//!   file is loaded at start and the seed ignored; its JWT secret keeps old keys valid.
//!   Starting with an `admin_key_seed` other than the one the state file was created with is
//!   an error. While an emulator runs it holds an exclusive lock on `<state file>.lock`
//!   (0600; released at [`EmulatorHandle::shutdown`] or when the process dies): a second
//!   emulator on the same file refuses to start ([`EmulatorError::StateInUse`]), so two
//!   processes can never undo each other's revocations.
//! - **Concurrency**: parsing, validation and the cost check run outside any lock. A query
//!   executes against a snapshot of the state without holding any lock, so a slow query
//!   delays no other request. A query weighs its estimated response values, or its
//!   estimated response bytes over 32 when that is more (long key names, long aliases:
//!   each response key and value counted at its longest, the listed keys' names at their
//!   total); queries weighing over 1,000 share a budget of 1,000,000 at once (two of the
//!   largest allowed; more wait), light ones never wait. A query whose document is already
//!   prepared, weighing at most 100,000, with its budget free at once, and answered by the
//!   fast path, is answered on the task that received it (a listing of a few thousand keys:
//!   well under a millisecond); any other request runs on a blocking thread (where a query
//!   the fast path refused for a reason that cannot change goes straight to the executor).
//!   Mutations are serialised: each runs on a copy of the state that becomes current once
//!   it is persisted, with what reads derive from it (listed keys, sizes) computed on the
//!   mutation's thread first. Every request authenticates against the state it executes on.
//! - **Rate limiting**: per key, fixed windows on the emulator clock, configured globally
//!   ([`EmulatorConfig::rate_limit`], [`EmulatorHandle::set_rate_limit`]) or per key
//!   ([`EmulatorHandle::set_key_rate_limit`]); only authenticated requests count, and each
//!   mutation of a request counts as one (`a: createApiKey(..) b: createApiKey(..)` is two);
//!   a request whose mutations do not fit in the window is refused whole (HTTP 429).
//! - **Secrets**: keys and JWTs are never logged (the emulator logs nothing) and never in
//!   errors; [`EmulatorHandle`]'s `Debug` redacts the admin key. The binary prints the
//!   bootstrap admin key once, at start, as the issue requires.

#![doc = include_str!("../docs/authorization.md")]
#![warn(missing_docs)]

mod admin;
mod auth;
mod config;
mod cost;
mod dates;
mod document_cache;
mod error;
mod faults;
mod graphql;
pub mod roles;
mod server;
mod state;
mod visibility;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use time::OffsetDateTime;
use tokio::sync::watch;

pub use config::{
    EmulatorConfig, RateLimit, Seed, SeedOrganization, SeedUser, DEFAULT_HEADER_READ_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_READ_TIMEOUT,
};
pub use error::EmulatorError;
pub use faults::{Fault, Faults};

/// The contract's limits and codes as the emulator enforces them. This is the emulator's
/// own copy (it never depends on `labelbox-core`); `tests/tests/contract_table.rs` proves it
/// equal to `labelbox_core::contract`.
pub mod contract {
    pub use crate::cost::COMPLEXITY_MESSAGE as QUERY_COMPLEXITY_MESSAGE;
    pub use crate::graphql::code as codes;
    pub use crate::graphql::{
        MAX_VALIDITY as MAX_VALIDITY_SECONDS, MIN_VALIDITY as MIN_VALIDITY_SECONDS,
    };
    pub use crate::roles::NEVER_GRANTABLE as NEVER_GRANTABLE_ROLES;
    pub use crate::server::RATE_LIMIT_MESSAGE_PREFIX;
    pub use crate::state::MAX_ALLOWLIST_ENTRIES;
}

use crate::auth::Claims;
use crate::server::{App, Limits};
use crate::state::State;

/// Issue time of a seeded (deterministic) bootstrap key: 2025-01-01T00:00:00Z.
const SEEDED_KEY_IAT: i64 = 1_735_689_600;
/// Expiry of bootstrap keys: 2038-01-01T00:00:00Z (fits a GraphQL `Int`).
const BOOTSTRAP_KEY_EXP: i64 = 2_145_916_800;
/// Name of bootstrap keys.
const BOOTSTRAP_KEY_NAME: &str = "Emulator bootstrap admin key";

/// Starts emulators.
#[derive(Debug)]
pub struct Emulator;

impl Emulator {
    /// Loads or seeds the state, mints the bootstrap admin key, binds `config.listen` and
    /// serves in the background until [`EmulatorHandle::shutdown`] (or the handle is dropped).
    pub async fn start(config: EmulatorConfig) -> Result<EmulatorHandle, EmulatorError> {
        let api = graphql::GraphqlApi::new().map_err(EmulatorError::Seed)?;
        let seed_secret = config
            .admin_key_seed
            .as_deref()
            .map(|s| State::from_seed(&config.seed, Some(s)).map(|st| st.jwt_secret));
        // Held until shutdown: a second emulator on the same state file refuses to start.
        let state_lock = match &config.state_file {
            Some(path) => Some(state::lock_state_file(path)?),
            None => None,
        };
        let mut state = match &config.state_file {
            Some(path) => match State::load(path)? {
                Some(loaded) => {
                    if let Some(secret) = seed_secret {
                        if secret? != loaded.jwt_secret {
                            return Err(EmulatorError::State(format!(
                                "{} was created with a different admin key seed",
                                path.display()
                            )));
                        }
                    }
                    loaded
                }
                None => State::from_seed(&config.seed, config.admin_key_seed.as_deref())?,
            },
            None => State::from_seed(&config.seed, config.admin_key_seed.as_deref())?,
        };
        let now = OffsetDateTime::now_utc();
        let (admin_key_id, admin_key) =
            bootstrap_key(&mut state, config.admin_key_seed.as_deref(), now)?;
        let admin_email = state
            .any_user_by_id(&state.bootstrap_admin_id)
            .map(|u| u.email.clone())
            .ok_or_else(|| EmulatorError::State("the bootstrap admin user is missing".into()))?;
        if let Some(path) = &config.state_file {
            state.save(path)?;
        }
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .map_err(|source| EmulatorError::Io {
                context: format!("binding {}", config.listen),
                source,
            })?;
        let local_addr = listener.local_addr().map_err(|source| EmulatorError::Io {
            context: "reading the bound address".into(),
            source,
        })?;
        // The first snapshot's derived data, before any request can read it.
        state.derived();
        let app = Arc::new(App {
            api,
            admin_key_id: admin_key_id.clone(),
            state: RwLock::new(Arc::new(state)),
            writer: Mutex::new(()),
            state_file: config.state_file.clone(),
            state_lock: Mutex::new(state_lock),
            serve_limits: labelbox_serve::Limits::default()
                .max_connections(config.max_connections.clamp(1, 1 << 20))
                .header_read_timeout(config.header_read_timeout)
                .request_read_timeout(config.request_read_timeout)
                .max_body_bytes(server::MAX_BODY_BYTES),
            clock_offset_ms: AtomicI64::new(0),
            faults: Faults::default(),
            requests: AtomicU64::new(0),
            operations: Mutex::new(Default::default()),
            limits: Mutex::new(Limits {
                default: config.rate_limit,
                ..Limits::default()
            }),
            budget: server::ExecutionBudget::new(server::EXECUTION_BUDGET),
            json_writer: std::sync::atomic::AtomicBool::new(true),
            writer_answers: AtomicU64::new(0),
            inline_answers: AtomicU64::new(0),
        });
        let (shutdown, stop) = watch::channel(false);
        let task = tokio::spawn(server::serve(listener, Arc::clone(&app), stop));
        Ok(EmulatorHandle {
            app,
            local_addr,
            admin_key,
            admin_key_id,
            admin_email,
            shutdown,
            task,
        })
    }
}

/// Mints (or, when seeded and already stored, re-derives) the bootstrap admin key, and
/// revokes every earlier bootstrap key of a persisted state: only their hashes are stored,
/// so nobody could be shown them again, and each start would otherwise leave one more
/// Admin key valid until 2038.
fn bootstrap_key(
    state: &mut State,
    seed: Option<&str>,
    now: OffsetDateTime,
) -> Result<(String, String), EmulatorError> {
    // A removed bootstrap admin still gets its key minted (so a state file stays usable),
    // but the key does not authenticate.
    let admin = state
        .any_user_by_id(&state.bootstrap_admin_id)
        .cloned()
        .ok_or_else(|| EmulatorError::State("the bootstrap admin user is missing".into()))?;
    let (id, iat, nonce) = match seed {
        Some(s) => (
            state::derived_id(&format!("admin-key:{s}")),
            SEEDED_KEY_IAT,
            None,
        ),
        None => (
            state::random_id()?,
            now.unix_timestamp(),
            Some(state::random_id()?),
        ),
    };
    let claims = Claims {
        jti: id.clone(),
        sub: admin.id.clone(),
        org: state.organization.id.clone(),
        iat,
        exp: BOOTSTRAP_KEY_EXP,
        nonce,
    };
    let jwt = auth::mint(state, &claims).map_err(EmulatorError::State)?;
    if !state.keys.contains_key(&id) {
        let created = OffsetDateTime::from_unix_timestamp(iat)
            .map_err(|e| EmulatorError::State(e.to_string()))?;
        let record = auth::record(
            &claims,
            &jwt,
            BOOTSTRAP_KEY_NAME,
            &admin.role,
            None,
            None,
            created,
        );
        state.keys.insert(id.clone(), record);
    }
    for key in state.keys.values_mut() {
        if key.id != id && is_bootstrap_key(key) && !key.revoked {
            key.revoked = true;
            key.updated_at = now;
        }
    }
    Ok((id, jwt))
}

/// Bootstrap keys are the only keys without a creator and with their name: `createApiKey`
/// and [`EmulatorHandle::issue_key`] always record one.
fn is_bootstrap_key(key: &state::KeyRecord) -> bool {
    key.created_by_user_id.is_none() && key.name == BOOTSTRAP_KEY_NAME
}

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
}

/// A summary of a stored key, for tests and tools (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyInfo {
    /// Key id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The user it acts as.
    pub user_email: String,
    /// Its role.
    pub role: String,
    /// Who created it (null for bootstrap keys).
    pub created_by_user_id: Option<String>,
    /// Expiry, Unix seconds.
    pub expires_at_epoch: i64,
    /// Whether it is revoked.
    pub revoked: bool,
    /// Its allowlist.
    pub allowed_ip_cidrs: Option<Vec<String>>,
}

/// A running emulator. Dropping it stops the server (like [`shutdown`](Self::shutdown),
/// without waiting).
pub struct EmulatorHandle {
    app: Arc<App>,
    local_addr: SocketAddr,
    admin_key: String,
    admin_key_id: String,
    admin_email: String,
    shutdown: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
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

    /// Requests received on `/graphql` so far (faulted and refused ones included).
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
        let state = self.app.state();
        let mut keys: Vec<KeyInfo> = state
            .keys
            .values()
            .map(|k| KeyInfo {
                id: k.id.clone(),
                name: k.name.clone(),
                user_email: state
                    .any_user_by_id(&k.user_id)
                    .map(|u| u.email.clone())
                    .unwrap_or_default(),
                role: k.role.clone(),
                created_by_user_id: k.created_by_user_id.clone(),
                expires_at_epoch: k.expires_at,
                revoked: k.revoked,
                allowed_ip_cidrs: k.allowed_ip_cidrs.clone(),
            })
            .collect();
        keys.sort_by_key(|k| state.keys.get(&k.id).map(|r| (r.created_at, r.id.clone())));
        keys
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
        let role = roles::role_by_name(role)
            .ok_or_else(|| EmulatorError::InvalidArgument(format!("unknown role {role:?}")))?;
        self.app.mutate(|state| {
            match state
                .users
                .iter_mut()
                .find(|u| !u.deleted && u.email.eq_ignore_ascii_case(email.trim()))
            {
                Some(user) => {
                    user.role = role.name.to_owned();
                    (Ok(()), true)
                }
                None => (
                    Err(EmulatorError::InvalidArgument(format!(
                        "no user with email {email}"
                    ))),
                    false,
                ),
            }
        })??;
        Ok(())
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
        let role = roles::role_by_name(role)
            .ok_or_else(|| EmulatorError::InvalidArgument(format!("unknown role {role:?}")))?;
        let allowed = match allowed {
            Some(entries) => {
                Some(state::normalise_allowlist(&entries).map_err(EmulatorError::InvalidArgument)?)
            }
            None => None,
        };
        let now = self.app.now();
        self.app.mutate(|state| {
            let issued = issue_into(state, name, email, role, validity_secs, allowed, now);
            let changed = issued.is_ok();
            (issued, changed)
        })?
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
        let role = roles::role_by_name(role)
            .ok_or_else(|| EmulatorError::InvalidArgument(format!("unknown role {role:?}")))?;
        let now = self.app.now();
        self.app.mutate(|state| {
            let issued: Result<Vec<_>, EmulatorError> = (0..count)
                .map(|_| issue_into(state, None, email, role, validity_secs, None, now))
                .collect();
            let changed = issued.is_ok();
            (issued, changed)
        })?
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

/// Mints a key for the user `email` with `role` into `state` (see
/// [`EmulatorHandle::issue_key`]).
fn issue_into(
    state: &mut State,
    name: Option<&str>,
    email: &str,
    role: &roles::RoleDef,
    validity_secs: i64,
    allowed: Option<Vec<String>>,
    now: OffsetDateTime,
) -> Result<(String, String), EmulatorError> {
    let user = state
        .user_by_email(email)
        .cloned()
        .ok_or_else(|| EmulatorError::InvalidArgument(format!("no user with email {email}")))?;
    let id = loop {
        let id = state::random_id()?;
        if !state.keys.contains_key(&id) {
            break id;
        }
    };
    let claims = Claims {
        jti: id.clone(),
        sub: user.id.clone(),
        org: state.organization.id.clone(),
        iat: now.unix_timestamp(),
        exp: now.unix_timestamp().saturating_add(validity_secs),
        nonce: Some(state::random_id()?),
    };
    let jwt = auth::mint(state, &claims).map_err(EmulatorError::State)?;
    let name = name.map_or_else(|| format!("issued for {}", user.email), str::to_owned);
    let record = auth::record(
        &claims,
        &jwt,
        &name,
        role.name,
        Some(user.id.clone()),
        allowed,
        now,
    );
    state.keys.insert(id.clone(), record);
    Ok((id, jwt))
}

/// Starts an emulator, prints its endpoint, admin email and admin key on stdout (one
/// `name: value` line each), and serves until Ctrl-C (or SIGTERM on Unix).
pub async fn run_foreground(config: EmulatorConfig) -> Result<(), EmulatorError> {
    run_foreground_with(config, |_| {}).await
}

/// Like [`run_foreground`], calling `setup` on the handle (to queue faults, set limits, ...)
/// before printing and serving.
pub async fn run_foreground_with(
    config: EmulatorConfig,
    setup: impl FnOnce(&EmulatorHandle),
) -> Result<(), EmulatorError> {
    use std::io::Write as _;
    let handle = Emulator::start(config).await?;
    setup(&handle);
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "Labelbox emulator running.");
        let _ = writeln!(out, "endpoint: {}", handle.endpoint());
        let _ = writeln!(out, "admin_email: {}", handle.admin_email());
        let _ = writeln!(out, "admin_key: {}", handle.admin_key());
        let _ = writeln!(out, "Press Ctrl-C to stop.");
        let _ = out.flush();
    }
    shutdown_signal().await;
    handle.shutdown().await;
    Ok(())
}

/// Resolves on Ctrl-C, or on SIGTERM on Unix: what a foreground emulator waits for before
/// shutting down (used by [`run_foreground`] and by `labelbox emulator`).
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
