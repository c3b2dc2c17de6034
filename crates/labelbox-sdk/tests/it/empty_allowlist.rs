//! An empty IP allowlist fails open on the wire (the API stores `allowedIpCidrs: []` as "no
//! allowlist"), so the SDK refuses it before sending anything: asking for "nowhere" must not
//! give "anywhere".

use crate::support;

use labelbox_sdk::ConstructionError;
use labelbox_sdk::{
    AllowlistError, CreateApiKeyRequest, Error, IpAllowlist, ValidationError, Validity,
};
use labelbox_sdk::{RoleRef, UserRef};
use support::{client, fake_labelbox, TestServer};

fn request() -> CreateApiKeyRequest {
    CreateApiKeyRequest::new(
        "ci",
        UserRef::by_email("ada@example.com"),
        RoleRef::by_name("Labeler"),
        Validity::MIN,
    )
}

#[tokio::test]
async fn no_allowlist_entries_is_refused_before_any_request() {
    let server = TestServer::start(fake_labelbox).await;
    let error = client(&server.url)
        .create_api_key(request().allowed_ip_entries(Vec::<String>::new()))
        .await
        .expect_err("an empty allowlist must be refused");
    assert!(
        matches!(
            error,
            Error::Construction(ConstructionError::Validation(ValidationError::Allowlist(
                AllowlistError::Empty
            )))
        ),
        "{error:?}"
    );
    assert!(error.is_validation());
    let text = error.to_string();
    assert!(text.contains("at least one entry"), "{text}");
    assert!(text.contains("give no allowlist"), "{text}");
    assert_eq!(server.request_count(), 0, "nothing may be sent");
}

#[test]
fn an_ip_allowlist_cannot_be_empty_in_any_form() {
    assert_eq!(
        IpAllowlist::new(Vec::<&str>::new()),
        Err(AllowlistError::Empty)
    );
    assert_eq!("".parse::<IpAllowlist>(), Err(AllowlistError::Empty));
    assert!(serde_json::from_str::<IpAllowlist>("[]").is_err());
}

#[tokio::test]
async fn without_an_allowlist_the_key_is_sent_with_null() {
    // The one way to ask for "anywhere": no allowlist at all, sent as `null`.
    let server = TestServer::start(fake_labelbox).await;
    client(&server.url)
        .create_api_key(request())
        .await
        .expect("created");
    let create = server
        .requests()
        .into_iter()
        .find(|r| r.operation() == "CreateApiKey")
        .expect("the mutation was sent");
    assert_eq!(
        create.json()["variables"]["allowedIpCidrs"],
        serde_json::Value::Null
    );
}
