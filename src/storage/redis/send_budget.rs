//! `SharedSendBudget` for `RedisStorage`: every replica takes its messages' slots from one
//! budget, in one round trip per message (a Lua script, atomic on the server, on the server's
//! clock, so the replicas' clocks do not matter).
//!
//! The bot's messages go out on a grid of slots `overall_interval` apart (slot `n` is at
//! `n * overall_interval` µs of Redis time), at most one per slot: no window of a second holds
//! more than the overall rate, whichever replicas send. Keys:
//! - `backleg:send-budget:overall`: the first slot from which every later one is free (what
//!   the queue of messages has reached), expiring when that slot is past.
//! - `backleg:send-budget:ahead`: a sorted set of slots taken further ahead by messages that
//!   their chat's own rate holds back. Taking the slot at the chat's time, rather than moving
//!   the queue up to it, keeps one slow chat (a group's message three seconds out) from holding
//!   up every other chat; the queue steps over these slots when it reaches them.
//! - `backleg:send-budget:chat:<chat>`: a hash, the chat's rate (`tat`, the theoretical arrival
//!   time of GCRA: the chat may send `(burst - 1) * interval` before it) and its last `slot`
//!   (the next message takes a later one, so a chat's messages keep their order). Expires when
//!   it no longer holds anything back.
//!
//! Only chat ids (in key names) and times (µs or slot numbers) are stored, for seconds.

use std::time::Duration;

use ::redis::cmd;
use futures::future::BoxFuture;

use super::{query, RedisStorage, Retry};
use crate::storage::send_budget::{SendPace, SharedSendBudget};
use crate::storage::{ChatId, StorageError};

/// The whole budget of one reservation, connecting included: a message waits at most this
/// long for Redis before its replica paces it alone.
const RESERVE_DEADLINE: Duration = Duration::from_millis(250);
const OVERALL: &str = "backleg:send-budget:overall";
const AHEAD: &str = "backleg:send-budget:ahead";

/// KEYS: overall, ahead, chat. ARGV: the overall interval, the chat's interval and its
/// tolerance, in µs. Returns the wait in µs. Numbers are Lua doubles: µs since 1970 (about
/// 1.8e15) and slot numbers are exact below 2^53; written with `%.0f`, since `tostring` would
/// round them to 14 digits.
const RESERVE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local step, chat_step, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local function text(n) return string.format('%.0f', n) end
local function ttl(until_us) return text(math.max(1, math.ceil((until_us - now) / 1000) + 1)) end
local chat = redis.call('HMGET', KEYS[3], 'tat', 'slot')
local tat = math.max(tonumber(chat[1]) or 0, now)
local first = math.max(math.ceil((tat - tolerance) / step), (tonumber(chat[2]) or -1) + 1)
local queue = math.max(tonumber(redis.call('GET', KEYS[1])) or 0, math.ceil(now / step))
local slot = math.max(first, queue)
while redis.call('ZSCORE', KEYS[2], text(slot)) do slot = slot + 1 end
if first <= queue then
  redis.call('SET', KEYS[1], text(slot + 1), 'PX', ttl((slot + 1) * step))
  redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. text(slot + 1))
else
  redis.call('ZADD', KEYS[2], text(slot), text(slot))
  if redis.call('PTTL', KEYS[2]) < tonumber(ttl(slot * step)) then
    redis.call('PEXPIRE', KEYS[2], ttl(slot * step))
  end
end
local at = slot * step
local chat_tat = math.max(tat, at) + chat_step
redis.call('HSET', KEYS[3], 'tat', text(chat_tat), 'slot', text(slot))
redis.call('PEXPIRE', KEYS[3], ttl(chat_tat))
return at - now
";

/// Whole µs, rounded up: an interval of a thirtieth of a second must not become 33,333 µs,
/// which would fit 31 slots in a second.
fn micros(duration: Duration) -> u64 {
    u64::try_from(duration.as_nanos().div_ceil(1000)).unwrap_or(u64::MAX)
}

impl SharedSendBudget for RedisStorage {
    fn reserve_send(
        &self,
        chat: ChatId,
        pace: SendPace,
    ) -> BoxFuture<'_, Result<Duration, StorageError>> {
        // A zero interval would make every slot the same one (and divide by zero).
        let step = micros(pace.overall_interval).max(1);
        let chat_step = micros(pace.chat_interval);
        let tolerance = chat_step.saturating_mul(u64::from(pace.chat_burst.max(1) - 1));
        let command = cmd("EVAL")
            .arg(RESERVE)
            .arg(3)
            .arg(OVERALL)
            .arg(AHEAD)
            .arg(format!("backleg:send-budget:chat:{chat}"))
            .arg(step)
            .arg(chat_step)
            .arg(tolerance)
            .to_owned();
        self.run_within(RESERVE_DEADLINE, move |mut connection| async move {
            // Never retried: a first try that reached the server has taken a slot already.
            let wait: i64 = query(&mut connection, &command, Retry::Never).await?;
            Ok(Duration::from_micros(u64::try_from(wait).unwrap_or(0)))
        })
    }
}
