//! The crate's own operation, generated at its build time, runs over HTTP against the
//! emulator through the SDK's `Client::execute`.

use std::time::Duration;

use labelbox_emulator::{Emulator, EmulatorConfig, Fault};
use labelbox_example_consumer::{key_names, my_key_names, revoke_key};
use labelbox_sdk::{Client, Delivery, Error};

#[tokio::test]
async fn my_key_names_runs_against_the_emulator() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let client = Client::builder()
        .endpoint(emulator.endpoint())
        .api_key(emulator.admin_key().to_owned())
        .build()
        .unwrap();

    let user = key_names(&client).await.unwrap().expect("a user");
    assert_eq!(user.email, emulator.admin_email());
    let admin_key = user
        .api_keys
        .iter()
        .find(|key| key.id == emulator.admin_key_id())
        .unwrap_or_else(|| panic!("the bootstrap key is not among {:?}", user.api_keys));
    assert!(!admin_key.name.is_empty());
    assert_eq!(emulator.operation_count("MyKeyNames"), 1);
}

/// The consumer's own mutation fails two ways through `Client::execute`, and the error says
/// which: a timeout after the request was sent may have been delivered (the emulator holds
/// it, then processes it), a refused connection was not.
#[tokio::test]
async fn a_failed_mutation_says_whether_it_may_have_been_delivered() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let (id, _secret) = emulator
        .issue_key(emulator.admin_email(), "Admin", 3600, None)
        .unwrap();
    let client = |endpoint: String| {
        Client::builder()
            .endpoint(endpoint)
            .api_key(emulator.admin_key().to_owned())
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap()
    };

    emulator
        .faults()
        .fail_next(1, Fault::Delay(Duration::from_secs(5)));
    let requests_before = emulator.request_count();
    let error = revoke_key(&client(emulator.endpoint()), &id)
        .await
        .unwrap_err();
    assert!(matches!(error, Error::Timeout { .. }), "{error:?}");
    assert_eq!(error.delivery(), Delivery::Unknown);
    assert!(error.may_have_been_delivered());
    assert_eq!(
        emulator.request_count() - requests_before,
        1,
        "it reached the server, and a mutation whose answer was lost is not sent again"
    );

    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let nobody = format!("http://{}/graphql", listener.local_addr().unwrap());
    drop(listener);
    let error = revoke_key(&client(nobody), &id).await.unwrap_err();
    assert!(matches!(error, Error::Dispatch { .. }), "{error:?}");
    assert_eq!(error.delivery(), Delivery::NotSent);
    assert!(!error.may_have_been_delivered());
    assert_eq!(
        emulator.request_count() - requests_before,
        1,
        "nothing more arrived"
    );
}

#[test]
fn the_generated_operation_carries_the_document() {
    use labelbox_sdk::schema::GraphQLQuery;
    let body = my_key_names::MyKeyNames::build_query(my_key_names::Variables);
    assert_eq!(body.operation_name, "MyKeyNames");
    // The query sent is the checked document without its comments and layout.
    let document = include_str!("../graphql/my_key_names.graphql");
    let without_comments: Vec<&str> = document
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .flat_map(str::split_whitespace)
        .collect();
    assert!(document.contains('#') && !body.query.contains('#'));
    assert_eq!(body.query, without_comments.join(" "));
}

/// What the emulator received when the crate revoked a key with its own `RevokeMyKey`:
/// the journal entry the emulator recorded (not a value this test built), snapshot with
/// insta; the time and the revoked key's id change at each run, so they are redacted.
#[tokio::test]
async fn the_request_revoke_key_sends_is_what_the_snapshot_shows() {
    let emulator = Emulator::start(EmulatorConfig::default()).await.unwrap();
    let (id, _secret) = emulator
        .issue_key(emulator.admin_email(), "Admin", 3600, None)
        .unwrap();
    let client = Client::builder()
        .endpoint(emulator.endpoint())
        .api_key(emulator.admin_key().to_owned())
        .build()
        .unwrap();
    emulator.clear_journal();

    revoke_key(&client, &id).await.unwrap();

    let journal = emulator.journal();
    assert_eq!(journal.dropped, 0);
    let [entry] = journal.entries.as_slice() else {
        panic!("one request expected: {journal:?}");
    };
    assert_eq!(entry.key_id, emulator.admin_key_id());
    assert_eq!(entry.variables["id"], id.as_str());
    insta::assert_json_snapshot!(entry, {
        ".sequence" => "[sequence]",
        ".receivedAt" => "[emulator time]",
        ".keyId" => "[admin key id]",
        ".variables.id" => "[revoked key id]",
    });
}
