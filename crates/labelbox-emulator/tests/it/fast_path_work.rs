//! The work a query costs the emulator follows what it answers, not what the organization
//! holds: a listing renders only the keys it shows, and renders each once per state
//! snapshot; a query whose answer is large in bytes (long names, long aliases) is not
//! answered on the task that received it, however few values it has; a new state snapshot
//! is derived before any request reads it; the JSON writer is not tried twice on a query it
//! refuses; the operation counts stay bounded whatever names clients send; key names are
//! at most 1,000 characters.
//!
//! Work is read from the emulator's counters (`EmulatorHandle::probe`, feature `test-probes`:
//! keys rendered, queries tried on the JSON writer,
//! queries answered inline), never from timings.

use crate::common;

use common::*;
use serde_json::{json, Value};

fn body(query: &str) -> String {
    json!({ "query": query }).to_string()
}

async fn post_ok(ep: &str, key: &str, query: &str) -> Value {
    let (status, _, text) = post_raw(ep, Some(key), body(query)).await.unwrap();
    assert_eq!(status, 200, "{text}");
    let value: Value = serde_json::from_str(&text).unwrap();
    data(&value);
    value
}

/// A key of another user with no right to see the organization's keys makes the fast path
/// render only its own key, once: never the 40 keys (with names of 1,000 characters) of
/// another user, not on any request, not per user of `organization.users`. A caller who
/// sees every key renders each once per snapshot, then answers from what was kept.
#[tokio::test]
async fn a_listing_renders_only_the_keys_it_shows() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    // Names of control characters (the longest JSON per character), which `createApiKey`
    // refuses: planted as a server that takes them would hold them.
    let long = "\u{1}".repeat(1_000);
    for _ in 0..40 {
        emu.issue_named_key(&long, "manager@example.com", "Labeler", 3600, None)
            .unwrap();
    }
    let (_, reviewer) = emu
        .issue_key("reviewer@example.com", "Reviewer", 3600, None)
        .unwrap();
    let rendered_before = emu.probe().rendered_keys;
    let answered_before = emu.probe().writer_answers;
    for _ in 0..3 {
        let answer = post_ok(&ep, &reviewer, "query Mine { user { apiKeys { name } } }").await;
        assert_eq!(
            answer["data"]["user"]["apiKeys"].as_array().unwrap().len(),
            1
        );
    }
    let org =
        "query Org { organization { users { apiKeys { name } apiKeysOtherUsers { name } } } }";
    for _ in 0..2 {
        post_ok(&ep, &reviewer, org).await;
    }
    assert_eq!(emu.probe().writer_answers - answered_before, 5);
    let rendered = emu.probe().rendered_keys;
    assert_eq!(
        rendered - rendered_before,
        1,
        "only the reviewer's own key is rendered, once"
    );

    // The admin sees all 42 listed keys: rendered once, then kept.
    let listing = query("list_api_keys");
    let before = emu.probe().rendered_keys;
    let answer = post_ok(&ep, &admin, &listing).await;
    let shown = answer["data"]["user"]["apiKeys"].as_array().unwrap().len()
        + answer["data"]["user"]["apiKeysOtherUsers"]
            .as_array()
            .unwrap()
            .len();
    assert_eq!(shown, 42);
    let (after_first, bytes) = (emu.probe().rendered_keys, emu.probe().rendered_bytes);
    assert_eq!(after_first - before, 42);
    assert!(bytes > 40 * 6_000, "{bytes}");
    post_ok(&ep, &admin, &listing).await;
    assert_eq!(emu.probe().rendered_keys, after_first, "rendered again");
}

/// A listing whose answer is large in bytes but has few values (100 keys under an alias
/// of 60,000 characters: 200 values, 6 MB) is answered on a blocking thread, not on the
/// task that received it; a small one is answered inline. Both by the fast path.
#[tokio::test]
async fn a_query_large_in_bytes_is_not_answered_inline() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    emu.issue_keys(100, "admin@example.com", "Labeler", 3600)
        .unwrap();
    let small = "query Small { user { apiKeys { id } } }";
    let alias = "a".repeat(60_000);
    let large = format!("query Large {{ user {{ apiKeys {{ {alias}: id }} }} }}");
    // The first request of each prepares its document (on a blocking thread).
    post_ok(&ep, &admin, small).await;
    let answer = post_ok(&ep, &admin, &large).await;
    assert_eq!(
        answer["data"]["user"]["apiKeys"].as_array().unwrap().len(),
        101
    );

    let (inline, fast) = (emu.probe().inline_answers, emu.probe().writer_answers);
    post_ok(&ep, &admin, small).await;
    assert_eq!(
        emu.probe().inline_answers,
        inline + 1,
        "a small listing is answered inline"
    );
    post_ok(&ep, &admin, &large).await;
    assert_eq!(
        emu.probe().inline_answers,
        inline + 1,
        "6 MB answered on the receiving task"
    );
    assert_eq!(emu.probe().writer_answers, fast + 2);
}

/// What a snapshot derives (listed keys, sizes) is computed before it is published: at
/// start, and on the thread of each change (over HTTP and through the handle), never by
/// the first request that reads it.
#[tokio::test]
async fn a_new_snapshot_is_derived_before_any_request_reads_it() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    assert!(emu.probe().snapshot_is_derived, "at start");
    let (id, _) = create_ok(&ep, &admin, "k", "labeler@example.com", "Labeler", None).await;
    assert!(emu.probe().snapshot_is_derived, "after a creation");
    data(&revoke(&ep, &admin, &id).await);
    assert!(emu.probe().snapshot_is_derived, "after a revocation");
    emu.issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    assert!(emu.probe().snapshot_is_derived, "after issue_key");
    emu.set_user_role("labeler@example.com", "Reviewer")
        .unwrap();
    assert!(emu.probe().snapshot_is_derived, "after set_user_role");
}

/// A query the JSON writer refuses whatever the state is tried on it at most once per
/// request, also when it could have been answered inline: never for a document it has no
/// plan for (introspection), once for a refused argument; one it refuses because of the
/// state's data (an expiry beyond an `Int`) is tried again on the blocking thread's
/// snapshot.
#[tokio::test]
async fn the_fast_path_is_not_tried_twice_on_a_query_it_refuses() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let introspection = "query I { __schema { queryType { name } } }";
    let negative = "query N { organization { users(skip: -1) { id } } }";
    for (text, tries) in [(introspection, 0), (negative, 1)] {
        // The first request prepares the document; the next ones find it kept.
        post_raw(&ep, Some(&admin), body(text)).await.unwrap();
        for _ in 0..2 {
            let before = emu.probe().writer_attempts;
            let (status, _, _) = post_raw(&ep, Some(&admin), body(text)).await.unwrap();
            assert_eq!(status, 200);
            assert_eq!(emu.probe().writer_attempts - before, tries, "{text}");
        }
    }
    emu.issue_key("admin@example.com", "Labeler", 4_000_000_000, None)
        .unwrap();
    let expiry = "query E { user { apiKeys { expiresAtEpoch } } }";
    post_raw(&ep, Some(&admin), body(expiry)).await.unwrap();
    let before = emu.probe().writer_attempts;
    let (_, _, text) = post_raw(&ep, Some(&admin), body(expiry)).await.unwrap();
    assert!(text.contains("errors"), "{text}");
    assert_eq!(emu.probe().writer_attempts - before, 2);
}

/// Each new operation name was a permanent entry of the operation counts: names over 128
/// bytes, and new names once 1,024 are counted, now share one count.
#[tokio::test]
async fn operation_counts_are_bounded() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let long = format!("L{}", "o".repeat(200));
    post_ok(&ep, &admin, &format!("query {long} {{ __typename }}")).await;
    assert_eq!(emu.probe().counted_operations, 1);
    assert_eq!(emu.operation_count(&long), 1);
    for i in 0..1_100 {
        post_ok(&ep, &admin, &format!("query Op{i} {{ __typename }}")).await;
    }
    assert_eq!(emu.probe().counted_operations, 1_024);
    assert_eq!(emu.operation_count("Op0"), 1);
    assert_eq!(emu.operation_count("Op1022"), 1);
    // The long name and the 77 names past the bound share one count.
    assert_eq!(emu.operation_count("Op1099"), 78);
    assert_eq!(emu.operation_count(&long), 78);
    post_ok(&ep, &admin, "query Op5 { __typename }").await;
    assert_eq!(emu.operation_count("Op5"), 2);
}

/// `createApiKey` refuses a name over 1,000 characters (counted as characters, after
/// trimming) like other bad input; 1,000 are accepted.
#[tokio::test]
async fn key_names_are_at_most_1000_characters() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let ok = format!("  {}  ", "é".repeat(1_000));
    create_ok(&ep, &admin, &ok, "labeler@example.com", "Labeler", None).await;
    let refused = create(
        &ep,
        &admin,
        &"n".repeat(1_001),
        "labeler@example.com",
        Some("Labeler"),
        3600,
        None,
    )
    .await;
    assert_eq!(code(&refused), "MALFORMED_REQUEST", "{refused}");
    assert_eq!(message(&refused), "name must be at most 1000 characters");
    assert!(emu.keys().iter().all(|k| k.name.chars().count() <= 1_000));
}
