//! `AlertStorage` for `SqliteStorage`: two tables, `alert_admins` (chat, user) and
//! `alert_claim` (chat, the last alert's time), created on open like the others.

use std::time::Duration;

use futures::future::BoxFuture;
use rusqlite::{params, Connection, Transaction};

use super::SqliteStorage;
use crate::storage::alerts::{AlertStorage, UserId};
use crate::storage::{to_i64, ChatId, StorageError};

/// Creates the alert tables if they are missing (data files of earlier versions gain them).
pub(super) fn create_tables(connection: &Connection) -> rusqlite::Result<()> {
    connection.execute_batch(
        "CREATE TABLE IF NOT EXISTS alert_admins (
             chat INTEGER NOT NULL,
             user INTEGER NOT NULL,
             PRIMARY KEY (chat, user)
         );
         CREATE TABLE IF NOT EXISTS alert_claim (
             chat INTEGER PRIMARY KEY,
             last_alert INTEGER NOT NULL
         );",
    )
}

/// Moves a group's alert settings to its new id, inside the migration's transaction.
pub(super) fn migrate(tx: &Transaction<'_>, from: ChatId, to: ChatId) -> rusqlite::Result<()> {
    tx.execute(
        "DELETE FROM alert_admins WHERE chat = ?2 AND EXISTS (SELECT 1 FROM alert_admins WHERE chat = ?1)",
        params![from, to],
    )?;
    tx.execute(
        "UPDATE alert_admins SET chat = ?2 WHERE chat = ?1",
        params![from, to],
    )?;
    tx.execute(
        "DELETE FROM alert_claim WHERE chat = ?2 AND EXISTS (SELECT 1 FROM alert_claim WHERE chat = ?1)",
        params![from, to],
    )?;
    tx.execute(
        "UPDATE alert_claim SET chat = ?2 WHERE chat = ?1",
        params![from, to],
    )?;
    Ok(())
}

impl AlertStorage for SqliteStorage {
    fn alert_admins(&self, chat: ChatId) -> BoxFuture<'_, Result<Vec<UserId>, StorageError>> {
        let result = self.with(|c| {
            let mut statement =
                c.prepare("SELECT user FROM alert_admins WHERE chat = ?1 ORDER BY user")?;
            let users: rusqlite::Result<Vec<UserId>> = statement
                .query_map(params![chat], |row| row.get::<_, i64>(0))?
                .collect();
            users
        });
        Box::pin(async move { result })
    }

    fn set_alert_admin(
        &self,
        chat: ChatId,
        user: UserId,
        on: bool,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let sql = if on {
            "INSERT OR IGNORE INTO alert_admins (chat, user) VALUES (?1, ?2)"
        } else {
            "DELETE FROM alert_admins WHERE chat = ?1 AND user = ?2"
        };
        let result = self.with(|c| c.execute(sql, params![chat, user]).map(drop));
        Box::pin(async move { result })
    }

    fn claim_alert(
        &self,
        chat: ChatId,
        now: u64,
        cooldown: Duration,
    ) -> BoxFuture<'_, Result<bool, StorageError>> {
        let now = to_i64(now);
        let cutoff = now.saturating_sub(to_i64(cooldown.as_secs()));
        let result = self.with(|c| {
            // One statement, so two tasks can never both claim the same window.
            let changed = c.execute(
                "INSERT INTO alert_claim (chat, last_alert) VALUES (?1, ?2)
                 ON CONFLICT(chat) DO UPDATE SET last_alert = excluded.last_alert
                 WHERE alert_claim.last_alert <= ?3",
                params![chat, now, cutoff],
            )?;
            Ok(changed == 1)
        });
        Box::pin(async move { result })
    }
}
