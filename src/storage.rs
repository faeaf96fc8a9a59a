//! Edge: what the bot remembers about group chats — and nothing else.
//!
//! Stored: a chat id, whether the red-flag watch is on, and when the last red-flag notice was
//! posted (for the cooldown). Never anything a user wrote. `Storage` is the interface; the
//! default is an embedded SQLite file (created on first run), `MemoryStorage` serves tests.
//! Methods return boxed futures so that a networked store (several replicas) fits behind the
//! same interface.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use futures::future::BoxFuture;
use rusqlite::{params, Connection, OptionalExtension};

/// A chat id as Telegram gives it (negative for groups).
pub type ChatId = i64;

/// Why the store failed.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The SQLite file could not be opened or created.
    #[error("cannot open the data file {path}")]
    Open {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: rusqlite::Error,
    },
    /// A query failed.
    #[error("data file query failed: {0}")]
    Query(#[from] rusqlite::Error),
}

/// Group settings and cooldowns.
pub trait Storage: Send + Sync {
    /// Whether the red-flag watch is on in a chat (on unless an admin turned it off).
    fn red_flag_watch(&self, chat: ChatId) -> BoxFuture<'_, Result<bool, StorageError>>;
    /// Turns the red-flag watch on or off.
    fn set_red_flag_watch(&self, chat: ChatId, on: bool) -> BoxFuture<'_, Result<(), StorageError>>;
    /// Atomically claims the right to post a red-flag notice in `chat` at `now` (Unix seconds):
    /// true if no notice was posted within `cooldown`, and then records `now`.
    fn claim_red_flag_notice(&self, chat: ChatId, now: u64, cooldown: Duration) -> BoxFuture<'_, Result<bool, StorageError>>;
    /// A group became a supergroup: its settings follow it to the new id.
    fn migrate_chat(&self, from: ChatId, to: ChatId) -> BoxFuture<'_, Result<(), StorageError>>;
}

/// Settings in memory, for tests.
#[derive(Debug, Default)]
pub struct MemoryStorage {
    chats: Mutex<HashMap<ChatId, ChatRow>>,
}

#[derive(Debug, Clone, Copy)]
struct ChatRow {
    watch: bool,
    last_notice: Option<u64>,
}

impl Default for ChatRow {
    fn default() -> Self {
        Self { watch: true, last_notice: None }
    }
}

impl MemoryStorage {
    fn with<T>(&self, f: impl FnOnce(&mut HashMap<ChatId, ChatRow>) -> T) -> T {
        // A poisoned lock only means another task panicked mid-update of plain data; the map
        // is still usable, so recover it rather than take the bot down.
        let mut guard = self.chats.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }
}

impl Storage for MemoryStorage {
    fn red_flag_watch(&self, chat: ChatId) -> BoxFuture<'_, Result<bool, StorageError>> {
        let on = self.with(|m| m.get(&chat).is_none_or(|row| row.watch));
        Box::pin(async move { Ok(on) })
    }

    fn set_red_flag_watch(&self, chat: ChatId, on: bool) -> BoxFuture<'_, Result<(), StorageError>> {
        self.with(|m| m.entry(chat).or_default().watch = on);
        Box::pin(async { Ok(()) })
    }

    fn claim_red_flag_notice(&self, chat: ChatId, now: u64, cooldown: Duration) -> BoxFuture<'_, Result<bool, StorageError>> {
        let claimed = self.with(|m| {
            let row = m.entry(chat).or_default();
            let free = row.last_notice.is_none_or(|last| now.saturating_sub(last) >= cooldown.as_secs());
            if free {
                row.last_notice = Some(now);
            }
            free
        });
        Box::pin(async move { Ok(claimed) })
    }

    fn migrate_chat(&self, from: ChatId, to: ChatId) -> BoxFuture<'_, Result<(), StorageError>> {
        self.with(|m| {
            if let Some(row) = m.remove(&from) {
                m.insert(to, row);
            }
        });
        Box::pin(async { Ok(()) })
    }
}

/// Settings in an SQLite file. Each call is one short statement on a local file, so it runs
/// inline under a mutex rather than on a blocking thread pool.
#[derive(Debug)]
pub struct SqliteStorage {
    connection: Mutex<Connection>,
}

impl SqliteStorage {
    /// Opens (or creates) the data file and its table.
    ///
    /// # Errors
    /// The file cannot be opened or created, or is not an SQLite database.
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        let open_error = |source| StorageError::Open { path: path.to_owned(), source };
        let connection = Connection::open(path).map_err(open_error)?;
        connection
            .execute_batch(
                "PRAGMA journal_mode = WAL;
                 PRAGMA busy_timeout = 5000;
                 CREATE TABLE IF NOT EXISTS chats (
                     chat_id INTEGER PRIMARY KEY,
                     red_flag_watch INTEGER NOT NULL DEFAULT 1,
                     last_red_flag_notice INTEGER
                 );",
            )
            .map_err(open_error)?;
        Ok(Self { connection: Mutex::new(connection) })
    }

    fn with<T>(&self, f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>) -> Result<T, StorageError> {
        let mut guard = self.connection.lock().unwrap_or_else(|e| e.into_inner());
        Ok(f(&mut guard)?)
    }
}

impl Storage for SqliteStorage {
    fn red_flag_watch(&self, chat: ChatId) -> BoxFuture<'_, Result<bool, StorageError>> {
        let result = self.with(|c| {
            c.query_row("SELECT red_flag_watch FROM chats WHERE chat_id = ?1", params![chat], |row| row.get::<_, bool>(0))
                .optional()
                .map(|on| on.unwrap_or(true))
        });
        Box::pin(async move { result })
    }

    fn set_red_flag_watch(&self, chat: ChatId, on: bool) -> BoxFuture<'_, Result<(), StorageError>> {
        let result = self.with(|c| {
            c.execute(
                "INSERT INTO chats (chat_id, red_flag_watch) VALUES (?1, ?2)
                 ON CONFLICT(chat_id) DO UPDATE SET red_flag_watch = excluded.red_flag_watch",
                params![chat, on],
            )
            .map(drop)
        });
        Box::pin(async move { result })
    }

    fn claim_red_flag_notice(&self, chat: ChatId, now: u64, cooldown: Duration) -> BoxFuture<'_, Result<bool, StorageError>> {
        let now = i64::try_from(now).unwrap_or(i64::MAX);
        let cutoff = now.saturating_sub(i64::try_from(cooldown.as_secs()).unwrap_or(i64::MAX));
        let result = self.with(|c| {
            // One statement, so two tasks can never both claim the same window.
            let changed = c.execute(
                "INSERT INTO chats (chat_id, last_red_flag_notice) VALUES (?1, ?2)
                 ON CONFLICT(chat_id) DO UPDATE SET last_red_flag_notice = excluded.last_red_flag_notice
                 WHERE chats.last_red_flag_notice IS NULL OR chats.last_red_flag_notice <= ?3",
                params![chat, now, cutoff],
            )?;
            Ok(changed == 1)
        });
        Box::pin(async move { result })
    }

    fn migrate_chat(&self, from: ChatId, to: ChatId) -> BoxFuture<'_, Result<(), StorageError>> {
        let result = self.with(|c| {
            let tx = c.transaction()?;
            tx.execute("DELETE FROM chats WHERE chat_id = ?2 AND EXISTS (SELECT 1 FROM chats WHERE chat_id = ?1)", params![from, to])?;
            tx.execute("UPDATE chats SET chat_id = ?2 WHERE chat_id = ?1", params![from, to])?;
            tx.commit()
        });
        Box::pin(async move { result })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exercise(store: &dyn Storage) {
        let cooldown = Duration::from_secs(600);
        assert!(store.red_flag_watch(-1).await.unwrap(), "watch is on by default");
        store.set_red_flag_watch(-1, false).await.unwrap();
        assert!(!store.red_flag_watch(-1).await.unwrap());
        assert!(store.claim_red_flag_notice(-1, 1000, cooldown).await.unwrap());
        assert!(!store.claim_red_flag_notice(-1, 1599, cooldown).await.unwrap(), "within the cooldown");
        assert!(store.claim_red_flag_notice(-1, 1600, cooldown).await.unwrap(), "after the cooldown");
        assert!(store.claim_red_flag_notice(-2, 1000, cooldown).await.unwrap(), "other chats are independent");
        store.migrate_chat(-1, -1001).await.unwrap();
        assert!(!store.red_flag_watch(-1001).await.unwrap(), "settings follow a migrated chat");
        assert!(store.red_flag_watch(-1).await.unwrap());
    }

    #[tokio::test]
    async fn memory_storage_keeps_settings_and_cooldowns() {
        exercise(&MemoryStorage::default()).await;
    }

    #[tokio::test]
    async fn sqlite_storage_keeps_settings_across_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data.sqlite3");
        exercise(&SqliteStorage::open(&path).unwrap()).await;
        let reopened = SqliteStorage::open(&path).unwrap();
        assert!(!reopened.red_flag_watch(-1001).await.unwrap(), "settings survive a restart");
    }

    #[test]
    fn sqlite_storage_reports_an_unusable_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = SqliteStorage::open(&dir.path().join("missing-dir/data.sqlite3")).unwrap_err();
        assert!(err.to_string().contains("missing-dir"), "{err}");
    }
}
