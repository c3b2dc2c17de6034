//! Every local check of `create_api_key`, with the contract's messages, in the contract's
//! order, and proof that invalid input sends no request (the server counts zero).

use crate::support;

use labelbox_sdk::ConstructionError;
use labelbox_sdk::{
    AllowlistError, CreateApiKeyRequest, Error, IpAllowlist, TimeUnit, ValidationError, Validity,
    ValidityError,
};
use labelbox_sdk::{RoleRef, UserRef};
use support::{client, fake_labelbox, TestServer};

fn valid() -> CreateApiKeyRequest {
    CreateApiKeyRequest::new(
        "ci",
        UserRef::by_email("ada@example.com"),
        RoleRef::by_name("Labeler"),
        Validity::MIN,
    )
}

/// Sends `request` and returns the error and how many requests reached the server.
async fn refused(request: CreateApiKeyRequest) -> (Error, usize) {
    let server = TestServer::start(fake_labelbox).await;
    let error = client(&server.url)
        .create_api_key(request)
        .await
        .expect_err("the request must be refused");
    (error, server.request_count())
}

#[tokio::test]
async fn empty_name() {
    for name in ["", "   "] {
        let (error, sent) = refused(CreateApiKeyRequest::new(
            name,
            UserRef::by_email("ada@example.com"),
            RoleRef::by_name("Labeler"),
            Validity::MIN,
        ))
        .await;
        assert!(matches!(
            error,
            Error::Construction(ConstructionError::Validation(ValidationError::EmptyName))
        ));
        assert_eq!(error.to_string(), "name must be a non-empty string");
        assert_eq!(sent, 0);
    }
}

#[tokio::test]
async fn allowlist_entry_not_an_address() {
    let (error, sent) = refused(valid().allowed_ip_entries(["10.0.0.0/8", "not-an-ip"])).await;
    assert!(matches!(
        error,
        Error::Construction(ConstructionError::Validation(ValidationError::Allowlist(
            AllowlistError::Entry { index: 1, .. }
        )))
    ));
    assert!(
        error.to_string().starts_with("allowed_ip_cidrs[1]"),
        "{error}"
    );
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn allowlist_entry_empty_after_trimming() {
    let (error, sent) = refused(valid().allowed_ip_entries(["  "])).await;
    assert!(matches!(
        error,
        Error::Construction(ConstructionError::Validation(ValidationError::Allowlist(
            AllowlistError::Entry { index: 0, .. }
        )))
    ));
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn allowlist_network_with_host_bits() {
    let (error, sent) = refused(valid().allowed_ip_entries(["10.0.0.1/8"])).await;
    assert_eq!(
        error.to_string(),
        "allowed_ip_cidrs[0]: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?"
    );
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn allowlist_more_than_50_unique() {
    let entries: Vec<String> = (0..51).map(|i| format!("10.0.0.{i}")).collect();
    let (error, sent) = refused(valid().allowed_ip_entries(entries)).await;
    assert!(matches!(
        error,
        Error::Construction(ConstructionError::Validation(ValidationError::Allowlist(
            AllowlistError::TooMany { count: 51 }
        )))
    ));
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn allowlist_is_trimmed_canonical_and_deduplicated_on_the_wire() {
    let server = TestServer::start(fake_labelbox).await;
    // 60 entries that are 50 unique ones (after trimming): allowed.
    let mut entries: Vec<String> = (0..50).map(|i| format!(" 10.0.0.{i} ")).collect();
    entries.extend((0..10).map(|i| format!("10.0.0.{i}")));
    client(&server.url)
        .create_api_key(valid().allowed_ip_entries(entries.clone()))
        .await
        .unwrap();
    let sent = &server.requests()[1].json()["variables"]["allowedIpCidrs"];
    assert_eq!(sent.as_array().unwrap().len(), 50);
    assert_eq!(sent[0], "10.0.0.0");
    // One more unique entry is one too many.
    entries.push("2001:db8::1".into());
    let (error, _) = refused(valid().allowed_ip_entries(entries)).await;
    assert!(matches!(
        error,
        Error::Construction(ConstructionError::Validation(ValidationError::Allowlist(
            AllowlistError::TooMany { count: 51 }
        )))
    ));
    // IPv6 compressed, duplicates by canonical form dropped, first order kept.
    client(&server.url)
        .create_api_key(valid().allowed_ip_entries([
            " 2001:0db8:0000::0001 ",
            "10.0.0.0/8",
            "2001:db8::1",
        ]))
        .await
        .unwrap();
    assert_eq!(
        server.requests()[3].json()["variables"]["allowedIpCidrs"],
        serde_json::json!(["2001:db8::1", "10.0.0.0/8"])
    );
}

#[tokio::test]
async fn empty_user_email() {
    let (error, sent) = refused(CreateApiKeyRequest::new(
        "ci",
        UserRef::by_email(" "),
        RoleRef::by_name("Labeler"),
        Validity::MIN,
    ))
    .await;
    assert!(matches!(
        error,
        Error::Construction(ConstructionError::Validation(
            ValidationError::EmptyUserEmail
        ))
    ));
    assert_eq!(sent, 0);
}

#[tokio::test]
async fn empty_role_name() {
    let (error, sent) = refused(CreateApiKeyRequest::new(
        "ci",
        UserRef::by_email("ada@example.com"),
        RoleRef::by_name(""),
        Validity::MIN,
    ))
    .await;
    assert!(matches!(
        error,
        Error::Construction(ConstructionError::Validation(
            ValidationError::EmptyRoleName
        ))
    ));
    assert_eq!(sent, 0);
}

#[test]
fn validity_rules_have_the_contract_messages() {
    // A `Validity` cannot be out of range, so an invalid one can never reach a request.
    assert_eq!(
        Validity::new(59, TimeUnit::Second).unwrap_err().to_string(),
        "Minimum validity period is 1 minute"
    );
    assert_eq!(
        Validity::new(0, TimeUnit::Week).unwrap_err(),
        ValidityError::TooShort
    );
    assert_eq!(
        Validity::new(26, TimeUnit::Week).unwrap_err().to_string(),
        "Maximum validity period is 6 months (or 25 weeks)"
    );
    assert!(matches!(
        Validity::new(-1, TimeUnit::Day),
        Err(ValidityError::Negative { .. })
    ));
    assert_eq!(Validity::new(25, TimeUnit::Week).unwrap(), Validity::MAX);
    assert_eq!(Validity::new(1, TimeUnit::Minute).unwrap(), Validity::MIN);
}

#[tokio::test]
async fn checks_run_in_the_contract_order() {
    // Empty name and a bad allowlist and an empty user: the name is reported.
    let (error, _) = refused(
        CreateApiKeyRequest::new(
            "",
            UserRef::by_email(""),
            RoleRef::by_name(""),
            Validity::MIN,
        )
        .allowed_ip_entries(["bad"]),
    )
    .await;
    assert!(matches!(
        error,
        Error::Construction(ConstructionError::Validation(ValidationError::EmptyName))
    ));
    // Then the allowlist before the user.
    let (error, _) = refused(
        CreateApiKeyRequest::new(
            "ci",
            UserRef::by_email(""),
            RoleRef::by_name(""),
            Validity::MIN,
        )
        .allowed_ip_entries(["bad"]),
    )
    .await;
    assert!(matches!(
        error,
        Error::Construction(ConstructionError::Validation(ValidationError::Allowlist(_)))
    ));
    // Then the user before the role.
    let (error, _) = refused(CreateApiKeyRequest::new(
        "ci",
        UserRef::by_email(""),
        RoleRef::by_name(""),
        Validity::MIN,
    ))
    .await;
    assert!(matches!(
        error,
        Error::Construction(ConstructionError::Validation(
            ValidationError::EmptyUserEmail
        ))
    ));
}

#[tokio::test]
async fn unknown_user_is_refused_after_one_request_without_the_mutation() {
    let server = TestServer::start(fake_labelbox).await;
    let error = client(&server.url)
        .create_api_key(CreateApiKeyRequest::new(
            "ci",
            UserRef::by_email("nobody@example.com"),
            RoleRef::by_name("Labeler"),
            Validity::MIN,
        ))
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "User with email 'nobody@example.com' does not exist in the organization"
    );
    assert!(
        matches!(error, Error::Construction(ConstructionError::UserNotFound { ref email }) if email == "nobody@example.com")
    );
    assert_eq!(server.request_count(), 1);
    assert_eq!(server.requests()[0].operation(), "CreateApiKeyPreflight");
}

#[tokio::test]
async fn role_not_grantable_or_misspelt_is_refused_without_the_mutation() {
    let server = TestServer::start(fake_labelbox).await;
    let client = client(&server.url);
    // Caller holds LABEL and REVIEW: Admin needs more; None and Tenant Admin never;
    // "LABELER" is not the server's spelling.
    for role in ["Admin", "Tenant Admin", "None", "LABELER", "Nonexistent"] {
        let error = client
            .create_api_key(CreateApiKeyRequest::new(
                "ci",
                UserRef::by_email("ada@example.com"),
                RoleRef::by_name(role),
                Validity::MIN,
            ))
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "Invalid role specified. Allowed roles are: ['Labeler', 'Reviewer']",
            "{role}"
        );
        assert!(
            matches!(error, Error::Construction(ConstructionError::InvalidRole { ref requested, .. }) if requested == role)
        );
    }
    let operations: Vec<String> = server.requests().iter().map(|r| r.operation()).collect();
    assert!(
        !operations.contains(&"CreateApiKey".to_owned()),
        "{operations:?}"
    );
    assert_eq!(
        operations.len(),
        5,
        "one preflight per attempt: {operations:?}"
    );
}

#[test]
fn an_allowlist_value_is_checked_when_made() {
    assert!(IpAllowlist::new(["300.0.0.1"]).is_err());
}
