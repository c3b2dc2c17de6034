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
//! (`labelbox-emulator --state state.json --ready-file ready.json`), or from code with
//! [`run_foreground`].
//!
//! # Wire protocol
//!
//! - `POST /graphql` with `{"query", "variables", "operationName"}`; `variables` may be null.
//!   `POST /_gql` is the same endpoint (the official SDK's experimental endpoint, the
//!   endpoint's URL with `/_gql` in place of `/graphql`, where it sends `cancelInvite`): one
//!   handler, so the same authentication, rate limits, operations and answers.
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
//!   about 220 bytes per field, 100 to 150 per directive or argument). Preparing a query
//!   also collects the fields it selects, once (its plan, kept with the document). What
//!   each field of each type is lives in one place (`graphql/fields.rs`), read both by
//!   apollo-compiler's executor (through its resolver trait) and by a direct JSON writer
//!   that answers planned queries (a listing's keys from their JSON, each rendered the
//!   first time a listing shows it and kept per state snapshot and selection, within
//!   32 MiB; which keys the caller sees is decided at every request, and keys nobody is
//!   shown are never rendered). A query needing field merging (one response key selected
//!   twice), a directive (`@skip`, `@include`) or introspection has no plan; it, every
//!   mutation and any query whose answer carries an error are executed by
//!   apollo-compiler's executor, so every error answer is the executor's. Both read who may
//!   see what from one module (`visibility.rs`), and answer the same bytes (tests:
//!   `tests/it/fast_path.rs`).
//! - **Every response carrying GraphQL errors has HTTP status 200**: the reference client
//!   classifies a body by `errors[].extensions.code` whatever the status, and the contract
//!   names no status for these errors. Every error entry has an `extensions.code`:
//!   | condition | code |
//!   |---|---|
//!   | missing, malformed, wrongly signed, unknown, revoked or expired key; key used from an IP outside its allowlist; key of a removed member | `AUTHENTICATION_ERROR` |
//!   | the key's effective permissions lack what a mutation needs (creating keys, revoking a key it may not, granting a role above them, changing or removing a member, inviting a member or cancelling an invite, giving a member a role above them or `Tenant Admin`; an invite whose `inviterId` is not the caller's own id; see [Authorization](#authorization)) | `AUTHORIZATION_ERROR` |
//!   | query text that does not parse (worded as graphql-js: `Syntax Error: Unexpected Name "asda".`), or has more than 15,000 tokens (whitespace included: `Syntax Error: Document contains more than 15000 tokens. Parsing aborted.`) or more than 64 levels of nesting | `GRAPHQL_PARSE_FAILED` |
//!   | query that does not validate against the schema (worded as graphql-js, the most relevant error first: `Cannot query field "bbb" on type "Query".`), unknown operation name; a query over the cost limit (message `Query complexity limit exceeded`, `extensions.reason` names the limit) | `GRAPHQL_VALIDATION_FAILED` |
//!   | variables that do not match their declared types (as Apollo Server does) | `BAD_USER_INPUT` |
//!   | bad input to `createApiKey`/`updateApiKey` (empty name or one over 1,000 characters, validity out of range, bad or empty allowlist, unknown target user, unknown role name, un-revoking); bad input to the invite mutations (an unknown role id, an email that is not one, more than 100 emails or invites in one request, an email over 320 characters in `inviteMembers` (the whole request), `workspaceWide: false`); a `first` of `organization.invites` outside 1 to 100, a `from` that is not a `nextCursor` it gave; and a body that is not a GraphQL request | `MALFORMED_REQUEST` |
//!   | `updateApiKey` with an unknown id; `setOrganizationRole`/`updateUser` for a user the key cannot see (unknown, removed, or not visible); `cancelInvite` with an id no pending invite has; an invite naming projects or user groups (non-empty `projects`, `userGroupIds`, `userGroupWithRoleIds`, `projectIds` or `groupIds`: the emulator has none, so every id there is unknown) or another organization | `RESOURCE_NOT_FOUND` |
//!   | demoting or removing the organization's last `Admin`; `createInvites` past the invite limit | `OPERATION_NOT_ALLOWED` |
//!   | anything else (a failed state write, ...) | `INTERNAL_SERVER_ERROR` |
//! - **What a request may cost**: the parser stops at 15,000 tokens and 64 levels of
//!   nesting (apollo-parser's limits), so validation works on a bounded document; at most
//!   100 validation errors are answered, then graphql-js's `Too many validation errors,
//!   error limit reached. Validation aborted.`; every error message is cut at 1,000
//!   characters (messages quote the document's names). Any request within the body limit
//!   takes at most **32 MiB** of memory at its peak (measured: 24.4 MiB, 8 of them the request journal filled by the earlier requests, for the worst
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
//!   clock more than about 100 years from the real one is refused (400). Seeding from
//!   another process (the pytest plugin of the Python wheel, a shell step), each the same
//!   code as the handle's method: `POST /_emulator/users` `{"email", "name", "role"}`
//!   ([`EmulatorHandle::add_user`]), `POST /_emulator/users/role` `{"email", "role"}`
//!   ([`EmulatorHandle::set_user_role`]), `POST /_emulator/keys` `{"email", "role",
//!   "validitySeconds", "name"?, "allowedIpCidrs"?}` → `{"id", "jwt"}`
//!   ([`EmulatorHandle::issue_named_key`]), `GET /_emulator/keys` → `{"keys": [...]}`
//!   ([`EmulatorHandle::keys`], camelCase, never a key), `POST /_emulator/faults`
//!   `{"fault": KIND, "count"?: N}` ([`Faults::fail_next`], KIND as `--fault`). Bad input is
//!   HTTP 400 `MALFORMED_REQUEST`.
//! - **Starting from a script**: both binaries (`labelbox-emulator`, `labelbox --json
//!   emulator`) listen on `127.0.0.1:0` by default and print one JSON line once they
//!   listen, from [`announce_ready`]: `{"endpoint", "admin_email", "admin_key", "pid"}`.
//!   `--ready-file PATH` also writes it to `PATH` after the socket is bound
//!   ([`write_ready_file`]: a temporary file in the same directory, created 0600, renamed
//!   into place); [`prepare_ready_file`] refuses a directory other users may write to
//!   (unless sticky, as `/tmp`) or that another user owns, and removes a stale file first;
//!   the file goes at a clean stop. An address in use is [`EmulatorError::AddressInUse`]
//!   (exit 1), never retried elsewhere.
//!   `GET /_emulator/journal` answers the request journal (below) as JSON,
//!   `DELETE /_emulator/journal` empties it (`{"cleared": N}`).
//! - **Request journal** ([`Journal`], [`EmulatorHandle::journal`]): each authenticated
//!   GraphQL request whose body is a GraphQL request is recorded (sequence number, arrival
//!   time on the emulator clock, calling key id, operation name, variables, document as
//!   received), whatever its answer; requests refused before their body is read (no or
//!   bad key, rate-limited at the door, a fault injected before the request), over the
//!   body cap or its deadline, or whose body is not a GraphQL request are not (they carry
//!   no operation; [`EmulatorHandle::request_count`] counts them). At most
//!   [`MAX_JOURNAL_ENTRIES`] entries and [`MAX_JOURNAL_BYTES`] (each entry's strings and
//!   fixed part), oldest dropped first and counted. Never a secret: the `Authorization`
//!   header is not recorded, JWT-shaped text and members named like a secret are
//!   replaced by `[REDACTED]` (`tests/administration.rs::no_secret_reaches_the_journal`).
//!   Recording shares the document text with the prepared-document cache and holds the
//!   journal's lock only for the push.
//!   `POST /_emulator/invites/accept` with `{"inviteId": ID}` accepts a pending invite, as
//!   its invitee would by e-mail ([`EmulatorHandle::accept_invite`]), and answers the new
//!   member `{"userId", "email", "role"}`; 404 `RESOURCE_NOT_FOUND` for an id no pending
//!   invite has.
//! - Every response's `Date` header reads the emulator clock (like the `createdAt` it
//!   writes), so a client comparing the two sees one clock, moved or not.
//! - Faults ([`Faults`]) act before anything else (HTTP 500 text, 502 HTML, 503 "upstream
//!   connect error...", a closed connection, a delay) or, for mutations, after the change is
//!   persisted (the response is never sent, or, with [`Fault::OversizedSecret`] or
//!   [`Fault::SecretWithEscape`], a created key's `jwt` is padded to a given size or ends
//!   with a terminal escape sequence: a malformed answer). A fault aimed at one operation
//!   ([`Faults::fail_next_operation`], by the request's `operationName`) acts once the
//!   request's key is authenticated and its body read; [`Faults::delayed_in_flight`] counts
//!   the delayed requests not finished yet, for a test to wait on.
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
//!   [Authorization](#authorization) (a member may be given `None`, a project-based member
//!   as the official SDK calls it, but never `Tenant Admin`; a key still can never be given
//!   `None`); a removed member is gone for good (persisted), and
//!   every key of theirs fails with `AUTHENTICATION_ERROR` from the next request.
//! - **Users**: the root `users(where: {email}, skip, first)` answers what
//!   `organization.users` does (the members the caller may see, the email compared
//!   case-insensitively, paged).
//! - **Invites** (the emulator's own choices where Labelbox documents nothing):
//!   `createInvites`, `inviteMembers` and `cancelInvite` need `MANAGE_MEMBERS`; an invite may
//!   give any role the caller could give a member (`None` included, `Tenant Admin` never).
//!   Emails are trimmed and lowercased (as the official SDK says the server checks them) and
//!   valid with one `@` between non-empty parts, no whitespace and at most 320 characters.
//!   The emulator has no projects or user groups: an invite naming any is refused
//!   (`RESOURCE_NOT_FOUND`), and `projectInvites` is always empty. `createInvites` takes each
//!   input's `inviterId` (the caller's own id) and `organizationId` (the organization's),
//!   creates one invite per input, and accepts a second invite for an email already
//!   invited (Labelbox's docs say several invites may be sent); for a member's email it
//!   answers `invite: null` (the official SDK expects that for one's own email).
//!   `inviteMembers` answers one result per email, in order: `INVALID_EMAIL`, `DUPLICATE`
//!   (a case-insensitive repeat in the same request), `ALREADY_MEMBER`, `ALREADY_INVITED`
//!   (no second invite), `SEAT_LIMIT` (the limit reached) or `INVITED` with the invite's id;
//!   `reason` is always null, and `ADDED`, `NOT_ALLOWED` and `FAILED` never occur. It accepts
//!   a workspace-wide invitation with the role `None` (the official SDK refuses one before
//!   sending it). `invitesLimit(where: {id})`: `used` is members plus pending invites,
//!   `limit` is [`EmulatorConfig::invite_limit`] (default [`DEFAULT_INVITE_LIMIT`], room for
//!   1,992 invites with the default seed; `--invite-limit`), `remaining` the difference;
//!   null for another organization's id. `organization.invites(from, first)` lists the
//!   pending invites oldest first, `first` (1 to 100, default 100) at a time;
//!   `nextCursor` is the next page's `from` (a position, so it stays valid when invites are
//!   cancelled or accepted between pages), null on the last page. Both are shown to a
//!   caller with `VIEW_MEMBERS`, like the members (others get null, and an empty page).
//!   Cancelling removes the invite and answers it; an invite no longer pending (cancelled or
//!   accepted) is not found. There is no e-mail: [`EmulatorHandle::accept_invite`] (or
//!   `POST /_emulator/invites/accept`) plays the invitee: they become a member with the
//!   invited role, named after their email's local part, and every pending invite for their
//!   email goes. **A returning member** (removed, then invited again and accepted) **gets a
//!   new user id**: the removed user stays removed, so every key they had stays dead.
//! - **Persistence**: with a state file, every acknowledged mutation (and every key minted by
//!   [`EmulatorHandle::issue_key`]) is written atomically (a new temporary file with a random
//!   name beside the state file, created exclusively with mode 0600, fsync, rename, directory
//!   fsync) before the response is produced; if the write fails the change is not made and
//!   `INTERNAL_SERVER_ERROR` returned. The file's format is versioned: version 2 added the
//!   pending invites; a version-1 file loads (and is written back as version 2), an older
//!   emulator refuses a version-2 file instead of dropping its invites. The state file holds the signing secret: it is always
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
//!   JSON writer, is answered on the task that received it (a listing of a few thousand
//!   keys: well under a millisecond); any other request runs on a blocking thread (where a
//!   query the writer refused for a reason that cannot change goes straight to the
//!   executor).
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
//!   bootstrap admin key once, at start, as the issue requires (and writes it to the ready
//!   file, mode 0600, when asked).

#![doc = include_str!("../docs/authorization.md")]
#![warn(missing_docs)]

mod admin;
mod admin_invites;
mod admin_seeding;
mod allowlist;
mod auth;
mod budget;
mod config;
mod cost;
mod dates;
mod document_cache;
mod error;
mod faults;
mod graphql;
mod handle;
mod ids;
mod invites;
mod journal;
mod journal_routes;
mod ready;
mod redact;
mod request;
pub mod roles;
mod router;
mod seeding;
mod server;
mod start;
mod state;
mod state_file;
mod visibility;

pub use config::DEFAULT_INVITE_LIMIT;
pub use config::{
    EmulatorConfig, RateLimit, Seed, SeedOrganization, SeedUser, DEFAULT_HEADER_READ_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS, DEFAULT_REQUEST_READ_TIMEOUT,
};
pub use error::EmulatorError;
pub use faults::{Fault, Faults};
pub use handle::AcceptedInvite;
pub use handle::EmulatorHandle;
#[cfg(feature = "test-probes")]
pub use handle::Probe;
pub use journal::{Journal, JournalEntry, MAX_JOURNAL_BYTES, MAX_JOURNAL_ENTRIES};
pub use ready::{
    announce_ready, install_shutdown_signal, prepare_ready_file, ready_json, write_ready_file,
    ReadyFile,
};
pub use seeding::KeyInfo;
pub use start::Emulator;

/// The contract's limits and codes as the emulator enforces them. This is the emulator's
/// own copy (it never depends on `labelbox-core`); `tests/tests/it/contract_table.rs` proves it
/// equal to `labelbox_core::contract`.
pub mod contract {
    pub use crate::allowlist::MAX_ALLOWLIST_ENTRIES;
    pub use crate::cost::COMPLEXITY_MESSAGE as QUERY_COMPLEXITY_MESSAGE;
    pub use crate::graphql::code as codes;
    pub use crate::graphql::{
        MAX_VALIDITY as MAX_VALIDITY_SECONDS, MIN_VALIDITY as MIN_VALIDITY_SECONDS,
    };
    pub use crate::roles::NEVER_GRANTABLE as NEVER_GRANTABLE_ROLES;
    pub use crate::server::RATE_LIMIT_MESSAGE_PREFIX;
}

/// Starts an emulator, prints its ready line on stdout ([`announce_ready`]: one JSON object
/// with `endpoint`, `admin_email`, `admin_key` and `pid`), and serves until Ctrl-C (or
/// SIGTERM or SIGHUP on Unix).
pub async fn run_foreground(config: EmulatorConfig) -> Result<(), EmulatorError> {
    run_foreground_with(config, None, |_| {}).await
}

/// Like [`run_foreground`], with a ready file (see [`prepare_ready_file`] and
/// [`write_ready_file`]: written atomically with mode 0600 once the socket is bound, removed
/// at the stop), calling `setup` on the handle (to queue faults, set limits, ...) before
/// announcing and serving.
pub async fn run_foreground_with(
    config: EmulatorConfig,
    ready_file: Option<&std::path::Path>,
    setup: impl FnOnce(&EmulatorHandle),
) -> Result<(), EmulatorError> {
    if let Some(path) = ready_file {
        prepare_ready_file(path)?;
    }
    let handle = Emulator::start(config).await?;
    setup(&handle);
    let shutdown = install_shutdown_signal().await;
    let ready = match announce_ready(&handle, ready_file) {
        Ok(ready) => ready,
        Err(e) => {
            handle.shutdown().await;
            return Err(e);
        }
    };
    shutdown.await;
    handle.shutdown().await;
    drop(ready);
    Ok(())
}

/// Resolves on Ctrl-C, or on SIGTERM or SIGHUP on Unix: what a foreground emulator waits
/// for before shutting down (used by [`run_foreground`] and by `labelbox emulator`; the one
/// definition is `labelbox_serve::shutdown_signal`, shared with `labelbox console`).
pub use labelbox_serve::shutdown_signal;
