//! Quiet logs under a flood: repeated events of one class (a rejected webhook request, a failed
//! send) become one log line when the first arrives, then one summary line per class per
//! [`INTERVAL`] with the count, never one line each. Pure: the caller passes the time and logs
//! what comes back; the metrics counters stay exact, since they are counted elsewhere.

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// How long repeats of a class are counted before their summary line. A minute keeps an
/// attack of thousands of requests a second down to a line per class per minute, while an
/// operator watching the log still sees a flood start at once and its size within a minute.
pub const INTERVAL: Duration = Duration::from_secs(60);

/// What to log for an event or a flush.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line<C> {
    /// The first event of `class` after a quiet interval: log it now, say more are counted.
    First {
        /// The class.
        class: C,
    },
    /// `count` events of `class` since the last line about it, `since` ago.
    Summary {
        /// The class.
        class: C,
        /// Events not logged one by one since the last line about the class.
        count: u64,
        /// Time since the last line about the class.
        since: Duration,
    },
}

/// One open window: when its last line was logged and how many events came since.
#[derive(Debug, Clone, Copy)]
struct Window<C> {
    class: C,
    logged_at: Instant,
    count: u64,
}

/// Counts events per class between log lines. A handful of classes, so a `Vec` (no hashing).
#[derive(Debug, Default)]
pub struct QuietLog<C> {
    windows: Vec<Window<C>>,
}

impl<C: Copy + Eq> QuietLog<C> {
    /// No class seen yet.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            windows: Vec::new(),
        }
    }

    /// Records one event of `class` at `now`: a line to log, or `None` when it is counted
    /// for a later summary.
    pub fn record(&mut self, class: C, now: Instant) -> Option<Line<C>> {
        let Some(window) = self.windows.iter_mut().find(|w| w.class == class) else {
            self.windows.push(Window {
                class,
                logged_at: now,
                count: 0,
            });
            return Some(Line::First { class });
        };
        window.count += 1;
        let since = now.saturating_duration_since(window.logged_at);
        if since < INTERVAL {
            return None;
        }
        let count = std::mem::take(&mut window.count);
        window.logged_at = now;
        Some(Line::Summary {
            class,
            count,
            since,
        })
    }

    /// The summaries due at `now` (a class whose last line is an interval old and that has
    /// counted events since), so a flood that stops still gets its count logged. A class that
    /// stayed quiet for a whole interval is forgotten: its next event logs at once again.
    pub fn flush(&mut self, now: Instant) -> Vec<Line<C>> {
        let mut lines = Vec::new();
        self.windows.retain_mut(|window| {
            let since = now.saturating_duration_since(window.logged_at);
            if since < INTERVAL {
                return true;
            }
            if window.count == 0 {
                return false;
            }
            lines.push(Line::Summary {
                class: window.class,
                count: std::mem::take(&mut window.count),
                since,
            });
            window.logged_at = now;
            true
        });
        lines
    }
}

/// A [`QuietLog`] behind a lock, for a `static`: one per kind of event per process, like the
/// log it keeps quiet.
#[derive(Debug)]
pub struct SharedQuietLog<C>(Mutex<QuietLog<C>>);

impl<C: Copy + Eq> SharedQuietLog<C> {
    /// No class seen yet.
    #[must_use]
    pub const fn new() -> Self {
        Self(Mutex::new(QuietLog::new()))
    }

    /// [`QuietLog::record`] at the current time.
    pub fn record(&self, class: C) -> Option<Line<C>> {
        self.lock().record(class, Instant::now())
    }

    /// [`QuietLog::flush`].
    pub fn flush(&self, now: Instant) -> Vec<Line<C>> {
        self.lock().flush(now)
    }

    fn lock(&self) -> MutexGuard<'_, QuietLog<C>> {
        // A panic while counting leaves the counts usable.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl<C: Copy + Eq> Default for SharedQuietLog<C> {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: Duration = Duration::from_secs(1);

    #[test]
    fn the_first_event_of_a_class_logs_at_once_and_repeats_are_counted() {
        let t0 = Instant::now();
        let mut log = QuietLog::new();
        assert_eq!(log.record("a", t0), Some(Line::First { class: "a" }));
        for i in 1..1000 {
            assert_eq!(log.record("a", t0 + SEC / 100 * i), None);
        }
        // Another class has its own first line.
        assert_eq!(log.record("b", t0 + SEC), Some(Line::First { class: "b" }));
        assert_eq!(log.record("b", t0 + SEC * 2), None);
    }

    #[test]
    fn the_next_event_after_the_interval_logs_the_count() {
        let t0 = Instant::now();
        let mut log = QuietLog::new();
        log.record(1u8, t0);
        for _ in 0..41 {
            assert_eq!(log.record(1, t0 + SEC), None);
        }
        let late = t0 + INTERVAL + SEC;
        assert_eq!(
            log.record(1, late),
            Some(Line::Summary {
                class: 1,
                count: 42,
                since: INTERVAL + SEC,
            })
        );
        // A new window starts at the summary.
        assert_eq!(log.record(1, late + SEC), None);
        assert_eq!(
            log.flush(late + INTERVAL),
            vec![Line::Summary {
                class: 1,
                count: 1,
                since: INTERVAL,
            }]
        );
    }

    #[test]
    fn flush_logs_a_flood_that_stopped_and_then_forgets_the_class() {
        let t0 = Instant::now();
        let mut log = QuietLog::new();
        log.record('x', t0);
        log.record('y', t0);
        for _ in 0..9 {
            log.record('x', t0 + SEC);
        }
        // Nothing due before the interval.
        assert!(log.flush(t0 + SEC * 59).is_empty());
        let lines = log.flush(t0 + INTERVAL);
        assert_eq!(
            lines,
            vec![Line::Summary {
                class: 'x',
                count: 9,
                since: INTERVAL,
            }]
        );
        // 'y' had no repeat: forgotten at once; 'x' after a quiet interval.
        assert_eq!(
            log.record('y', t0 + INTERVAL),
            Some(Line::First { class: 'y' })
        );
        assert!(log.flush(t0 + INTERVAL * 2).is_empty());
        assert_eq!(
            log.record('x', t0 + INTERVAL * 2),
            Some(Line::First { class: 'x' })
        );
    }

    #[test]
    fn every_event_is_in_exactly_one_line() {
        let t0 = Instant::now();
        let mut log = QuietLog::new();
        let mut logged = 0;
        let count = |line: Line<u8>| match line {
            Line::First { .. } => 1,
            Line::Summary { count, .. } => count,
        };
        for i in 0..10_000u32 {
            let now = t0 + Duration::from_millis(u64::from(i) * 37);
            logged += log.record((i % 3) as u8, now).map_or(0, count);
        }
        let end = t0 + Duration::from_secs(3600);
        logged += log.flush(end).into_iter().map(count).sum::<u64>();
        assert_eq!(logged, 10_000);
    }
}
