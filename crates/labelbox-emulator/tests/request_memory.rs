//! What one request may cost in memory: the worst documents a client can send within the
//! body limit (2 MiB), from an Admin's key and a Labeler's, measured by a peak-tracking
//! global allocator over the whole process (the emulator's server and this test's client
//! together, so the measure is above what the server alone takes). The documented bound
//! (the crate docs' "What a request may cost") is asserted, and so is the size of every
//! answer.
//!
//! One test in this file: tests of one binary run at once, and would count each other's
//! allocations.
//!
//! A test binary of its own, outside `tests/it/` (the crate's one test binary): its
//! `#[global_allocator]` tracks the peak of the whole process, so a neighbouring test
//! would be measured too.

#[path = "it/common.rs"]
mod common;

use std::alloc::System;

use cap::Cap;
use common::*;
use serde_json::{json, Value};

#[global_allocator]
static ALLOCATOR: Cap<System> = Cap::new(System, usize::MAX);

/// The body limit, less room for the JSON around the query.
const BODY: usize = 2 * 1024 * 1024 - 1024;
/// The parser's token limit (`graphql::MAX_DOCUMENT_TOKENS`), less room.
const TOKENS: usize = 14_900;
const MIB: usize = 1024 * 1024;

/// The peak memory one request may take, as the crate docs state it.
const DOCUMENTED_PEAK: usize = 32 * MIB;
/// The largest answer: 100 errors of at most 1,000 characters, the final one, and their
/// locations.
const LARGEST_ANSWER: usize = 160 * 1024;

/// The label of the cases that the parser lets through (so validation runs).
const UNDER_THE_TOKEN_LIMIT: &str = "long names, under the token limit";

/// A name of `len` characters, distinct for each `i`.
fn name(i: usize, len: usize) -> String {
    let id = format!("n{i}_");
    format!("{id}{}", "x".repeat(len.saturating_sub(id.len())))
}

/// `head`, then `unit(i)` for as many `i` as fit in `chars` characters (and `units`), then
/// `tail`.
fn fill(
    head: &str,
    unit: impl Fn(usize) -> String,
    tail: &str,
    chars: usize,
    units: usize,
) -> String {
    let mut text = String::from(head);
    for i in 0..units {
        let next = unit(i);
        if text.len() + next.len() + tail.len() > chars {
            break;
        }
        text.push_str(&next);
    }
    text.push_str(tail);
    text
}

/// The cases: (name, JSON body). Each shape twice where it matters: as many units as the
/// token limit lets through, with names long enough to reach the body limit, and short
/// names up to the body limit (refused by the token limit).
fn cases() -> Vec<(String, String)> {
    let mut cases: Vec<(String, String)> = Vec::new();
    let mut doc = |label: &str, query: String| {
        let body = json!({ "query": query }).to_string();
        assert!(body.len() <= 2 * MIB, "{label}: {} bytes", body.len());
        cases.push((label.to_owned(), body));
    };
    // Tokens count whitespace too.
    for (label, long) in [("short names", 8), (UNDER_THE_TOKEN_LIMIT, 0)] {
        // Unknown arguments: 5 tokens each.
        let units = if long == 0 { TOKENS / 5 } else { usize::MAX };
        let len = if long == 0 { BODY / units - 4 } else { long };
        doc(
            &format!("unknown arguments, {label}"),
            fill(
                "query { user(",
                |i| format!("{}: 1 ", name(i, len)),
                ") { id } }",
                BODY,
                units,
            ),
        );
        // The same variable declared again and again: 6 tokens each.
        let units = if long == 0 { TOKENS / 6 } else { usize::MAX };
        let len = if long == 0 { BODY / units - 8 } else { long };
        let same = name(0, len);
        doc(
            &format!("duplicate variables, {label}"),
            fill(
                "query Q(",
                |_| format!("${same}: Int "),
                ") { user { id } }",
                BODY,
                units,
            ),
        );
        // Variables never used: 6 tokens each.
        doc(
            &format!("unused variables, {label}"),
            fill(
                "query Q(",
                |i| format!("${}: Int ", name(i, len)),
                ") { user { id } }",
                BODY,
                units,
            ),
        );
        // Fragments never used: 14 tokens each.
        let units = if long == 0 { TOKENS / 14 } else { usize::MAX };
        let len = if long == 0 { BODY / units - 20 } else { long };
        doc(
            &format!("unused fragments, {label}"),
            fill(
                "query { user { id } } ",
                |i| format!("fragment {} on User {{ id }} ", name(i, len)),
                "",
                BODY,
                units,
            ),
        );
        // Unknown fields: within the 2,000 written fields of the cost limit, or past it.
        let units = if long == 0 { 1_990 } else { usize::MAX };
        let len = if long == 0 { BODY / units - 2 } else { long };
        doc(
            &format!("many fields, {label}"),
            fill(
                "{ user { ",
                |i| format!("{} ", name(i, len)),
                "} }",
                BODY,
                units,
            ),
        );
        // Aliases: two fields (11 tokens) each.
        let units = if long == 0 { 990 } else { usize::MAX };
        let len = if long == 0 { BODY / units - 20 } else { long };
        doc(
            &format!("many aliases, {label}"),
            fill(
                "{ ",
                |i| format!("{}: user {{ id }} ", name(i, len)),
                "}",
                BODY,
                units,
            ),
        );
    }
    // Nesting: just under the parser's limit (unknown fields), and far past it.
    doc(
        "deep nesting, 60 levels",
        format!("{{ {} id {} }}", "user { ".repeat(60), "} ".repeat(60)),
    );
    doc(
        "deep nesting, at the body limit",
        format!("{{ {} }}", "a { ".repeat(BODY / 4 - 4)),
    );
    doc(
        "deep list nesting",
        format!("{{ user(id: {}) {{ id }} }}", "[".repeat(BODY / 2)),
    );
    // One huge token where parsing fails.
    doc(
        "huge unterminated string",
        format!("{{ user {{ id }} }} \"{}", "x".repeat(BODY - 40)),
    );
    doc(
        "huge name where parsing fails",
        format!("{{ user {{ id }} }} {} (", "x".repeat(BODY - 40)),
    );
    // Variables: a million values.
    let values = format!("[{}0]", "0,".repeat((BODY - 100) / 2));
    cases.push((
        "a million variable values".into(),
        format!(r#"{{"query": "query Q($v: [Int]) {{ user {{ id }} }}", "variables": {{"v": {values}}}}}"#),
    ));
    // As many as the body may hold, each a long string.
    let values = format!(
        "[{}\"\"]",
        format!("\"{}\",", "x".repeat(200)).repeat(9_000)
    );
    cases.push((
        "9,000 long variable values".into(),
        format!(r#"{{"query": "query Q($v: [String]) {{ user {{ id }} }}", "variables": {{"v": {values}}}}}"#),
    ));
    cases
}

#[tokio::test(flavor = "current_thread")]
async fn no_request_within_the_body_limit_costs_more_than_the_documented_peak() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let (_, labeler) = emu
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    data(&gql(&ep, Some(&admin), "query Warm { user { id } }", json!({})).await);
    let cases = cases();
    let baseline = ALLOCATOR.allocated();
    let mut peak_so_far = ALLOCATOR.max_allocated();
    // The peak before the first request (the cases were built) must not hide a request's.
    assert!(
        peak_so_far.saturating_sub(baseline) < 8 * MIB,
        "{:.1} MiB",
        peak_so_far.saturating_sub(baseline) as f64 / MIB as f64
    );
    let mut report = Vec::new();
    for (label, body) in &cases {
        for (who, key) in [("Admin", &admin), ("Labeler", &labeler)] {
            let before = ALLOCATOR.allocated();
            let (status, _, text) = post_raw(&ep, Some(key), body.clone()).await.unwrap();
            assert_eq!(status, 200, "{label} ({who}): {text:.300}");
            assert!(
                text.len() <= LARGEST_ANSWER,
                "{label} ({who}): an answer of {} bytes: {:.300}",
                text.len(),
                text
            );
            let answer: Value = serde_json::from_str(&text).unwrap();
            if label.contains(UNDER_THE_TOKEN_LIMIT) {
                assert!(!text.contains("tokens"), "{label} ({who}): {text:.300}");
            }
            // At most 100 errors, then graphql-js's last one.
            let errors = answer["errors"].as_array().unwrap();
            assert!(
                errors.len() <= 101,
                "{label} ({who}): {} errors",
                errors.len()
            );
            if errors.len() == 101 {
                assert_eq!(
                    errors[100]["message"],
                    "Too many validation errors, error limit reached. Validation aborted.",
                    "{label} ({who})"
                );
                assert_eq!(
                    errors[100]["extensions"]["code"],
                    "GRAPHQL_VALIDATION_FAILED"
                );
            }
            assert!(answer["errors"].is_array(), "{label} ({who}): {text:.300}");
            let peak = ALLOCATOR.max_allocated();
            report.push(format!(
                "{label} ({who}): {} errors, answer {} bytes, live before {:.1} MiB, peak so far {:.1} MiB{}",
                answer["errors"].as_array().map_or(0, Vec::len),
                text.len(),
                before.saturating_sub(baseline) as f64 / MIB as f64,
                peak.saturating_sub(baseline) as f64 / MIB as f64,
                if peak > peak_so_far { " (new peak)" } else { "" },
            ));
            peak_so_far = peak;
        }
    }
    println!("{}", report.join("\n"));
    let peak = ALLOCATOR.max_allocated().saturating_sub(baseline);
    assert!(
        peak <= DOCUMENTED_PEAK,
        "a request took {:.1} MiB, over the documented {} MiB:\n{}",
        peak as f64 / MIB as f64,
        DOCUMENTED_PEAK / MIB,
        report.join("\n")
    );
    emu.shutdown().await;
}
