//! The JSON writer for queries answers byte for byte what apollo-compiler's executor
//! answers, for every caller and every query of a corpus, over HTTP; it answers exactly the
//! queries whose answer has no error and that need no field merging, directive or
//! introspection (the executor answers the others); and prepared documents are kept in a
//! bounded cache that still applies the cost check to the current state.
//!
//! One emulator serves both ways: `set_writer(false)` (feature `test-probes`) makes every
//! query go to the executor, so both answers come from the same state, the same clock and
//! the same keys.

use crate::common;

use common::*;
use labelbox_emulator::{EmulatorConfig, EmulatorHandle};
use serde_json::{json, Value};

/// A request of the corpus: its body and whether its answer comes from the executor even
/// without an error (introspection, and queries whose fields need merging or directives:
/// the JSON writer leaves those to the executor).
struct Case {
    label: String,
    body: String,
    executor_only: bool,
}

/// A piece of each query of the corpus whose fields need merging (a response key selected
/// twice in one object) and has no directive.
const MERGED: &[&str] = &["... on ApiKey { name userEmail }"];

fn case(label: &str, query: &str, variables: Value, operation_name: Option<&str>) -> Case {
    let mut body = json!({ "query": query, "variables": variables });
    if let Some(name) = operation_name {
        body["operationName"] = json!(name);
    }
    Case {
        label: label.to_owned(),
        body: body.to_string(),
        executor_only: query.contains("__schema")
            || query.contains("__type(")
            || query.contains("@skip")
            || query.contains("@include")
            || MERGED.iter().any(|m| query.contains(m)),
    }
}

/// Sends `body` with the JSON writer on, then off: both answers, and whether the writer
/// answered the first.
async fn both_ways(emu: &EmulatorHandle, key: &str, body: &str) -> (String, String, bool) {
    let ep = emu.endpoint();
    emu.set_writer(true);
    let before = emu.probe().writer_answers;
    let (status_fast, _, fast) = post_raw(&ep, Some(key), body.to_owned()).await.unwrap();
    let answered = emu.probe().writer_answers > before;
    emu.set_writer(false);
    let (status_slow, _, slow) = post_raw(&ep, Some(key), body.to_owned()).await.unwrap();
    emu.set_writer(true);
    assert_eq!(status_fast, status_slow, "{body}");
    (fast, slow, answered)
}

/// Prepared documents kept, and their estimated memory.
fn cached(emu: &EmulatorHandle) -> (usize, usize) {
    let probe = emu.probe();
    (probe.cached_documents, probe.cached_document_bytes)
}

/// Users by email: (id, email).
fn user_ids(emu: &EmulatorHandle) -> Vec<(String, String)> {
    [
        "admin@example.com",
        "labeler@example.com",
        "reviewer@example.com",
        "manager@example.com",
        "tenant-admin@example.com",
        "external@example.com",
        "admin2@example.com",
    ]
    .iter()
    .map(|e| (emu.user_id(e).unwrap(), (*e).to_owned()))
    .collect()
}

/// An emulator with keys of several users, allowlists, names that need escaping, expired,
/// revoked and removed members' keys; and the keys of the callers compared.
async fn populated() -> (EmulatorHandle, Vec<(&'static str, String)>, String) {
    let emu = labelbox_test_support::emulator::start_with(
        EmulatorConfig::default().admin_key_seed("fast-path-tests"),
    )
    .await;
    let ep = emu.endpoint();
    let admin = emu.admin_key().to_owned();
    let names = [
        "naïve \"quoted\" \\ back\\slash",
        "line\nbreak\ttab\u{1}\u{1f}\u{7f} end",
        "emoji 😀 and </script> & ' \u{2028}",
        "plain",
    ];
    for (i, name) in names.iter().enumerate() {
        let owner = [
            "labeler@example.com",
            "manager@example.com",
            "admin@example.com",
        ][i % 3];
        let allowed: Option<Vec<String>> = match i {
            0 => Some(vec![
                "10.0.0.0/8".into(),
                "127.0.0.1".into(),
                "2001:db8::/32".into(),
            ]),
            1 => Some(vec!["::ffff:127.0.0.1".into()]),
            _ => None,
        };
        // Names with control characters, which `createApiKey` refuses: planted as stored
        // keys (seeded, or from a server that takes them) may hold them.
        emu.issue_named_key(name, owner, "Labeler", 3600, allowed)
            .unwrap();
    }
    let (revoked, _) = create_ok(
        &ep,
        &admin,
        "to revoke",
        "reviewer@example.com",
        "Labeler",
        None,
    )
    .await;
    data(&revoke(&ep, &admin, &revoked).await);
    emu.issue_key("labeler@example.com", "Labeler", -10, None)
        .unwrap();
    emu.issue_key(
        "external@example.com",
        "Labeler",
        3600,
        Some(vec!["0.0.0.0/0".into()]),
    )
    .unwrap();
    // A member with keys, then removed: the keys are listed nowhere.
    emu.issue_key("nobody@example.com", "Labeler", 3600, None)
        .unwrap();
    let nobody = emu.user_id("nobody@example.com").unwrap();
    let removed = gql(
        &ep,
        Some(&admin),
        &query("remove_member"),
        json!({ "userId": nobody }),
    )
    .await;
    data(&removed);
    // Pending invites (issue 21), with emails that need escaping.
    let invited = gql(
        &ep,
        Some(&admin),
        &query("invite_members"),
        json!({ "data": {
            "emails": ["o'brien@example.com", "</script>\"q\\@example.com", "plain@example.com"],
            "roleId": labelbox_emulator::roles::role_by_name("Reviewer").unwrap().id,
        } }),
    )
    .await;
    data(&invited);

    let key = |email: &str, role: &str| emu.issue_key(email, role, 3600, None).unwrap().1;
    let callers = vec![
        ("bootstrap admin", admin.clone()),
        (
            "admin's key with role Labeler",
            key("admin@example.com", "Labeler"),
        ),
        ("labeler", key("labeler@example.com", "Labeler")),
        ("reviewer", key("reviewer@example.com", "Reviewer")),
        ("team manager", key("manager@example.com", "Team Manager")),
        (
            "tenant admin",
            key("tenant-admin@example.com", "Tenant Admin"),
        ),
        ("second admin", key("admin2@example.com", "Admin")),
        ("external labeler", key("external@example.com", "Labeler")),
        (
            "expired key",
            emu.issue_key("reviewer@example.com", "Reviewer", -1, None)
                .unwrap()
                .1,
        ),
    ];
    (emu, callers, nobody)
}

/// Every query document of `queries/`, each with several variable sets.
fn known_operations(users: &[(String, String)], removed: &str) -> Vec<Case> {
    let dir = labelbox_test_support::workspace_root().join("queries");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    let mut ids: Vec<Value> = users.iter().map(|(id, _)| json!(id)).collect();
    ids.extend([json!(removed), json!("cunknownuser000000000000"), json!("")]);
    let emails = [
        json!("labeler@example.com"),
        json!("  MANAGER@example.COM "),
        json!("nobody@example.com"),
        json!("nobody-at-all@example.com"),
    ];
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        if text.contains("mutation ") {
            continue;
        }
        let label = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut variable_sets: Vec<Value> = vec![json!({})];
        if text.contains("$id") {
            variable_sets = ids.iter().map(|id| json!({ "id": id })).collect();
        } else if text.contains("$userId") {
            variable_sets = ids.iter().map(|id| json!({ "userId": id })).collect();
            variable_sets.push(json!({ "userId": null }));
            variable_sets.push(json!({}));
        } else if text.contains("$email") {
            variable_sets = emails.iter().map(|e| json!({ "email": e })).collect();
        }
        if text.contains("$skip") {
            variable_sets = [0, 1, 3, 100]
                .iter()
                .map(|skip| json!({ "skip": skip }))
                .collect();
        }
        for variables in variable_sets {
            cases.push(case(
                &format!("{label} {variables}"),
                &text,
                variables,
                None,
            ));
        }
    }
    cases
}

/// The official Python SDK's recorded queries (mutations left out), with variables of
/// this emulator's users.
fn official_requests(users: &[(String, String)]) -> Vec<Case> {
    let mut cases = Vec::new();
    for file in [
        "official-python-sdk-requests.jsonl",
        "official-python-sdk-members.jsonl",
    ] {
        let path = labelbox_test_support::workspace_root()
            .join("tests/fixtures")
            .join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let recorded: Value = serde_json::from_str(line).unwrap();
            let query = recorded["query"].as_str().unwrap();
            if query.trim_start().starts_with("mutation") {
                continue;
            }
            let mut variables = recorded["variables"].clone();
            if let Some(map) = variables.as_object_mut() {
                for (name, value) in map.iter_mut() {
                    let declared_id = query.contains(&format!("${name}: ID"));
                    *value = match (name.as_str(), declared_id) {
                        (_, true) => json!(users[1].0),
                        ("userId", _) => json!(users[2].0),
                        _ => json!(users[3].1),
                    };
                }
            }
            let label = format!("{} {}", file, recorded["sdk_call"]);
            cases.push(case(&label, query, variables, None));
        }
    }
    cases
}

/// Hand-written queries: aliases, `__typename`, fragments (named, inline, nested, spread
/// twice, with directives), `@skip`/`@include` with literals, variables and defaults,
/// fields merged from several selections, nested users and members, several operations in
/// a document; and queries whose answer is an error (the executor's).
fn crafted(users: &[(String, String)]) -> Vec<Case> {
    let other = &users[1].0;
    let everything = r#"
        query Everything($withKeys: Boolean!, $hideEmail: Boolean = false, $first: Int) {
          __typename
          me: user {
            __typename
            id
            alias1: id
            ... on User { email @skip(if: $hideEmail) name }
            ...UserBits
            ... @include(if: $withKeys) { apiKeys { __typename id n: name } }
            apiKeys @include(if: $withKeys) { createdAt allowedIpCidrs id }
            others: apiKeysOtherUsers { ...K ...K @skip(if: true) userEmail expiresAtEpoch }
            apiKeysOtherUsers { id }
            orgRole { id name permissions organizationId __typename }
            organization {
              __typename id name createdAt updatedAt
              users(skip: 1, first: $first) {
                id email isViewer orgRole { name }
                apiKeys { id } apiKeysOtherUsers { id }
                organization { id users(first: 2) { name } }
              }
            }
          }
        }
        fragment UserBits on User {
          isViewer createdAt updatedAt lastLoginAt nickname picture isExternalUser deleted
          ...More
        }
        fragment More on User { id email apiKeys { id name } }
        fragment K on ApiKey { id name revoked createdByUserId }
    "#;
    let listing_twice = r#"
        query Twice {
          user {
            apiKeys { id name createdAt updatedAt revoked expiresAtEpoch userId userEmail createdByUserId allowedIpCidrs }
            again: apiKeys { allowedIpCidrs userEmail __typename }
            apiKeysOtherUsers { id name createdAt updatedAt revoked expiresAtEpoch userId userEmail createdByUserId allowedIpCidrs }
            a2: apiKeysOtherUsers @include(if: false) { id }
          }
        }
    "#;
    let roles = "{ roles { id name permissions organizationId } r2: roles { __typename name } }";
    let permissions = "query P($u: ID) { organizationRole(userId: $u) { permissions __typename } mine: organizationRole { permissions } }";
    let by_literal = format!(
        r#"{{ user(where: {{id: "{other}"}}) {{ id email orgRole {{ name }} organization {{ users(where: {{email: " LABELER@example.com "}}) {{ id }} }} }} nobody: user(where: null) {{ id }} }}"#
    );
    let nested = "{ user { organization { users { organization { users { orgRole { name } isViewer } } } } } }";
    let two_operations = "query A { user { id } } query B { roles { name } organization { name } }";
    let paging = "query Page($skip: Int, $first: Int) { organization { users(skip: $skip, first: $first) { id } } }";
    let mut cases = vec![
        case("everything", everything, json!({ "withKeys": true }), None),
        case(
            "everything, variables",
            everything,
            json!({ "withKeys": false, "hideEmail": true, "first": 2 }),
            None,
        ),
        case(
            "everything, null first",
            everything,
            json!({ "withKeys": true, "first": null }),
            None,
        ),
        case("listing twice", listing_twice, json!(null), None),
        case("roles", roles, json!(null), None),
        case(
            "permissions of another",
            permissions,
            json!({ "u": other }),
            None,
        ),
        case("permissions, null", permissions, json!({ "u": null }), None),
        case(
            "permissions, unknown",
            permissions,
            json!({ "u": "cnope" }),
            None,
        ),
        case("permissions, absent", permissions, json!({}), None),
        case("user by literal", &by_literal, json!(null), None),
        case("nested", nested, json!(null), None),
        case("operation A", two_operations, json!(null), Some("A")),
        case("operation B", two_operations, json!(null), Some("B")),
        case("paging", paging, json!({ "skip": 2, "first": 1 }), None),
        case(
            "paging, zero",
            paging,
            json!({ "skip": 0, "first": 0 }),
            None,
        ),
        case(
            "paging, variable defaults",
            "query D($skip: Int = 1, $first: Int = 2) { organization { users(skip: $skip, first: $first) { id } } }",
            json!({}),
            None,
        ),
        case(
            "absent variable in an input object",
            "query E($e: String) { organization { users(where: {email: $e}) { id } } }",
            json!({}),
            None,
        ),
        case(
            "null in an input object",
            "{ organization { users(where: {email: null}) { id } } }",
            json!(null),
            None,
        ),
        // Errors: the executor answers.
        case("negative skip", paging, json!({ "skip": -1 }), None),
        case("negative first", paging, json!({ "first": -5 }), None),
        case("bad variable", paging, json!({ "skip": "x" }), None),
        case(
            "null id",
            "query U($id: ID) { user(where: {id: $id}) { id } }",
            json!({ "id": null }),
            None,
        ),
        case(
            "missing required variable",
            "query U($id: ID!) { user(where: {id: $id}) { id } }",
            json!({}),
            None,
        ),
        case("unknown operation", two_operations, json!(null), Some("C")),
        case("no operation chosen", two_operations, json!(null), None),
        // Introspection: the executor answers.
        case(
            "__schema",
            "{ __schema { queryType { name } } }",
            json!(null),
            None,
        ),
        case(
            "__type",
            r#"{ __type(name: "ApiKey") { name fields { name } } user { id } }"#,
            json!(null),
            None,
        ),
    ];
    cases.push(case(
        "include and skip together",
        "query I($x: Boolean!) { user { id @include(if: $x) @skip(if: $x) email @include(if: $x) name @skip(if: $x) } }",
        json!({ "x": true }),
        None,
    ));
    cases
}

#[tokio::test]
async fn the_fast_path_answers_byte_for_byte_what_the_executor_answers() {
    let (emu, callers, removed) = populated().await;
    let users = user_ids(&emu);
    let mut cases = known_operations(&users, &removed);
    cases.extend(official_requests(&users));
    cases.extend(crafted(&users));
    let mut fast_answers = 0;
    for (who, key) in &callers {
        for case in &cases {
            let (fast, slow, answered) = both_ways(&emu, key, &case.body).await;
            assert_eq!(
                fast, slow,
                "caller {who}, {}: the two answers differ",
                case.label
            );
            let parsed: Value = serde_json::from_str(&fast)
                .unwrap_or_else(|e| panic!("{}: not JSON ({e}): {fast}", case.label));
            // The JSON writer answers exactly the queries answered without an error that
            // need neither field merging nor directives nor introspection.
            let expected = parsed.get("errors").is_none() && !case.executor_only;
            assert_eq!(
                answered, expected,
                "caller {who}, {}: answered by the fast path: {answered}; answer {fast}",
                case.label
            );
            fast_answers += u32::from(answered);
        }
    }
    // Non-vacuous: most of the corpus went through the fast path, with keys listed.
    assert!(fast_answers > 300, "{fast_answers}");
    let admin = &callers[0].1;
    let (_, listing, _) = both_ways(&emu, admin, &cases_body("list_api_keys")).await;
    assert!(
        listing.contains(r#"naïve \"quoted\" \\ back\\slash"#),
        "{listing}"
    );
    assert!(
        listing.contains(r#"line\nbreak\ttab\u0001\u001f"#),
        "{listing}"
    );
}

fn cases_body(name: &str) -> String {
    json!({ "query": query(name), "variables": {} }).to_string()
}

/// A key whose `expiresAtEpoch` does not fit a GraphQL `Int` makes the executor answer
/// an error; the fast path leaves every listing that shows it to the executor.
#[tokio::test]
async fn a_value_the_executor_refuses_is_left_to_the_executor() {
    let emu = start().await;
    let admin = emu.admin_key().to_owned();
    let before = emu.probe().writer_answers;
    let (fast, slow, answered) = both_ways(&emu, &admin, &cases_body("list_api_keys")).await;
    assert!(answered && fast == slow && emu.probe().writer_answers == before + 1);
    // Valid until about 2100: beyond 2^31 seconds.
    emu.issue_key("labeler@example.com", "Labeler", 75 * 365 * 86_400, None)
        .unwrap();
    let (fast, slow, answered) = both_ways(&emu, &admin, &cases_body("list_api_keys")).await;
    assert_eq!(fast, slow);
    assert!(!answered, "{fast}");
    assert!(fast.contains("overflows Int"), "{fast}");
}

/// The cache keeps at most 512 documents and 8 MiB of estimated memory, whatever the
/// client sends, and never a document over 64 KiB of text (what the estimate is worth:
/// `tests/document_cache_memory.rs`).
#[tokio::test]
async fn many_distinct_queries_do_not_grow_the_document_cache_past_its_bounds() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    for i in 0..600 {
        let body = gql(
            &ep,
            Some(&admin),
            &format!("query Q{i} {{ user {{ id }} }}"),
            json!(null),
        )
        .await;
        data(&body);
        let (documents, bytes) = cached(&emu);
        assert!(
            documents <= 512 && bytes <= 8 * 1024 * 1024,
            "{documents} {bytes}"
        );
    }
    assert_eq!(emu.probe().cached_documents, 512);
    // Large documents (padded with a comment): the bytes bound holds.
    let padding = "#".repeat(40 * 1024);
    for i in 0..80 {
        let text = format!("{padding}\nquery Big{i} {{ user {{ id }} }}");
        data(&gql(&ep, Some(&admin), &text, json!(null)).await);
        let (documents, bytes) = cached(&emu);
        assert!(
            documents <= 512 && bytes <= 8 * 1024 * 1024,
            "{documents} {bytes}"
        );
    }
    assert!(emu.probe().cached_document_bytes > 7 * 1024 * 1024);
    // Over 64 KiB: answered, not kept.
    let before = cached(&emu);
    let huge = format!("{}\nquery Huge {{ user {{ id }} }}", "#".repeat(70 * 1024));
    data(&gql(&ep, Some(&admin), &huge, json!(null)).await);
    assert_eq!(cached(&emu), before);
    // A failed preparation is never kept.
    let before = cached(&emu);
    let invalid = gql(
        &ep,
        Some(&admin),
        "query Bad { user { nope } }",
        json!(null),
    )
    .await;
    assert_eq!(code(&invalid), "GRAPHQL_VALIDATION_FAILED");
    assert_eq!(cached(&emu), before);
}

/// A document prepared and kept while the state was small is refused once the state has
/// grown past what its estimated response allows: the cost check runs against every
/// request's state, kept document or not, fast path or not.
#[tokio::test]
async fn a_kept_document_is_checked_against_the_current_state() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    // 60 listings: each key estimates 12 values (the key and its 11 fields), so 60 listings
    // pass with a few keys and exceed 500,000 values from about 700 keys on.
    let listing = "apiKeysOtherUsers { id name createdAt updatedAt revoked expiresAtEpoch userId userEmail createdByUserId allowedIpCidrs }";
    let text = format!(
        "query Many {{{} }}",
        (0..60)
            .map(|i| format!(" a{i}: user {{ {listing} }}"))
            .collect::<String>()
    );
    data(&gql(&ep, Some(&admin), &text, json!(null)).await);
    let kept = cached(&emu);
    data(&gql(&ep, Some(&admin), &text, json!(null)).await);
    assert_eq!(
        cached(&emu),
        kept,
        "prepared again instead of taken from the cache"
    );
    emu.issue_keys(1_000, "labeler@example.com", "Labeler", 3600)
        .unwrap();
    for fast in [true, false] {
        emu.set_writer(fast);
        let body = gql(&ep, Some(&admin), &text, json!(null)).await;
        assert_eq!(code(&body), "GRAPHQL_VALIDATION_FAILED", "{body}");
        assert_eq!(message(&body), "Query complexity limit exceeded");
        let reason = body["errors"][0]["extensions"]["reason"].as_str().unwrap();
        assert!(reason.contains("response values"), "{reason}");
    }
    assert_eq!(cached(&emu), kept);
}

/// What a state snapshot derives (its listed keys, their rendered JSON) follows every
/// change: listings after a creation, a revocation and a removal, on both paths, and within
/// one mutation that lists, revokes and lists again.
#[tokio::test]
async fn listings_follow_every_change() {
    let emu = start().await;
    let (ep, admin) = (emu.endpoint(), emu.admin_key().to_owned());
    let listing = cases_body("list_api_keys");
    let listed = |body: &str| -> Vec<String> {
        let v: Value = serde_json::from_str(body).unwrap();
        let user = &data(&v)["user"];
        let mut all = ids(user["apiKeys"].as_array().unwrap());
        all.extend(ids(user["apiKeysOtherUsers"].as_array().unwrap()));
        all
    };
    let (fast, slow, answered) = both_ways(&emu, &admin, &listing).await;
    assert!(answered && fast == slow);
    let (created, _) = create_ok(&ep, &admin, "new", "labeler@example.com", "Labeler", None).await;
    let (fast, slow, answered) = both_ways(&emu, &admin, &listing).await;
    assert!(answered && fast == slow);
    assert!(listed(&fast).contains(&created));
    data(&revoke(&ep, &admin, &created).await);
    let (fast, slow, _) = both_ways(&emu, &admin, &listing).await;
    assert_eq!(fast, slow);
    assert!(!listed(&fast).contains(&created));
    let (of_removed, _) = emu
        .issue_key("admin2@example.com", "Labeler", 3600, None)
        .unwrap();
    let (fast, _, _) = both_ways(&emu, &admin, &listing).await;
    assert!(listed(&fast).contains(&of_removed));
    let admin2 = emu.user_id("admin2@example.com").unwrap();
    data(
        &gql(
            &ep,
            Some(&admin),
            &query("remove_member"),
            json!({ "userId": admin2 }),
        )
        .await,
    );
    let (fast, slow, _) = both_ways(&emu, &admin, &listing).await;
    assert_eq!(fast, slow);
    assert!(!listed(&fast).contains(&of_removed));

    // One mutation: list the caller's keys, revoke one, list again.
    let (own, _) = create_ok(&ep, &admin, "own", "admin@example.com", "Labeler", None).await;
    let me = emu.user_id("admin@example.com").unwrap();
    let text = r#"mutation M($id: ID!, $me: ID!) {
        before: updateUser(where: {id: $me}, data: {}) { apiKeys { id } }
        revoke: updateApiKey(where: {id: $id}, data: {revoked: true}) { id }
        after: updateUser(where: {id: $me}, data: {}) { apiKeys { id } }
    }"#;
    let body = gql(&ep, Some(&admin), text, json!({ "id": own, "me": me })).await;
    let d = data(&body);
    assert!(
        ids(d["before"]["apiKeys"].as_array().unwrap()).contains(&own),
        "{body}"
    );
    assert!(
        !ids(d["after"]["apiKeys"].as_array().unwrap()).contains(&own),
        "{body}"
    );
}

/// A listing too large to be answered on the receiving task (estimated above 100,000
/// values) is answered by the fast path on a blocking thread, with the same bytes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_large_listing_is_answered_the_same_both_ways() {
    let emu = start().await;
    let admin = emu.admin_key().to_owned();
    emu.issue_keys(5_000, "labeler@example.com", "Labeler", 3600)
        .unwrap();
    emu.issue_key(
        "manager@example.com",
        "Labeler",
        3600,
        Some(vec!["10.1.0.0/16".into()]),
    )
    .unwrap();
    for _ in 0..2 {
        let (fast, slow, answered) = both_ways(&emu, &admin, &cases_body("list_api_keys")).await;
        assert!(answered);
        assert!(fast == slow, "the two answers differ");
        assert!(fast.len() > 5_000 * 300, "{}", fast.len());
    }
}

/// Past the selections a state snapshot keeps rendered (8), listings write each key they
/// show directly: the same bytes.
#[tokio::test]
async fn listings_past_the_kept_selections_are_the_same() {
    let emu = start().await;
    let admin = emu.admin_key().to_owned();
    emu.issue_keys(20, "labeler@example.com", "Labeler", 3600)
        .unwrap();
    emu.issue_key(
        "admin@example.com",
        "Labeler",
        3600,
        Some(vec!["10.0.0.1".into()]),
    )
    .unwrap();
    for i in 0..12 {
        let text = format!(
            "query L{i} {{ user {{ apiKeys {{ a{i}: id name allowedIpCidrs }} apiKeysOtherUsers {{ a{i}: id userEmail createdAt }} }} }}"
        );
        let body = json!({ "query": text }).to_string();
        let (fast, slow, answered) = both_ways(&emu, &admin, &body).await;
        assert!(answered);
        assert_eq!(fast, slow, "selection {i}");
        assert!(fast.contains(&format!("\"a{i}\":")), "{fast}");
    }
}

/// The invite listing, its pages, the invite limit and the root `users` query (issue 21):
/// the JSON writer answers them byte for byte as the executor does, for every caller.
#[tokio::test]
async fn invites_and_users_are_written_as_the_executor_answers_them() {
    let (emu, callers, _) = populated().await;
    let ep = emu.endpoint();
    let admin = &callers[0].1;
    let org = op(&ep, admin, "organization", json!(null)).await;
    let org = data(&org)["organization"]["id"].clone();
    let with_inviter = "query I($first: PageSize) { organization { invites(first: $first) { __typename nextCursor nodes { __typename id inviteeEmail organizationRoleName createdAt projectInvites { id } inviter { id email orgRole { name } } } } } }";
    let mut cases = vec![
        case(
            "invites, page of 1",
            &query("list_invites"),
            json!({ "first": 1 }),
            None,
        ),
        case(
            "invites, second page",
            &query("list_invites"),
            json!({ "from": "1", "first": 1 }),
            None,
        ),
        case("invites, all", &query("list_invites"), json!({}), None),
        case(
            "invites with inviter",
            with_inviter,
            json!({ "first": 2 }),
            None,
        ),
        case(
            "limit",
            &query("invites_limit"),
            json!({ "organizationId": org }),
            None,
        ),
        case(
            "limit, another org",
            &query("invites_limit"),
            json!({ "organizationId": "cother" }),
            None,
        ),
        case("users", &query("users"), json!(null), None),
        case(
            "users by email",
            &query("users_by_email"),
            json!({ "email": " O'Brien@example.com" }),
            None,
        ),
        case("preflight", &query("invite_preflight"), json!(null), None),
    ];
    cases.push(case(
        "bad page",
        &query("list_invites"),
        json!({ "first": 0 }),
        None,
    ));
    let mut written = 0;
    for (who, key) in &callers {
        for case in &cases {
            let (fast, slow, answered) = both_ways(&emu, key, &case.body).await;
            assert_eq!(fast, slow, "caller {who}, {}", case.label);
            let parsed: Value = serde_json::from_str(&fast).unwrap();
            assert_eq!(
                answered,
                parsed.get("errors").is_none(),
                "caller {who}, {}: {fast}",
                case.label
            );
            written += u32::from(answered);
        }
    }
    // Non-vacuous: the admin's listing shows the invites.
    let (listing, _, _) = both_ways(&emu, admin, &cases[2].body).await;
    assert!(
        listing.contains(r#"\u003c/script\u003e"#) || listing.contains("</script>"),
        "{listing}"
    );
    assert!(listing.contains("o'brien@example.com"), "{listing}");
    assert!(written > 50, "{written}");
}
