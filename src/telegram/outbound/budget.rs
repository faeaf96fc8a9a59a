//! The pace of sends across replicas (issue 12): Telegram's limits hold per bot, so with a
//! shared store (Redis) every message takes its slot from the budget all replicas share
//! (`storage::SharedSendBudget`, one round trip); otherwise, and whenever that budget does not
//! answer, from this replica's own [`FloodGate`]. A reply is never held up for Redis longer
//! than the store's short deadline: it fails open, to the local limit.
//!
//! The local gate is not kept in step while the shared budget answers: charging it too would
//! only add waits (it sees a part of what the shared budget sees, so it never knows better),
//! and what it forgets costs at most one local burst when Redis stops answering, a moment the
//! retry layer covers anyway (a 429 is waited out).

use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use tracing::warn;

use super::log_failure_now;
use crate::metrics::Metrics;
use crate::storage::{SendPace, SharedSendBudget, Storage};
use crate::telegram::flood::FloodGate;

/// After the shared budget failed, sends skip it for this long: when Redis hangs rather than
/// refuses, only about one send per replica per second waits out the store's deadline.
const SKIP_AFTER_FAILURE: Duration = Duration::from_secs(1);

/// Paces every send: the shared budget when there is one and it answers, else the local gate.
#[derive(Debug)]
pub struct SendBudget {
    local: FloodGate,
    /// Until when the shared budget is skipped after a failure.
    skip_shared_until: Mutex<Option<Instant>>,
}

impl SendBudget {
    /// Falls back on (or, without a shared store, is) `local`.
    pub fn new(local: FloodGate) -> Self {
        Self {
            local,
            skip_shared_until: Mutex::new(None),
        }
    }

    /// Waits for the slot of a message to `chat`, from `storage`'s shared budget if it has
    /// one (none with flood control off).
    pub async fn wait(&self, chat: i64, storage: &dyn Storage, metrics: &Metrics) {
        let shared = match (self.local.pace(chat), storage.shared_send_budget()) {
            (Some(pace), Some(budget)) => self.reserve_shared(budget, chat, pace, metrics).await,
            _ => None,
        };
        let wait = shared.unwrap_or_else(|| self.local.reserve(chat));
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }

    /// The wait the shared budget gives, or None (counted as a fallback) when it failed or
    /// is skipped after a failure.
    async fn reserve_shared(
        &self,
        budget: &dyn SharedSendBudget,
        chat: i64,
        pace: SendPace,
        metrics: &Metrics,
    ) -> Option<Duration> {
        if !self.skipping(Instant::now()) {
            match budget.reserve_send(chat, pace).await {
                Ok(wait) => return Some(wait),
                Err(e) => {
                    self.skip_from(Instant::now());
                    if log_failure_now("paced locally", "shared budget unavailable") {
                        warn!(
                            cause = %e,
                            "the send budget shared through Redis did not answer; this replica paces its sends alone meanwhile (repeats are counted, summarized every 60 s)"
                        );
                    }
                }
            }
        }
        metrics.send_budget_fallback();
        None
    }

    fn skipping(&self, now: Instant) -> bool {
        self.skip_shared_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .is_some_and(|until| now < until)
    }

    fn skip_from(&self, now: Instant) {
        *self
            .skip_shared_until
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(now + SKIP_AFTER_FAILURE);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::FloodControl;
    use crate::storage::{MemoryStorage, RedisStorage};

    fn budget() -> SendBudget {
        SendBudget::new(FloodGate::new(FloodControl::Telegram {
            messages_per_second: 30,
        }))
    }

    fn no_fallbacks(metrics: &Metrics) -> bool {
        metrics
            .render()
            .lines()
            .any(|line| line == "backleg_send_budget_fallbacks_total 0")
    }

    #[tokio::test]
    async fn a_store_of_one_process_leaves_the_pace_to_the_local_gate() {
        let (budget, metrics) = (budget(), Metrics::new(&[]));
        let started = Instant::now();
        for _ in 0..3 {
            budget.wait(7, &MemoryStorage::default(), &metrics).await;
        }
        assert!(started.elapsed() < Duration::from_millis(500), "the burst");
        assert!(
            no_fallbacks(&metrics),
            "no fallback without a shared budget"
        );
    }

    #[tokio::test]
    async fn a_shared_budget_that_does_not_answer_falls_back_fast_and_is_skipped_a_while() {
        // Nothing listens on port 1: connecting is refused at once.
        let store = RedisStorage::new("redis://127.0.0.1:1").expect("a valid URL");
        let (budget, metrics) = (budget(), Metrics::new(&[]));
        let started = Instant::now();
        for _ in 0..3 {
            budget.wait(7, &store, &metrics).await;
        }
        assert!(started.elapsed() < Duration::from_millis(500), "fails open");
        assert!(!no_fallbacks(&metrics));
        assert!(
            metrics
                .render()
                .contains("backleg_send_budget_fallbacks_total 3"),
            "every send counted, the skipped ones too:\n{}",
            metrics.render()
        );
        assert!(budget.skipping(Instant::now()));
        assert!(!budget.skipping(Instant::now() + SKIP_AFTER_FAILURE));
    }
}
