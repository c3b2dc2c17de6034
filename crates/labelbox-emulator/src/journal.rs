//! The request journal: what each GraphQL request asked for (operation, variables, document,
//! the caller's key id), for tests that check what a client sent. Bounded in entries and in
//! bytes, oldest dropped first; never a secret (see [`Journal`]).
//!
//! Recording takes the journal's lock for a push and nothing else (no await, no
//! formatting): the document text is shared with the prepared-document cache
//! (`Arc<str>`), the variables are the request's own map moved in, and dates are
//! formatted when the journal is read.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};

use apollo_compiler::response::JsonMap;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::dates::format_date;
use crate::graphql::Prepared;
use crate::redact::{redact_secret_members, scrub_jwts};

/// The most entries the journal keeps; older ones are dropped first.
pub const MAX_JOURNAL_ENTRIES: usize = 1_000;
/// The most bytes the journal keeps (each entry counted whole: its document
/// text, operation name, variables as JSON, key id and fixed part); older entries are
/// dropped first.
pub const MAX_JOURNAL_BYTES: usize = 8 * 1024 * 1024;

/// What the emulator received, request by request, oldest first: what
/// [`EmulatorHandle::journal`](crate::EmulatorHandle::journal) returns and
/// `GET /_emulator/journal` answers (the same JSON: `{"entries": [...], "dropped": N}`).
///
/// Every authenticated request to a GraphQL route whose body is a GraphQL request (JSON
/// with a `query`) is recorded, whatever its answer (errors, refusals of a mutation,
/// injected faults after a mutation included). Requests that never carried an operation to
/// the emulator are not: those refused before authentication passed (no or bad key), over
/// the rate limit at the door, cut by a fault injected before the request (their body is
/// never read), over the 2 MiB body cap or its deadline, and bodies that are not a GraphQL
/// request ([`EmulatorHandle::request_count`](crate::EmulatorHandle::request_count) counts
/// them all).
///
/// Never a secret: the key travels in the `Authorization` header, which is not recorded
/// (only the id of the key that authenticated); the administration routes
/// (`/_emulator/*`) are not GraphQL and never recorded; in the document and the variables,
/// JWT-shaped text (a run of base64url characters and dots holding `eyJ` and two dots) is
/// replaced by `[REDACTED]`, and so is the value of any variable or input member whose
/// name holds `secret`, `password`, `token`, `jwt`, `apiKey` or `credential`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Journal {
    /// The requests kept, oldest first (ascending [`JournalEntry::sequence`]).
    pub entries: Vec<JournalEntry>,
    /// Entries dropped to stay within [`MAX_JOURNAL_ENTRIES`] and [`MAX_JOURNAL_BYTES`]
    /// since the start or the last clear (a single entry over the byte bound is dropped
    /// at once).
    pub dropped: u64,
}

/// One GraphQL request as the emulator received it (see [`Journal`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct JournalEntry {
    /// 1 for the first request recorded, one more for each later one; never reused, not
    /// even after a clear. A query the JSON writer answers is recorded once answered, any
    /// other request just before it executes, so two requests running at once may be
    /// numbered in neither the order they arrived nor the order they finished.
    pub sequence: u64,
    /// When the request arrived, on the emulator clock (RFC 3339 with milliseconds and
    /// `Z`, like the API's dates; moved by
    /// [`EmulatorHandle::advance_clock`](crate::EmulatorHandle::advance_clock)).
    pub received_at: String,
    /// The id of the key that authenticated the request (never the key).
    pub key_id: String,
    /// The operation executed: the one `operationName` selected, or the document's only
    /// one; null for an anonymous operation. For a document that did not parse or
    /// validate, the `operationName` sent (null when none was).
    pub operation_name: Option<String>,
    /// The request's `variables` (null when absent), secrets redacted.
    pub variables: serde_json::Value,
    /// The document (`query`) as received, secrets redacted.
    pub query: String,
}

/// One recorded request, as kept.
struct Stored {
    sequence: u64,
    received_at: OffsetDateTime,
    key_id: String,
    operation_name: Option<String>,
    /// The variables as JSON text, scrubbed (`None`: absent).
    variables: Option<String>,
    /// The document, shared with the prepared-document cache when it is kept there.
    query: Arc<str>,
    bytes: usize,
}

impl Stored {
    /// What it holds: its fixed part and every string it keeps (a shared document
    /// counted whole).
    fn measure(&self) -> usize {
        std::mem::size_of::<Self>()
            + self.key_id.len()
            + self.operation_name.as_ref().map_or(0, String::len)
            + self.variables.as_ref().map_or(0, String::len)
            + self.query.len()
    }

    fn entry(&self) -> JournalEntry {
        JournalEntry {
            sequence: self.sequence,
            received_at: format_date(self.received_at),
            key_id: self.key_id.clone(),
            operation_name: self.operation_name.clone(),
            variables: self
                .variables
                .as_deref()
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or(serde_json::Value::Null),
            query: self.query.to_string(),
        }
    }
}

/// A request to record: its parts, as the server holds them.
pub(crate) struct Recorded<'r> {
    pub received_at: OffsetDateTime,
    pub key_id: &'r str,
    pub operation_name: Option<String>,
    pub variables: Option<JsonMap>,
    pub query: Arc<str>,
    /// Whether `query` was already scrubbed of JWT-shaped text (a prepared document's is,
    /// once, when it is prepared).
    scrubbed: bool,
}

impl<'r> Recorded<'r> {
    /// A request whose document prepared: its text shared with the prepared-document
    /// cache, the name of the operation it selected.
    pub fn prepared(
        received_at: OffsetDateTime,
        key_id: &'r str,
        prepared: &Prepared,
        variables: Option<JsonMap>,
    ) -> Self {
        let document = prepared.document();
        Self {
            received_at,
            key_id,
            operation_name: document
                .operation()
                .and_then(|op| op.name.as_ref())
                .map(|name| name.to_string()),
            variables,
            query: Arc::clone(&document.journal_text),
            scrubbed: true,
        }
    }

    /// A request whose document did not parse, validate or pass the cost check.
    pub fn unprepared(
        received_at: OffsetDateTime,
        key_id: &'r str,
        query: Arc<str>,
        operation_name: Option<String>,
        variables: Option<JsonMap>,
    ) -> Self {
        Self {
            received_at,
            key_id,
            operation_name,
            variables,
            query,
            scrubbed: false,
        }
    }
}

/// The bounded journal a running emulator keeps.
#[derive(Default)]
pub(crate) struct RequestJournal {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: VecDeque<Stored>,
    bytes: usize,
    dropped: u64,
    last_sequence: u64,
}

impl RequestJournal {
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records one request, scrubbed of secrets, dropping the oldest entries to stay within
    /// the bounds.
    pub fn record(&self, request: Recorded<'_>) {
        let scrubbed = if request.scrubbed {
            None
        } else {
            scrub_jwts(&request.query)
        };
        let query = scrubbed.map_or(request.query, Arc::from);
        let variables = request.variables.map(|mut map| {
            redact_secret_members(&mut map);
            let text = serde_json::to_string(&map).unwrap_or_else(|_| "{}".to_owned());
            scrub_jwts(&text).unwrap_or(text)
        });
        let mut stored = Stored {
            sequence: 0,
            received_at: request.received_at,
            key_id: request.key_id.to_owned(),
            operation_name: request.operation_name,
            variables,
            query,
            bytes: 0,
        };
        stored.bytes = stored.measure();
        let mut inner = self.lock();
        inner.last_sequence += 1;
        stored.sequence = inner.last_sequence;
        if stored.bytes > MAX_JOURNAL_BYTES {
            inner.dropped += 1;
            return;
        }
        while inner.entries.len() >= MAX_JOURNAL_ENTRIES
            || inner.bytes + stored.bytes > MAX_JOURNAL_BYTES
        {
            let Some(old) = inner.entries.pop_front() else {
                break;
            };
            inner.bytes -= old.bytes;
            inner.dropped += 1;
        }
        inner.bytes += stored.bytes;
        inner.entries.push_back(stored);
    }

    /// The entries kept and the dropped count.
    pub fn read(&self) -> Journal {
        let inner = self.lock();
        Journal {
            entries: inner.entries.iter().map(Stored::entry).collect(),
            dropped: inner.dropped,
        }
    }

    /// Empties the journal and zeroes its dropped count (sequence numbers go on);
    /// returns the entries removed.
    pub fn clear(&self) -> usize {
        let mut inner = self.lock();
        let removed = inner.entries.len();
        inner.entries.clear();
        inner.bytes = 0;
        inner.dropped = 0;
        removed
    }

    /// The bytes kept, as counted against [`MAX_JOURNAL_BYTES`].
    #[cfg(any(test, feature = "test-probes"))]
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn recorded(query: &str, variables: Option<serde_json::Value>) -> Recorded<'static> {
        Recorded::unprepared(
            OffsetDateTime::UNIX_EPOCH,
            "key",
            Arc::from(query),
            None,
            variables.map(|v| serde_json::from_value(v).unwrap()),
        )
    }

    #[test]
    fn jwt_shaped_text_and_secret_members_are_redacted() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        let journal = RequestJournal::default();
        journal.record(recorded(
            &format!("query Q {{ user {{ id }} }} # {jwt}"),
            Some(serde_json::json!({
                "name": format!("key {jwt}!"),
                "input": { "clientSecret": "hunter2", "list": [{ "apiKey": "k" }] },
                "email": "a@example.com",
            })),
        ));
        let entry = &journal.read().entries[0];
        assert_eq!(entry.query, "query Q { user { id } } # [REDACTED]");
        assert_eq!(
            entry.variables,
            serde_json::json!({
                "name": "key [REDACTED]!",
                "input": { "clientSecret": "[REDACTED]", "list": [{ "apiKey": "[REDACTED]" }] },
                "email": "a@example.com",
            })
        );
        // GraphQL names hold no dots: a name holding `eyJ` is kept.
        assert_eq!(scrub_jwts("{ eyJfield ...eyJfragment }"), None);
    }

    #[test]
    fn the_oldest_entries_go_first_within_both_bounds() {
        let journal = RequestJournal::default();
        for _ in 0..MAX_JOURNAL_ENTRIES + 5 {
            journal.record(recorded("{ user { id } }", None));
        }
        let read = journal.read();
        assert_eq!(read.entries.len(), MAX_JOURNAL_ENTRIES);
        assert_eq!(read.dropped, 5);
        assert_eq!(read.entries[0].sequence, 6);

        let journal = RequestJournal::default();
        let big = format!("{{ user {{ id }} }} #{}", "x".repeat(MAX_JOURNAL_BYTES / 3));
        for _ in 0..4 {
            journal.record(recorded(&big, None));
        }
        assert!(journal.bytes() <= MAX_JOURNAL_BYTES);
        let read = journal.read();
        assert_eq!((read.entries.len(), read.dropped), (2, 2));
        journal.record(recorded(&"x".repeat(MAX_JOURNAL_BYTES + 1), None));
        let read = journal.read();
        assert_eq!((read.entries.len(), read.dropped), (2, 3));
        assert_eq!(journal.clear(), 2);
        assert_eq!(journal.read(), Journal::default());
    }
}
