//! The crate's own operation, generated at its build time, runs over HTTP against the
//! emulator through the SDK's `Client::execute`.

use labelbox_emulator::{Emulator, EmulatorConfig};
use labelbox_example_consumer::{key_names, my_key_names};
use labelbox_sdk::Client;

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
