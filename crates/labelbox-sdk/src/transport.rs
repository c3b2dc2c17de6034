//! One GraphQL POST, its retries, and the classification of what came back.
//!
//! This is the only module that touches HTTP. It sends the body `graphql_client` built
//! (`query`, `variables`, `operationName`), classifies the answer by the contract's table
//! into [`Error`] variants, and decodes `data` into the operation's `ResponseData` with the
//! path of any field that failed.

use std::time::{Duration, Instant};

use graphql_client::GraphQLQuery;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue, DATE, RETRY_AFTER};
use serde::de::DeserializeOwned;
use serde_json::Value;
use time::OffsetDateTime;
use tracing::Instrument;

pub(crate) use crate::decode::decode;
use crate::retry::RetryPolicy;
use crate::{redact_secrets, Error, GraphQlError};

/// The header naming the SDK call that caused a request (`Client:create_api_key`).
pub(crate) const X_SDK_METHOD: HeaderName = HeaderName::from_static("x-sdk-method");

/// The text of an Envoy upstream failure, which the contract classifies as a server error
/// whatever the status.
const UPSTREAM_FAILURE: &str = "upstream connect error or disconnect/reset before headers";

/// Which failures an operation may be retried after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// Queries and revocation: any retryable failure ([`Error::is_retryable`]).
    Idempotent,
    /// Key creation: only when the request provably never reached the server (the
    /// connection failed) or was rejected before processing (rate limiting).
    NotIdempotent,
    /// Decided from the document: [`Idempotency::NotIdempotent`] when it declares a
    /// mutation, else [`Idempotency::Idempotent`] (for `Client::execute`, which runs any
    /// operation).
    FromDocument,
}

impl Idempotency {
    fn resolve(self, document: &str) -> Idempotency {
        match self {
            Idempotency::FromDocument if declares_mutation(document) => Idempotency::NotIdempotent,
            Idempotency::FromDocument => Idempotency::Idempotent,
            other => other,
        }
    }
}

/// Whether a GraphQL document has a `mutation` keyword outside any selection set (an
/// operation definition). Errs towards `true`: a variable or directive named `mutation` at
/// the top level also counts, which only costs retries.
fn declares_mutation(document: &str) -> bool {
    let bytes = document.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() && !bytes[i..].starts_with(b"\"\"\"") {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 3;
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'{' => depth += 1,
            b'}' => depth = depth.saturating_sub(1),
            b if b.is_ascii_alphabetic() || b == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                if depth == 0 && &bytes[start..i] == b"mutation" {
                    return true;
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    false
}

/// How far a failed attempt got, which decides whether a non-idempotent request may be
/// sent again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// The connection was never established: the server saw nothing.
    NotSent,
    /// The server refused the request before processing it (rate limiting).
    Rejected,
    /// The request may or may not have been processed, or was processed with an outcome
    /// we cannot read (timeout after sending, a dropped connection, a 5xx, a generic or
    /// unknown server error, a body that is not JSON or does not decode): a creation may
    /// have happened without its secret reaching us.
    Unknown,
    /// The server processed the request and answered definitively.
    Processed,
}

/// A failed operation: the error, and how far the last attempt got.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) error: Error,
    pub(crate) delivery: Delivery,
    /// A non-null `data` that came with the GraphQL errors: the server may have done
    /// something worth knowing (a `createApiKey` that created a key).
    pub(crate) partial_data: Option<Box<PartialData>>,
}

impl Failure {
    pub(crate) fn new(error: Error, delivery: Delivery) -> Self {
        Failure {
            error,
            delivery,
            partial_data: None,
        }
    }
}

/// `data` of an answer that also carried errors. It may hold a created key's secret, so
/// its `Debug` shows nothing of it.
pub(crate) struct PartialData(pub(crate) Value);

impl std::fmt::Debug for PartialData {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PartialData(..)")
    }
}

impl From<Failure> for Error {
    fn from(failure: Failure) -> Self {
        failure.error
    }
}

/// The HTTP side of a client: a pooled `reqwest` client and the fixed headers.
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) endpoint: reqwest::Url,
    /// `Authorization` (marked sensitive), `Accept`, `Content-Type`, `X-User-Agent`.
    pub(crate) headers: HeaderMap,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    /// The largest response body read; a larger one is [`Error::ResponseTooLarge`].
    pub(crate) max_response_bytes: u64,
    /// The API key, kept only to scrub it from server-sourced text (a server echoing it
    /// in an error message) before that text enters an [`Error`].
    pub(crate) api_key: secrecy::SecretString,
}

impl Transport {
    /// Runs a generated operation: POST, classify, retry as `idempotency` allows, decode.
    pub(crate) async fn execute<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
        sdk_method: &'static str,
        idempotency: Idempotency,
    ) -> Result<Q::ResponseData, Error> {
        self.execute_detailed::<Q>(variables, sdk_method, idempotency)
            .await
            .map_err(Error::from)
    }

    /// `text` from the server with the API key and JWT-like tokens replaced by `[REDACTED]`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        redact_secrets(text, secrecy::ExposeSecret::expose_secret(&self.api_key))
            .unwrap_or_else(|| text.to_owned())
    }

    /// Like [`Transport::execute`], keeping how far the last attempt got, so a
    /// non-idempotent caller can tell "never arrived" from "may have happened".
    pub(crate) async fn execute_detailed<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
        sdk_method: &'static str,
        idempotency: Idempotency,
    ) -> Result<Q::ResponseData, Failure> {
        self.execute_dated::<Q>(variables, sdk_method, idempotency)
            .await
            .map(|(data, _)| data)
    }

    /// Like [`Transport::execute_detailed`], with the server's clock reading when it
    /// answered (its `Date` header), for comparisons with times the server reports.
    pub(crate) async fn execute_dated<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
        sdk_method: &'static str,
        idempotency: Idempotency,
    ) -> Result<(Q::ResponseData, Option<OffsetDateTime>), Failure> {
        let body = Q::build_query(variables);
        let operation = body.operation_name;
        let idempotency = idempotency.resolve(body.query);
        let bytes = serde_json::to_vec(&body).map_err(|e| {
            Failure::new(
                Error::Configuration {
                    message: format!("the {operation} variables cannot be serialised: {e}"),
                },
                Delivery::NotSent,
            )
        })?;
        let span = tracing::info_span!(
            "labelbox.operation",
            operation,
            sdk_method,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            duration_ms = tracing::field::Empty,
        );
        let (answer, server_date) = self
            .post::<Q::ResponseData>(operation, sdk_method, bytes, idempotency, &span)
            .instrument(span.clone())
            .await?;
        match answer {
            Answer::Decoded(data) => Ok((data, server_date)),
            // The server answered 200 but the answer is unusable: whatever it did is unknown.
            Answer::Data(data) => decode::<Q::ResponseData>(
                operation,
                data,
                secrecy::ExposeSecret::expose_secret(&self.api_key),
            )
            .map(|data| (data, server_date))
            .map_err(|error| Failure::new(error, Delivery::Unknown)),
        }
    }

    /// One POST of a generated operation's body, answered with the status and body as
    /// read (capped), without retries or classification. See
    /// [`crate::Client::execute_unclassified`].
    pub(crate) async fn execute_unclassified<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
        sdk_method: &'static str,
    ) -> Result<HttpAnswer, Error> {
        let body = Q::build_query(variables);
        let operation = body.operation_name;
        let bytes = serde_json::to_vec(&body).map_err(|e| Error::Configuration {
            message: format!("the {operation} variables cannot be serialised: {e}"),
        })?;
        let span = tracing::info_span!(
            "labelbox.operation",
            operation,
            sdk_method,
            attempt = 1,
            status = tracing::field::Empty,
        );
        self.send(sdk_method, bytes, &span)
            .instrument(span.clone())
            .await
            .map_err(Error::from)
    }

    async fn post<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        sdk_method: &'static str,
        body: Vec<u8>,
        idempotency: Idempotency,
        span: &tracing::Span,
    ) -> Result<(Answer<T>, Option<OffsetDateTime>), Failure> {
        let started = Instant::now();
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let attempt_started = Instant::now();
            let outcome = self
                .attempt::<T>(operation, sdk_method, body.clone(), span)
                .await;
            let elapsed = attempt_started.elapsed();
            span.record("duration_ms", duration_ms(started.elapsed()));
            let failure = match outcome {
                Ok(data) => {
                    tracing::debug!(
                        attempt,
                        elapsed_ms = duration_ms(elapsed),
                        "operation succeeded"
                    );
                    return Ok(data);
                }
                Err(failure) => failure,
            };
            let may_retry = match idempotency {
                Idempotency::Idempotent => failure.error.is_retryable(),
                Idempotency::NotIdempotent | Idempotency::FromDocument => {
                    matches!(failure.delivery, Delivery::NotSent | Delivery::Rejected)
                        && failure.error.is_retryable()
                }
            };
            let delay = if may_retry && attempt < self.retry.attempts() {
                self.retry.delay(attempt - 1, failure.error.retry_after())
            } else {
                None
            };
            match delay {
                Some(delay) => {
                    tracing::debug!(
                        attempt,
                        elapsed_ms = duration_ms(elapsed),
                        error = %failure.error,
                        backoff_ms = duration_ms(delay),
                        "attempt failed; retrying"
                    );
                    tokio::time::sleep(delay).await;
                }
                None => {
                    tracing::debug!(
                        attempt,
                        elapsed_ms = duration_ms(elapsed),
                        error = %failure.error,
                        "operation failed"
                    );
                    return Err(failure);
                }
            }
        }
    }

    /// One POST and the classification of its answer.
    async fn attempt<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        sdk_method: &'static str,
        body: Vec<u8>,
        span: &tracing::Span,
    ) -> Result<(Answer<T>, Option<OffsetDateTime>), Failure> {
        let answer = self.send(sdk_method, body, span).await?;
        if let Some(data) = decode_success::<T>(answer.status, &answer.body) {
            return Ok((Answer::Decoded(data), answer.date));
        }
        classify(
            operation,
            answer.status,
            answer.retry_after,
            &answer.body,
            secrecy::ExposeSecret::expose_secret(&self.api_key),
        )
        .map(|data| (Answer::Data(data), answer.date))
    }

    /// One POST of `body` to the endpoint and its answer, unclassified: the one place a
    /// request is sent and a response read (redirects are not followed, the proxy and
    /// endpoint rules were set when the client was built, the body is capped).
    pub(crate) async fn send(
        &self,
        sdk_method: &'static str,
        body: Vec<u8>,
        span: &tracing::Span,
    ) -> Result<HttpAnswer, Failure> {
        let mut response = self
            .http
            .post(self.endpoint.clone())
            .headers(self.headers.clone())
            .header(X_SDK_METHOD, HeaderValue::from_static(sdk_method))
            .body(body)
            .send()
            .await
            .map_err(|e| self.transport_failure(e))?;
        let status = response.status().as_u16();
        span.record("status", status);
        let retry_after = parse_retry_after(response.headers());
        let date = parse_date(response.headers());
        let limit = self.max_response_bytes;
        // The server processed the request; only its answer is unreadable.
        let too_large = || Failure::new(Error::ResponseTooLarge { limit }, Delivery::Unknown);
        if response
            .content_length()
            .is_some_and(|length| length > limit)
        {
            return Err(too_large());
        }
        // Read chunk by chunk, so that the cap holds while reading (a body without a
        // length, or longer than declared, is never buffered whole first).
        let mut bytes = Vec::new();
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_failure(e))?
        {
            if (bytes.len() as u64).saturating_add(chunk.len() as u64) > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(HttpAnswer {
            status,
            retry_after,
            date,
            body: bytes,
        })
    }

    fn transport_failure(&self, error: reqwest::Error) -> Failure {
        let delivery = if error.is_connect() {
            Delivery::NotSent
        } else {
            Delivery::Unknown
        };
        let error = if error.is_timeout() {
            Error::Timeout {
                after: Some(if error.is_connect() {
                    self.connect_timeout
                } else {
                    self.timeout
                }),
            }
        } else {
            let message = if error.is_connect() {
                "could not connect to the Labelbox endpoint"
            } else {
                "the connection failed before a complete response arrived"
            };
            Error::Network {
                message: message.to_owned(),
                source: Box::new(error.without_url()),
            }
        };
        Failure::new(error, delivery)
    }
}

/// A response as read off the wire, before classification.
pub(crate) struct HttpAnswer {
    pub(crate) status: u16,
    pub(crate) retry_after: Option<Duration>,
    /// The response's `Date` header: the server's clock.
    pub(crate) date: Option<OffsetDateTime>,
    pub(crate) body: Vec<u8>,
}

/// What a successful attempt produced.
pub(crate) enum Answer<T> {
    /// The body was a plain success and decoded in one pass ([`decode_success`]).
    Decoded(T),
    /// `data` of a body [`classify`] accepted, still to be [`decode`]d.
    Data(Value),
}

/// The one-pass decoding of the common answer: status 200 and a JSON object whose `data`
/// decodes into `T` and whose `errors` and `message` are absent or null. Such a body is
/// one [`classify`] accepts without looking further (no error to classify, nothing to
/// scrub), and decoding `data` from it gives what [`decode`] gives; decoding the bytes
/// straight into `T` skips the `Value` tree and the path tracking.
///
/// `None` for anything else (another status, `errors` or `message` present, no `data`, a
/// `data` that does not decode, a body that is not JSON or not UTF-8): the caller then runs
/// [`classify`] and [`decode`], which classify the answer and name the failing field.
///
/// The only bodies this accepts that the `Value` path rejects (as not JSON) are ones whose
/// oddities lie in content the SDK ignores: a number beyond `f64` range or a lone UTF-16
/// surrogate escape in a field the operation does not select.
pub(crate) fn decode_success<T: DeserializeOwned>(status: u16, body: &[u8]) -> Option<T> {
    if status != 200 {
        return None;
    }
    // `from_str` after one UTF-8 check of the whole body: the `Value` path rejects invalid
    // UTF-8 anywhere, including in fields a typed decode would skip unchecked.
    let text = std::str::from_utf8(body).ok()?;
    let envelope: Envelope<T> = serde_json::from_str(text).ok()?;
    if envelope.other_content {
        return None;
    }
    envelope.data
}

/// The top level of a success body, for [`decode_success`]: `data`, and whether `errors`
/// or `message` hold anything but null (then the body goes through [`classify`]).
struct Envelope<T> {
    data: Option<T>,
    other_content: bool,
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Envelope<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(field_identifier, rename_all = "lowercase")]
        enum Field {
            Data,
            Errors,
            Message,
            #[serde(other)]
            Other,
        }

        struct Visitor<T>(std::marker::PhantomData<T>);

        impl<'de, T: serde::Deserialize<'de>> serde::de::Visitor<'de> for Visitor<T> {
            type Value = Envelope<T>;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a GraphQL response object")
            }

            // Only a map: a derived struct would also accept an array, which `classify`
            // treats as a body without `data`.
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Envelope<T>, A::Error> {
                let mut data: Option<Option<T>> = None;
                let mut other_content = false;
                while let Some(field) = map.next_key::<Field>()? {
                    match field {
                        // A repeated `data` is left to `classify` (a `Value` map keeps
                        // the last one).
                        Field::Data if data.is_some() => {
                            return Err(serde::de::Error::duplicate_field("data"))
                        }
                        Field::Data => data = Some(map.next_value()?),
                        Field::Errors | Field::Message => {
                            let value: Option<serde::de::IgnoredAny> = map.next_value()?;
                            other_content |= value.is_some();
                        }
                        Field::Other => {
                            map.next_value::<serde::de::IgnoredAny>()?;
                        }
                    }
                }
                Ok(Envelope {
                    data: data.flatten(),
                    other_content,
                })
            }
        }

        deserializer.deserialize_map(Visitor(std::marker::PhantomData))
    }
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// The `Date` header (RFC 9110's IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`): the
/// server's clock when it answered, to one second.
fn parse_date(headers: &HeaderMap) -> Option<OffsetDateTime> {
    let text = headers.get(DATE)?.to_str().ok()?.trim();
    time::PrimitiveDateTime::parse(
        text,
        time::macros::format_description!(
            "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
        ),
    )
    .ok()
    .map(time::PrimitiveDateTime::assume_utc)
}

/// `Retry-After` as delay-seconds or an HTTP date.
fn parse_retry_after(headers: &HeaderMap) -> Option<Duration> {
    let text = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = text.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date =
        time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc2822).ok()?;
    let wait = date - time::OffsetDateTime::now_utc();
    Some(Duration::try_from(wait).unwrap_or(Duration::ZERO))
}

/// Classifies one HTTP answer by the contract's table, returning `data` on success.
///
/// The raw body never goes into an error: only the server's `message` fields and GraphQL
/// error messages and codes do, with `api_key` and anything shaped like a JWT replaced by
/// `[REDACTED]` (see [`redact_secrets`]).
pub(crate) fn classify(
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
                failure(
                    Error::InternalServer {
                        status: Some(status),
                        message: Some(format!("connection reset ({UPSTREAM_FAILURE})")),
                    },
                    Delivery::Unknown,
                )
            } else if status >= 500 {
                failure(
                    Error::InternalServer {
                        status: Some(status),
                        message: reason(status),
                    },
                    Delivery::Unknown,
                )
            } else if status == 429 {
                failure(
                    Error::RateLimited {
                        message: "Too Many Requests".to_owned(),
                        retry_after,
                    },
                    Delivery::Rejected,
                )
            } else if (300..400).contains(&status) {
                failure(redirect_refused(status), Delivery::Processed)
            } else {
                failure(
                    Error::InvalidJson {
                        source: Box::new(parse_error),
                    },
                    Delivery::Unknown,
                )
            });
        }
    };

    scrub_server_text(&mut json, api_key);
    let errors: Vec<GraphQlError> = json
        .get("errors")
        .and_then(Value::as_array)
        .map(|errors| errors.iter().map(GraphQlError::from_json).collect())
        .unwrap_or_default();
    let message = json.get("message").and_then(Value::as_str);
    if let Some(mut error) = crate::classify_response_errors(errors, message) {
        let partial_data = match json.get_mut("data").map(Value::take) {
            Some(Value::Null) | None => None,
            Some(data) => Some(Box::new(PartialData(data))),
        };
        let delivery = match &mut error {
            Error::RateLimited {
                retry_after: wait, ..
            } => {
                *wait = retry_after;
                Delivery::Rejected
            }
            // A server failure, or errors we cannot classify: the request may have
            // taken effect.
            Error::InternalServer { .. } | Error::ServerError(_) | Error::UnknownGraphQl(_) => {
                Delivery::Unknown
            }
            _ => Delivery::Processed,
        };
        return Err(Failure {
            partial_data,
            ..failure(error, delivery)
        });
    }
    if status == 429 {
        return Err(failure(
            Error::RateLimited {
                message: message.unwrap_or("Too Many Requests").to_owned(),
                retry_after,
            },
            Delivery::Rejected,
        ));
    }
    if status >= 500 {
        return Err(failure(
            Error::InternalServer {
                status: Some(status),
                message: message.map(str::to_owned).or_else(|| reason(status)),
            },
            Delivery::Unknown,
        ));
    }
    if (300..400).contains(&status) {
        return Err(failure(redirect_refused(status), Delivery::Processed));
    }
    if status != 200 {
        return Err(failure(
            Error::HttpStatus {
                status,
                message: message.map(str::to_owned),
            },
            Delivery::Processed,
        ));
    }
    // A 200 without data and without errors: what happened is unknown.
    let no_data = || {
        failure(
            Error::MissingData {
                operation: operation.to_owned(),
                field: "data".to_owned(),
            },
            Delivery::Unknown,
        )
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
    Error::HttpStatus {
        status,
        message: Some(
            "the server answered with a redirect, which is not followed (the API key would \
             travel with it); configure the final endpoint"
                .to_owned(),
        ),
    }
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(status: u16, body: &str) -> Result<Value, Failure> {
        classify("Op", status, None, body.as_bytes(), "")
    }

    #[test]
    fn data_is_returned_from_a_200() {
        assert_eq!(run(200, r#"{"data":{"a":1}}"#).unwrap(), json!({"a": 1}));
    }

    #[test]
    fn null_or_missing_data_is_missing_data() {
        for body in [r#"{"data":null}"#, "{}", "[1]", "\"text\""] {
            let failure = run(200, body).unwrap_err();
            assert!(
                matches!(failure.error, Error::MissingData { ref field, .. } if field == "data"),
                "{body}"
            );
        }
    }

    #[test]
    fn non_json_bodies() {
        let f = run(200, "<html>oops</html>").unwrap_err();
        assert!(matches!(f.error, Error::InvalidJson { .. }));
        assert_eq!(f.error.to_string(), "Failed to parse response as JSON");
        let f = run(502, "<html>Bad gateway</html>").unwrap_err();
        assert!(matches!(
            f.error,
            Error::InternalServer {
                status: Some(502),
                ..
            }
        ));
        assert_eq!(f.delivery, Delivery::Unknown);
        let f = run(
            200,
            "upstream connect error or disconnect/reset before headers. reset reason: overflow",
        )
        .unwrap_err();
        assert!(matches!(f.error, Error::InternalServer { .. }));
        assert!(!f.error.to_string().contains("overflow"));
    }

    #[test]
    fn rate_limit_keeps_retry_after() {
        let f = classify(
            "Op",
            429,
            Some(Duration::from_secs(3)),
            br#"{"message":"You have exceeded the limit"}"#,
            "",
        )
        .unwrap_err();
        assert_eq!(f.delivery, Delivery::Rejected);
        assert_eq!(f.error.retry_after(), Some(Duration::from_secs(3)));
        assert!(f.error.to_string().contains("You have exceeded the limit"));
    }

    #[derive(Debug, PartialEq, serde::Deserialize)]
    struct Data {
        a: i64,
    }

    #[test]
    fn one_pass_decoding_takes_only_plain_successes() {
        let fast = |status, body: &str| decode_success::<Data>(status, body.as_bytes());
        assert_eq!(fast(200, r#"{"data":{"a":1}}"#), Some(Data { a: 1 }));
        assert_eq!(
            fast(
                200,
                r#"{"extensions":{"cost":3},"errors":null,"data":{"a":1,"b":[{}]},"message":null}"#
            ),
            Some(Data { a: 1 })
        );
        // Escaped keys are the same keys.
        assert_eq!(fast(200, r#"{"data":{"a":2}}"#), Some(Data { a: 2 }));
        for (status, body) in [
            // Errors or a message, even empty or beside data: `classify` decides.
            (200, r#"{"data":{"a":1},"errors":[{"message":"no"}]}"#),
            (200, r#"{"data":{"a":1},"errors":[]}"#),
            (
                200,
                r#"{"data":{"a":1},"message":"You have exceeded the limit"}"#,
            ),
            (200, r#"{"data":{"a":1},"message":"hello"}"#),
            // Another status.
            (429, r#"{"data":{"a":1}}"#),
            (500, r#"{"data":{"a":1}}"#),
            (201, r#"{"data":{"a":1}}"#),
            // No usable data.
            (200, r#"{"data":null}"#),
            (200, "{}"),
            (200, r#"[{"a":1}]"#),
            (200, r#"{"data":{"a":"1"}}"#),
            (200, r#"{"data":{"a":1},"data":{"a":2}}"#),
            // Not JSON, or not UTF-8 in a field the decoding would skip.
            (200, r#"{"data":{"a":1}} x"#),
            (200, "<html>"),
        ] {
            assert_eq!(fast(status, body), None, "{status} {body}");
        }
        let mut latin1 = br#"{"data":{"a":1},"x":"caf"#.to_vec();
        latin1.extend_from_slice(b"\xe9\"}");
        assert_eq!(decode_success::<Data>(200, &latin1), None);
        assert!(classify("Op", 200, None, &latin1, "").is_err());
    }

    #[test]
    fn one_pass_and_value_decoding_agree() {
        for body in [
            r#"{"data":{"a":1}}"#,
            r#"{"errors":null,"data":{"a":-5,"z":{"q":[1,2.5,"s"]}}}"#,
        ] {
            let fast = decode_success::<Data>(200, body.as_bytes()).unwrap();
            let slow = decode::<Data>("Op", run(200, body).unwrap(), "").unwrap();
            assert_eq!(fast, slow, "{body}");
        }
    }

    #[test]
    fn server_text_is_scrubbed_of_the_key_and_jwts_but_data_is_not() {
        let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl";
        let body = format!(
            r#"{{"message":"You have exceeded, key my-secret-key-1234","errors":[{{"message":"token {jwt}","extensions":{{"code":"{jwt}"}}}}]}}"#
        );
        let f = classify("Op", 429, None, body.as_bytes(), "my-secret-key-1234").unwrap_err();
        let text = format!("{} {:?}", f.error, f.error);
        assert!(
            !text.contains("my-secret-key-1234") && !text.contains("eyJ"),
            "{text}"
        );
        assert!(text.contains("[REDACTED]"), "{text}");

        let body = format!(r#"{{"data":{{"createApiKey":{{"id":"k","jwt":"{jwt}"}}}}}}"#);
        let data = classify("Op", 200, None, body.as_bytes(), "k").unwrap();
        assert_eq!(data["createApiKey"]["jwt"], jwt, "data is the caller's");
    }

    #[test]
    fn redirects_are_refused_with_their_status() {
        for (status, body) in [(307, ""), (301, "<html>moved</html>"), (308, "{}")] {
            let f = run(status, body).unwrap_err();
            assert!(
                matches!(f.error, Error::HttpStatus { status: s, .. } if s == status),
                "{status}: {:?}",
                f.error
            );
            assert!(f.error.to_string().contains("redirect"));
        }
    }

    #[test]
    fn mutations_are_found_outside_selection_sets_only() {
        for document in [
            "mutation CreateApiKey($name: String!) { createApiKey(data: {name: $name}) { id jwt } }",
            "fragment F on User { id } mutation M { x { ...F } }",
            "# a comment with query\nmutation{x}",
            "query Q { a } mutation M { b }",
        ] {
            assert!(declares_mutation(document), "{document}");
        }
        for document in [
            "query ListApiKeys { user { id mutation apiKeys { id } } }",
            "query Q($s: String = \"mutation {\") { a(s: $s) }",
            "# mutation in a comment\nquery Q { a }",
            "{ mutation }",
            "query Mutations { a }",
        ] {
            assert!(!declares_mutation(document), "{document}");
        }
        assert_eq!(
            Idempotency::FromDocument.resolve("mutation { a }"),
            Idempotency::NotIdempotent
        );
        assert_eq!(
            Idempotency::FromDocument.resolve("query { a }"),
            Idempotency::Idempotent
        );
        assert_eq!(
            Idempotency::Idempotent.resolve("mutation { a }"),
            Idempotency::Idempotent
        );
    }

    #[test]
    fn the_date_header_is_read_as_utc() {
        let mut headers = HeaderMap::new();
        assert_eq!(parse_date(&headers), None);
        headers.insert(
            DATE,
            HeaderValue::from_static("Sun, 06 Nov 1994 08:49:37 GMT"),
        );
        assert_eq!(
            parse_date(&headers),
            Some(time::macros::datetime!(1994-11-06 08:49:37 UTC))
        );
        headers.insert(DATE, HeaderValue::from_static("yesterday"));
        assert_eq!(parse_date(&headers), None);
    }

    #[test]
    fn errors_beside_data_keep_the_data_out_of_sight() {
        let body = r#"{"data":{"createApiKey":{"id":"k","jwt":"eyJhbGciOiJIUzI1NiJ9.eyJ4IjoxfQ.c2ln"}},
            "errors":[{"message":"partly failed","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#;
        let f = run(200, body).unwrap_err();
        let data = f.partial_data.as_ref().expect("the data is kept");
        assert_eq!(data.0["createApiKey"]["id"], "k");
        assert!(!format!("{f:?}").contains("eyJ"), "{f:?}");
        let f = run(200, r#"{"data":null,"errors":[{"message":"no"}]}"#).unwrap_err();
        assert!(f.partial_data.is_none());
    }

    #[test]
    fn retry_after_forms() {
        let mut headers = HeaderMap::new();
        headers.insert(RETRY_AFTER, HeaderValue::from_static("7"));
        assert_eq!(parse_retry_after(&headers), Some(Duration::from_secs(7)));
        headers.insert(
            RETRY_AFTER,
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(parse_retry_after(&headers), Some(Duration::ZERO));
        headers.insert(RETRY_AFTER, HeaderValue::from_static("soon"));
        assert_eq!(parse_retry_after(&headers), None);
    }
}
