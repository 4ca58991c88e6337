//! When the client sends a request again, and how long it waits first.
//!
//! Every request this client makes may be repeated without changing the outcome:
//!
//! * the `GET`s only read;
//! * the `POST`s to `/v2/contracts/call-read`, `/v2/map_entry` and `/v2/fees/transaction` only
//!   read too (POST is used to carry a body);
//! * `POST /v2/transactions` is idempotent on Stacks: the txid is the hash of the signed
//!   bytes, and a node that already holds the transaction answers 200 with the same txid.
//!
//! So a request is repeated, up to [`RetryPolicy`]'s bound, when the failure may be
//! transient: the connection could not be opened, it broke or timed out, or the server
//! answered 500, 502, 503, 504 (a node or proxy in trouble) or 429 (a rate limit, as the Hiro
//! API sends; the one 4xx that says "later"). Any other 4xx is the node's verdict on the
//! request itself; sending it again gets the same answer, so it is returned at once.
//!
//! One case needs care: a broadcast whose first attempt reached the node (it timed out, or a
//! proxy answered 5xx) may have been accepted, and the transaction mined before the retry
//! arrived. The retry is then refused with `BadNonce`, though the transaction went through.
//! The client reports that case as
//! [`NodeError::BroadcastOutcomeUnknown`](super::NodeError::BroadcastOutcomeUnknown), never
//! as a plain rejection.

use std::time::Duration;

use reqwest::StatusCode;

/// How often a failed request is sent again, with exponential backoff between attempts:
/// `initial_backoff`, then twice that, and so on, never more than `max_backoff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    max_retries: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
}

impl RetryPolicy {
    /// Never retry: every failure is returned as it happens.
    pub const NONE: RetryPolicy = RetryPolicy {
        max_retries: 0,
        initial_backoff: Duration::ZERO,
        max_backoff: Duration::ZERO,
    };

    /// Up to `max_retries` further attempts after the first, waiting `initial_backoff`
    /// before the first retry and doubling each time, at most 5 seconds between attempts.
    pub fn new(max_retries: u32, initial_backoff: Duration) -> Self {
        RetryPolicy {
            max_retries,
            initial_backoff,
            max_backoff: Duration::from_secs(5).max(initial_backoff),
        }
    }

    /// The same policy with another cap on the wait between two attempts.
    pub fn with_max_backoff(self, max_backoff: Duration) -> Self {
        RetryPolicy {
            max_backoff,
            ..self
        }
    }

    /// Whether another attempt may follow attempt number `attempt` (0 = the first).
    pub(crate) fn allows_retry_after(&self, attempt: u32) -> bool {
        attempt < self.max_retries
    }

    /// How long to wait after attempt number `attempt` (0 = the first) failed.
    pub(crate) fn backoff(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt).unwrap_or(u32::MAX);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

impl Default for RetryPolicy {
    /// Three retries after 250 ms, 500 ms and 1 s: rides out a node restart or a proxy hiccup
    /// without making a person wait long for a real failure.
    fn default() -> Self {
        RetryPolicy::new(3, Duration::from_millis(250))
    }
}

/// Whether an HTTP status says "try again later" rather than "this request is wrong".
pub(crate) fn is_transient(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::TOO_MANY_REQUESTS
            | StatusCode::INTERNAL_SERVER_ERROR
            | StatusCode::BAD_GATEWAY
            | StatusCode::SERVICE_UNAVAILABLE
            | StatusCode::GATEWAY_TIMEOUT
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let policy = RetryPolicy::new(10, Duration::from_millis(100))
            .with_max_backoff(Duration::from_millis(700));
        let waits: Vec<u128> = (0..5).map(|a| policy.backoff(a).as_millis()).collect();
        assert_eq!(waits, [100, 200, 400, 700, 700]);
        assert_eq!(policy.backoff(40), Duration::from_millis(700));
    }

    #[test]
    fn retries_are_bounded() {
        let policy = RetryPolicy::new(2, Duration::from_millis(1));
        assert!(policy.allows_retry_after(0));
        assert!(policy.allows_retry_after(1));
        assert!(!policy.allows_retry_after(2));
        assert!(!RetryPolicy::NONE.allows_retry_after(0));
    }

    #[test]
    fn only_rate_limits_and_server_trouble_are_transient() {
        for code in [429, 500, 502, 503, 504] {
            assert!(is_transient(StatusCode::from_u16(code).unwrap()), "{code}");
        }
        for code in [200, 400, 401, 404, 409, 501, 505] {
            assert!(!is_transient(StatusCode::from_u16(code).unwrap()), "{code}");
        }
    }
}
