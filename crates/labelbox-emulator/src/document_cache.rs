//! Prepared documents by query text and operation name, so a document is parsed, validated
//! and analysed once. Bounded in entries and in bytes of query text: a client sending
//! endless distinct queries evicts the oldest entries, it never grows the cache.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock};

use crate::graphql::PreparedDocument;

/// Most documents kept.
pub(crate) const MAX_DOCUMENTS: usize = 512;
/// Most bytes of query text (and operation names) kept, all documents together.
pub(crate) const MAX_TOTAL_BYTES: usize = 2 * 1024 * 1024;
/// Larger documents are prepared at each request, never kept.
pub(crate) const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

#[derive(Default)]
pub(crate) struct DocumentCache {
    inner: RwLock<Inner>,
}

/// An operation name asked for with a query text, and its prepared document.
type ByName = (Option<String>, Arc<PreparedDocument>);

#[derive(Default)]
struct Inner {
    /// Query text -> (operation name, document) for each operation name asked for.
    by_query: HashMap<Arc<str>, Vec<ByName>>,
    /// Entries oldest first, for eviction.
    order: VecDeque<(Arc<str>, Option<String>)>,
    bytes: usize,
}

fn entry_bytes(query: &str, operation_name: Option<&str>) -> usize {
    query.len() + operation_name.map_or(0, str::len)
}

impl DocumentCache {
    /// The prepared document of `query` and `operation_name`, if kept.
    pub fn get(&self, query: &str, operation_name: Option<&str>) -> Option<Arc<PreparedDocument>> {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        inner
            .by_query
            .get(query)?
            .iter()
            .find(|(name, _)| name.as_deref() == operation_name)
            .map(|(_, document)| Arc::clone(document))
    }

    /// Keeps `document` (a successful preparation), evicting the oldest entries to stay
    /// within the bounds; a document larger than [`MAX_DOCUMENT_BYTES`] is not kept.
    pub fn insert(
        &self,
        query: &str,
        operation_name: Option<&str>,
        document: Arc<PreparedDocument>,
    ) {
        let bytes = entry_bytes(query, operation_name);
        if bytes > MAX_DOCUMENT_BYTES {
            return;
        }
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        let inner = &mut *inner;
        if let Some(entries) = inner.by_query.get(query) {
            if entries
                .iter()
                .any(|(name, _)| name.as_deref() == operation_name)
            {
                // Prepared meanwhile by a concurrent request.
                return;
            }
        }
        while !inner.order.is_empty()
            && (inner.order.len() >= MAX_DOCUMENTS || inner.bytes + bytes > MAX_TOTAL_BYTES)
        {
            let Some((old_query, old_name)) = inner.order.pop_front() else {
                break;
            };
            if let Some(entries) = inner.by_query.get_mut(&old_query) {
                entries.retain(|(name, _)| *name != old_name);
                if entries.is_empty() {
                    inner.by_query.remove(&old_query);
                }
            }
            inner.bytes -= entry_bytes(&old_query, old_name.as_deref());
        }
        let key: Arc<str> = match inner.by_query.get_key_value(query) {
            Some((key, _)) => Arc::clone(key),
            None => Arc::from(query),
        };
        let name = operation_name.map(str::to_owned);
        inner
            .by_query
            .entry(Arc::clone(&key))
            .or_default()
            .push((name.clone(), document));
        inner.order.push_back((key, name));
        inner.bytes += bytes;
    }

    /// Documents kept and their bytes of query text.
    pub fn size(&self) -> (usize, usize) {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        (inner.order.len(), inner.bytes)
    }
}
