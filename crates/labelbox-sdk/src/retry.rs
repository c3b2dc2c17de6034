//! Whether, when and how long to wait before trying a request again: the policy
//! ([`RetryPolicy`]), what an operation may be retried after ([`Idempotency`]), and the
//! loop over attempts ([`run_with_retries`]).

use std::future::Future;
use std::time::{Duration, Instant};

use crate::failure::{Delivery, Failure};

/// How the client retries requests that failed for a reason retrying can fix.
///
/// The defaults follow AWS's "standard" retry mode and Google's AIP-194: at most
/// 3 attempts in all, exponential backoff with full jitter (a random wait between zero and
/// `initial_backoff × 2^retry`, capped at `max_backoff`), and a server's `Retry-After`
/// honoured when it is no longer than `max_retry_after`.
///
/// What is retried depends on the operation, not on this policy: queries and revocation
/// (idempotent) are retried on timeouts, connection failures, HTTP 5xx and rate limiting;
/// key creation only when the request provably never reached the server (the connection
/// was refused) or was rejected before processing (rate limiting), so that a lost
/// response never creates a second key.
///
/// ```
/// use std::time::Duration;
/// use labelbox_sdk::RetryPolicy;
///
/// let patient = RetryPolicy::default()
///     .max_attempts(5)
///     .initial_backoff(Duration::from_millis(500))
///     .max_backoff(Duration::from_secs(10));
/// assert_eq!(patient.attempts(), 5);
/// assert_eq!(RetryPolicy::none().attempts(), 1);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries: every request is attempted exactly once.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Sets the number of attempts in all, the first one included (at least 1; 0 is read as 1).
    #[must_use]
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// Sets the backoff before the first retry; it doubles with every further retry.
    #[must_use]
    pub fn initial_backoff(mut self, backoff: Duration) -> Self {
        self.initial_backoff = backoff;
        self
    }

    /// Sets the cap on the computed backoff.
    #[must_use]
    pub fn max_backoff(mut self, cap: Duration) -> Self {
        self.max_backoff = cap;
        self
    }

    /// Sets the longest `Retry-After` the client is willing to wait; a server asking for
    /// longer ends the call with the rate-limit error (which carries the server's value).
    #[must_use]
    pub fn max_retry_after(mut self, longest: Duration) -> Self {
        self.max_retry_after = longest;
        self
    }

    /// The number of attempts in all, the first one included.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The wait before retry number `retry` (0 for the first retry): full jitter between
    /// zero and the capped exponential backoff, or the server's `Retry-After` if it gave one.
    ///
    /// Returns `None` when the server asked for a longer wait than the policy accepts.
    pub(crate) fn delay(&self, retry: u32, retry_after: Option<Duration>) -> Option<Duration> {
        if let Some(wait) = retry_after {
            return (wait <= self.max_retry_after).then_some(wait);
        }
        let factor = 2u32.saturating_pow(retry.min(31));
        let ceiling = self
            .initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff);
        let ceiling_nanos = u64::try_from(ceiling.as_nanos()).unwrap_or(u64::MAX);
        Some(Duration::from_nanos(fastrand::u64(0..=ceiling_nanos)))
    }
}

/// Which failures an operation may be retried after.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Idempotency {
    /// Queries and revocation: any retryable failure ([`crate::Error::is_retryable`]).
    Idempotent,
    /// Key creation: only when the request provably never reached the server (the
    /// connection failed) or was rejected before processing (rate limiting).
    NotIdempotent,
    /// Decided from the operation's document before the first attempt
    /// ([`crate::operation_kind::kind_from_document`]): a mutation is
    /// [`Idempotency::NotIdempotent`], anything else [`Idempotency::Idempotent`] (for
    /// `Client::execute_with_parsed_kind`, which runs any operation). Unresolved, it is
    /// treated as not idempotent.
    FromDocument,
}

impl Idempotency {
    /// Whether `failure` may be retried under this idempotency (the policy decides whether
    /// attempts are left and how long to wait).
    fn allows_retry_after(self, failure: &Failure) -> bool {
        match self {
            Idempotency::Idempotent => failure.error.is_retryable(),
            Idempotency::NotIdempotent | Idempotency::FromDocument => {
                matches!(
                    failure.error.delivery(),
                    Delivery::NotSent | Delivery::Rejected
                ) && failure.error.is_retryable()
            }
        }
    }
}

/// Runs `attempt` until it succeeds, fails in a way `idempotency` does not allow to retry,
/// or `policy` has no attempt left; waits between attempts as `policy` says (backoff with
/// full jitter, or the server's `Retry-After`). Records `attempt` and `duration_ms` on
/// `span`.
pub(crate) async fn run_with_retries<T, F, Fut>(
    policy: &RetryPolicy,
    idempotency: Idempotency,
    span: &tracing::Span,
    mut attempt: F,
) -> Result<T, Failure>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, Failure>>,
{
    let started = Instant::now();
    let mut attempt_number: u32 = 0;
    loop {
        attempt_number += 1;
        span.record("attempt", attempt_number);
        let attempt_started = Instant::now();
        let outcome = attempt().await;
        let elapsed = attempt_started.elapsed();
        span.record("duration_ms", duration_ms(started.elapsed()));
        let failure = match outcome {
            Ok(data) => {
                tracing::debug!(
                    attempt = attempt_number,
                    elapsed_ms = duration_ms(elapsed),
                    "operation succeeded"
                );
                return Ok(data);
            }
            Err(failure) => failure,
        };
        let delay =
            if idempotency.allows_retry_after(&failure) && attempt_number < policy.attempts() {
                policy.delay(attempt_number - 1, failure.error.retry_after())
            } else {
                None
            };
        match delay {
            Some(delay) => {
                tracing::debug!(
                    attempt = attempt_number,
                    elapsed_ms = duration_ms(elapsed),
                    error = %failure.error,
                    backoff_ms = duration_ms(delay),
                    "attempt failed; retrying"
                );
                tokio::time::sleep(delay).await;
            }
            None => {
                tracing::debug!(
                    attempt = attempt_number,
                    elapsed_ms = duration_ms(elapsed),
                    error = %failure.error,
                    "operation failed"
                );
                return Err(failure);
            }
        }
    }
}

fn duration_ms(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ConstructionError, Error, ServiceError};

    #[test]
    fn creation_is_retried_only_when_the_request_never_took_effect() {
        let timeout = |delivery| {
            Failure::new(Error::Timeout {
                after: None,
                delivery,
            })
        };
        let limited = || {
            Failure::new(Error::Service(ServiceError::RateLimited {
                message: "You have exceeded".into(),
                retry_after: None,
            }))
        };
        let missing_key = || Failure::new(Error::Construction(ConstructionError::MissingApiKey));
        let idem = Idempotency::Idempotent;
        let not = Idempotency::NotIdempotent;
        assert!(idem.allows_retry_after(&timeout(Delivery::Unknown)));
        assert!(!not.allows_retry_after(&timeout(Delivery::Unknown)));
        assert!(not.allows_retry_after(&timeout(Delivery::NotSent)));
        assert_eq!(limited().error.delivery(), Delivery::Rejected);
        assert!(not.allows_retry_after(&limited()));
        assert!(!not.allows_retry_after(&missing_key()));
        assert!(!idem.allows_retry_after(&missing_key()));
    }

    #[test]
    fn backoff_is_jittered_below_the_capped_exponential() {
        let policy = RetryPolicy::default()
            .initial_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_millis(300));
        for _ in 0..200 {
            assert!(policy.delay(0, None).unwrap() <= Duration::from_millis(100));
            assert!(policy.delay(1, None).unwrap() <= Duration::from_millis(200));
            assert!(policy.delay(5, None).unwrap() <= Duration::from_millis(300));
            assert!(policy.delay(40, None).unwrap() <= Duration::from_millis(300));
        }
        // Full jitter: the waits are spread out, not a fixed value.
        let waits: std::collections::BTreeSet<_> =
            (0..50).map(|_| policy.delay(5, None).unwrap()).collect();
        assert!(waits.len() > 10);
    }

    #[test]
    fn retry_after_is_honoured_up_to_the_limit() {
        let policy = RetryPolicy::default().max_retry_after(Duration::from_secs(5));
        assert_eq!(
            policy.delay(0, Some(Duration::from_secs(2))),
            Some(Duration::from_secs(2))
        );
        assert_eq!(policy.delay(0, Some(Duration::from_secs(6))), None);
    }

    #[test]
    fn none_means_one_attempt_and_zero_is_clamped() {
        assert_eq!(RetryPolicy::none().attempts(), 1);
        assert_eq!(RetryPolicy::default().attempts(), 3);
        assert_eq!(RetryPolicy::default().max_attempts(0).attempts(), 1);
    }
}
