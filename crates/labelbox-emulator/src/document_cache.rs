//! Prepared documents by query text and operation name, so a document is parsed, validated
//! and analysed once. Bounded in entries and in estimated memory: a client sending endless
//! distinct queries evicts the oldest entries, it never grows the cache.
//!
//! A prepared document takes far more memory than its text (apollo-compiler's syntax
//! nodes: about 220 bytes per field, 100 to 150 per directive, argument or value, 320 per
//! operation, twice the text), up to 30 times its text's length, so each is counted at
//! [`document_size`], an estimate above what a counting allocator measures, not at its
//! text's length.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, RwLock};

/// Most documents kept.
pub(crate) const MAX_DOCUMENTS: usize = 512;
/// Most memory kept, all documents together, as [`document_size`] estimates it.
pub(crate) const MAX_TOTAL_BYTES: usize = 8 * 1024 * 1024;
/// Documents with a longer query text are prepared at each request, never kept.
pub(crate) const MAX_DOCUMENT_BYTES: usize = 64 * 1024;
/// Documents estimated larger than this are prepared at each request, never kept.
pub(crate) const MAX_DOCUMENT_SIZE: usize = 1024 * 1024;

/// Prepared documents of the type `T`, each with its estimated memory.
pub(crate) struct DocumentCache<T> {
    inner: RwLock<Inner<T>>,
}

impl<T> Default for DocumentCache<T> {
    fn default() -> Self {
        Self {
            inner: RwLock::new(Inner {
                by_query: HashMap::new(),
                order: VecDeque::new(),
                bytes: 0,
            }),
        }
    }
}

/// An operation name asked for with a query text, its prepared document and its
/// estimated memory ([`document_size`] and whatever the preparation adds).
type ByName<T> = (Option<String>, Arc<T>, usize);

struct Inner<T> {
    /// Query text -> (operation name, document, size) for each operation name asked for.
    by_query: HashMap<Arc<str>, Vec<ByName<T>>>,
    /// Entries oldest first, for eviction.
    order: VecDeque<(Arc<str>, Option<String>)>,
    bytes: usize,
}

/// Estimated memory of one entry: its document's and its operation name's.
fn entry_bytes(size: usize, operation_name: Option<&str>) -> usize {
    size.saturating_add(operation_name.map_or(0, str::len))
}

impl<T> DocumentCache<T> {
    /// The prepared document of `query` and `operation_name`, if kept.
    pub fn get(&self, query: &str, operation_name: Option<&str>) -> Option<Arc<T>> {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        inner
            .by_query
            .get(query)?
            .iter()
            .find(|(name, _, _)| name.as_deref() == operation_name)
            .map(|(_, document, _)| Arc::clone(document))
    }

    /// Keeps `document` (a successful preparation) of estimated memory `size`, evicting the oldest entries to stay
    /// within the bounds; a document of a text longer than [`MAX_DOCUMENT_BYTES`], or
    /// estimated larger than [`MAX_DOCUMENT_SIZE`], is not kept.
    /// The cache's key shares `query`'s text.
    pub fn insert(
        &self,
        query: &Arc<str>,
        operation_name: Option<&str>,
        document: Arc<T>,
        size: usize,
    ) {
        let bytes = entry_bytes(size, operation_name);
        if query.len() + operation_name.map_or(0, str::len) > MAX_DOCUMENT_BYTES
            || bytes > MAX_DOCUMENT_SIZE
        {
            return;
        }
        let mut inner = self.inner.write().unwrap_or_else(|p| p.into_inner());
        let inner = &mut *inner;
        if let Some(entries) = inner.by_query.get(&**query) {
            if entries
                .iter()
                .any(|(name, _, _)| name.as_deref() == operation_name)
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
                if let Some(at) = entries.iter().position(|(name, _, _)| *name == old_name) {
                    let (_, _, old) = entries.swap_remove(at);
                    inner.bytes -= entry_bytes(old, old_name.as_deref());
                }
                if entries.is_empty() {
                    inner.by_query.remove(&old_query);
                }
            }
        }
        let key: Arc<str> = match inner.by_query.get_key_value(&**query) {
            Some((key, _)) => Arc::clone(key),
            None => Arc::clone(query),
        };
        let name = operation_name.map(str::to_owned);
        inner
            .by_query
            .entry(Arc::clone(&key))
            .or_default()
            .push((name.clone(), document, size));
        inner.order.push_back((key, name));
        inner.bytes += bytes;
    }

    /// Documents kept and their estimated memory ([`document_size`]).
    #[cfg(any(test, feature = "test-probes"))]
    pub fn size(&self) -> (usize, usize) {
        let inner = self.inner.read().unwrap_or_else(|p| p.into_inner());
        (inner.order.len(), inner.bytes)
    }
}

/// The estimated memory of a prepared document of `text_len` bytes of query text: 2,560
/// bytes, 4 per byte of text, 256 per field (and 128 more per alias), 384 per operation or
/// fragment, 160 per other syntax node. Above what a counting allocator measures for every
/// shape tried (apollo-compiler 1.33, 2026-11-30): a small query takes about 2.2 KB, text
/// 2 bytes per byte (a long alias 3), a field 220 bytes, a directive, argument or value
/// 100 to 150, an operation 320 (`tests/document_cache_memory.rs` checks the sum).
pub(crate) fn document_size(text_len: usize, doc: &apollo_compiler::ExecutableDocument) -> usize {
    let nodes = document_nodes(doc);
    2560usize
        .saturating_add(text_len.saturating_mul(4))
        .saturating_add(nodes.fields.saturating_mul(256))
        .saturating_add(nodes.aliases.saturating_mul(128))
        .saturating_add(nodes.definitions.saturating_mul(384))
        .saturating_add(nodes.other.saturating_mul(160))
}

/// Syntax nodes of a document, by kind.
#[derive(Default)]
struct Nodes {
    fields: usize,
    aliases: usize,
    /// Operations and fragments.
    definitions: usize,
    /// Variable definitions, fragment spreads and inline fragments, directives, arguments
    /// and values (each list item and object field one).
    other: usize,
}

fn document_nodes(doc: &apollo_compiler::ExecutableDocument) -> Nodes {
    use apollo_compiler::ast::{Argument, Directive, Value};
    use apollo_compiler::executable::{Selection, SelectionSet};
    use apollo_compiler::Node;

    fn value(v: &Value) -> usize {
        1 + match v {
            Value::List(items) => items.iter().map(|i| value(i)).sum(),
            Value::Object(fields) => fields.iter().map(|(_, v)| value(v)).sum(),
            _ => 0,
        }
    }
    fn arguments(list: &[Node<Argument>]) -> usize {
        list.iter().map(|a| 1 + value(&a.value)).sum()
    }
    fn directives<'d>(list: impl IntoIterator<Item = &'d Node<Directive>>) -> usize {
        list.into_iter().map(|d| 1 + arguments(&d.arguments)).sum()
    }
    fn selections(set: &SelectionSet, nodes: &mut Nodes) {
        for selection in &set.selections {
            match selection {
                Selection::Field(f) => {
                    nodes.fields += 1;
                    nodes.aliases += usize::from(f.alias.is_some());
                    nodes.other += directives(f.directives.iter()) + arguments(&f.arguments);
                    selections(&f.selection_set, nodes);
                }
                Selection::FragmentSpread(f) => nodes.other += 1 + directives(f.directives.iter()),
                Selection::InlineFragment(f) => {
                    nodes.other += 1 + directives(f.directives.iter());
                    selections(&f.selection_set, nodes);
                }
            }
        }
    }
    let mut nodes = Nodes::default();
    for op in doc.operations.iter() {
        nodes.definitions += 1;
        nodes.other += directives(op.directives.iter());
        for v in &op.variables {
            nodes.other += 1
                + directives(v.directives.iter())
                + v.default_value.as_ref().map_or(0, |d| value(d));
        }
        selections(&op.selection_set, &mut nodes);
    }
    for fragment in doc.fragments.values() {
        nodes.definitions += 1;
        nodes.other += directives(fragment.directives.iter());
        selections(&fragment.selection_set, &mut nodes);
    }
    nodes
}
