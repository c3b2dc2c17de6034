//! One operation from an SDK method to its typed data: build the body, open the
//! `labelbox.operation` span, run attempts ([`crate::transport`] sends,
//! [`crate::classify`] reads the answer) under the retry loop ([`crate::retry`]), and decode
//! `data` ([`crate::decode`]).
//!
//! Three entry points differ only in what they keep of a failure:
//! [`Transport::call`] (the [`Error`]), [`Transport::call_keeping_delivery`] (the
//! [`Failure`]: how far the last attempt got, and partial data) and
//! [`Transport::call_with_server_date`] (that, and the server's `Date` on success). A
//! fourth, [`Transport::call_into`], decodes `data` into a type of the caller's instead of
//! the generated one (the listing's, [`crate::listing_data`]: straight into `ApiKey`s).
//!
//! Every answer takes one of two decode paths: a plain success is parsed by `serde_json`
//! from the body's bytes straight into the target type ([`decode_success`]); anything else
//! is classified ([`classify_http_answer`]) and its `data` decoded through a
//! `serde_json::Value` ([`decode`]), whose errors name the field and never its value.

use graphql_client::GraphQLQuery;
use serde::de::DeserializeOwned;
use serde_json::Value;
use time::OffsetDateTime;
use tracing::Instrument;

use crate::classify::classify_http_answer;
use crate::decode::{decode, decode_success};
use crate::failure::Failure;
use crate::operation_kind::{idempotency_of, kind_from_document};
use crate::retry::{run_with_retries, Idempotency};
use crate::transport::{HttpAnswer, Transport};
use crate::ConstructionError;
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
        self.call_decoding::<Q, Q::ResponseData>(variables, sdk_method, idempotency)
            .await
    }

    /// Like [`Transport::call`], with `data` decoded into `T` (a type that reads the
    /// operation's selection straight into domain values) instead of the generated type.
    pub(crate) async fn call_into<Q: GraphQLQuery, T: DeserializeOwned>(
        &self,
        variables: Q::Variables,
        sdk_method: &'static str,
        idempotency: Idempotency,
    ) -> Result<T, Error> {
        self.call_decoding::<Q, T>(variables, sdk_method, idempotency)
            .await
            .map(|(data, _)| data)
            .map_err(Error::from)
    }

    async fn call_decoding<Q: GraphQLQuery, T: DeserializeOwned>(
        &self,
        variables: Q::Variables,
        sdk_method: &'static str,
        idempotency: Idempotency,
    ) -> Result<(T, Option<OffsetDateTime>), Failure> {
        let body = Q::build_query(variables);
        let operation = body.operation_name;
        let idempotency = match idempotency {
            Idempotency::FromDocument => idempotency_of(kind_from_document(body.query, operation)),
            known => known,
        };
        let bytes = serde_json::to_vec(&body).map_err(|e| {
            Failure::new(Error::Construction(ConstructionError::Configuration {
                message: format!("the {operation} variables cannot be serialised: {e}"),
            }))
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
            self.attempt_once::<T>(operation, sdk_method, bytes.clone(), &span)
        })
        .instrument(span.clone())
        .await?;
        match answer {
            Answer::DecodedInOnePass(data) => Ok((data, server_date)),
            // The server answered 200 but the answer is unusable: whatever it did is unknown.
            Answer::DataToDecode(data) => decode::<T>(
                operation,
                data,
                secrecy::ExposeSecret::expose_secret(&self.api_key),
            )
            .map(|data| (data, server_date))
            .map_err(Failure::new),
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
        let bytes = serde_json::to_vec(&body).map_err(|e| {
            Error::Construction(ConstructionError::Configuration {
                message: format!("the {operation} variables cannot be serialised: {e}"),
            })
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
    async fn attempt_once<T: DeserializeOwned>(
        &self,
        operation: &'static str,
        sdk_method: &'static str,
        body: Vec<u8>,
        span: &tracing::Span,
    ) -> Result<(Answer<T>, Option<OffsetDateTime>), Failure> {
        let answer = self.send(sdk_method, body, span).await?;
        if let Some(data) = decode_success::<T>(answer.status, &answer.body) {
            return Ok((Answer::DecodedInOnePass(data), answer.date));
        }
        let data = classify_http_answer(
            operation,
            answer.status,
            answer.retry_after,
            &answer.body,
            secrecy::ExposeSecret::expose_secret(&self.api_key),
        )?;
        if answer.status == 200 {
            // A success the one-pass decoding refused (a repeated field, a value of another
            // kind): logged without any content of the body, so that a server whose answers
            // stop fitting shows in the logs and not only in the client's CPU time.
            tracing::debug!(
                operation,
                "one-pass decoding declined a status-200 answer; Value path used"
            );
        }
        Ok((Answer::DataToDecode(data), answer.date))
    }
}

/// What a successful attempt produced.
enum Answer<T> {
    /// The body was a plain success and [`decode_success`] decoded it straight into `T`.
    DecodedInOnePass(T),
    /// `data` of a body [`classify_http_answer`] accepted, still to be [`decode`]d (which
    /// names the failing field's path).
    DataToDecode(Value),
}
