//! `GroupLimitStorage` for `RedisStorage`. Key: `backleg:group-requests:<chat>:<user>`, a
//! counter, `INCR`ed and given its expiry (the window) on the first request, in one round trip
//! (a small Lua script, atomic on the server): the key's life *is* the window, so several
//! replicas share one count and Redis forgets the user id by itself.

use std::time::Duration;

use ::redis::cmd;
use futures::future::BoxFuture;

use super::{key, query, RedisStorage, Retry};
use crate::storage::group_limit::GroupLimitStorage;
use crate::storage::{ChatId, StorageError, UserId};

/// `INCR`, and `EXPIRE` when the key is new (a count of 1): the window starts at the first
/// request. A key left without expiry (it cannot happen here) would be fixed by the next call.
const COUNT: &str = "local n = redis.call('INCR', KEYS[1]) \
    if n == 1 or redis.call('TTL', KEYS[1]) < 0 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end \
    return n";

impl GroupLimitStorage for RedisStorage {
    fn count_group_request(
        &self,
        chat: ChatId,
        user: UserId,
        _now: u64,
        window: Duration,
    ) -> BoxFuture<'_, Result<u32, StorageError>> {
        if window.as_secs() == 0 {
            // Nothing to keep (and `EXPIRE 0` would delete the key at once).
            return Box::pin(async { Ok(1) });
        }
        let command = cmd("EVAL")
            .arg(COUNT)
            .arg(1)
            .arg(format!("{}:{user}", key("group-requests", chat)))
            .arg(window.as_secs())
            .to_owned();
        self.run(move |mut connection| async move {
            // Never retried: a first INCR that reached the server would be counted twice.
            let count: i64 = query(&mut connection, &command, Retry::Never).await?;
            Ok(u32::try_from(count).unwrap_or(u32::MAX))
        })
    }
}
