//! The document cache's bound counts the memory its documents really take (measured by a
//! counting global allocator over the whole process, the emulator's server included), not
//! their query text: a client sending endless distinct queries full of directives grows the
//! heap by at most the bound (8 MiB), and the size counted for each document is at least
//! what it takes, whatever its shape.
//!
//! One test in this file, on a current-thread runtime, so nothing else allocates while the
//! heap is measured.
//!
//! A test binary of its own, outside `tests/it/` (the crate's one test binary): its
//! `#[global_allocator]` counts every allocation of the process, so a neighbouring test
//! would be measured too.

#[path = "it/common.rs"]
mod common;

use common::*;
use serde_json::json;
use stats_alloc::{StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Bytes allocated and not freed so far, the whole process.
fn live() -> i64 {
    let stats = GLOBAL.stats();
    i64::try_from(stats.bytes_allocated).unwrap() - i64::try_from(stats.bytes_deallocated).unwrap()
}

/// The cache's bound of estimated memory (`document_cache::MAX_TOTAL_BYTES`).
const BOUND: i64 = 8 * 1024 * 1024;

/// What requests hold besides the cache (connections, buffers, counters): a margin.
const SLACK: i64 = 1024 * 1024;

/// A distinct query of 4.8 KiB with 240 `@include` directives (the review's case: 600 of
/// them kept 434 documents, counted as 2.09 MB of text, and grew the heap by over 60 MB).
fn directives_query(i: usize) -> String {
    format!(
        "query Q{i}($v: Boolean!) {{ user {{ {} }} }}",
        "id @include(if: $v) ".repeat(240)
    )
}

async fn send_all(texts: impl Iterator<Item = String>) -> (i64, i64) {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    // A first request, so that what the first one allocates for good is not counted.
    data(&gql(&ep, Some(&admin), "query Warm { user { id } }", json!({})).await);
    let (counted_before, before) = (emu.probe().cached_document_bytes, live());
    for text in texts {
        let body = gql(&ep, Some(&admin), &text, json!({ "v": true })).await;
        data(&body);
    }
    let grown = live() - before;
    let counted = i64::try_from(emu.probe().cached_document_bytes - counted_before).unwrap();
    emu.shutdown().await;
    (grown, counted)
}

/// Both checks in one test: tests of one binary run at once, and would count each
/// other's allocations.
#[tokio::test(flavor = "current_thread")]
async fn the_document_cache_counts_the_memory_its_documents_take() {
    distinct_queries_full_of_directives_grow_the_heap_by_at_most_the_bound().await;
    what_a_document_takes_is_at_most_what_is_counted().await;
}

async fn distinct_queries_full_of_directives_grow_the_heap_by_at_most_the_bound() {
    let (grown, counted) = send_all((0..600).map(directives_query)).await;
    println!("600 queries with 240 directives each: heap +{grown}, counted {counted}");
    assert!(counted <= BOUND, "{counted}");
    assert!(grown <= BOUND + SLACK, "the heap grew by {grown} bytes");
}

/// For documents of every shape (fields, directives, aliases, long aliases, arguments with
/// objects, fragments, a long comment, small ones), the memory they take
/// is at most what the cache counts for them.
async fn what_a_document_takes_is_at_most_what_is_counted() {
    type Shape = (&'static str, usize, fn(usize) -> String);
    let shapes: [Shape; 8] = [
        ("directives", 20, directives_query),
        ("fields", 20, |i| {
            format!("query Q{i} {{ user {{ {} }} }}", "id ".repeat(900))
        }),
        ("aliases", 20, |i| {
            let aliased: String = (0..60)
                .map(|j| format!("a{j}xxxxxxxxxxxxxxxx: id "))
                .collect();
            format!("query Q{i} {{ user {{ {aliased} }} }}")
        }),
        ("long alias", 10, |i| {
            format!("query Q{i} {{ user {{ {}: id }} }}", "a".repeat(60_000))
        }),
        ("object arguments", 20, |i| {
            let users: String = (0..60)
                .map(|j| format!("u{j}: user(where: {{id: \"x\"}}) {{ id }} "))
                .collect();
            format!("query Q{i} {{ {users} }}")
        }),
        ("fragments", 20, |i| {
            format!(
                "query Q{i} {{ user {{ ...F{i} ... on User {{ id email }} }} }} fragment F{i} on User {{ {} }}",
                "name ".repeat(200)
            )
        }),
        ("comment", 20, |i| {
            format!("{}\nquery Q{i} {{ user {{ id }} }}", "#".repeat(40_000))
        }),
        ("small", 200, |i| format!("query Q{i} {{ user {{ id }} }}")),
    ];
    for (label, count, make) in shapes {
        let (grown, counted) = send_all((0..count).map(make)).await;
        println!("{label}: heap +{grown}, counted {counted}");
        assert!(counted > 0, "{label}: nothing kept");
        assert!(
            grown <= counted + SLACK / 4,
            "{label}: the heap grew by {grown} bytes, {counted} counted"
        );
    }
}
