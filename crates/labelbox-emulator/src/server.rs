//! HTTP: the axum router with `POST /graphql`, authentication, rate limiting and
//! persistence, served by `labelbox-serve`'s accept loop (the connection cap, header and
//! request deadlines, body cap, and closing a connection without answering for a fault).

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};

use apollo_compiler::response::JsonMap;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, FromRequest as _, State as AxumState};
use axum::http::{header, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use time::OffsetDateTime;

use crate::auth::{self, Caller};
use crate::budget::ExecutionBudget;
use crate::config::RateLimit;
use crate::faults::{DelayGuard, Fault, Faults};
use crate::graphql::{code, error_body, Fallback, GraphqlApi, StateView};
use crate::journal::{Recorded, RequestJournal};
use crate::request::parse_request;
use crate::state::State;

/// Everything a running emulator shares between requests.
pub(crate) struct App {
    pub api: GraphqlApi,
    /// The bootstrap admin key of this start: the only key `/_emulator/*` accepts.
    pub admin_key_id: String,
    /// The current state. Readers clone the `Arc` and work without any lock; a mutation
    /// changes a copy and swaps it in once it is persisted.
    pub state: RwLock<Arc<State>>,
    /// Serialises mutations, from the copy of the state to its swap.
    pub writer: Mutex<()>,
    pub state_file: Option<PathBuf>,
    /// The exclusive lock on the state file's lock file while the emulator runs; `None` once
    /// released at shutdown (no write happens after that).
    pub state_lock: Mutex<Option<crate::state::StateFileLock>>,
    /// The connection cap, header and request deadlines and body cap of the accept loop.
    pub serve_limits: labelbox_serve::Limits,
    pub clock_offset_ms: AtomicI64,
    pub faults: Faults,
    pub requests: AtomicU64,
    /// Executions per operation name, bounded (see [`App::count_operation`]).
    pub operations: Mutex<HashMap<String, u64>>,
    pub limits: Mutex<Limits>,
    pub budget: ExecutionBudget,
    /// Whether queries are first tried on the JSON writer; off only in the tests that
    /// compare it with the executor.
    pub json_writer: std::sync::atomic::AtomicBool,
    /// Queries the JSON writer answered.
    pub writer_answers: AtomicU64,
    /// Queries answered on the task that received them (for tests).
    pub inline_answers: AtomicU64,
    /// What each GraphQL request asked for (`journal.rs`).
    pub journal: RequestJournal,
}

/// A query whose response weighs no more than this ([`Prepared::weight`](crate::graphql::Prepared::weight):
/// estimated values, or bytes over 32) is cheap: it executes at once, whatever else runs
/// (current user, roles, a listing of up to about 40 keys), without a budget permit.
pub(crate) const CHEAP_QUERY_VALUES: u64 = 1_000;

/// The largest weight of a query answered on the task that received it (a listing of
/// about 4,000 keys: well under a millisecond on the JSON writer); heavier ones run on a
/// blocking thread.
pub(crate) const INLINE_QUERY_VALUES: u64 = 100_000;

/// The largest request body answered on the task that received it.
pub(crate) const INLINE_BODY_BYTES: usize = 64 * 1024;

/// The estimated response values that the other queries may build at once: two of the
/// largest allowed (about 300 MB of memory); more wait for their turn.
pub(crate) const EXECUTION_BUDGET: u64 = 1_000_000;

/// Operation names longer than this are counted under [`OTHER_OPERATIONS`].
pub(crate) const MAX_OPERATION_NAME_BYTES: usize = 128;
/// Distinct operation names counted each on its own; later new names are counted under
/// [`OTHER_OPERATIONS`], so clients sending endless names never grow the counts.
pub(crate) const MAX_COUNTED_OPERATIONS: usize = 1_024;
/// Where the operations past those bounds are counted (not a GraphQL name, so no
/// operation has it).
pub(crate) const OTHER_OPERATIONS: &str = "<other>";

/// The entry of the operation counts where `name` is counted: its own while it is short
/// and among the first [`MAX_COUNTED_OPERATIONS`] names, else [`OTHER_OPERATIONS`].
fn operation_key<'n>(operations: &HashMap<String, u64>, name: &'n str) -> &'n str {
    if name.len() <= MAX_OPERATION_NAME_BYTES
        && (operations.contains_key(name) || operations.len() < MAX_COUNTED_OPERATIONS)
    {
        name
    } else {
        OTHER_OPERATIONS
    }
}

/// Rate-limit configuration and the current window of each key.
#[derive(Default)]
pub(crate) struct Limits {
    pub default: Option<RateLimit>,
    pub per_key: HashMap<String, Option<RateLimit>>,
    /// Key id -> (window start in emulator milliseconds, requests in the window).
    pub windows: HashMap<String, (i64, u32)>,
}

/// How the top-level `message` of a rate-limited answer starts.
pub const RATE_LIMIT_MESSAGE_PREFIX: &str = "You have exceeded";

/// The largest request body read (axum's default, made explicit): a larger one gets HTTP 413
/// before any of it is buffered past the limit.
pub(crate) const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

/// How far the emulator clock may be moved from the real clock (about 100 years either way),
/// so every date derived from it stays within `OffsetDateTime`'s range.
pub(crate) const MAX_CLOCK_OFFSET_MS: i64 = 100 * 366 * 24 * 3600 * 1000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl App {
    pub fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
            + time::Duration::milliseconds(self.clock_offset_ms.load(Ordering::SeqCst))
    }

    /// Moves the clock by `ms`; `false`, and no change, when the offset would leave
    /// ±[`MAX_CLOCK_OFFSET_MS`].
    pub fn shift_clock(&self, ms: i64) -> bool {
        self.clock_offset_ms
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |current| {
                current
                    .checked_add(ms)
                    .filter(|offset| (-MAX_CLOCK_OFFSET_MS..=MAX_CLOCK_OFFSET_MS).contains(offset))
            })
            .is_ok()
    }

    /// The current state, as a snapshot no lock protects.
    pub fn state(&self) -> Arc<State> {
        Arc::clone(&self.state.read().unwrap_or_else(|p| p.into_inner()))
    }

    /// Runs `change` on a copy of the state, one mutation at a time; when it reports a
    /// change (the `bool`), persists the copy and makes it current. On a failed write nothing
    /// changes and the error is returned.
    pub fn mutate<T>(
        &self,
        change: impl FnOnce(&mut State) -> (T, bool),
    ) -> Result<T, crate::error::EmulatorError> {
        let _writer = lock(&self.writer);
        let mut working = State::clone(&self.state());
        let (value, changed) = change(&mut working);
        working.invalidate_derived();
        if changed {
            self.persist(&working)?;
            // Derived here, on the mutation's own (blocking) thread, before any reader sees
            // the new snapshot: no request derives it on an async worker.
            working.derived();
            *self.state.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(working);
        }
        Ok(value)
    }

    /// Releases the state file's lock after the last write: later mutations fail.
    pub fn release_state_lock(&self) {
        let _writer = lock(&self.writer);
        *lock(&self.state_lock) = None;
    }

    pub fn limits(&self) -> MutexGuard<'_, Limits> {
        lock(&self.limits)
    }

    /// Executions of the operation `name`: its own count, or the shared count of
    /// [`OTHER_OPERATIONS`] for a name counted there.
    pub fn operation_count(&self, name: &str) -> u64 {
        let operations = lock(&self.operations);
        operations
            .get(operation_key(&operations, name))
            .copied()
            .unwrap_or(0)
    }

    /// Counts one execution of the operation `name` (see [`operation_key`]).
    fn count_operation(&self, name: &str) {
        let mut operations = lock(&self.operations);
        let key = operation_key(&operations, name);
        match operations.get_mut(key) {
            Some(count) => *count += 1,
            None => {
                operations.insert(key.to_owned(), 1);
            }
        }
    }

    /// The distinct names the operation counts hold (the shared one included).
    #[cfg(any(test, feature = "test-probes"))]
    pub fn counted_operations(&self) -> usize {
        lock(&self.operations).len()
    }

    /// Writes the state if persistence is on (and the state file is still locked by us).
    pub fn persist(&self, state: &State) -> Result<(), crate::error::EmulatorError> {
        match &self.state_file {
            Some(path) => {
                if lock(&self.state_lock).is_none() {
                    return Err(crate::error::EmulatorError::State(format!(
                        "{} is no longer locked: the emulator is shutting down",
                        path.display()
                    )));
                }
                state.save(path)
            }
            None => Ok(()),
        }
    }

    /// Counts `requests` requests of `key_id`; `Some(retry after seconds, limit)`, and
    /// nothing counted, when they do not fit in the current window.
    fn rate_check(
        &self,
        key_id: &str,
        now: OffsetDateTime,
        requests: u32,
    ) -> Option<(u64, RateLimit)> {
        let mut limits = self.limits();
        let limit = match limits.per_key.get(key_id) {
            Some(l) => *l,
            None => limits.default,
        }?;
        let now_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        let per_ms = i64::try_from(limit.per.as_millis())
            .unwrap_or(i64::MAX)
            .max(1);
        let window = limits
            .windows
            .entry(key_id.to_owned())
            .or_insert((now_ms, 0));
        if now_ms >= window.0.saturating_add(per_ms) || now_ms < window.0 {
            *window = (now_ms, 0);
        }
        if window.1.saturating_add(requests) > limit.requests {
            let left_ms = window.0.saturating_add(per_ms) - now_ms;
            let secs = u64::try_from((left_ms + 999) / 1000).unwrap_or(1).max(1);
            return Some((secs, limit));
        }
        window.1 += requests;
        None
    }

    /// Answers a request at once, on the task that received it, when that cannot take
    /// long: a query (never a mutation) whose document is already prepared, within
    /// [`INLINE_QUERY_VALUES`] and the execution budget, that the JSON writer answers, as the
    /// `caller` already authenticated against `state`. `None`: [`process`](Self::process)
    /// answers it on a blocking thread.
    fn answer_inline(
        &self,
        state: &State,
        caller: &Caller,
        body: &[u8],
        received_at: OffsetDateTime,
    ) -> Inline {
        if body.len() > INLINE_BODY_BYTES || !self.json_writer.load(Ordering::Relaxed) {
            return Inline::NotTried;
        }
        let Ok(request) = parse_request(body) else {
            return Inline::NotTried;
        };
        let Some(Ok(prepared)) =
            self.api
                .prepare_cached(&request.query, request.operation_name.as_deref(), state)
        else {
            return Inline::NotTried;
        };
        let weight = prepared.weight();
        if prepared.is_mutation || weight > INLINE_QUERY_VALUES {
            return Inline::NotTried;
        }
        let _permit = if weight > CHEAP_QUERY_VALUES {
            match self.budget.try_acquire(weight) {
                Some(permit) => Some(permit),
                None => return Inline::NotTried,
            }
        } else {
            None
        };
        let empty = JsonMap::new();
        let variables = request.variables.as_ref().unwrap_or(&empty);
        match self.api.write(&prepared, variables, state, caller) {
            Ok(body) => {
                let key_id = &caller.key_id;
                let recorded =
                    Recorded::prepared(received_at, key_id, &prepared, request.variables);
                self.journal.record(recorded);
                self.count_operation(&prepared.label);
                self.writer_answers.fetch_add(1, Ordering::Relaxed);
                self.inline_answers.fetch_add(1, Ordering::Relaxed);
                Inline::Answered(Outcome::Json(body))
            }
            Err(fallback) => Inline::FellBack(fallback),
        }
    }

    /// Parses, validates and cost-checks one request of the authenticated key `key_id`
    /// (outside any lock), charges each extra mutation against the rate limit, then executes
    /// it: a query against a snapshot of the state without any lock, so a slow query delays
    /// no other request; a mutation on a copy, one at a time, persisted before its response
    /// exists. Each path authenticates again against the state it executes on.
    /// With `try_writer` false, a query goes to the executor at once (the JSON writer already
    /// fell back on it for a reason that does not change).
    fn process(
        &self,
        authorization: Option<&str>,
        peer: IpAddr,
        key_id: &str,
        body: &[u8],
        try_writer: bool,
        received_at: OffsetDateTime,
    ) -> Outcome {
        let request = match parse_request(body) {
            Ok(r) => r,
            Err(message) => {
                return Outcome::Json(error_body(code::MALFORMED_REQUEST, message).into_bytes())
            }
        };
        let prepared = match self.api.prepare(
            &request.query,
            request.operation_name.as_deref(),
            &self.state(),
        ) {
            Ok(p) => p,
            Err(body) => {
                self.journal.record(Recorded::unprepared(
                    received_at,
                    key_id,
                    Arc::from(request.query),
                    request.operation_name,
                    request.variables,
                ));
                return Outcome::Json(body.into_bytes());
            }
        };
        // Recorded before it executes (the variables are the executor's), whatever answer
        // it gets.
        let variables = request.variables.clone();
        let recorded = Recorded::prepared(received_at, key_id, &prepared, variables);
        self.journal.record(recorded);
        // Each mutation of a request counts as one request (the first was counted already).
        if prepared.requests > 1 {
            let extra = u32::try_from(prepared.requests - 1).unwrap_or(u32::MAX);
            if let Some((retry_after, limit)) = self.rate_check(key_id, self.now(), extra) {
                return Outcome::RateLimited { retry_after, limit };
            }
        }
        self.count_operation(&prepared.label);
        let variables = request.variables.unwrap_or_default();
        if !prepared.is_mutation {
            // Expensive queries share a bounded budget; cheap ones never wait for it.
            let weight = prepared.weight();
            let _permit = (weight > CHEAP_QUERY_VALUES).then(|| self.budget.acquire(weight));
            let state = self.state();
            let now = self.now();
            let caller = match auth::authenticate(&state, authorization, peer, now) {
                Ok(c) => c,
                Err(failure) => {
                    return Outcome::Json(
                        error_body(code::AUTHENTICATION_ERROR, failure.message()).into_bytes(),
                    )
                }
            };
            let executed = self.api.answer(
                &prepared,
                &variables,
                StateView::Shared(&state),
                &caller,
                now,
                try_writer && self.json_writer.load(Ordering::Relaxed),
            );
            if executed.written {
                self.writer_answers.fetch_add(1, Ordering::Relaxed);
            }
            return Outcome::Json(executed.body.into());
        }
        let drop_after = self.faults.take_commit_then_drop();
        let result = self.mutate(|state| {
            let now = self.now();
            let caller = match auth::authenticate(state, authorization, peer, now) {
                Ok(c) => c,
                Err(failure) => {
                    let body = error_body(code::AUTHENTICATION_ERROR, failure.message());
                    return (body.into_bytes(), false);
                }
            };
            let executed = self.api.execute(
                &prepared,
                &variables,
                StateView::Exclusive(state),
                &caller,
                now,
            );
            (executed.body.into(), executed.mutated)
        });
        match result {
            Ok(_) if drop_after => Outcome::Drop,
            Ok(body) => Outcome::Json(self.faults.apply_to_mutation_answer(body)),
            Err(e) => Outcome::Json(
                error_body(
                    code::INTERNAL_SERVER_ERROR,
                    format!("The change could not be persisted and was not made: {e}"),
                )
                .into_bytes(),
            ),
        }
    }
}

/// What [`App::answer_inline`] did.
enum Inline {
    Answered(Outcome),
    /// Left to a blocking thread without trying the JSON writer.
    NotTried,
    /// The JSON writer did not answer, for this reason.
    FellBack(Fallback),
}

enum Outcome {
    Json(Vec<u8>),
    RateLimited { retry_after: u64, limit: RateLimit },
    Drop,
}

/// A response that is never sent: the connection is closed instead.
fn drop_response() -> Response {
    let mut response = Response::new(Body::empty());
    response
        .extensions_mut()
        .insert(labelbox_serve::DropConnection);
    response
}

pub(crate) fn json_response(status: StatusCode, body: impl IntoResponse) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
const UPSTREAM_503: &str =
    "upstream connect error or disconnect/reset before headers. reset reason: connection failure";

/// Applies a fault that acts before a request is processed: the answer it gives, or `None`
/// to go on (after a [`Fault::Delay`]'s wait, the request then counted in `delayed` until
/// it finishes).
async fn apply_fault<'a>(
    faults: &'a Faults,
    fault: Option<Fault>,
    delayed: &mut Option<DelayGuard<'a>>,
) -> Option<Response> {
    match fault {
        Some(Fault::Http500) => {
            Some((StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response())
        }
        Some(Fault::BadGateway502Html) => {
            let mut r = (StatusCode::BAD_GATEWAY, BAD_GATEWAY_HTML).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            Some(r)
        }
        Some(Fault::UpstreamConnect503) => {
            Some((StatusCode::SERVICE_UNAVAILABLE, UPSTREAM_503).into_response())
        }
        Some(Fault::DropConnection) => Some(drop_response()),
        Some(Fault::Delay(d)) => {
            *delayed = Some(faults.delaying());
            tokio::time::sleep(d).await;
            None
        }
        Some(Fault::CommitThenDrop | Fault::OversizedSecret(_) | Fault::SecretWithEscape)
        | None => None,
    }
}

pub(crate) async fn graphql(
    AxumState(app): AxumState<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request<Body>,
) -> Response {
    app.requests.fetch_add(1, Ordering::SeqCst);
    let mut delayed = None;
    if let Some(answer) = apply_fault(&app.faults, app.faults.take_before(), &mut delayed).await {
        return answer;
    }
    let authorization = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    // Authentication and the rate limit come before the body is read: a request without a
    // valid key, or over its limit, is answered at once (its connection then closes), so it
    // can neither hold a connection by sending its body slowly nor make the emulator parse
    // and validate a document (which can take seconds for a crafted one).
    let now = app.now();
    let state = app.state();
    let caller = match auth::authenticate(&state, authorization.as_deref(), peer.ip(), now) {
        Ok(caller) => caller,
        Err(failure) => {
            return json_response(
                StatusCode::OK,
                error_body(code::AUTHENTICATION_ERROR, failure.message()),
            )
        }
    };
    let outcome = match app.rate_check(&caller.key_id, now, 1) {
        Some((retry_after, limit)) => Ok(Outcome::RateLimited { retry_after, limit }),
        None => {
            // Within the body cap and the request deadline of `labelbox-serve` (413, 400).
            let body = match Bytes::from_request(request, &()).await {
                Ok(body) => body,
                Err(rejection) => return rejection.into_response(),
            };
            let aimed = app.faults.take_aimed(&body);
            if let Some(answer) = apply_fault(&app.faults, aimed, &mut delayed).await {
                return answer;
            }
            match app.answer_inline(&state, &caller, &body, now) {
                Inline::Answered(outcome) => Ok(outcome),
                inline => {
                    // Only a fallback caused by the state's data may go otherwise on a later
                    // snapshot: any other would fall back again.
                    let try_writer = !matches!(inline, Inline::FellBack(Fallback::Request));
                    drop(state);
                    let worker = Arc::clone(&app);
                    let key_id = caller.key_id;
                    tokio::task::spawn_blocking(move || {
                        worker.process(
                            authorization.as_deref(),
                            peer.ip(),
                            &key_id,
                            &body,
                            try_writer,
                            now,
                        )
                    })
                    .await
                }
            }
        }
    };
    match outcome {
        Ok(Outcome::Json(body)) => json_response(StatusCode::OK, body),
        Ok(Outcome::RateLimited { retry_after, limit }) => {
            let body = serde_json::json!({
                "message": format!(
                    "{RATE_LIMIT_MESSAGE_PREFIX} the API rate limit of {} requests per {} seconds for this API key. Retry after {retry_after} seconds.",
                    limit.requests,
                    limit.per.as_secs_f64()
                )
            });
            let mut r = json_response(StatusCode::TOO_MANY_REQUESTS, body.to_string());
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry_after));
            r
        }
        Ok(Outcome::Drop) => drop_response(),
        Err(_) => json_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            error_body(code::INTERNAL_SERVER_ERROR, "The request handler failed"),
        ),
    }
}
