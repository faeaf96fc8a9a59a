//! `GroupLimitStorage` for `SqliteStorage`: one table, `group_requests` (chat, user, count, the
//! end of the window), created on open like the others; expired rows are deleted on every count.

use std::time::Duration;

use futures::future::BoxFuture;
use rusqlite::{params, Connection};

use super::SqliteStorage;
use crate::storage::group_limit::GroupLimitStorage;
use crate::storage::{to_i64, ChatId, StorageError, UserId};

/// Creates the table if it is missing (data files of earlier versions gain it).
pub(super) fn create_tables(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS group_requests (
             chat INTEGER NOT NULL,
             user INTEGER NOT NULL,
             count INTEGER NOT NULL,
             ends_at INTEGER NOT NULL,
             PRIMARY KEY (chat, user)
         );
         CREATE INDEX IF NOT EXISTS group_requests_expiry ON group_requests (ends_at);",
    )
}

impl GroupLimitStorage for SqliteStorage {
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
        let (now, ends_at) = (to_i64(now), to_i64(now.saturating_add(window.as_secs())));
        let result = self.with(|c| {
            let tx = c.transaction()?;
            // A user id is held for its window only.
            tx.execute(
                "DELETE FROM group_requests WHERE ends_at <= ?1",
                params![now],
            )?;
            let count: i64 = tx.query_row(
                "INSERT INTO group_requests (chat, user, count, ends_at) VALUES (?1, ?2, 1, ?3)
                 ON CONFLICT (chat, user) DO UPDATE SET count = count + 1
                 RETURNING count",
                params![chat, user, ends_at],
                |row| row.get(0),
            )?;
            tx.commit()?;
            Ok(u32::try_from(count).unwrap_or(u32::MAX))
        });
        Box::pin(async move { result })
    }
}
