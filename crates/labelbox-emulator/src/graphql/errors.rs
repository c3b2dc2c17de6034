//! Error answers: the codes of `errors[].extensions.code`, error bodies, and the code a
//! resolver's error carries to the response.

use std::fmt::Display;

use apollo_compiler::resolvers::FieldError;
use apollo_compiler::response::{GraphQLError, JsonValue};

use crate::cost;

/// Error codes used in `errors[].extensions.code`.
pub mod code {
    /// The API key was rejected.
    pub const AUTHENTICATION_ERROR: &str = "AUTHENTICATION_ERROR";
    /// The key may not do this.
    pub const AUTHORIZATION_ERROR: &str = "AUTHORIZATION_ERROR";
    /// The document does not parse.
    pub const GRAPHQL_PARSE_FAILED: &str = "GRAPHQL_PARSE_FAILED";
    /// The document does not validate (or is too complex).
    pub const GRAPHQL_VALIDATION_FAILED: &str = "GRAPHQL_VALIDATION_FAILED";
    /// Variables that do not match their declared types (Apollo Server's code).
    pub const BAD_USER_INPUT: &str = "BAD_USER_INPUT";
    /// The thing asked for does not exist.
    pub const RESOURCE_NOT_FOUND: &str = "RESOURCE_NOT_FOUND";
    /// An input was refused.
    pub const MALFORMED_REQUEST: &str = "MALFORMED_REQUEST";
    /// The server failed.
    pub const INTERNAL_SERVER_ERROR: &str = "INTERNAL_SERVER_ERROR";
    /// A change the organization's rules forbid (demoting or removing the last Admin).
    pub const OPERATION_NOT_ALLOWED: &str = "OPERATION_NOT_ALLOWED";
}

/// A GraphQL error body: `{"errors": [{"message", "extensions": {"code"}}]}`.
pub(crate) fn error_body(code: &str, message: impl Display) -> String {
    serde_json::json!({
        "errors": [{ "message": message.to_string(), "extensions": { "code": code } }]
    })
    .to_string()
}

/// The refusal of a query over the cost limit, as Labelbox answers it; `reason` says which
/// limit (in `extensions.reason`).
pub(crate) fn complexity_body(reason: &str) -> String {
    serde_json::json!({
        "errors": [{
            "message": cost::COMPLEXITY_MESSAGE,
            "extensions": { "code": code::GRAPHQL_VALIDATION_FAILED, "reason": reason }
        }]
    })
    .to_string()
}

/// The longest error message answered, in characters: messages quote the document's names
/// and tokens, which may be as long as the body.
pub(crate) const MAX_ERROR_MESSAGE_CHARS: usize = 1_000;

/// Cuts `message` to [`MAX_ERROR_MESSAGE_CHARS`], marking the cut with `…`.
pub(crate) fn bound_message(message: &mut String) {
    if let Some((cut, _)) = message.char_indices().nth(MAX_ERROR_MESSAGE_CHARS) {
        message.truncate(cut);
        message.push('…');
    }
}

pub(crate) fn errors_body(mut errors: Vec<GraphQLError>, code: &str) -> String {
    for e in &mut errors {
        bound_message(&mut e.message);
        e.extensions.insert("code", JsonValue::from(code));
    }
    serde_json::json!({ "errors": errors }).to_string()
}

/// Field errors carry their code as a `\0CODE\0` prefix of the message (apollo-compiler's
/// `FieldError` has only a message, and the executor prefixes it with "resolver error: ");
/// this moves the code into `extensions.code` and restores the message. Errors raised by the
/// executor itself are `INTERNAL_SERVER_ERROR`.
pub(crate) fn tag_error(error: &mut GraphQLError) {
    let tagged = error
        .message
        .split_once('\0')
        .and_then(|(_, rest)| rest.split_once('\0'))
        .map(|(code, message)| (code.to_owned(), message.to_owned()));
    let code = match tagged {
        Some((code, message)) => {
            error.message = message;
            code
        }
        None => code::INTERNAL_SERVER_ERROR.to_owned(),
    };
    error.extensions.insert("code", JsonValue::from(code));
}

pub(crate) fn field_error(code: &str, message: impl Display) -> FieldError {
    FieldError {
        message: format!("\0{code}\0{message}"),
    }
}
