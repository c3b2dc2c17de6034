#![doc = include_str!("../README.md")]
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
//! let router = axum::Router::new();
//! let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
//! let server = tokio::spawn(labelbox_serve::serve(
//!     listener,
//!     router,
//!     labelbox_serve::Limits::default().max_connections(64),
//!     async move {
//!         let _ = stopped.await;
//!     },
//! ));
//! let _ = stop.send(());
//! let _ = server.await;
//! # Ok(()) }
//! ```
#![warn(missing_docs)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use axum::http::{header, Request, Response, StatusCode};
use axum::{BoxError, Router};
use http_body::{Frame, SizeHint};
use http_body_util::Limited;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// Default of [`Limits::max_connections`].
pub const DEFAULT_MAX_CONNECTIONS: usize = 256;
/// Default of [`Limits::header_read_timeout`]: a local client sends its headers in
/// microseconds.
pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`Limits::request_read_timeout`]: a local client sends a 2 MiB body in
/// milliseconds.
pub const DEFAULT_REQUEST_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Default of [`Limits::max_body_bytes`].
pub const DEFAULT_MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// Default of [`Limits::shutdown_grace`].
pub const DEFAULT_SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// What one server allows: build it from [`Limits::default`] with the setters.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Connections served at once (at least 1). When all are taken, a new connection closes
    /// the one that has waited longest for a request (idle, or its headers still arriving),
    /// else the one that has waited longest for a request's body (a request in progress is
    /// closed only when no connection is idle); when none waits, it waits in the listen
    /// backlog.
    pub max_connections: usize,
    /// How long a connection may take to send a request's headers (idle keep-alive time
    /// included); the connection is closed after it.
    pub header_read_timeout: Duration,
    /// How long a connection may take, from the moment it waits for a request, until that
    /// request's body has arrived (headers and body); reading the body fails after it.
    pub request_read_timeout: Duration,
    /// The largest request body: a larger `Content-Length` is answered 413 at once, a
    /// longer chunked body fails when it passes the cap.
    pub max_body_bytes: usize,
    /// How long the server waits, once stopped, for requests in progress to finish.
    pub shutdown_grace: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_connections: DEFAULT_MAX_CONNECTIONS,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            request_read_timeout: DEFAULT_REQUEST_READ_TIMEOUT,
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
            shutdown_grace: DEFAULT_SHUTDOWN_GRACE,
        }
    }
}

impl Limits {
    /// Sets [`Limits::max_connections`] (0 counts as 1).
    pub fn max_connections(mut self, n: usize) -> Self {
        self.max_connections = n.max(1);
        self
    }

    /// Sets [`Limits::header_read_timeout`].
    pub fn header_read_timeout(mut self, timeout: Duration) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// Sets [`Limits::request_read_timeout`].
    pub fn request_read_timeout(mut self, timeout: Duration) -> Self {
        self.request_read_timeout = timeout;
        self
    }

    /// Sets [`Limits::max_body_bytes`].
    pub fn max_body_bytes(mut self, bytes: usize) -> Self {
        self.max_body_bytes = bytes;
        self
    }

    /// Sets [`Limits::shutdown_grace`].
    pub fn shutdown_grace(mut self, grace: Duration) -> Self {
        self.shutdown_grace = grace;
        self
    }
}

/// A response extension: a response carrying it is never sent, its connection is closed
/// instead (the emulator's fault injection).
#[derive(Clone, Copy, Debug, Default)]
pub struct DropConnection;

/// The error of a request body that did not arrive within
/// [`Limits::request_read_timeout`].
#[derive(Debug)]
pub struct RequestTimeout;

impl std::fmt::Display for RequestTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request did not arrive within its deadline")
    }
}

impl std::error::Error for RequestTimeout {}

/// Why a connection was closed without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The connection waits for a request (idle, or its headers still arriving): the first
/// to be closed to make room.
const WAITING: u8 = 0;
/// Its request is being handled or answered: it keeps its slot.
const BUSY: u8 = 1;
/// Chosen to be closed.
const EVICTED: u8 = 2;
/// Its request's headers have arrived and its body has not arrived whole: closed to make
/// room only when no connection is [`WAITING`] (a request in progress outranks an idle or
/// slow-header connection; the whole-request deadline bounds how long it may take).
const WAITING_BODY: u8 = 3;

/// One open connection.
struct Slot {
    state: AtomicU8,
    /// When the connection started waiting for its current request.
    waiting_since: Mutex<Instant>,
    /// Wakes the connection's task to close it.
    evict: Notify,
}

impl Slot {
    fn busy(&self) {
        for from in [WAITING_BODY, WAITING] {
            if self
                .state
                .compare_exchange(from, BUSY, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                return;
            }
        }
    }

    /// The request's headers have arrived; its body has yet to.
    fn reading_body(&self) -> bool {
        self.state
            .compare_exchange(WAITING, WAITING_BODY, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
    }
}

/// Every open connection.
#[derive(Default)]
struct Slots {
    open: Mutex<HashMap<u64, Arc<Slot>>>,
    next_id: AtomicU64,
    /// Notified when a connection starts waiting for a request.
    waiting: Notify,
}

impl Slots {
    fn open(&self) -> (u64, Arc<Slot>) {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let slot = Arc::new(Slot {
            state: AtomicU8::new(WAITING),
            waiting_since: Mutex::new(Instant::now()),
            evict: Notify::new(),
        });
        lock(&self.open).insert(id, Arc::clone(&slot));
        (id, slot)
    }

    /// The request of `slot` has been answered: it waits for the next one.
    fn wait_again(&self, slot: &Slot) {
        *lock(&slot.waiting_since) = Instant::now();
        if slot
            .state
            .compare_exchange(BUSY, WAITING, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok()
        {
            self.waiting.notify_one();
        }
    }

    /// Closes the connection that has waited longest for a request, else the one that has
    /// waited longest for a request's body; `false` if none waits.
    fn evict_oldest(&self) -> bool {
        let open = lock(&self.open);
        [WAITING, WAITING_BODY].into_iter().any(|phase| {
            let mut waiting: Vec<(Instant, &Arc<Slot>)> = open
                .values()
                .filter(|slot| slot.state.load(Ordering::SeqCst) == phase)
                .map(|slot| (*lock(&slot.waiting_since), slot))
                .collect();
            waiting.sort_by_key(|(since, _)| *since);
            waiting.into_iter().any(|(_, slot)| {
                let evicted = slot
                    .state
                    .compare_exchange(phase, EVICTED, Ordering::SeqCst, Ordering::SeqCst)
                    .is_ok();
                if evicted {
                    slot.evict.notify_one();
                }
                evicted
            })
        })
    }

    /// A slot for a new connection: a free one, else the one of the connection that has
    /// waited longest for a request (closed for it), else the first one freed.
    async fn make_room(&self, permits: &Arc<Semaphore>) -> OwnedSemaphorePermit {
        loop {
            if let Ok(permit) = Arc::clone(permits).try_acquire_owned() {
                return permit;
            }
            let waiting = self.waiting.notified();
            tokio::pin!(waiting);
            waiting.as_mut().enable();
            if self.evict_oldest() {
                // The closed connection's task ends and frees its slot.
                if let Ok(permit) = Arc::clone(permits).acquire_owned().await {
                    return permit;
                }
                continue;
            }
            tokio::select! {
                permit = Arc::clone(permits).acquire_owned() => {
                    if let Ok(permit) = permit {
                        return permit;
                    }
                }
                () = waiting => {}
            }
        }
    }
}

/// Removes a connection from [`Slots`] when its task ends.
struct Registered {
    slots: Arc<Slots>,
    id: u64,
}

impl Drop for Registered {
    fn drop(&mut self) {
        lock(&self.slots.open).remove(&self.id);
    }
}

/// A request body within the request's deadline and the body cap; it marks the connection
/// busy once it has arrived whole.
struct RequestBody {
    inner: Pin<Box<Limited<Incoming>>>,
    deadline: Pin<Box<Sleep>>,
    slot: Arc<Slot>,
}

impl http_body::Body for RequestBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        match this.inner.as_mut().poll_frame(cx) {
            Poll::Ready(None) => {
                this.slot.busy();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Ok(frame))) => {
                if this.inner.is_end_stream() {
                    this.slot.busy();
                }
                Poll::Ready(Some(Ok(frame)))
            }
            Poll::Ready(Some(Err(e))) => Poll::Ready(Some(Err(e))),
            Poll::Pending => match this.deadline.as_mut().poll(cx) {
                Poll::Ready(()) => Poll::Ready(Some(Err(Box::new(RequestTimeout)))),
                Poll::Pending => Poll::Pending,
            },
        }
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A response body that, once sent (dropped), lets the connection wait for its next request.
struct ResponseBody {
    inner: Body,
    slot: Arc<Slot>,
    slots: Arc<Slots>,
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for ResponseBody {
    fn drop(&mut self) {
        self.slots.wait_again(&self.slot);
    }
}

/// Whether the request declares a body over `max` bytes.
fn declares_too_long_body(request: &Request<Incoming>, max: usize) -> bool {
    request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > u64::try_from(max).unwrap_or(u64::MAX))
}

/// Serves `router` on `listener` within `limits` until `shutdown` completes, then lets
/// requests in progress finish (at most [`Limits::shutdown_grace`]). Each request carries
/// the peer's address as axum's `ConnectInfo<SocketAddr>`.
pub async fn serve<F>(listener: TcpListener, router: Router, limits: Limits, shutdown: F)
where
    F: Future<Output = ()> + Send,
{
    let max_connections = limits.max_connections.max(1);
    let permits = Arc::new(Semaphore::new(max_connections));
    let slots = Arc::new(Slots::default());
    let (stop, stopped) = watch::channel(false);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(_) => {
                    // Out of file descriptors or similar: back off briefly.
                    tokio::time::sleep(Duration::from_millis(20)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let permit = tokio::select! {
            permit = slots.make_room(&permits) => permit,
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let (id, slot) = slots.open();
        let registered = Registered {
            slots: Arc::clone(&slots),
            id,
        };
        let service = {
            let (router, slot, slots) = (router.clone(), Arc::clone(&slot), Arc::clone(&slots));
            hyper::service::service_fn(move |request: Request<Incoming>| {
                let (mut router, slot, slots) =
                    (router.clone(), Arc::clone(&slot), Arc::clone(&slots));
                async move {
                    let response = if declares_too_long_body(&request, limits.max_body_bytes) {
                        slot.busy();
                        let mut response = Response::new(Body::from("request body too large"));
                        *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
                        response
                    } else {
                        let deadline = *lock(&slot.waiting_since) + limits.request_read_timeout;
                        let (mut parts, incoming) = request.into_parts();
                        parts.extensions.insert(ConnectInfo(peer));
                        if http_body::Body::is_end_stream(&incoming) {
                            slot.busy();
                        } else if slot.reading_body() {
                            slots.waiting.notify_one();
                        }
                        let body = RequestBody {
                            inner: Box::pin(Limited::new(incoming, limits.max_body_bytes)),
                            deadline: Box::pin(tokio::time::sleep_until(deadline)),
                            slot: Arc::clone(&slot),
                        };
                        let request = Request::from_parts(parts, Body::new(body));
                        let response = tower_service::Service::call(&mut router, request)
                            .await
                            .unwrap_or_else(|never: Infallible| match never {});
                        slot.busy();
                        response
                    };
                    if response.extensions().get::<DropConnection>().is_some() {
                        return Err(Dropped);
                    }
                    Ok(response.map(|inner| ResponseBody { inner, slot, slots }))
                }
            })
        };
        let mut stopped = stopped.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let _registered = registered;
            let conn = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(limits.header_read_timeout.min(limits.request_read_timeout))
                .serve_connection(TokioIo::new(stream), service);
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => {}
                () = slot.evict.notified() => {}
                _ = async { stopped.wait_for(|stop| *stop).await.map(|_| ()) } => {
                    conn.as_mut().graceful_shutdown();
                    tokio::select! {
                        _ = conn.as_mut() => {}
                        () = slot.evict.notified() => {}
                    }
                }
            }
        });
    }
    let _ = stop.send(true);
    let all = u32::try_from(max_connections).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(limits.shutdown_grace, permits.acquire_many(all)).await;
}

/// Resolves on Ctrl-C, or on SIGTERM or SIGHUP on Unix (the terminal closed, `kill`): what a
/// foreground server waits for before its orderly shutdown. A server that holds keys to
/// settle (the console's unacknowledged keys and pending rotations) must not end on these
/// signals' default action, which would skip that.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        match (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            (Ok(mut term), Ok(mut hup)) => {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                    _ = hup.recv() => {}
                }
            }
            _ => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
