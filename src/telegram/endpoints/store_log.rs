//! Failed calls to the settings store on the per-update path, logged quietly: while Redis is
//! down every update fails a read or two (the bot answers anyway: fail open), and a line each
//! was about 60 lines a second in the soak run. The first failure of each kind logs at once
//! with its cause; repeats become one summary line per kind per `quiet::INTERVAL`.

use std::fmt;
use std::time::Instant;

use tracing::warn;

use crate::telegram::quiet::{Line, SharedQuietLog, INTERVAL};

/// Store failures between log lines, per what failed. One per process, like the log.
static STORE_FAILURES: SharedQuietLog<&'static str> = SharedQuietLog::new();

/// Logs a failed store call: at once if it is the first of `what` in an interval (with its
/// cause), else counted for the summary.
pub(super) fn store_failed(what: &'static str, cause: &dyn fmt::Display) {
    match STORE_FAILURES.record(what) {
        Some(Line::First { .. }) => warn!(
            cause = %cause,
            summary_every_s = INTERVAL.as_secs(),
            "{what} (repeats are counted and summarized)"
        ),
        Some(summary) => log_summary(summary),
        None => {}
    }
}

/// Logs the summaries due at `now` (an outage that ended still gets its count).
pub fn flush_store_failure_log(now: Instant) {
    STORE_FAILURES.flush(now).into_iter().for_each(log_summary);
}

fn log_summary(line: Line<&'static str>) {
    if let Line::Summary {
        class,
        count,
        since,
    } = line
    {
        warn!(
            what = class,
            count,
            in_s = since.as_secs(),
            "repeated settings-store failures: summary"
        );
    }
}
