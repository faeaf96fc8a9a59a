//! Outgoing flood control: a GCRA limiter (`governor`) per chat and one overall, asked before
//! each `sendMessage`.
//!
//! Replaces teloxide's `Throttle` adaptor, which runs every request through one worker task
//! that scans its queue linearly and sleeps in 250 ms steps: it tops out near 2,000 requests/s
//! and holds every queued request in memory (BENCHMARKS.md). Here a send only reserves a slot
//! in the limiters (one compare-and-swap each, the per-chat one under a short map lock) and
//! sleeps, if it must, in its own task; a 429 that still comes back is waited out by the retry
//! layer (`outbound::with_retry`).
//!
//! With Redis storage the replicas share one budget instead (`outbound/budget.rs`), at the
//! [`SendPace`] this gate names; the gate itself is then the fallback for when Redis does not
//! answer.
//!
//! A send *reserves* its slot: the replies queued for one chat get increasing waits and go out
//! in order, one per interval. `governor` only grants or refuses a cell at "now", so a
//! reservation asks it for the cell at the earliest instant it names (see [`ReservationClock`]).

use std::cell::Cell;
use std::num::NonZeroU32;
use std::time::{Duration, Instant};

use governor::clock::Clock;
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::state::{InMemoryState, NotKeyed};
use governor::{NotUntil, Quota, RateLimiter};

use crate::config::FloodControl;
use crate::storage::SendPace;

/// Telegram's published limit for a private chat: about one message per second, short bursts
/// tolerated.
const PRIVATE_BURST: u32 = 3;
const PRIVATE_INTERVAL: Duration = Duration::from_secs(1);
/// Telegram's published limit for a group: 20 messages per minute.
const GROUP_BURST: u32 = 5;
const GROUP_INTERVAL: Duration = Duration::from_secs(3);
/// The shared budget spaces messages this many per cent wider than the overall rate: a send
/// leaves a little after its slot (a timer tick, a busy thread), and on a grid at exactly the
/// rate one late send and the next thirty on time would put one message more than the rate
/// in a second. 3 % leaves a late send about 30 ms at 30 messages a second.
const SHARED_SPACING_PERCENT: u32 = 103;
/// Idle chat limiters are forgotten once this many are kept.
const SWEEP_AT: usize = 4096;

type ChatLimiter =
    RateLimiter<i64, DefaultKeyedStateStore<i64>, ReservationClock, NoOpMiddleware<Instant>>;
type OverallLimiter =
    RateLimiter<NotKeyed, InMemoryState, ReservationClock, NoOpMiddleware<Instant>>;

thread_local! {
    /// The instant a reservation asks about; `None`: the real time.
    static ASKING_AT: Cell<Option<Instant>> = const { Cell::new(None) };
}

/// The limiters' clock: the real time, except while [`reserve`] asks a limiter whether a cell
/// is free at a later instant. Set and read on one thread within one synchronous call.
#[derive(Debug, Clone, Copy, Default)]
struct ReservationClock;

impl Clock for ReservationClock {
    type Instant = Instant;

    fn now(&self) -> Instant {
        ASKING_AT.with(Cell::get).unwrap_or_else(Instant::now)
    }
}

/// Takes the earliest free cell at or after `now` and returns how long after `now` it is.
/// `check` asks one limiter for a cell at the clock's instant; it records the cell when it
/// grants it and otherwise names the earliest instant it would.
fn reserve(now: Instant, check: impl Fn() -> Result<(), NotUntil<Instant>>) -> Duration {
    let mut at = now;
    loop {
        ASKING_AT.with(|asking| asking.set(Some(at)));
        let granted = check();
        ASKING_AT.with(|asking| asking.set(None));
        match granted {
            Ok(()) => return at.duration_since(now),
            // Later each round: another send may take the named cell first.
            Err(refused) => {
                at = refused
                    .earliest_possible()
                    .max(at + Duration::from_nanos(1))
            }
        }
    }
}

fn quota(burst: u32, interval: Duration) -> Quota {
    let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
    Quota::with_period(interval)
        .expect("a non-zero interval")
        .allow_burst(burst)
}

fn chat_limiter(burst: u32, interval: Duration) -> ChatLimiter {
    RateLimiter::new(
        quota(burst, interval),
        DefaultKeyedStateStore::default(),
        ReservationClock,
    )
}

/// Flood control for one bot.
#[derive(Debug)]
pub struct FloodGate {
    /// `None`: flood control is off.
    limiters: Option<Limiters>,
}

#[derive(Debug)]
struct Limiters {
    /// The time between two messages at the overall rate.
    overall_interval: Duration,
    overall: OverallLimiter,
    private: ChatLimiter,
    groups: ChatLimiter,
}

impl FloodGate {
    /// A gate with the given setting.
    pub fn new(setting: FloodControl) -> Self {
        let limiters = match setting {
            FloodControl::Off => None,
            FloodControl::Telegram {
                messages_per_second,
            } => {
                let per_second = messages_per_second.max(1);
                let overall = RateLimiter::new(
                    quota(per_second, Duration::from_secs(1) / per_second),
                    InMemoryState::default(),
                    ReservationClock,
                );
                Some(Limiters {
                    overall_interval: Duration::from_secs(1) / per_second,
                    overall,
                    private: chat_limiter(PRIVATE_BURST, PRIVATE_INTERVAL),
                    groups: chat_limiter(GROUP_BURST, GROUP_INTERVAL),
                })
            }
        };
        Self { limiters }
    }

    /// How long a message to `chat` must wait, with the slot reserved. Zero when flood control
    /// is off. Group chat ids are negative.
    pub fn reserve(&self, chat: i64) -> Duration {
        let Some(limiters) = &self.limiters else {
            return Duration::ZERO;
        };
        let now = Instant::now();
        let chats = if chat < 0 {
            &limiters.groups
        } else {
            &limiters.private
        };
        if chats.len() >= SWEEP_AT {
            chats.retain_recent();
        }
        let chat_wait = reserve(now, || chats.check_key(&chat));
        let overall_wait = reserve(now, || limiters.overall.check());
        chat_wait.max(overall_wait)
    }

    /// The pace of messages to `chat` for a budget shared with other replicas: the chat's rate
    /// as here, the overall rate without this gate's burst of a second's worth (a burst and
    /// then the steady rate put twice the rate in one second; the shared budget promises no
    /// second above it, whichever replicas send), and a little slower
    /// ([`SHARED_SPACING_PERCENT`]). None when flood control is off.
    pub fn pace(&self, chat: i64) -> Option<SendPace> {
        let limiters = self.limiters.as_ref()?;
        let (chat_interval, chat_burst) = if chat < 0 {
            (GROUP_INTERVAL, GROUP_BURST)
        } else {
            (PRIVATE_INTERVAL, PRIVATE_BURST)
        };
        Some(SendPace {
            overall_interval: limiters.overall_interval * SHARED_SPACING_PERCENT / 100,
            chat_interval,
            chat_burst,
        })
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
    fn the_shared_pace_is_the_chats_rate_and_the_overall_rate_without_a_burst() {
        let gate = FloodGate::new(FloodControl::Telegram {
            messages_per_second: 30,
        });
        let overall_interval = Duration::from_secs(1) / 30 * 103 / 100;
        assert_eq!(
            gate.pace(7),
            Some(SendPace {
                overall_interval,
                chat_interval: PRIVATE_INTERVAL,
                chat_burst: PRIVATE_BURST,
            })
        );
        assert_eq!(
            gate.pace(-100),
            Some(SendPace {
                overall_interval,
                chat_interval: GROUP_INTERVAL,
                chat_burst: GROUP_BURST,
            })
        );
        assert_eq!(FloodGate::new(FloodControl::Off).pace(7), None);
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

/// The token buckets `FloodGate` used before `governor` (issue 10), kept to measure one against
/// the other: `cargo test --locked --lib flood::measure -- --ignored --nocapture --test-threads 1`.
#[cfg(test)]
mod measure {
    use std::collections::HashMap;
    use std::sync::Mutex;
    use std::time::{Duration, Instant};

    use super::*;

    mod old {
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
                let refilled = self.level
                    + now.saturating_duration_since(self.at).as_secs_f64() * rate.per_second;
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
        pub struct OldFloodGate {
            overall: Option<(Rate, Mutex<Bucket>)>,
            chats: Mutex<HashMap<i64, Bucket>>,
        }

        impl OldFloodGate {
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
        }
    }

    fn rss_kib() -> u64 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    }

    fn ns_per_call(calls: u32, mut reserve: impl FnMut(i64) -> Duration) -> f64 {
        let start = Instant::now();
        for i in 0..calls {
            std::hint::black_box(reserve(i64::from(i % 1000)));
        }
        start.elapsed().as_nanos() as f64 / f64::from(calls)
    }

    #[test]
    #[ignore = "a measurement, not a check: run it alone with --ignored --nocapture"]
    fn old_buckets_against_governor() {
        const CALLS: u32 = 1_000_000;
        const CHATS: i64 = 1_000_000;
        let setting = FloodControl::Telegram {
            messages_per_second: 1_000_000,
        };
        let old = old::OldFloodGate::new(setting);
        let new = FloodGate::new(setting);
        let old_ns = ns_per_call(CALLS, |chat| old.reserve(chat));
        let new_ns = ns_per_call(CALLS, |chat| new.reserve(chat));
        println!(
            "reserve, 1000 chats round robin (queued: each chat far over its rate): buckets {old_ns:.0} ns, governor {new_ns:.0} ns"
        );
        // The common case: a chat within its rate, nothing to wait.
        let (mut old_total, mut new_total) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..250 {
            let old = old::OldFloodGate::new(setting);
            let new = FloodGate::new(setting);
            let start = Instant::now();
            (0..4000).for_each(|chat| assert!(old.reserve(chat).is_zero()));
            old_total += start.elapsed();
            let start = Instant::now();
            (0..4000).for_each(|chat| assert!(new.reserve(chat).is_zero()));
            new_total += start.elapsed();
        }
        let per_call = |total: Duration| total.as_nanos() as f64 / 1_000_000.0;
        println!(
            "reserve, 4000 fresh chats x 250 (no wait): buckets {:.0} ns, governor {:.0} ns",
            per_call(old_total),
            per_call(new_total)
        );

        // Memory per chat: the per-chat state alone, filled past the sweep threshold (which
        // only drops idle chats) to see the entry size.
        let before = rss_kib();
        let buckets = Mutex::new(HashMap::new());
        let now = Instant::now();
        for chat in 0..CHATS {
            let mut map = buckets.lock().unwrap();
            let bucket = map.entry(chat).or_insert((0.0_f64, now));
            bucket.0 -= 1.0;
        }
        let old_kib = rss_kib() - before;
        drop(buckets);
        let before = rss_kib();
        let limiter = chat_limiter(PRIVATE_BURST, PRIVATE_INTERVAL);
        for chat in 0..CHATS {
            let _ = limiter.check_key(&chat);
        }
        let new_kib = rss_kib() - before;
        drop(limiter);
        let per_chat = |kib: u64| kib as f64 * 1024.0 / CHATS as f64;
        println!(
            "memory, {CHATS} chats: buckets {old_kib} KiB ({:.1} B/chat), governor {new_kib} KiB ({:.1} B/chat)",
            per_chat(old_kib),
            per_chat(new_kib)
        );
    }
}
