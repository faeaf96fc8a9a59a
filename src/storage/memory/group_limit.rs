//! `GroupLimitStorage` for `MemoryStorage`.

use std::time::Duration;

use futures::future::BoxFuture;

use super::{with, MemoryStorage};
use crate::storage::group_limit::GroupLimitStorage;
use crate::storage::{ChatId, StorageError, UserId};

impl GroupLimitStorage for MemoryStorage {
    fn count_group_request(
        &self,
        chat: ChatId,
        user: UserId,
        now: u64,
        window: Duration,
    ) -> BoxFuture<'_, Result<u32, StorageError>> {
        if window.is_zero() {
            return Box::pin(async { Ok(1) });
        }
        let count = with(&self.group_requests, |m| {
            // A user id is held for its window only.
            m.retain(|_, (_, ends_at)| now < *ends_at);
            let (count, _) = m
                .entry((chat, user))
                .or_insert((0, now.saturating_add(window.as_secs())));
            *count = count.saturating_add(1);
            *count
        });
        Box::pin(async move { Ok(count) })
    }
}
