//! A retry layer for what teloxide does not retry.
//!
//! teloxide retries nothing: a 5xx or a dropped connection fails the request once and the
//! reply is lost. Here: bounded attempts with exponential backoff and jitter for server and
//! network errors (a duplicate reply after a lost response is acceptable, a lost urgent-care
//! reply is not).

use std::future::Future;
use std::time::Duration;

use teloxide::RequestError;

use super::SendError;
use crate::metrics::Metrics;

/// Attempts for one request, the first included.
pub const MAX_ATTEMPTS: u32 = 5;
/// No retry starts after this long: a webhook request waits for its reply, and Telegram and
/// the load balancer give up on slow answers (nginx's recipe waits 75 s).
pub const RETRY_BUDGET: Duration = Duration::from_secs(25);

/// Backoff before attempt `attempt` (1-based retries): 0.5 s, 1 s, 2 s, 4 s... capped at 8 s,
/// plus up to 50 % jitter so that many chats retrying at once do not retry in lockstep.
pub fn backoff(attempt: u32) -> Duration {
    let base = Duration::from_millis(500)
        .saturating_mul(1 << attempt.saturating_sub(1).min(4))
        .min(Duration::from_secs(8));
    base + base.mul_f64(fastrand::f64() * 0.5)
}

/// Runs `op` until it succeeds, fails permanently, or `MAX_ATTEMPTS` are used. A 429 is
/// waited out for the time Telegram asked; a 5xx is retried at once (teloxide-core sleeps 10 s
/// before returning one); a network error after a backoff. No 5xx or network retry starts
/// after `RETRY_BUDGET`. Every failed attempt and every retry is counted in `metrics`.
///
/// # Errors
/// The last error, classified.
pub async fn with_retry<T, F, Fut>(metrics: Option<&Metrics>, mut op: F) -> Result<T, SendError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, RequestError>>,
{
    let started = std::time::Instant::now();
    let mut attempt = 1;
    loop {
        let error = match op().await {
            Ok(value) => return Ok(value),
            Err(error) => SendError::of(&error),
        };
        if let Some(metrics) = metrics {
            metrics.send_failure(error.into());
        }
        // A 429 is always waited out (Telegram said how long); other failures are retried
        // within the budget.
        let retry = attempt < MAX_ATTEMPTS
            && error.is_transient()
            && (matches!(error, SendError::RetryAfter(_)) || started.elapsed() < RETRY_BUDGET);
        if !retry {
            return Err(error);
        }
        if let Some(metrics) = metrics {
            metrics.retry();
        }
        let wait = match error {
            SendError::RetryAfter(wait) => wait,
            // teloxide-core has already slept 10 s before returning a 5xx.
            SendError::ServerError | SendError::InvalidResponse => Duration::ZERO,
            _ => backoff(attempt),
        };
        if super::log_failure_now("retried", error.label()) {
            tracing::warn!(
                attempt,
                class = error.label(),
                wait_ms = wait.as_millis() as u64,
                "request failed, retrying (repeats are counted, summarized every 60 s)"
            );
        }
        tokio::time::sleep(wait).await;
        attempt += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(
            backoff(1) >= Duration::from_millis(500) && backoff(1) <= Duration::from_millis(750)
        );
        assert!(backoff(10) <= Duration::from_secs(12));
    }
}
