//! A `tracing` subscriber that writes every span, field and event, at every level, into a
//! buffer, so tests can search the SDK's logs for secrets.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Captures everything; clone the buffer handle with [`Capture::text`]. Its `Debug` shows
/// only how much was captured (the text may hold what a test looks for).
#[derive(Clone, Default)]
pub struct Capture {
    buffer: Arc<Mutex<String>>,
    next_id: Arc<AtomicU64>,
}

impl std::fmt::Debug for Capture {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let captured = self.buffer.lock().map(|b| b.len()).unwrap_or(0);
        f.debug_struct("Capture")
            .field("captured_bytes", &captured)
            .finish_non_exhaustive()
    }
}

impl Capture {
    /// Everything captured so far.
    pub fn text(&self) -> String {
        self.buffer.lock().unwrap().clone()
    }

    /// Makes this capture the current thread's subscriber until the guard is dropped, in a
    /// test binary whose other tests run on other threads without one.
    ///
    /// `tracing` caches whether a callsite is enabled, once for the whole process; while at
    /// most one subscriber is registered it asks the *registering* thread's, so a neighbouring
    /// test that reaches a log line first, on a thread without a subscriber, would disable
    /// that line for this capture too. An anchor subscriber registered for the whole process
    /// (interested in everything, never any thread's default) keeps every callsite enabled:
    /// each event then goes to its own thread's subscriber, if any.
    pub fn set_default(&self) -> tracing::subscriber::DefaultGuard {
        static ANCHOR: std::sync::OnceLock<tracing::Dispatch> = std::sync::OnceLock::new();
        ANCHOR.get_or_init(|| tracing::Dispatch::new(Anchor));
        tracing::subscriber::set_default(self.clone())
    }
}

/// See [`Capture::set_default`]: enabled for everything, records nothing.
struct Anchor;

impl Subscriber for Anchor {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, _: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, _: &Event<'_>) {}

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}

struct Writer<'a>(&'a mut String);

impl Visit for Writer<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, " {}={:?}", field.name(), value);
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let _ = write!(self.0, " {}={}", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut buffer = self.buffer.lock().unwrap();
        let _ = write!(buffer, "\nspan {}:", span.metadata().name());
        span.record(&mut Writer(&mut buffer));
        Id::from_u64(self.next_id.fetch_add(1, Ordering::SeqCst) + 1)
    }

    fn record(&self, _: &Id, values: &Record<'_>) {
        let mut buffer = self.buffer.lock().unwrap();
        buffer.push_str("\nrecord:");
        values.record(&mut Writer(&mut buffer));
    }

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let mut buffer = self.buffer.lock().unwrap();
        let _ = write!(
            buffer,
            "\nevent {} {}:",
            event.metadata().level(),
            event.metadata().target()
        );
        event.record(&mut Writer(&mut buffer));
    }

    fn enter(&self, _: &Id) {}

    fn exit(&self, _: &Id) {}
}
