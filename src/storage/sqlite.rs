//! `SqliteStorage`: settings in one embedded SQLite file (WAL), the default for a single
//! replica. Tables are created with `IF NOT EXISTS`, so data files of earlier versions (which
//! have only `chats`) keep working and gain `check_state` and `answer_topic` on first open
//! (and `chats` its later columns: `red_flag_claimant`, `emergency`).

use std::path::Path;
use std::sync::Mutex;
use std::time::Duration;

use futures::future::BoxFuture;
use rusqlite::{params, Connection, OptionalExtension};

use super::{decode_answers, encode_answers, to_i64, ChatId, Storage, StorageError};

mod alerts;
mod group_limit;

/// Settings in an SQLite file. Each call is one short statement on a local file, so it runs
/// inline under a mutex rather than on a blocking thread pool.
#[derive(Debug)]
pub struct SqliteStorage {
    connection: Mutex<Connection>,
}

impl SqliteStorage {
    /// Opens (or creates) the data file and its tables.
    ///
    /// # Errors
    /// The file cannot be opened or created, or is not an SQLite database.
    pub fn open(path: &Path) -> Result<Self, StorageError> {
        let open_error = |source| StorageError::Open {
            path: path.to_owned(),
            source,
        };
        let connection = Connection::open(path).map_err(open_error)?;
        connection
            .execute_batch(
                // WAL with `synchronous = NORMAL`: a commit no longer waits for an fsync (the
                // default, FULL, made every answer's follow-up save an fsync on a tokio worker:
                // 4x slower end to end). The file stays consistent after a crash or power cut;
                // a power cut may lose the last commits: a cooldown or a follow-up topic.
                "PRAGMA journal_mode = WAL;
                 PRAGMA synchronous = NORMAL;
                 PRAGMA busy_timeout = 5000;
                 CREATE TABLE IF NOT EXISTS chats (
                     chat_id INTEGER PRIMARY KEY,
                     red_flag_watch INTEGER NOT NULL DEFAULT 1,
                     last_red_flag_notice INTEGER
                 );
                 CREATE TABLE IF NOT EXISTS check_state (
                     chat INTEGER PRIMARY KEY,
                     answers TEXT NOT NULL,
                     expires_at INTEGER NOT NULL
                 );
                 CREATE TABLE IF NOT EXISTS answer_topic (
                     chat INTEGER NOT NULL,
                     answer INTEGER NOT NULL,
                     topic TEXT NOT NULL,
                     expires_at INTEGER NOT NULL,
                     PRIMARY KEY (chat, answer)
                 );
                 CREATE INDEX IF NOT EXISTS answer_topic_expiry ON answer_topic (expires_at);",
            )
            .map_err(open_error)?;
        alerts::create_tables(&connection).map_err(open_error)?;
        group_limit::create_tables(&connection).map_err(open_error)?;
        // Added after the first release: data files from then get the column on open.
        let has_claimant = connection
            .prepare("SELECT 1 FROM pragma_table_info('chats') WHERE name = 'red_flag_claimant'")
            .and_then(|mut statement| statement.exists([]))
            .map_err(open_error)?;
        if !has_claimant {
            connection
                .execute_batch("ALTER TABLE chats ADD COLUMN red_flag_claimant INTEGER;")
                .map_err(open_error)?;
        }
        // The emergency setting (issue 11), in the chat's row so that it follows a migration.
        let has_emergency = connection
            .prepare("SELECT 1 FROM pragma_table_info('chats') WHERE name = 'emergency'")
            .and_then(|mut statement| statement.exists([]))
            .map_err(open_error)?;
        if !has_emergency {
            connection
                .execute_batch("ALTER TABLE chats ADD COLUMN emergency TEXT;")
                .map_err(open_error)?;
        }
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, StorageError> {
        let mut guard = self.connection.lock().unwrap_or_else(|e| e.into_inner());
        Ok(f(&mut guard)?)
    }
}

impl Storage for SqliteStorage {
    fn red_flag_watch(&self, chat: ChatId) -> BoxFuture<'_, Result<bool, StorageError>> {
        let result = self.with(|c| {
            c.query_row(
                "SELECT red_flag_watch FROM chats WHERE chat_id = ?1",
                params![chat],
                |row| row.get::<_, bool>(0),
            )
            .optional()
            .map(|on| on.unwrap_or(true))
        });
        Box::pin(async move { result })
    }

    fn set_red_flag_watch(
        &self,
        chat: ChatId,
        on: bool,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
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

    fn claim_red_flag_notice(
        &self,
        chat: ChatId,
        claimant: i64,
        now: u64,
        cooldown: Duration,
    ) -> BoxFuture<'_, Result<bool, StorageError>> {
        let now = to_i64(now);
        let cutoff = now.saturating_sub(to_i64(cooldown.as_secs()));
        let result = self.with(|c| {
            // One statement, so two tasks can never both claim the same window.
            let changed = c.execute(
                "INSERT INTO chats (chat_id, last_red_flag_notice, red_flag_claimant) VALUES (?1, ?2, ?4)
                 ON CONFLICT(chat_id) DO UPDATE SET last_red_flag_notice = excluded.last_red_flag_notice,
                     red_flag_claimant = excluded.red_flag_claimant
                 WHERE chats.last_red_flag_notice IS NULL OR chats.last_red_flag_notice <= ?3
                     OR chats.red_flag_claimant = ?4",
                params![chat, now, cutoff, claimant],
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
            alerts::migrate(&tx, from, to)?;
            tx.commit()
        });
        Box::pin(async move { result })
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        // Touches no table, so it takes no file lock: it answers whether the connection works.
        let result = self.with(|c| c.query_row("SELECT 1", [], |_| Ok(())));
        Box::pin(async move { result })
    }

    fn check_answers(
        &self,
        chat: ChatId,
        now: u64,
    ) -> BoxFuture<'_, Result<Option<Vec<bool>>, StorageError>> {
        let result = self.with(|c| {
            c.query_row(
                "SELECT answers FROM check_state WHERE chat = ?1 AND expires_at > ?2",
                params![chat, to_i64(now)],
                |row| row.get::<_, String>(0),
            )
            .optional()
        });
        Box::pin(async move { Ok(result?.and_then(|text| decode_answers(&text))) })
    }

    fn save_check_answers(
        &self,
        chat: ChatId,
        answers: &[bool],
        now: u64,
        ttl: Duration,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let answers = encode_answers(answers);
        let now = to_i64(now);
        let expires_at = now.saturating_add(to_i64(ttl.as_secs()));
        let result = self.with(|c| {
            let tx = c.transaction()?;
            // Purge here rather than on a timer: saves are rare, and abandoned checks would
            // otherwise stay in the file forever.
            tx.execute("DELETE FROM check_state WHERE expires_at <= ?1", params![now])?;
            tx.execute(
                "INSERT INTO check_state (chat, answers, expires_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(chat) DO UPDATE SET answers = excluded.answers, expires_at = excluded.expires_at",
                params![chat, answers, expires_at],
            )?;
            tx.commit()
        });
        Box::pin(async move { result })
    }

    fn end_check(&self, chat: ChatId) -> BoxFuture<'_, Result<(), StorageError>> {
        let result = self.with(|c| {
            c.execute("DELETE FROM check_state WHERE chat = ?1", params![chat])
                .map(drop)
        });
        Box::pin(async move { result })
    }

    fn answer_topic(
        &self,
        chat: ChatId,
        answer: i64,
        now: u64,
    ) -> BoxFuture<'_, Result<Option<String>, StorageError>> {
        let result = self.with(|c| {
            // Cached statements: these two run on every answer.
            c.prepare_cached(
                "SELECT topic FROM answer_topic WHERE chat = ?1 AND answer = ?2 AND expires_at > ?3",
            )?
            .query_row(params![chat, answer, to_i64(now)], |row| {
                row.get::<_, String>(0)
            })
            .optional()
        });
        Box::pin(async move { result })
    }

    fn save_answer_topic(
        &self,
        chat: ChatId,
        answer: i64,
        topic: &str,
        now: u64,
        ttl: Duration,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let now = to_i64(now);
        let expires_at = now.saturating_add(to_i64(ttl.as_secs()));
        let result = self.with(|c| {
            let tx = c.transaction()?;
            // Purged on save, as the checks are: nothing stays past its 30 minutes.
            tx.prepare_cached("DELETE FROM answer_topic WHERE expires_at <= ?1")?
                .execute(params![now])?;
            tx.prepare_cached(
                "INSERT INTO answer_topic (chat, answer, topic, expires_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT(chat, answer) DO UPDATE SET topic = excluded.topic, expires_at = excluded.expires_at",
            )?
            .execute(params![chat, answer, topic, expires_at])?;
            tx.commit()
        });
        Box::pin(async move { result })
    }

    fn emergency_setting(
        &self,
        chat: ChatId,
    ) -> BoxFuture<'_, Result<Option<String>, StorageError>> {
        let result = self.with(|c| {
            c.query_row(
                "SELECT emergency FROM chats WHERE chat_id = ?1",
                params![chat],
                |row| row.get::<_, Option<String>>(0),
            )
            .optional()
            .map(Option::flatten)
        });
        Box::pin(async move { result })
    }

    fn set_emergency_setting(
        &self,
        chat: ChatId,
        setting: Option<&str>,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let result = self.with(|c| {
            c.execute(
                "INSERT INTO chats (chat_id, emergency) VALUES (?1, ?2)
                 ON CONFLICT(chat_id) DO UPDATE SET emergency = excluded.emergency",
                params![chat, setting],
            )
            .map(drop)
        });
        Box::pin(async move { result })
    }
}
