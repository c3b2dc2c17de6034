//! HTTP: the accept loop (hyper, so a fault can close a connection without answering), the
//! axum router with `POST /graphql`, authentication, rate limiting and persistence.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use apollo_compiler::response::JsonMap;
use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, DefaultBodyLimit, State as AxumState};
use axum::http::{header, HeaderMap, HeaderValue, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde::Deserialize;
use time::OffsetDateTime;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::auth;
use crate::config::RateLimit;
use crate::faults::{Fault, Faults};
use crate::graphql::{code, error_body, GraphqlApi, Prepared};
use crate::state::State;

/// Everything a running emulator shares between requests.
pub(crate) struct App {
    pub api: GraphqlApi,
    pub state: Mutex<State>,
    pub state_file: Option<PathBuf>,
    pub clock_offset_ms: AtomicI64,
    pub faults: Faults,
    pub requests: AtomicU64,
    pub operations: Mutex<HashMap<String, u64>>,
    pub limits: Mutex<Limits>,
}

/// Rate-limit configuration and the current window of each key.
#[derive(Default)]
pub(crate) struct Limits {
    pub default: Option<RateLimit>,
    pub per_key: HashMap<String, Option<RateLimit>>,
    /// Key id -> (window start in emulator milliseconds, requests in the window).
    pub windows: HashMap<String, (i64, u32)>,
}

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

    pub fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub fn limits(&self) -> MutexGuard<'_, Limits> {
        lock(&self.limits)
    }

    pub fn operation_count(&self, name: &str) -> u64 {
        lock(&self.operations).get(name).copied().unwrap_or(0)
    }

    /// Writes the state if persistence is on.
    pub fn persist(&self, state: &State) -> Result<(), crate::EmulatorError> {
        match &self.state_file {
            Some(path) => state.save(path),
            None => Ok(()),
        }
    }

    /// Authenticates a request at the emulator's current time.
    fn authenticate(
        &self,
        authorization: Option<&str>,
        peer: IpAddr,
    ) -> Result<auth::Caller, auth::AuthFailure> {
        let state = self.state();
        auth::authenticate(&state, authorization, peer, self.now())
    }

    /// Counts a request of `key_id`; `Some(retry after seconds, limit)` when over the limit.
    fn rate_check(&self, key_id: &str, now: OffsetDateTime) -> Option<(u64, RateLimit)> {
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
        if window.1 >= limit.requests {
            let left_ms = window.0.saturating_add(per_ms) - now_ms;
            let secs = u64::try_from((left_ms + 999) / 1000).unwrap_or(1).max(1);
            return Some((secs, limit));
        }
        window.1 += 1;
        None
    }

    /// Authenticates, rate-limits, executes and persists one request. Runs on a blocking
    /// thread holding the state lock, so requests are serialisable and a mutation is on disk
    /// before its response exists.
    fn process(
        &self,
        authorization: Option<&str>,
        peer: IpAddr,
        prepared: Result<Prepared, String>,
        variables: &JsonMap,
    ) -> Outcome {
        let mut state = self.state();
        let now = self.now();
        let caller = match auth::authenticate(&state, authorization, peer, now) {
            Ok(c) => c,
            Err(failure) => {
                return Outcome::Json(error_body(code::AUTHENTICATION_ERROR, failure.message()))
            }
        };
        if let Some((retry_after, limit)) = self.rate_check(&caller.key_id, now) {
            return Outcome::RateLimited { retry_after, limit };
        }
        let prepared = match prepared {
            Ok(p) => p,
            Err(body) => return Outcome::Json(body),
        };
        *lock(&self.operations)
            .entry(prepared.label.clone())
            .or_insert(0) += 1;
        let drop_after = prepared.is_mutation && self.faults.take_commit_then_drop();
        let backup = (prepared.is_mutation && self.state_file.is_some()).then(|| state.clone());
        let executed = self
            .api
            .execute(&prepared, variables, &mut state, &caller, now);
        if executed.mutated {
            if let Err(e) = self.persist(&state) {
                if let Some(backup) = backup {
                    *state = backup;
                }
                return Outcome::Json(error_body(
                    code::INTERNAL_SERVER_ERROR,
                    format!("The change could not be persisted and was not made: {e}"),
                ));
            }
        }
        if drop_after {
            Outcome::Drop
        } else {
            Outcome::Json(executed.body)
        }
    }
}

enum Outcome {
    Json(String),
    RateLimited { retry_after: u64, limit: RateLimit },
    Drop,
}

/// Marks a response that must not be sent: the connection is closed instead.
#[derive(Clone, Copy)]
struct DropConnection;

#[derive(Debug)]
struct DroppedByFault;

impl std::fmt::Display for DroppedByFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by an injected fault")
    }
}

impl std::error::Error for DroppedByFault {}

fn drop_response() -> Response {
    let mut response = Response::new(Body::empty());
    response.extensions_mut().insert(DropConnection);
    response
}

fn json_response(status: StatusCode, body: String) -> Response {
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GraphqlRequest {
    query: String,
    #[serde(default)]
    variables: Option<JsonMap>,
    #[serde(default)]
    operation_name: Option<String>,
}

const BAD_GATEWAY_HTML: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n";
const UPSTREAM_503: &str =
    "upstream connect error or disconnect/reset before headers. reset reason: connection failure";

async fn graphql(
    AxumState(app): AxumState<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    app.requests.fetch_add(1, Ordering::SeqCst);
    match app.faults.take_before() {
        Some(Fault::Http500) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error").into_response()
        }
        Some(Fault::BadGateway502Html) => {
            let mut r = (StatusCode::BAD_GATEWAY, BAD_GATEWAY_HTML).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            return r;
        }
        Some(Fault::UpstreamConnect503) => {
            return (StatusCode::SERVICE_UNAVAILABLE, UPSTREAM_503).into_response()
        }
        Some(Fault::DropConnection) => return drop_response(),
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::CommitThenDrop) | None => {}
    }
    let request: GraphqlRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return json_response(
                StatusCode::OK,
                error_body(
                    code::MALFORMED_REQUEST,
                    format!("The body must be JSON {{\"query\": ..., \"variables\": ...}}: {e}"),
                ),
            )
        }
    };
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let worker = Arc::clone(&app);
    let outcome = tokio::task::spawn_blocking(move || {
        // Authenticate before parsing, so that a request without a valid key cannot make the
        // emulator parse and validate (which can take seconds for a crafted document).
        // `process` authenticates again under the lock it executes under.
        if let Err(failure) = worker.authenticate(authorization.as_deref(), peer.ip()) {
            return Outcome::Json(error_body(code::AUTHENTICATION_ERROR, failure.message()));
        }
        let prepared = worker
            .api
            .prepare(&request.query, request.operation_name.as_deref());
        let variables = request.variables.unwrap_or_default();
        worker.process(authorization.as_deref(), peer.ip(), prepared, &variables)
    })
    .await;
    match outcome {
        Ok(Outcome::Json(body)) => json_response(StatusCode::OK, body),
        Ok(Outcome::RateLimited { retry_after, limit }) => {
            let body = serde_json::json!({
                "message": format!(
                    "You have exceeded the API rate limit of {} requests per {} seconds for this API key. Retry after {retry_after} seconds.",
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

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClockRequest {
    advance_seconds: i64,
}

/// `POST /_emulator/clock` with `{"advanceSeconds": N}` (negative allowed) moves the emulator
/// clock, for clients in other processes (the Python conformance script). It needs a valid
/// key whose role holds `MANAGE_API_KEYS`.
async fn clock(
    AxumState(app): AxumState<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    let allowed = {
        let state = app.state();
        auth::authenticate(&state, authorization, peer.ip(), app.now())
            .map(|caller| caller.can(crate::roles::MANAGE_API_KEYS))
    };
    match allowed {
        Ok(true) => {}
        Ok(false) => {
            return json_response(
                StatusCode::FORBIDDEN,
                error_body(code::AUTHORIZATION_ERROR, "MANAGE_API_KEYS is required"),
            )
        }
        Err(failure) => {
            return json_response(
                StatusCode::UNAUTHORIZED,
                error_body(code::AUTHENTICATION_ERROR, failure.message()),
            )
        }
    }
    let request: ClockRequest = match serde_json::from_slice(&body) {
        Ok(r) => r,
        Err(e) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                error_body(
                    code::MALFORMED_REQUEST,
                    format!("expected {{\"advanceSeconds\": N}}: {e}"),
                ),
            )
        }
    };
    if !app.shift_clock(request.advance_seconds.saturating_mul(1000)) {
        return json_response(
            StatusCode::BAD_REQUEST,
            error_body(
                code::MALFORMED_REQUEST,
                "advanceSeconds would move the clock more than 100 years from now",
            ),
        );
    }
    let now = crate::graphql::format_date(app.now());
    json_response(
        StatusCode::OK,
        serde_json::json!({ "now": now }).to_string(),
    )
}

/// Sets the `Date` header from the emulator clock (hyper would use the real one), so a
/// client sees the same clock in `Date` as in the `createdAt` of what it creates.
async fn stamp_date(AxumState(app): AxumState<Arc<App>>, mut response: Response) -> Response {
    let date = app.now().format(time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    ));
    if let Ok(Ok(value)) = date.map(HeaderValue::try_from) {
        response.headers_mut().insert(header::DATE, value);
    }
    response
}

/// Serves `listener` until `shutdown` changes or its sender is dropped.
pub(crate) async fn serve(listener: TcpListener, app: Arc<App>, shutdown: watch::Receiver<bool>) {
    let router = Router::new()
        .route("/graphql", post(graphql))
        .route("/_emulator/clock", post(clock))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(axum::middleware::map_response_with_state(
            Arc::clone(&app),
            stamp_date,
        ))
        .with_state(app);
    let mut stop = shutdown.clone();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let (stream, peer) = match accepted {
                    Ok(a) => a,
                    Err(_) => {
                        // Out of file descriptors or similar: back off briefly.
                        tokio::time::sleep(Duration::from_millis(20)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let router = router.clone();
                let mut stop_conn = shutdown.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
                        req.extensions_mut().insert(ConnectInfo(peer));
                        let mut router = router.clone();
                        async move {
                            std::future::poll_fn(|cx| {
                                tower_service::Service::<Request<Incoming>>::poll_ready(&mut router, cx)
                            })
                            .await
                            .unwrap_or_else(|never: Infallible| match never {});
                            let response = tower_service::Service::call(&mut router, req)
                                .await
                                .unwrap_or_else(|never: Infallible| match never {});
                            if response.extensions().get::<DropConnection>().is_some() {
                                Err(DroppedByFault)
                            } else {
                                Ok(response)
                            }
                        }
                    });
                    let conn = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service);
                    tokio::pin!(conn);
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        _ = stop_conn.changed() => {
                            conn.as_mut().graceful_shutdown();
                            let _ = conn.await;
                        }
                    }
                });
            }
            _ = stop.changed() => break,
        }
    }
}
