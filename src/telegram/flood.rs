//! Outgoing flood control: token buckets per chat and overall, checked before each
//! `sendMessage`.
//!
//! Replaces teloxide's `Throttle` adaptor, which runs every request through one worker task
//! that scans its queue linearly and sleeps in 250 ms steps: it tops out near 2,000 requests/s
//! and holds every queued request in memory (BENCHMARKS.md). Here a send only reserves a slot
//! in a bucket under a short lock and sleeps, if it must, in its own task; a 429 that still
//! comes back is waited out by the retry layer (`send::with_retry`).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::config::FloodControl;

/// Telegram's published limits for one chat: about one message per second in a private chat
/// (short bursts tolerated), 20 per minute in a group.
const PRIVATE: Rate = Rate {
    per_second: 1.0,
    burst: 3.0,
};
const GROUP: Rate = Rate {
    per_second: 20.0 / 60.0,
    burst: 5.0,
};
/// Idle chat buckets are forgotten once this many are kept.
const SWEEP_AT: usize = 4096;

#[derive(Debug, Clone, Copy)]
struct Rate {
    per_second: f64,
    burst: f64,
}

/// A token bucket whose level may go negative: a negative level is a queue of reservations,
/// each of which knows how long to sleep.
#[derive(Debug, Clone, Copy)]
struct Bucket {
    level: f64,
    at: Instant,
}

impl Bucket {
    fn full(rate: Rate, now: Instant) -> Self {
        Self {
            level: rate.burst,
            at: now,
        }
    }

    /// Takes one token and returns how long to wait before using it.
    fn reserve(&mut self, rate: Rate, now: Instant) -> Duration {
        let refilled =
            self.level + now.saturating_duration_since(self.at).as_secs_f64() * rate.per_second;
        self.level = refilled.min(rate.burst) - 1.0;
        self.at = self.at.max(now);
        if self.level >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-self.level / rate.per_second)
        }
    }

    fn is_full(&self, rate: Rate, now: Instant) -> bool {
        self.level + now.saturating_duration_since(self.at).as_secs_f64() * rate.per_second
            >= rate.burst
    }
}

/// Flood control for one bot.
#[derive(Debug)]
pub struct FloodGate {
    overall: Option<(Rate, Mutex<Bucket>)>,
    chats: Mutex<HashMap<i64, Bucket>>,
}

impl FloodGate {
    /// A gate with the given setting.
    pub fn new(setting: FloodControl) -> Self {
        let now = Instant::now();
        let overall = match setting {
            FloodControl::Off => None,
            FloodControl::Telegram {
                messages_per_second,
            } => {
                let per_second = f64::from(messages_per_second.max(1));
                let rate = Rate {
                    per_second,
                    burst: per_second,
                };
                Some((rate, Mutex::new(Bucket::full(rate, now))))
            }
        };
        Self {
            overall,
            chats: Mutex::new(HashMap::new()),
        }
    }

    /// How long a message to `chat` must wait, with the slot reserved. Zero when flood control
    /// is off. Group chat ids are negative.
    pub fn reserve(&self, chat: i64) -> Duration {
        let Some((overall_rate, overall)) = &self.overall else {
            return Duration::ZERO;
        };
        let now = Instant::now();
        let rate = if chat < 0 { GROUP } else { PRIVATE };
        let chat_wait = {
            let mut chats = self.chats.lock().unwrap_or_else(|e| e.into_inner());
            if chats.len() >= SWEEP_AT {
                chats.retain(|&id, bucket| {
                    !bucket.is_full(if id < 0 { GROUP } else { PRIVATE }, now)
                });
            }
            chats
                .entry(chat)
                .or_insert_with(|| Bucket::full(rate, now))
                .reserve(rate, now)
        };
        let overall_wait = overall
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .reserve(*overall_rate, now);
        chat_wait.max(overall_wait)
    }

    /// Waits for a slot to send a message to `chat`.
    pub async fn wait(&self, chat: i64) {
        let wait = self.reserve(chat);
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn off_never_waits() {
        let gate = FloodGate::new(FloodControl::Off);
        assert!((0..10_000).all(|_| gate.reserve(1).is_zero()));
    }

    #[test]
    fn a_private_chat_gets_a_short_burst_then_one_per_second() {
        let gate = FloodGate::new(FloodControl::Telegram {
            messages_per_second: 30,
        });
        let waits: Vec<Duration> = (0..5).map(|_| gate.reserve(7)).collect();
        assert!(waits[..3].iter().all(|w| w.is_zero()), "{waits:?}");
        assert!(
            waits[3] > Duration::from_millis(900) && waits[3] <= Duration::from_millis(1000),
            "{waits:?}"
        );
        assert!(
            waits[4] > Duration::from_millis(1900) && waits[4] <= Duration::from_millis(2000),
            "{waits:?}"
        );
        // Another chat is not held up by this one.
        assert!(gate.reserve(8).is_zero());
    }

    #[test]
    fn a_group_gets_twenty_per_minute() {
        let gate = FloodGate::new(FloodControl::Telegram {
            messages_per_second: 30,
        });
        let waits: Vec<Duration> = (0..7).map(|_| gate.reserve(-100)).collect();
        assert!(waits[..5].iter().all(|w| w.is_zero()), "{waits:?}");
        assert!(
            waits[5] > Duration::from_millis(2900) && waits[5] <= Duration::from_secs(3),
            "{waits:?}"
        );
        assert!(
            waits[6] > Duration::from_millis(5900) && waits[6] <= Duration::from_secs(6),
            "{waits:?}"
        );
    }

    #[test]
    fn many_chats_share_the_overall_rate() {
        let gate = FloodGate::new(FloodControl::Telegram {
            messages_per_second: 30,
        });
        let waits: Vec<Duration> = (1..=90).map(|chat| gate.reserve(chat)).collect();
        assert!(waits[..30].iter().all(|w| w.is_zero()));
        // 60 more messages at 30/s: the last waits about 2 s.
        let last = waits[89];
        assert!(
            last > Duration::from_millis(1900) && last <= Duration::from_secs(2),
            "{last:?}"
        );
    }
}
