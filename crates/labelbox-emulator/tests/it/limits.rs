//! No request takes the emulator down: the query cost limit, the rate limit before parsing
//! and per aliased mutation, the connection cap (idle and slow connections make room), the
//! header and request deadlines, authentication before the body, and queries that do not
//! wait for each other.

use crate::common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use common::*;
use labelbox_emulator::{Emulator, EmulatorConfig, RateLimit};
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

const COMPLEXITY: &str = "Query complexity limit exceeded";

/// `levels` nested fragments over `__schema`, each selecting `fields { type { ...next } }`
/// twice under two aliases: 2^levels copies of the innermost selection once expanded.
fn fragment_bomb(levels: usize) -> String {
    let mut text = String::from("query Bomb { __schema { types { ...L1 } } }\n");
    for level in 1..=levels {
        let next = if level == levels {
            "name".to_owned()
        } else {
            format!("...L{}", level + 1)
        };
        text.push_str(&format!(
            "fragment L{level} on __Type {{ a: fields {{ type {{ {next} }} }} b: fields {{ type {{ {next} }} }} }}\n"
        ));
    }
    text
}

/// Asserts `body` is the cost-limit refusal (Labelbox's code and message, no data) for the
/// limit named in `extensions.reason`.
fn assert_complexity_refusal(body: &Value, limit: &str) {
    assert_eq!(code(body), "GRAPHQL_VALIDATION_FAILED", "{body}");
    assert_eq!(message(body), COMPLEXITY, "{body}");
    assert!(body.get("data").is_none(), "{body}");
    let reason = body["errors"][0]["extensions"]["reason"].as_str().unwrap();
    assert!(reason.contains(limit), "{reason}");
}

#[tokio::test]
async fn a_fragment_bomb_is_refused_quickly_like_other_validation_errors() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    // The shape of every other validation error: HTTP 200, `errors[].extensions.code`.
    let invalid = json!({ "query": "query { user { noSuchField } }" }).to_string();
    let (status, _, text) = post_raw(&ep, Some(&admin), invalid).await.unwrap();
    assert_eq!(status, 200);
    let invalid: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(code(&invalid), "GRAPHQL_VALIDATION_FAILED");

    // 14 levels (the reported 32 MB answer), and 40 (2^40 copies: only a memoised analysis
    // answers this at all).
    for levels in [14, 40] {
        let body = json!({ "query": fragment_bomb(levels) }).to_string();
        let started = Instant::now();
        let (status, headers, text) = post_raw(&ep, Some(&admin), body).await.unwrap();
        let elapsed = started.elapsed();
        assert_eq!(status, 200, "{levels} levels");
        assert_eq!(headers["content-type"], "application/json");
        assert!(
            text.len() < 1024,
            "{levels} levels answered {} bytes",
            text.len()
        );
        let body: Value = serde_json::from_str(&text).unwrap();
        assert_complexity_refusal(&body, "depth");
        assert!(
            elapsed < Duration::from_secs(2),
            "{levels} levels took {elapsed:?}"
        );
    }
    // Breadth instead of depth: the same field under 100 aliases.
    let wide: String = (0..100).map(|i| format!(" a{i}: user {{ id }}")).collect();
    let body = gql(&ep, Some(&admin), &format!("{{{wide} }}"), json!(null)).await;
    assert_complexity_refusal(&body, "aliases");
    // Many selections: the same fields spread 1,024 times through 10 levels of fragments.
    let mut spreads = String::from("query Spread { user { ...S1 } }\n");
    for level in 1..10 {
        let next = level + 1;
        spreads.push_str(&format!(
            "fragment S{level} on User {{ ...S{next} ...S{next}b }}\nfragment S{next}b on User {{ ...S{next} }}\n"
        ));
    }
    spreads.push_str("fragment S10 on User { id email }\n");
    let body = gql(&ep, Some(&admin), &spreads, json!(null)).await;
    assert_complexity_refusal(&body, "selections");
    // A document too large to be within the limits is refused before it is validated
    // (validating 200,000 fields takes seconds; refused after validation, the reason would
    // be the expanded selections): over 2,000 fields by the cost limit, over 15,000 tokens
    // by the parser.
    let heavy = format!("{{ user {{{} }} }}", " id".repeat(3_000));
    let body = gql(&ep, Some(&admin), &heavy, json!(null)).await;
    assert_complexity_refusal(&body, "fields in the document");
    let heavier = format!("{{ user {{{} }} }}", " id".repeat(200_000));
    let body = gql(&ep, Some(&admin), &heavier, json!(null)).await;
    assert_eq!(code(&body), "GRAPHQL_PARSE_FAILED", "{body}");
    assert_eq!(
        message(&body),
        "Syntax Error: Document contains more than 15000 tokens. Parsing aborted."
    );
    // Deep nesting without aliases multiplies the introspection lists.
    let deep = format!(
        "{{ __schema {{ types {{ {} name {} }} }} }}",
        "fields { type { ofType { fields { type { ".repeat(3),
        "} } } } }".repeat(3)
    );
    let body = gql(&ep, Some(&admin), &deep, json!(null)).await;
    assert_complexity_refusal(&body, "response values");
    assert!(authenticates(&ep, &admin).await);
}

/// Variables for every operation in `queries/` (each takes the ones it declares).
fn variables_for(text: &str, revocable: &str, user_id: &str) -> Value {
    let all = json!({
        "email": "labeler@example.com",
        "userEmail": "labeler@example.com",
        "name": "cost-limit test",
        "role": "Labeler",
        "validitySeconds": 3600,
        "allowedIpCidrs": null,
        "id": revocable,
        "userId": user_id,
        "roleId": labelbox_emulator::roles::role_by_name("Labeler").unwrap().id,
        "skip": 100,
    });
    let mut chosen = serde_json::Map::new();
    for (name, value) in all.as_object().unwrap() {
        if text.contains(&format!("${name}")) {
            chosen.insert(name.clone(), value.clone());
        }
    }
    Value::Object(chosen)
}

/// The variables of the invite operations (issue 21): the admin as the inviter, the
/// organization's id; an invite to cancel is sent first.
async fn invite_variables(ep: &str, admin: &str, text: &str, vars: &mut Value) {
    let me = op(ep, admin, "current_user", json!(null)).await;
    let org = op(ep, admin, "organization", json!(null)).await;
    let (me, org) = (&data(&me)["user"]["id"], &data(&org)["organization"]["id"]);
    let labeler = labelbox_emulator::roles::role_by_name("Labeler")
        .unwrap()
        .id;
    let invite = json!([{
        "inviterId": me,
        "inviteeEmail": "cost@example.com",
        "organizationId": org,
        "organizationRoleId": labeler,
    }]);
    if text.contains("createInvites") {
        vars["data"] = invite;
    } else if text.contains("inviteMembers") {
        vars["data"] = json!({ "emails": ["bulk-cost@example.com"], "roleId": labeler });
    } else if text.contains("cancelInvite") {
        let sent = op(ep, admin, "create_invite", json!({ "data": invite })).await;
        vars["where"] = json!({ "id": data(&sent)["createInvites"][0]["invite"]["id"] });
    } else if text.contains("$organizationId") {
        vars["organizationId"] = org.clone();
    }
}

#[tokio::test]
async fn every_known_operation_passes_the_cost_limit() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let user_id = emu.user_id("labeler@example.com").unwrap();

    // Every operation of the SDK, executed for real: no error at all.
    let dir = format!("{}/../../queries", env!("CARGO_MANIFEST_DIR"));
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    assert!(names.len() >= 10, "queries/ has {} files", names.len());
    for path in names {
        let text = std::fs::read_to_string(&path).unwrap();
        let (revocable, _) = emu
            .issue_key("labeler@example.com", "Labeler", 3600, None)
            .unwrap();
        let mut vars = variables_for(&text, &revocable, &user_id);
        if text.contains("updateUser") {
            // Removal is for good: remove another member than the one the keys are for.
            vars["userId"] = json!(emu.user_id("reviewer@example.com").unwrap());
        }
        invite_variables(&ep, &admin, &text, &mut vars).await;
        let body = gql(&ep, Some(&admin), &text, vars).await;
        assert!(body.get("errors").is_none(), "{}: {body}", path.display());
    }

    // `labelbox schema pull`'s introspection query.
    let introspection = std::fs::read_to_string(format!(
        "{}/../labelbox-schema-tools/graphql/introspection.graphql",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    let body = gql(&ep, Some(&admin), &introspection, json!(null)).await;
    assert!(data(&body)["__schema"]["types"].as_array().unwrap().len() > 10);

    // Every recorded request of the official SDK, as it was sent. Some member operations
    // use fields the schema does not have yet: those fail validation, never the cost limit.
    let mut validated = 0;
    for file in [
        "official-python-sdk-requests.jsonl",
        "official-python-sdk-members.jsonl",
        "official-python-sdk-invites.jsonl",
    ] {
        let path = format!("{}/../../tests/fixtures/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let recorded: Value = serde_json::from_str(line).unwrap();
            let body = gql(
                &ep,
                Some(&admin),
                recorded["query"].as_str().unwrap(),
                recorded["variables"].clone(),
            )
            .await;
            let operation = &recorded["operation"];
            for error in body["errors"].as_array().into_iter().flatten() {
                assert_ne!(error["message"], COMPLEXITY, "{operation}: {body}");
            }
            if body["errors"][0]["extensions"]["code"] != "GRAPHQL_VALIDATION_FAILED" {
                validated += 1;
            }
        }
    }
    assert!(
        validated >= 20,
        "only {validated} recorded requests validated"
    );
}

#[tokio::test]
async fn a_10000_key_listing_passes() {
    let emu = start().await;
    let issued = emu
        .issue_keys(10_000, "labeler@example.com", "Labeler", 3600)
        .unwrap();
    assert_eq!(issued.len(), 10_000);
    let (own, others) = list(&emu.endpoint(), emu.admin_key()).await;
    assert_eq!(own.len(), 1);
    assert_eq!(others.len(), 10_000);
    // The seeded keys are real keys.
    assert!(authenticates(&emu.endpoint(), &issued[9_999].1).await);
}

/// Few values can still make a huge answer when key names are long: a query whose
/// estimated JSON exceeds 128 MiB is refused before it runs (64 aliases of every user's key
/// names, over 150 keys named with 1,000 characters: about 170 MB estimated, 77,000
/// values), while one alias of it is answered.
#[tokio::test]
async fn a_query_estimated_over_the_byte_limit_is_refused() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let long = "n".repeat(1_000);
    for _ in 0..150 {
        create_ok(&ep, &admin, &long, "labeler@example.com", "Labeler", None).await;
    }
    let users = "organization { users { apiKeys { name } apiKeysOtherUsers { name } } }";
    let one = format!("query One {{ a0: {users} }}");
    data(&gql(&ep, Some(&admin), &one, json!(null)).await);
    let many = format!(
        "query Many {{{} }}",
        (0..64)
            .map(|i| format!(" a{i}: {users}"))
            .collect::<String>()
    );
    let body = gql(&ep, Some(&admin), &many, json!(null)).await;
    assert_complexity_refusal(&body, "response bytes");
}

#[tokio::test]
async fn the_rate_limit_is_checked_before_the_body_is_parsed() {
    let emu = start().await;
    let ep = emu.endpoint();
    let (id, key) = emu
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    emu.set_key_rate_limit(&id, Some(RateLimit::new(1, Duration::from_secs(60))));
    assert!(authenticates(&ep, &key).await);
    // Over the limit: a body that is not even JSON gets the rate-limit answer (it was
    // never parsed), not MALFORMED_REQUEST.
    let (status, headers, text) = post_raw(&ep, Some(&key), "{not json".into()).await.unwrap();
    assert_eq!(status, 429, "{text}");
    assert!(headers.contains_key("retry-after"));
    assert!(text.contains("You have exceeded"), "{text}");
    // Nor is a document that would take the validator seconds.
    let heavy = format!("{{ user {{{} }} }}", " id".repeat(200_000));
    let started = Instant::now();
    let (status, _, _) = post_raw(&ep, Some(&key), json!({ "query": heavy }).to_string())
        .await
        .unwrap();
    assert_eq!(status, 429);
    assert!(started.elapsed() < Duration::from_secs(2));
    // An unparsable document of a caller within its limit still gets the parse error.
    let body = gql(
        &ep,
        Some(emu.admin_key()),
        "query { user { id ",
        json!(null),
    )
    .await;
    assert_eq!(code(&body), "GRAPHQL_PARSE_FAILED");
}

/// A mutation creating `n` keys under aliases `k0`, `k1`, ...
fn aliased_creates(n: usize) -> String {
    let fields: String = (0..n)
        .map(|i| {
            format!(
                " k{i}: createApiKey(data: {{name: \"alias {i}\", targetUserEmailId: \"labeler@example.com\", role: \"Labeler\", validitySeconds: 3600}}) {{ id }}"
            )
        })
        .collect();
    format!("mutation Aliased {{{fields} }}")
}

#[tokio::test]
async fn each_aliased_mutation_counts_against_the_rate_limit() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    emu.set_key_rate_limit(
        emu.admin_key_id(),
        Some(RateLimit::new(3, Duration::from_secs(60))),
    );
    let before = emu.keys().len();
    // Three mutations in one request use the whole window of three requests.
    let body = gql(&ep, Some(&admin), &aliased_creates(3), json!(null)).await;
    assert!(data(&body)["k2"]["id"].is_string(), "{body}");
    assert_eq!(emu.keys().len(), before + 3);
    let query = json!({ "query": query("current_user") }).to_string();
    let (status, _, _) = post_raw(&ep, Some(&admin), query.clone()).await.unwrap();
    assert_eq!(status, 429);

    // In a new window, four mutations do not fit in three: refused, nothing created.
    emu.advance_clock(Duration::from_secs(61));
    let body = json!({ "query": aliased_creates(4) }).to_string();
    let (status, _, text) = post_raw(&ep, Some(&admin), body).await.unwrap();
    assert_eq!(status, 429, "{text}");
    assert_eq!(emu.keys().len(), before + 3);
    // The same mutation twice without aliases is one mutation (the fields merge).
    emu.advance_clock(Duration::from_secs(61));
    let create = " createApiKey(data: {name: \"same\", targetUserEmailId: \"labeler@example.com\", validitySeconds: 3600}) { id }";
    let body = gql(
        &ep,
        Some(&admin),
        &format!("mutation {{{create}{create} }}"),
        json!(null),
    )
    .await;
    data(&body);
    assert_eq!(emu.keys().len(), before + 4);
    for _ in 0..2 {
        assert!(authenticates(&ep, &admin).await);
    }
    let (status, _, _) = post_raw(&ep, Some(&admin), query).await.unwrap();
    assert_eq!(status, 429);
}

/// Reads from `stream` until the server closes it; `false` if it is still open after 10 s.
async fn closed_by_server(stream: &mut tokio::net::TcpStream) -> bool {
    let mut buf = [0u8; 1024];
    let read_all = async {
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(10), read_all)
        .await
        .is_ok()
}

#[tokio::test]
async fn a_connection_that_never_finishes_its_headers_is_closed() {
    let emu = Emulator::start(
        EmulatorConfig::default()
            .admin_key_seed("slowloris")
            .header_read_timeout(Duration::from_millis(500)),
    )
    .await
    .unwrap();
    let addr = emu.local_addr();
    // Headers started and never finished (slowloris).
    let mut slow = tokio::net::TcpStream::connect(addr).await.unwrap();
    slow.write_all(b"POST /graphql HTTP/1.1\r\nHost: localhost\r\nX-Slow: ")
        .await
        .unwrap();
    // Connected and silent.
    let mut silent = tokio::net::TcpStream::connect(addr).await.unwrap();
    assert!(
        closed_by_server(&mut slow).await,
        "the slow connection stays open"
    );
    assert!(
        closed_by_server(&mut silent).await,
        "the silent connection stays open"
    );
    assert!(authenticates(&emu.endpoint(), emu.admin_key()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connections_beyond_the_cap_wait_while_every_slot_is_busy() {
    let emu = Emulator::start(
        EmulatorConfig::default()
            .admin_key_seed("cap")
            .max_connections(2),
    )
    .await
    .unwrap();
    let (ep, key) = (emu.endpoint(), emu.admin_key().to_owned());
    // Two requests held in their handlers (no body to wait for: busy, not waiting).
    emu.faults()
        .fail_next(2, labelbox_emulator::Fault::Delay(Duration::from_secs(3)));
    let busy: Vec<_> = (0..2)
        .map(|_| {
            let (ep, key) = (ep.clone(), key.clone());
            tokio::spawn(async move { post_raw(&ep, Some(&key), String::new()).await })
        })
        .collect();
    labelbox_test_support::eventually("both requests held in their handlers", async || {
        emu.faults().delayed_in_flight() == 2
    })
    .await;
    let (ep3, key3) = (ep.clone(), key.clone());
    let third = tokio::spawn(async move { authenticates(&ep3, &key3).await });
    // The wait is what is under test: that nothing serves the third connection for a while
    // (no event announces a connection that is not served).
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(
        !third.is_finished(),
        "a third connection was served while two requests held both slots"
    );
    let served = tokio::time::timeout(Duration::from_secs(20), third)
        .await
        .expect("served once a slot is free")
        .unwrap();
    assert!(served);
    for request in busy {
        request.await.unwrap().unwrap();
    }
}

/// Sends the headers of a `POST /graphql` announcing a 1,000-byte body, and no body.
async fn slow_body(addr: std::net::SocketAddr, key: Option<&str>) -> tokio::net::TcpStream {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let authorization = key
        .map(|key| format!("Authorization: Bearer {key}\r\n"))
        .unwrap_or_default();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n{authorization}Content-Length: 1000\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// Everything the server sends on `stream` until it closes it (at most 10 s).
async fn answer(stream: &mut tokio::net::TcpStream) -> String {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut answer));
    match read.await {
        Ok(_) => String::from_utf8_lossy(&answer).into_owned(),
        Err(_) => panic!(
            "no answer within 10 s; so far: {}",
            String::from_utf8_lossy(&answer)
        ),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_valid_request_is_answered_while_max_connections_slow_bodies_are_open() {
    let emu = Emulator::start(
        EmulatorConfig::default()
            .admin_key_seed("slow-bodies")
            .max_connections(4)
            .header_read_timeout(Duration::from_secs(300))
            .request_read_timeout(Duration::from_secs(300)),
    )
    .await
    .unwrap();
    let addr = emu.local_addr();
    let (_, labeler) = emu
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    // Authenticated clients that never send their bodies, one per slot (the deadline is
    // far away: only making room can serve the next request).
    let mut slow = Vec::new();
    for _ in 0..4 {
        slow.push(slow_body(addr, Some(&labeler)).await);
    }
    let answered = tokio::time::timeout(
        Duration::from_secs(10),
        authenticates(&emu.endpoint(), emu.admin_key()),
    )
    .await
    .expect("a valid request waited for the slow bodies");
    assert!(answered);
    // And again, with every slow client still open on its side.
    slow.push(slow_body(addr, Some(&labeler)).await);
    assert!(tokio::time::timeout(
        Duration::from_secs(10),
        authenticates(&emu.endpoint(), emu.admin_key())
    )
    .await
    .expect("a valid request waited for the slow bodies"));
    assert_eq!(slow.len(), 5);
}

#[tokio::test]
async fn a_request_without_a_valid_key_is_answered_before_its_body_arrives() {
    let emu = Emulator::start(
        EmulatorConfig::default()
            .admin_key_seed("auth-before-body")
            .request_read_timeout(Duration::from_secs(300)),
    )
    .await
    .unwrap();
    for key in [None, Some("not-a-key")] {
        let mut stream = slow_body(emu.local_addr(), key).await;
        let answer = answer(&mut stream).await;
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        assert!(answer.contains("AUTHENTICATION_ERROR"), "{answer}");
    }
}

#[tokio::test]
async fn a_body_that_does_not_arrive_within_the_request_deadline_is_refused() {
    let emu = Emulator::start(
        EmulatorConfig::default()
            .admin_key_seed("request-deadline")
            .request_read_timeout(Duration::from_millis(500)),
    )
    .await
    .unwrap();
    let mut stream = slow_body(emu.local_addr(), Some(emu.admin_key())).await;
    stream.write_all(b"{\"query\": ").await.unwrap();
    let started = Instant::now();
    let answer = answer(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(started.elapsed() < Duration::from_secs(5));
    assert!(authenticates(&emu.endpoint(), emu.admin_key()).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cheap_query_is_answered_while_a_maximal_cost_query_runs() {
    let emu = start().await;
    let ep = emu.endpoint();
    emu.issue_keys(10_000, "reviewer@example.com", "Reviewer", 3600)
        .unwrap();
    let (_, labeler) = emu
        .issue_key("labeler@example.com", "Labeler", 3600, None)
        .unwrap();
    // As many full listings of the 10,000 keys as the response-size estimate allows: the
    // largest number of aliases not refused (refusals are cheap, so count down).
    let listing = "apiKeysOtherUsers { id name createdAt updatedAt revoked expiresAtEpoch userId userEmail createdByUserId allowedIpCidrs }";
    let mut aliases = 30;
    let slow = loop {
        let candidate = format!(
            "query Slow {{{} }}",
            (0..aliases)
                .map(|i| format!(" a{i}: user {{ {listing} }}"))
                .collect::<String>()
        );
        let body = gql(&ep, Some(&labeler), &candidate, json!(null)).await;
        if body["errors"][0]["message"] != COMPLEXITY {
            data(&body);
            break candidate;
        }
        aliases -= 1;
        assert!(aliases > 0, "not even one listing passes");
    };
    assert!(aliases >= 4, "only {aliases} listings fit");
    let admin = emu.admin_key().to_owned();
    let count_before = emu.operation_count("Slow");
    let finished = Arc::new(AtomicUsize::new(0));
    let slow_rank = {
        let (ep, admin, finished) = (ep.clone(), admin.clone(), Arc::clone(&finished));
        tokio::spawn(async move {
            // Ranked when its response starts (the server has built the whole body by then).
            let response = reqwest::Client::new()
                .post(&ep)
                .header("authorization", format!("Bearer {admin}"))
                .body(json!({ "query": slow }).to_string())
                .send()
                .await
                .unwrap();
            let rank = finished.fetch_add(1, Ordering::SeqCst);
            let body: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap();
            assert!(body.get("errors").is_none());
            rank
        })
    };
    // The slow query is executing once it is counted (after its cost check). Polled every
    // millisecond (not with `eventually`): the cheap query must start while it still runs.
    let deadline = std::time::Instant::now() + labelbox_test_support::EVENTUALLY;
    while emu.operation_count("Slow") == count_before {
        assert!(
            std::time::Instant::now() < deadline,
            "the slow query never ran"
        );
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    // Another key: authentication and a cheap query.
    assert!(authenticates(&ep, &labeler).await);
    let cheap_rank = finished.fetch_add(1, Ordering::SeqCst);
    assert_eq!(cheap_rank, 0, "the cheap query waited for the slow one");
    assert_eq!(slow_rank.await.unwrap(), 1);
}

#[tokio::test]
async fn the_binary_takes_the_connection_limits_as_flags() {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
        .args([
            "--listen",
            "127.0.0.1:0",
            "--admin-key-seed",
            "flags",
            "--max-connections",
            "1",
            "--header-read-timeout",
            "1",
            "--request-read-timeout",
            "5",
        ])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(stdout));
    // The first line is the ready object.
    let line = lines.next().expect("emulator output").unwrap();
    let ready: serde_json::Value = serde_json::from_str(&line).unwrap();
    let endpoint = ready["endpoint"].as_str().unwrap().to_owned();
    std::thread::spawn(move || for _ in lines {});
    let addr = endpoint
        .trim_start_matches("http://")
        .trim_end_matches("/graphql")
        .to_owned();
    // The one slot is taken by a silent connection until the 1 s header timeout closes it;
    // then the next connection is served.
    let mut silent = tokio::net::TcpStream::connect(&addr).await.unwrap();
    let waiting = tokio::spawn(async move {
        let body = json!({ "query": query("roles") }).to_string();
        post_raw(&endpoint, None, body).await.unwrap().0
    });
    assert!(closed_by_server(&mut silent).await);
    assert_eq!(waiting.await.unwrap(), 200);
    for flag in ["--max-connections", "--request-read-timeout"] {
        let bad = std::process::Command::new(env!("CARGO_BIN_EXE_labelbox-emulator"))
            .args([flag, "0"])
            .output()
            .unwrap();
        assert_eq!(bad.status.code(), Some(2), "{flag} 0");
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn making_room_closes_idle_connections_before_a_request_whose_body_is_arriving() {
    let emu = Emulator::start(
        EmulatorConfig::default()
            .admin_key_seed("room-for-a-request")
            .max_connections(4)
            .header_read_timeout(Duration::from_secs(300))
            .request_read_timeout(Duration::from_secs(300)),
    )
    .await
    .unwrap();
    let addr = emu.local_addr();
    let body = br#"{"query":"{ user { id } }"}"#;
    // A valid request whose body is on its way; `Expect: 100-continue` makes the server
    // say when it has read the headers and waits for the body.
    let mut arriving = tokio::net::TcpStream::connect(addr).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n\
         Authorization: Bearer {}\r\nExpect: 100-continue\r\nContent-Length: {}\r\n\r\n",
        emu.admin_key(),
        body.len()
    );
    arriving.write_all(head.as_bytes()).await.unwrap();
    let mut continue_line = [0u8; 25];
    tokio::time::timeout(
        Duration::from_secs(10),
        arriving.read_exact(&mut continue_line),
    )
    .await
    .expect("the server waits for the body")
    .unwrap();
    assert!(continue_line.starts_with(b"HTTP/1.1 100 Continue"));
    arriving.write_all(&body[..5]).await.unwrap();
    // Idle connections fill every other slot, then one more needs room: an idle one goes.
    let mut idle = Vec::new();
    for _ in 0..3 {
        idle.push(tokio::net::TcpStream::connect(addr).await.unwrap());
    }
    assert!(tokio::time::timeout(
        Duration::from_secs(10),
        authenticates(&emu.endpoint(), emu.admin_key())
    )
    .await
    .expect("room was made for a new request"));
    // The request in progress was not the one closed: it is answered once its body arrives.
    arriving.write_all(&body[5..]).await.unwrap();
    let mut head = [0u8; 15];
    tokio::time::timeout(Duration::from_secs(10), arriving.read_exact(&mut head))
        .await
        .expect("an answer")
        .expect("the request in progress kept its connection");
    assert_eq!(&head, b"HTTP/1.1 200 OK");
    assert_eq!(idle.len(), 3);
}
