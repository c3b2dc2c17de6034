//! Classification: one HTTP answer, read by the contract's table into [`Error`] variants
//! (or the `data` to decode), with the server's text scrubbed before it enters an error.
//!
//! The table has two halves. The HTTP half ([`classify_http_answer`]) looks at the status
//! and whether the body is JSON; the GraphQL half ([`error_from_graphql_errors`]) reads the
//! `errors[]` entries ([`graphql_error_from_json`]) and the top-level `message`
//! ([`is_rate_limit_message`]) in the reference client's order. Both halves are wire
//! knowledge and live here, in the SDK, beside the [`Error`] they produce (`error/`);
//! how far a request got follows from the error ([`Error::delivery`]). `docs/errors.md`
//! shows the table as one page.

use std::time::Duration;

use serde_json::Value;

use crate::contract::{codes, QUERY_COMPLEXITY_MESSAGE, RATE_LIMIT_MESSAGE_PREFIX};
use crate::failure::{Failure, PartialData};
#[cfg(test)]
use crate::Delivery;
use crate::{redact_secrets, Error, GraphQlError, PathSegment, ResponseError, ServiceError};

/// The text of an Envoy upstream failure, which the contract classifies as a server error
/// whatever the status.
const UPSTREAM_FAILURE: &str = "upstream connect error or disconnect/reset before headers";

/// Classifies one HTTP answer by the contract's table, returning `data` on success.
///
/// The raw body never goes into an error: only the server's `message` fields and GraphQL
/// error messages and codes do, with `api_key` and anything shaped like a JWT replaced by
/// `[REDACTED]` (see [`redact_secrets`]).
pub(crate) fn classify_http_answer(
    operation: &str,
    status: u16,
    retry_after: Option<Duration>,
    body: &[u8],
    api_key: &str,
) -> Result<Value, Failure> {
    let failure = Failure::new;
    let mut json: Value = match serde_json::from_slice(body) {
        Ok(json) => json,
        Err(parse_error) => {
            let text = String::from_utf8_lossy(body);
            return Err(if text.contains(UPSTREAM_FAILURE) {
                failure(Error::Service(ServiceError::InternalServer {
                    status: Some(status),
                    message: Some(format!("connection reset ({UPSTREAM_FAILURE})")),
                    graphql_error: None,
                }))
            } else if status >= 500 {
                failure(Error::Service(ServiceError::InternalServer {
                    status: Some(status),
                    message: reason(status),
                    graphql_error: None,
                }))
            } else if status == 429 {
                failure(Error::Service(ServiceError::RateLimited {
                    message: "Too Many Requests".to_owned(),
                    retry_after,
                }))
            } else if (300..400).contains(&status) {
                failure(redirect_refused(status))
            } else {
                failure(Error::Response(ResponseError::InvalidJson {
                    source: Box::new(parse_error),
                }))
            });
        }
    };

    scrub_server_text(&mut json, api_key);
    let errors: Vec<GraphQlError> = json
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| errors.iter().map(graphql_error_from_json).collect())
        .unwrap_or_default();
    let message = json.get("message").and_then(Value::as_str);
    if let Some(mut error) = error_from_graphql_errors(errors, message) {
        let partial_data = match json.get_mut("data").map(Value::take) {
            Some(Value::Null) | None => None,
            Some(data) => Some(Box::new(PartialData(data))),
        };
        // How far the request got follows from the error ([`ServiceError::delivery`](crate::ServiceError::delivery)):
        // rejected when rate limited, unknown for a server failure or errors we cannot
        // classify, processed otherwise.
        if let Error::Service(ServiceError::RateLimited {
            retry_after: wait, ..
        }) = &mut error
        {
            *wait = retry_after;
        }
        return Err(Failure {
            partial_data,
            ..failure(error)
        });
    }
    if status == 429 {
        return Err(failure(Error::Service(ServiceError::RateLimited {
            message: message.unwrap_or("Too Many Requests").to_owned(),
            retry_after,
        })));
    }
    if status >= 500 {
        return Err(failure(Error::Service(ServiceError::InternalServer {
            status: Some(status),
            message: message.map(str::to_owned).or_else(|| reason(status)),
            graphql_error: None,
        })));
    }
    if (300..400).contains(&status) {
        return Err(failure(redirect_refused(status)));
    }
    if status != 200 {
        return Err(failure(Error::Service(ServiceError::HttpStatus {
            status,
            message: message.map(str::to_owned),
        })));
    }
    // A 200 without data and without errors: what happened is unknown.
    let no_data = || {
        failure(Error::Response(ResponseError::MissingData {
            operation: operation.to_owned(),
            field: "data".to_owned(),
        }))
    };
    match json {
        Value::Object(mut object) => match object.remove("data") {
            Some(Value::Null) | None => Err(no_data()),
            Some(data) => Ok(data),
        },
        _ => Err(no_data()),
    }
}

/// A redirect is never followed: the `Authorization` header would travel with it.
fn redirect_refused(status: u16) -> Error {
    Error::Service(ServiceError::HttpStatus {
        status,
        message: Some(
            "the server answered with a redirect, which is not followed (the API key would \
             travel with it); configure the final endpoint"
                .to_owned(),
        ),
    })
}

/// Scrubs the parts of a response that may end up in an error (the top-level `message` and
/// every string inside `errors`) with [`redact_secrets`]. `data` is left alone: it holds a created
/// key's secret, which the caller is meant to receive.
fn scrub_server_text(json: &mut Value, api_key: &str) {
    fn walk(value: &mut Value, api_key: &str) {
        match value {
            Value::String(text) => {
                if let Some(clean) = redact_secrets(text, api_key) {
                    *text = clean;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| walk(v, api_key)),
            Value::Object(fields) => fields.values_mut().for_each(|v| walk(v, api_key)),
            _ => {}
        }
    }
    if let Value::Object(object) = json {
        for field in ["message", "errors"] {
            if let Some(value) = object.get_mut(field) {
                walk(value, api_key);
            }
        }
    }
}

fn reason(status: u16) -> Option<String> {
    reqwest::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map(str::to_owned)
}

/// Whether a response's top-level `message` reports rate limiting (it starts
/// "You have exceeded").
pub(crate) fn is_rate_limit_message(message: &str) -> bool {
    message.starts_with(RATE_LIMIT_MESSAGE_PREFIX)
}

/// Classifies a response's GraphQL `errors` and top-level `message` by the contract's
/// table, in the reference client's order: authentication, authorization, validation
/// (query complexity apart), parse, rate limit, not found, conflict, malformed request,
/// internal server error by status, operation not allowed, then unknown.
///
/// Returns `None` when there are no errors and no rate-limit message. HTTP-level rows
/// (timeouts, 5xx, bodies that are not JSON, non-200 without errors) belong to the
/// transport, which sees the status.
///
pub(crate) fn error_from_graphql_errors(
    mut errors: Vec<GraphQlError>,
    top_level_message: Option<&str>,
) -> Option<Error> {
    let mut take = |code: &str| -> Option<GraphQlError> {
        let index = errors
            .iter()
            .position(|e| e.code.as_deref() == Some(code))?;
        Some(errors.remove(index))
    };

    if let Some(e) = take(codes::AUTHENTICATION_ERROR) {
        return Some(Error::Service(ServiceError::Authentication(e)));
    }
    if let Some(e) = take(codes::AUTHORIZATION_ERROR) {
        return Some(Error::Service(ServiceError::Authorization(e)));
    }
    if let Some(e) = take(codes::GRAPHQL_VALIDATION_FAILED) {
        return Some(if e.message == QUERY_COMPLEXITY_MESSAGE {
            Error::Service(ServiceError::QueryComplexity(e))
        } else {
            Error::Service(ServiceError::InvalidQuery(e))
        });
    }
    if let Some(e) = take(codes::GRAPHQL_PARSE_FAILED) {
        return Some(Error::Service(ServiceError::InvalidQuery(e)));
    }
    if let Some(message) = top_level_message.filter(|m| is_rate_limit_message(m)) {
        return Some(Error::Service(ServiceError::RateLimited {
            message: message.to_owned(),
            retry_after: None,
        }));
    }
    if let Some(e) = take(codes::RESOURCE_NOT_FOUND) {
        return Some(Error::Service(ServiceError::NotFound(e)));
    }
    if let Some(e) = take(codes::RESOURCE_CONFLICT) {
        return Some(Error::Service(ServiceError::Conflict(e)));
    }
    if let Some(e) = take(codes::MALFORMED_REQUEST) {
        return Some(Error::Service(ServiceError::MalformedRequest(e)));
    }
    if let Some(e) = take(codes::INTERNAL_SERVER_ERROR) {
        return Some(match e.status {
            Some(400) => Error::Service(ServiceError::InvalidQuery(e)),
            Some(422) => Error::Service(ServiceError::UnprocessableEntity(e)),
            Some(426) => Error::Service(ServiceError::OperationNotAllowed(e)),
            // 500 or none is the reference client's generic error, which
            // `Error::is_retryable` tells apart by `graphql_error` and `status`.
            status => Error::Service(ServiceError::InternalServer {
                status,
                message: Some(e.message.clone()),
                graphql_error: Some(Box::new(e)),
            }),
        });
    }
    if let Some(e) = take(codes::OPERATION_NOT_ALLOWED) {
        return Some(Error::Service(ServiceError::OperationNotAllowed(e)));
    }
    if errors.is_empty() {
        None
    } else {
        Some(Error::Service(ServiceError::UnknownGraphQl(errors)))
    }
}

/// Reads one `errors[]` entry of the wire leniently: a missing message becomes
/// `"(no message)"`, a missing or non-text code `None`, a status given as a number or
/// numeric text is kept, anything else is dropped. Never fails.
pub(crate) fn graphql_error_from_json(value: &Value) -> GraphQlError {
    let message = value
        .get("message")
        .and_then(|m| m.as_str())
        .unwrap_or("(no message)")
        .to_owned();
    let extensions = value.get("extensions");
    let code = extensions
        .and_then(|e| e.get("code"))
        .and_then(|c| c.as_str())
        .map(str::to_owned);
    let status = extensions
        .and_then(|e| e.get("exception"))
        .and_then(|e| e.get("status"))
        .and_then(|s| match s {
            Value::Number(n) => n.as_u64(),
            Value::String(t) => t.trim().parse().ok(),
            _ => None,
        })
        .and_then(|s| u16::try_from(s).ok());
    let path: Vec<PathSegment> = value
        .get("path")
        .and_then(|p| p.as_array())
        .map(|steps| {
            steps
                .iter()
                .filter_map(|step| match step {
                    Value::String(name) => Some(PathSegment::Field(name.clone())),
                    Value::Number(n) => n
                        .as_u64()
                        .and_then(|i| usize::try_from(i).ok())
                        .map(PathSegment::Index),
                    _ => None,
                })
                .collect()
        })
        .unwrap_or_default();
    let mut error = GraphQlError::new(message).with_path(path);
    error.code = code;
    error.status = status;
    error
}

#[cfg(test)]
mod tests;
