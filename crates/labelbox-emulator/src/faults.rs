//! Fault injection: make the next requests fail the way real networks and proxies do.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// One injected failure.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Fault {
    /// HTTP 500 with a plain-text body.
    Http500,
    /// HTTP 502 with an HTML page, as a load balancer sends it.
    BadGateway502Html,
    /// HTTP 503 with the text `upstream connect error or disconnect/reset before headers...`.
    UpstreamConnect503,
    /// The connection is closed without any response.
    DropConnection,
    /// The request is held for this long, then served normally.
    Delay(Duration),
    /// Applies to mutations only (queries pass untouched and do not consume it): the
    /// mutation is executed and persisted, then the connection is closed without a response.
    CommitThenDrop,
    /// Applies to the next answer of `createApiKey` only (other requests pass untouched and
    /// do not consume it): the key is created as usual, but the `jwt` it answers with is
    /// padded to this many bytes (a malformed answer; a client should revoke the key).
    OversizedSecret(usize),
    /// Applies to the next answer of `createApiKey` only, like [`Fault::OversizedSecret`]:
    /// the key is created as usual, but its `jwt` ends with a terminal escape sequence (an
    /// OSC 52 clipboard write: a malformed answer; a client should revoke the key and never
    /// print it).
    SecretWithEscape,
}

/// The fault names [`Fault::parse`] takes, for messages that list them.
pub(crate) const FAULT_NAMES: &str = "http500, bad-gateway, upstream-503, drop, commit-then-drop, \
     delay=MILLIS, oversized-secret=BYTES, secret-with-escape";

impl Fault {
    /// Parses a fault name as the binary's `--fault` flag takes it: `http500`,
    /// `bad-gateway`, `upstream-503`, `drop`, `commit-then-drop`, `delay=MILLIS`,
    /// `oversized-secret=BYTES` or `secret-with-escape`.
    pub fn parse(text: &str) -> Option<Fault> {
        Some(match text {
            "http500" => Fault::Http500,
            "bad-gateway" => Fault::BadGateway502Html,
            "upstream-503" => Fault::UpstreamConnect503,
            "drop" => Fault::DropConnection,
            "commit-then-drop" => Fault::CommitThenDrop,
            "secret-with-escape" => Fault::SecretWithEscape,
            other => {
                if let Some(bytes) = other.strip_prefix("oversized-secret=") {
                    return Some(Fault::OversizedSecret(bytes.parse().ok()?));
                }
                let ms = other.strip_prefix("delay=")?.parse().ok()?;
                Fault::Delay(Duration::from_millis(ms))
            }
        })
    }
}

/// What a pending fault does to a created key's `jwt`.
#[derive(Debug, Clone, Copy)]
enum SecretFault {
    /// Padded to this many bytes.
    Pad(usize),
    /// A terminal escape sequence appended.
    Escape,
}

impl SecretFault {
    fn of(fault: &Fault) -> Option<SecretFault> {
        match fault {
            Fault::OversizedSecret(bytes) => Some(SecretFault::Pad(*bytes)),
            Fault::SecretWithEscape => Some(SecretFault::Escape),
            _ => None,
        }
    }
}

#[derive(Default)]
struct Queue {
    /// Faults applied before the request is processed, in order.
    before: VecDeque<Fault>,
    /// Pending commit-then-drop faults (mutations only).
    commit_then_drop: u64,
    /// Pending malformed secrets (`createApiKey` answers only).
    secrets: VecDeque<SecretFault>,
    /// Faults aimed at one operation (by the request's `operationName`), in order.
    aimed: VecDeque<(String, Fault)>,
}

/// The fault queue of an emulator; see [`EmulatorHandle::faults`](crate::EmulatorHandle::faults).
#[derive(Default)]
pub struct Faults {
    queue: Mutex<Queue>,
    /// Requests held by a [`Fault::Delay`] that have not finished yet.
    delayed: AtomicUsize,
}

impl std::fmt::Debug for Faults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Faults")
            .field("pending", &self.pending())
            .finish()
    }
}

impl Faults {
    fn lock(&self) -> std::sync::MutexGuard<'_, Queue> {
        self.queue.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Makes the next `n` requests fail with `fault` (after any faults already queued).
    /// [`Fault::CommitThenDrop`] counts mutations only.
    pub fn fail_next(&self, n: u32, fault: Fault) {
        let mut q = self.lock();
        if fault == Fault::CommitThenDrop {
            q.commit_then_drop += u64::from(n);
        } else if let Some(secret) = SecretFault::of(&fault) {
            for _ in 0..n {
                q.secrets.push_back(secret);
            }
        } else {
            for _ in 0..n {
                q.before.push_back(fault.clone());
            }
        }
    }

    /// Makes the next `n` requests whose `operationName` is `operation` fail with `fault`,
    /// whatever requests come between (they pass untouched and do not consume it): a fault
    /// for the mutation of a flow that sends queries before it. Applied once the request's
    /// key is authenticated and its body read; [`Fault::CommitThenDrop`] and the secret
    /// faults then apply to that request's mutation as [`fail_next`](Self::fail_next) would.
    pub fn fail_next_operation(&self, operation: &str, n: u32, fault: Fault) {
        let mut q = self.lock();
        for _ in 0..n {
            q.aimed.push_back((operation.to_owned(), fault.clone()));
        }
    }

    /// Requests held by a [`Fault::Delay`] that have not finished: still waiting, or being
    /// served after the wait. A request whose client went away is finished once the server
    /// drops it. A test waits for 0 before it checks what a delayed request left behind.
    pub fn delayed_in_flight(&self) -> usize {
        self.delayed.load(Ordering::SeqCst)
    }

    /// Removes every pending fault.
    pub fn clear(&self) {
        *self.lock() = Queue::default();
    }

    /// How many faults are still pending.
    pub fn pending(&self) -> usize {
        let q = self.lock();
        (q.before.len() + q.secrets.len() + q.aimed.len())
            .saturating_add(usize::try_from(q.commit_then_drop).unwrap_or(usize::MAX))
    }

    pub(crate) fn take_before(&self) -> Option<Fault> {
        self.lock().before.pop_front()
    }

    /// The fault aimed at the operation of the request `body` (its `operationName`), if one
    /// is pending: returned when it acts before the request is processed; a commit-then-drop
    /// or a secret fault is queued for the request's mutation instead, and `None` returned.
    pub(crate) fn take_aimed(&self, body: &[u8]) -> Option<Fault> {
        #[derive(serde::Deserialize)]
        struct Named {
            #[serde(rename = "operationName")]
            operation_name: Option<String>,
        }
        let mut q = self.lock();
        if q.aimed.is_empty() {
            return None;
        }
        let name = serde_json::from_slice::<Named>(body).ok()?.operation_name?;
        let at = q
            .aimed
            .iter()
            .position(|(operation, _)| *operation == name)?;
        let (_, fault) = q.aimed.remove(at)?;
        if fault == Fault::CommitThenDrop {
            q.commit_then_drop += 1;
            None
        } else if let Some(secret) = SecretFault::of(&fault) {
            q.secrets.push_front(secret);
            None
        } else {
            Some(fault)
        }
    }

    /// Counts a request held by a [`Fault::Delay`] until the guard is dropped (the request
    /// answered, or dropped with its connection).
    pub(crate) fn delaying(&self) -> DelayGuard<'_> {
        self.delayed.fetch_add(1, Ordering::SeqCst);
        DelayGuard(&self.delayed)
    }

    pub(crate) fn take_commit_then_drop(&self) -> bool {
        let mut q = self.lock();
        if q.commit_then_drop > 0 {
            q.commit_then_drop -= 1;
            true
        } else {
            false
        }
    }

    /// A mutation's answer, with [`Fault::OversizedSecret`] or [`Fault::SecretWithEscape`]
    /// applied when one is pending and the answer is a created key.
    pub(crate) fn apply_to_mutation_answer(&self, body: Vec<u8>) -> Vec<u8> {
        let mut q = self.lock();
        let Some(&secret) = q.secrets.front() else {
            return body;
        };
        let Ok(mut answer) = serde_json::from_slice::<serde_json::Value>(&body) else {
            return body;
        };
        let Some(serde_json::Value::String(jwt)) = answer.pointer_mut("/data/createApiKey/jwt")
        else {
            return body;
        };
        q.secrets.pop_front();
        match secret {
            SecretFault::Pad(bytes) => {
                while jwt.len() < bytes {
                    jwt.push('A');
                }
            }
            SecretFault::Escape => jwt.push_str("\u{1b}]52;c;aGFja2Vk\u{7}"),
        }
        serde_json::to_vec(&answer).unwrap_or(body)
    }
}

/// See [`Faults::delaying`].
pub(crate) struct DelayGuard<'a>(&'a AtomicUsize);

impl Drop for DelayGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_reads_every_fault_name_the_binary_takes() {
        let cases = [
            ("http500", Fault::Http500),
            ("bad-gateway", Fault::BadGateway502Html),
            ("upstream-503", Fault::UpstreamConnect503),
            ("drop", Fault::DropConnection),
            ("commit-then-drop", Fault::CommitThenDrop),
            ("secret-with-escape", Fault::SecretWithEscape),
            ("delay=5", Fault::Delay(Duration::from_millis(5))),
            ("oversized-secret=4096", Fault::OversizedSecret(4096)),
        ];
        for (text, fault) in cases {
            assert_eq!(Fault::parse(text), Some(fault), "{text}");
        }
        for text in [
            "",
            "delay=",
            "delay=x",
            "oversized-secret=-1",
            "HTTP500",
            "drop ",
        ] {
            assert_eq!(Fault::parse(text), None, "{text:?}");
        }
    }
}
