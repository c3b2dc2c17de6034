//! The error's Display, retryability, delivery and accessors.

use super::*;
use crate::ValidityError;
use std::error::Error as _;

fn coded(message: &str, code: &str) -> GraphQlError {
    GraphQlError::new(message).with_code(code)
}

#[test]
fn local_messages_are_the_contract_messages() {
    assert_eq!(
        Error::Construction(ConstructionError::UserNotFound {
            email: "x@example.com".into()
        })
        .to_string(),
        "User with email 'x@example.com' does not exist in the organization"
    );
    assert_eq!(
        Error::Construction(ConstructionError::InvalidRole {
            requested: "LABELER".into(),
            allowed: vec!["Labeler".into(), "Reviewer".into()]
        })
        .to_string(),
        "Invalid role specified. Allowed roles are: ['Labeler', 'Reviewer']"
    );
    assert_eq!(
        Error::from(ValidationError::EmptyName).to_string(),
        "name must be a non-empty string"
    );
    assert_eq!(
        Error::from(ValidityError::TooShort).to_string(),
        "Minimum validity period is 1 minute"
    );
    assert_eq!(
        Error::from(ValidityError::TooLong).to_string(),
        "Maximum validity period is 6 months (or 25 weeks)"
    );
    assert_eq!(
        Error::Construction(ConstructionError::MissingApiKey).to_string(),
        "No Labelbox API key: pass one to the builder or set LABELBOX_API_KEY"
    );
    assert!(Error::from(ValidityError::TooShort).is_validation());
}

#[test]
fn transport_and_decoding_messages() {
    assert_eq!(
        Error::Service(ServiceError::HttpStatus {
            status: 401,
            message: Some("API access disabled".into())
        })
        .to_string(),
        "HTTP status 401: API access disabled"
    );
    assert_eq!(
        Error::Timeout {
            after: Some(Duration::from_secs(30)),
            delivery: Delivery::Unknown,
        }
        .to_string(),
        "Request timed out after 30s"
    );
    assert_eq!(
        Error::Timeout {
            after: None,
            delivery: Delivery::Unknown,
        }
        .to_string(),
        "Request timed out"
    );
    assert_eq!(
        Error::Service(ServiceError::RateLimited {
            message: "You have exceeded".into(),
            retry_after: Some(Duration::from_secs(5))
        })
        .to_string(),
        "API rate limit exceeded: You have exceeded (retry after 5s)"
    );
    assert_eq!(
        Error::Response(ResponseError::Decode {
            operation: "ListApiKeys".into(),
            path: "user.apiKeys[0].expiresAtEpoch".into(),
            message: "expected an integer".into()
        })
        .to_string(),
        "Unexpected ListApiKeys response at user.apiKeys[0].expiresAtEpoch: expected an integer"
    );
    assert_eq!(
        Error::Response(ResponseError::MissingData {
            operation: "CreateApiKey".into(),
            field: "createApiKey".into()
        })
        .to_string(),
        "The CreateApiKey response has no createApiKey"
    );
}

#[test]
fn causes_travel_in_source_not_display() {
    let parse = serde_json::from_str::<serde_json::Value>("<html>").unwrap_err();
    let e = Error::Response(ResponseError::InvalidJson {
        source: Box::new(parse),
    });
    assert_eq!(e.to_string(), "Failed to parse response as JSON");
    assert!(e.source().is_some());
    assert!(!e.is_retryable());

    let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer");
    let e = Error::Dispatch {
        message: "connection reset".into(),
        delivery: Delivery::Unknown,
        source: Box::new(io),
    };
    assert_eq!(e.to_string(), "Network error: connection reset");
    assert_eq!(e.source().unwrap().to_string(), "reset by peer");
    assert!(e.is_retryable());

    let inner = Error::Timeout {
        after: None,
        delivery: Delivery::Unknown,
    };
    let e = Error::CreationFailed {
        message: "the response was lost".into(),
        orphans_revoked: vec!["ck1".into(), "ck2".into()],
        source: Some(Box::new(inner)),
    };
    assert_eq!(
        e.to_string(),
        "API key creation failed: the response was lost (revoked unreachable keys: ck1, ck2)"
    );
    assert_eq!(e.source().unwrap().to_string(), "Request timed out");
    assert!(!e.is_retryable());
}

#[test]
fn retryable_only_for_transient_failures() {
    assert!(Error::Timeout {
        after: None,
        delivery: Delivery::Unknown,
    }
    .is_retryable());
    assert!(Error::Service(ServiceError::InternalServer {
        status: Some(502),
        message: None,
        graphql_error: None,
    })
    .is_retryable());
    assert!(Error::Service(ServiceError::RateLimited {
        message: "x".into(),
        retry_after: None
    })
    .is_retryable());
    assert!(!Error::Service(ServiceError::Authentication(coded(
        "x",
        "AUTHENTICATION_ERROR"
    )))
    .is_retryable());
    let generic = |status: Option<u16>| {
        Error::Service(ServiceError::InternalServer {
            status,
            message: Some("x".into()),
            graphql_error: Some(Box::new(coded("x", "INTERNAL_SERVER_ERROR"))),
        })
    };
    assert!(!generic(None).is_retryable());
    assert!(!generic(Some(500)).is_retryable());
    assert!(generic(Some(503)).is_retryable());
    assert!(!Error::Service(ServiceError::HttpStatus {
        status: 401,
        message: None
    })
    .is_retryable());
    assert!(!Error::Construction(ConstructionError::MissingApiKey).is_retryable());
}

#[test]
fn every_kind_says_how_far_the_request_got() {
    let refused = Error::from(ValidationError::EmptyName);
    assert_eq!(refused.delivery(), Delivery::NotSent);
    assert!(!refused.may_have_been_delivered());
    let connect = Error::Dispatch {
        message: "refused".into(),
        delivery: Delivery::NotSent,
        source: "refused".into(),
    };
    assert!(!connect.may_have_been_delivered());
    let late = Error::Timeout {
        after: None,
        delivery: Delivery::Unknown,
    };
    assert!(late.may_have_been_delivered());
    let unreadable = Error::Response(ResponseError::MissingData {
        operation: "CreateApiKey".into(),
        field: "createApiKey".into(),
    });
    assert_eq!(unreadable.delivery(), Delivery::Unknown);
    let limited = Error::Service(ServiceError::RateLimited {
        message: "You have exceeded".into(),
        retry_after: None,
    });
    assert_eq!(limited.delivery(), Delivery::Rejected);
    assert!(!limited.may_have_been_delivered());
    let denied = Error::Service(ServiceError::Authorization(coded(
        "no",
        "AUTHORIZATION_ERROR",
    )));
    assert_eq!(denied.delivery(), Delivery::Processed);
    let unknown = Error::Service(ServiceError::UnknownGraphQl(vec![coded("?", "ODD")]));
    assert_eq!(unknown.delivery(), Delivery::Unknown);
    let failed = Error::CreationFailed {
        message: "lost".into(),
        orphans_revoked: Vec::new(),
        source: Some(Box::new(late)),
    };
    assert_eq!(failed.delivery(), Delivery::Unknown);
}

#[test]
fn the_service_error_gives_code_message_and_retryability() {
    let e = ServiceError::NotFound(coded("gone", "RESOURCE_NOT_FOUND").with_path(["apiKey"]));
    assert_eq!(e.code(), Some("RESOURCE_NOT_FOUND"));
    assert_eq!(e.message(), Some("gone"));
    assert!(!e.is_retryable());
    assert_eq!(e.graphql_errors()[0].path_string(), "apiKey");
    let e = ServiceError::InternalServer {
        status: Some(502),
        message: Some("Bad Gateway".into()),
        graphql_error: None,
    };
    assert_eq!(
        (e.code(), e.message(), e.status()),
        (None, Some("Bad Gateway"), Some(502))
    );
    assert!(e.is_retryable());
}

#[test]
fn error_is_send_sync_and_static() {
    fn assert_bounds<T: Send + Sync + 'static>() {}
    assert_bounds::<Error>();
}
