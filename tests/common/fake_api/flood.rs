//! Telegram's flood limits, enforced by the fake when a test asks for it
//! (`FakeApi::enforce_flood_limits`): a `sendMessage` that would put more messages in a window
//! than its limit answers 429 with `retry_after`, as Telegram does, and is counted as refused.
//! Windows are sliding and half-open, `(t - width, t]`, the same ones [`busiest_window`]
//! measures in a call log.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

/// What the fake lets through before it answers 429.
#[derive(Clone, Copy, Debug)]
pub struct FloodLimits {
    /// Messages in any second, to any chats.
    pub per_second: usize,
    /// Messages to one private chat in any `private_window`.
    pub per_private_chat: usize,
    /// See `per_private_chat`.
    pub private_window: Duration,
    /// Messages to one group in any `group_window`.
    pub per_group: usize,
    /// See `per_group`.
    pub group_window: Duration,
}

impl FloodLimits {
    /// `per_second` overall; per chat, the bot's own pace (a private chat three at once, then
    /// one a second; a group five, then one every three seconds) with 200 ms of slack for the
    /// time a request takes to get here: a replica that paced a chat alone, without the
    /// others, breaks it.
    pub fn per_second(per_second: usize) -> Self {
        Self {
            per_second,
            per_private_chat: 3,
            private_window: Duration::from_millis(800),
            per_group: 5,
            group_window: Duration::from_millis(2800),
        }
    }
}

/// Recent accepted sends, overall and per chat.
#[derive(Debug, Default)]
pub(super) struct FloodLedger {
    overall: VecDeque<Instant>,
    chats: HashMap<i64, VecDeque<Instant>>,
}

/// Drops the instants that left the window ending at `now` and counts the rest.
fn in_window(sends: &mut VecDeque<Instant>, width: Duration, now: Instant) -> usize {
    while sends
        .front()
        .is_some_and(|&at| now.duration_since(at) >= width)
    {
        sends.pop_front();
    }
    sends.len()
}

impl FloodLedger {
    /// Records a send to `chat` at `now` if every window stays within `limits`; otherwise
    /// says which limit it would break (and records nothing: a refused message is not sent).
    pub(super) fn admit(
        &mut self,
        limits: &FloodLimits,
        chat: i64,
        now: Instant,
    ) -> Result<(), String> {
        if in_window(&mut self.overall, Duration::from_secs(1), now) >= limits.per_second {
            return Err(format!("over {} messages a second", limits.per_second));
        }
        let (limit, width) = if chat < 0 {
            (limits.per_group, limits.group_window)
        } else {
            (limits.per_private_chat, limits.private_window)
        };
        let sends = self.chats.entry(chat).or_default();
        if in_window(sends, width, now) >= limit {
            return Err(format!("over {limit} messages in {width:?} to chat {chat}"));
        }
        sends.push_back(now);
        self.overall.push_back(now);
        Ok(())
    }
}

/// The most of `times` in any window `(t - width, t]`.
pub fn busiest_window(times: &[Instant], width: Duration) -> usize {
    let mut times = times.to_vec();
    times.sort_unstable();
    let mut start = 0;
    let mut most = 0;
    for end in 0..times.len() {
        while times[end].duration_since(times[start]) >= width {
            start += 1;
        }
        most = most.max(end - start + 1);
    }
    most
}
