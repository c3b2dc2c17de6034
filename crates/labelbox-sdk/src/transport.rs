//! Sending: the one place a request goes out and a response is read. A pooled `reqwest`
//! client, the fixed headers, one POST per attempt, a capped read of the body, and the
//! `Retry-After` and `Date` headers; a transport failure becomes an [`Error`] with how far
//! the request got ([`Delivery`]). What the answer means is [`crate::classify`]'s job.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, DATE, RETRY_AFTER};
use time::OffsetDateTime;

use crate::failure::{Delivery, Failure};
use crate::retry::RetryPolicy;
use crate::ResponseError;
use crate::{redact_secrets, Error};

/// The header naming the SDK call that caused a request (`Client:create_api_key`).
pub(crate) const X_SDK_METHOD: HeaderName = HeaderName::from_static("x-sdk-method");

/// The HTTP side of a client: a pooled `reqwest` client and the fixed headers. A clone
/// shares the pool (`reqwest::Client` is an `Arc` inside).
#[derive(Clone)]
pub(crate) struct Transport {
    pub(crate) http: reqwest::Client,
    pub(crate) endpoint: reqwest::Url,
    /// `Authorization` (marked sensitive), `Accept`, `Content-Type`, `X-User-Agent`.
    pub(crate) headers: HeaderMap,
    pub(crate) retry: RetryPolicy,
    pub(crate) timeout: Duration,
    pub(crate) connect_timeout: Duration,
    /// The largest response body read; a larger one is [`ResponseError::ResponseTooLarge`](crate::ResponseError::ResponseTooLarge).
    pub(crate) max_response_bytes: u64,
    /// The API key, kept only to scrub it from server-sourced text (a server echoing it
    /// in an error message) before that text enters an [`Error`].
    pub(crate) api_key: secrecy::SecretString,
}

impl Transport {
    /// `text` from the server with the API key and JWT-like tokens replaced by `[REDACTED]`.
    pub(crate) fn scrub(&self, text: &str) -> String {
        redact_secrets(text, secrecy::ExposeSecret::expose_secret(&self.api_key))
            .unwrap_or_else(|| text.to_owned())
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
        let too_large = || Failure::new(Error::Response(ResponseError::ResponseTooLarge { limit }));
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
                delivery,
            }
        } else {
            let message = if error.is_connect() {
                "could not connect to the Labelbox endpoint"
            } else {
                "the connection failed before a complete response arrived"
            };
            Error::Dispatch {
                message: message.to_owned(),
                delivery,
                source: Box::new(error.without_url()),
            }
        };
        Failure::new(error)
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

#[cfg(test)]
mod tests {
    use super::*;

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
