//! The allocation guard of the listing's decoding: a 1000-key `ListApiKeys` answer of the real
//! emulator, decoded through the SDK's real path (the listing's one-pass reader straight into
//! `ApiKey`s, `labelbox_sdk::__fuzz::decode_listing`), may allocate at
//! most [`MAX_ALLOCATIONS_PER_KEY`] times per key; through the path a status-200 body the
//! reader declines takes (the generated types, then the mapping,
//! `labelbox_sdk::__fuzz::decode_listing_typed`), at most [`MAX_FALLBACK_ALLOCATIONS_PER_KEY`]. Counted by a global allocator, so a change
//! that makes decoding allocate more (a `Value` tree, a `String` per date, a copy per field)
//! fails here deterministically, without any timing.

use labelbox_emulator::{Emulator, EmulatorConfig};
use labelbox_sdk::schema::list_api_keys;
use stats_alloc::{Region, StatsAlloc, INSTRUMENTED_SYSTEM};
use std::alloc::System;

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

/// Keys in the organization (the bootstrap admin's own included).
const KEYS: usize = 1000;

/// The bound. Measured on 2026-11-30 with the listing's one-pass reader
/// (`src/listing_read.rs`): 3.34 allocations per key (3341 for 1000 keys): the 3 strings
/// of every `ApiKey` that are its own (id, name, email; the user and creator ids are
/// `UserId`s shared by the keys of one user), and on one key in three an allowlist (its
/// vector; the entries are parsed where they lie in the body), plus the listing's vector
/// and the few shared user ids (the caller's among them). A little headroom; lower it when decoding allocates less.
/// (Before the reader, through the generated types: 6.33 per key, see
/// [`MAX_FALLBACK_ALLOCATIONS_PER_KEY`]; through a `serde_json::Value` tree, the path the
/// transport keeps for answers that are not a plain success, about 40 per key.)
const MAX_ALLOCATIONS_PER_KEY: f64 = 3.5;

/// The bound of the typed fallback. Measured on 2026-11-30: 6.34 allocations per key (6341
/// for 1000 keys): the generated key's 5 strings (id, name, user id, email, creator id), on
/// one key in three an allowlist (the generated vector and its 2 strings, the `ApiKey`'s
/// vector), and the few `Arc<str>` user ids the keys share (`convert::SharedUserIds`; without
/// it every key copies its user id and creator id into a new `Arc<str>`: 8.33 per key).
/// A little headroom; lower it when the fallback allocates less.
const MAX_FALLBACK_ALLOCATIONS_PER_KEY: f64 = 7.0;

/// The owners of the seeded keys (the emulator's default users), in turn, as in the
/// benchmarks.
const OWNERS: &[&str] = &[
    "admin@example.com",
    "labeler@example.com",
    "reviewer@example.com",
    "manager@example.com",
    "admin2@example.com",
];

#[tokio::test]
async fn decoding_a_1000_key_listing_allocates_a_bounded_number_of_times_per_key() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    for i in 1..KEYS {
        let allowed = (i % 3 == 0).then(|| vec!["127.0.0.1".to_owned(), "10.0.0.0/8".to_owned()]);
        emulator
            .issue_key(OWNERS[i % OWNERS.len()], "Labeler", 30 * 86_400, allowed)
            .unwrap();
    }
    let client = labelbox_sdk::Client::builder()
        .api_key(emulator.admin_key())
        .endpoint(emulator.endpoint())
        .build()
        .unwrap();
    let answer = client
        .execute_unclassified::<list_api_keys::ListApiKeys>(list_api_keys::Variables)
        .await
        .unwrap();
    assert_eq!(answer.status(), 200);
    let body = answer.body().to_vec();

    // The reader takes this answer (else the count would be the fallback's).
    assert!(labelbox_sdk::__fuzz::read_listing(&body).is_some());
    let (fewest, per_key) = count_per_key(|| labelbox_sdk::__fuzz::decode_listing(200, &body));
    println!("reader: {fewest} allocations for {KEYS} keys: {per_key:.2} per key");
    assert!(
        per_key <= MAX_ALLOCATIONS_PER_KEY,
        "decoding a {KEYS}-key listing allocated {fewest} times, {per_key:.2} per key \
         (bound {MAX_ALLOCATIONS_PER_KEY}): something in the decoding path allocates more \
         than before (see tests/allocations.rs)"
    );
    // The guard counts something: the keys' own strings alone are 3 per key.
    assert!(
        per_key >= 3.0,
        "{per_key:.2} per key: the counter does not count"
    );

    // The typed fallback, on the same body (the reader would take it: called directly).
    let (fewest, per_key) =
        count_per_key(|| labelbox_sdk::__fuzz::decode_listing_typed(200, &body));
    println!("typed fallback: {fewest} allocations for {KEYS} keys: {per_key:.2} per key");
    assert!(
        per_key <= MAX_FALLBACK_ALLOCATIONS_PER_KEY,
        "the typed fallback allocated {fewest} times for {KEYS} keys, {per_key:.2} per key \
         (bound {MAX_FALLBACK_ALLOCATIONS_PER_KEY}): something in the generated types' \
         decoding or the mapping (src/convert.rs) allocates more than before"
    );
    assert!(
        per_key >= 5.0,
        "{per_key:.2} per key: the generated key's strings alone are 5 per key"
    );
    emulator.shutdown().await;
}

/// The fewest allocations of a few runs of `decode` (which must list every key), and that
/// count per key. The decoding runs on this thread without awaiting; the runtime's other
/// threads (if any) are idle, but the smallest of a few counts keeps a stray allocation
/// elsewhere from making the guard flaky.
fn count_per_key(
    decode: impl Fn() -> Result<Vec<labelbox_sdk::ApiKey>, labelbox_sdk::Error>,
) -> (usize, f64) {
    let mut fewest = usize::MAX;
    for _ in 0..5 {
        let region = Region::new(GLOBAL);
        let keys = decode().unwrap();
        let allocations = region.change().allocations;
        assert_eq!(keys.len(), KEYS);
        drop(keys);
        fewest = fewest.min(allocations);
    }
    (fewest, fewest as f64 / KEYS as f64)
}
