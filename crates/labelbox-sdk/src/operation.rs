//! One operation from an SDK method to its typed data: build the body, open the
//! `labelbox.operation` span, run attempts ([`crate::transport`] sends,
//! [`crate::classify`] reads the answer) under the retry loop ([`crate::retry`]), and decode
//! `data` ([`crate::decode`]).
//!
//! Three entry points differ only in what they keep of a failure:
//! [`Transport::call`] (the [`Error`]), [`Transport::call_keeping_delivery`] (the
//! [`Failure`]: how far the last attempt got, and partial data) and
//! [`Transport::call_with_server_date`] (that, and the server's `Date` on success). A
//! fourth, [`Transport::call_with_reader`], first offers a status-200 body to an
//! operation's own one-pass reader (the listing's, [`crate::listing_read`]) and runs the
//! typed paths only when it declines.

use graphql_client::GraphQLQuery;
use serde::de::DeserializeOwned;
use serde_json::Value;
use time::OffsetDateTime;
use tracing::Instrument;

use crate::classify::classify_http_answer;
use crate::decode::{decode, decode_success};
use crate::failure::{Delivery, Failure};
use crate::operation_kind::{idempotency_of, kind_from_document};
use crate::retry::{run_with_retries, Idempotency};
use crate::transport::{HttpAnswer, Transport};
use crate::Error;

impl Transport {
    /// Runs an operation: POST, classify, retry as `idempotency` allows, decode.
    pub(crate) async fn call<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
        sdk_method: &'static str,
        idempotency: Idempotency,
    ) -> Result<Q::ResponseData, Error> {
        self.call_keeping_delivery::<Q>(variables, sdk_method, idempotency)
            .await
            .map_err(Error::from)
    }

    /// Like [`Transport::call`], keeping how far the last attempt got, so a
    /// non-idempotent caller can tell "never arrived" from "may have happened".
    pub(crate) async fn call_keeping_delivery<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
        sdk_method: &'static str,
        idempotency: Idempotency,
    ) -> Result<Q::ResponseData, Failure> {
        self.call_with_server_date::<Q>(variables, sdk_method, idempotency)
            .await
            .map(|(data, _)| data)
    }

    /// Like [`Transport::call_keeping_delivery`], with the server's clock reading when it
    /// answered (its `Date` header), for comparisons with times the server reports.
    pub(crate) async fn call_with_server_date<Q: GraphQLQuery>(
        &self,
        variables: Q::Variables,
        sdk_method: &'static str,
        idempotency: Idempotency,
    ) -> Result<(Q::ResponseData, Option<OffsetDateTime>), Failure> {
        let (decoded, date) = self
            .call_reading::<Q, std::convert::Infallible>(variables, sdk_method, idempotency, None)
            .await?;
        match decoded {
            Decoded::Data(data) => Ok((data, date)),
            Decoded::Read(never) => match never {},
        }
    }

    /// Like [`Transport::call`], with an operation's own one-pass reader of a status-200
    /// body tried first (`read`: `None` when it does not read the body exactly as the
    /// typed paths would); they run when it declines.
    pub(crate) async fn call_with_reader<Q: GraphQLQuery, R>(
        &self,
        variables: Q::Variables,
        sdk_method: &'static str,
        idempotency: Idempotency,
        read: Reader<R>,
    ) -> Result<Decoded<Q::ResponseData, R>, Error> {
        self.call_reading::<Q, R>(variables, sdk_method, idempotency, Some(read))
            .await
            .map(|(decoded, _)| decoded)
            .map_err(Error::from)
    }

    async fn call_reading<Q: GraphQLQuery, R>(
        &self,
        variables: Q::Variables,
        sdk_method: &'static str,
        idempotency: Idempotency,
        read: Option<Reader<R>>,
    ) -> Result<(Decoded<Q::ResponseData, R>, Option<OffsetDateTime>), Failure> {
        let body = Q::build_query(variables);
        let operation = body.operation_name;
        let idempotency = match idempotency {
            Idempotency::FromDocument => idempotency_of(kind_from_document(body.query, operation)),
            known => known,
        };
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
        let (answer, server_date) = run_with_retries(&self.retry, idempotency, &span, || {
            self.attempt_once::<Q::ResponseData, R>(
                operation,
                sdk_method,
                bytes.clone(),
                read,
                &span,
            )
        })
        .instrument(span.clone())
        .await?;
        match answer {
            Answer::Read(read) => Ok((Decoded::Read(read), server_date)),
            Answer::DecodedInOnePass(data) => Ok((Decoded::Data(data), server_date)),
            // The server answered 200 but the answer is unusable: whatever it did is unknown.
            Answer::DataToDecode(data) => decode::<Q::ResponseData>(
                operation,
                data,
                secrecy::ExposeSecret::expose_secret(&self.api_key),
            )
            .map(|data| (Decoded::Data(data), server_date))
            .map_err(|error| Failure::new(error, Delivery::Unknown)),
        }
    }

    /// One POST of an operation's body, answered with the status and body as read
    /// (capped), without retries or classification. See
    /// [`crate::Client::execute_unclassified`].
    pub(crate) async fn send_once_unclassified<Q: GraphQLQuery>(
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

    /// One POST and the classification of its answer.
    async fn attempt_once<T: DeserializeOwned, R>(
        &self,
        operation: &'static str,
        sdk_method: &'static str,
        body: Vec<u8>,
        read: Option<Reader<R>>,
        span: &tracing::Span,
    ) -> Result<(Answer<T, R>, Option<OffsetDateTime>), Failure> {
        let answer = self.send(sdk_method, body, span).await?;
        if let Some(read) = read.filter(|_| answer.status == 200) {
            if let Some(value) = read(&answer.body) {
                return Ok((Answer::Read(value), answer.date));
            }
        }
        if let Some(data) = decode_success::<T>(answer.status, &answer.body) {
            return Ok((Answer::DecodedInOnePass(data), answer.date));
        }
        classify_http_answer(
            operation,
            answer.status,
            answer.retry_after,
            &answer.body,
            secrecy::ExposeSecret::expose_secret(&self.api_key),
        )
        .map(|data| (Answer::DataToDecode(data), answer.date))
    }
}

/// An operation's own one-pass reader of a status-200 body: `None` where it does not read
/// the body exactly as the typed paths would.
pub(crate) type Reader<R> = fn(&[u8]) -> Option<R>;

/// What an operation's answer became: its own reader's value, or the generated type.
pub(crate) enum Decoded<T, R> {
    /// The operation's one-pass reader read the body.
    Read(R),
    /// The generated `ResponseData`.
    Data(T),
}

/// What a successful attempt produced.
enum Answer<T, R> {
    /// The operation's own reader read the plain success.
    Read(R),
    /// The body was a plain success and [`decode_success`] decoded it straight into `T`.
    DecodedInOnePass(T),
    /// `data` of a body [`classify_http_answer`] accepted, still to be [`decode`]d (which
    /// names the failing field's path).
    DataToDecode(Value),
}
