//! `AlertStorage` for `RedisStorage`. Keys:
//! - `backleg:alert-admins:<chat>`: a Redis set of the opted-in admins' user ids.
//! - `backleg:alert-cooldown:<chat>`: exists while an alert's cooldown runs, claimed with one
//!   atomic `SET key 1 NX EX <cooldown>`, so two replicas never both send a group's alerts.

use std::time::Duration;

use ::redis::aio::ConnectionManager;
use ::redis::{cmd, RedisResult, Value};
use futures::future::BoxFuture;

use super::{key, query, rename_if_exists, RedisStorage, Retry};
use crate::storage::alerts::{AlertStorage, UserId};
use crate::storage::{ChatId, StorageError};

const ADMINS: &str = "alert-admins";
const COOLDOWN: &str = "alert-cooldown";

/// Moves a group's alert keys (and the cooldown's remaining time) to its new id.
pub(super) async fn migrate(
    connection: &mut ConnectionManager,
    from: ChatId,
    to: ChatId,
) -> RedisResult<()> {
    rename_if_exists(connection, &key(ADMINS, from), &key(ADMINS, to)).await?;
    rename_if_exists(connection, &key(COOLDOWN, from), &key(COOLDOWN, to)).await
}

impl AlertStorage for RedisStorage {
    fn alert_admins(&self, chat: ChatId) -> BoxFuture<'_, Result<Vec<UserId>, StorageError>> {
        let command = cmd("SMEMBERS").arg(key(ADMINS, chat)).to_owned();
        self.run(move |mut connection| async move {
            let mut users: Vec<i64> = query(&mut connection, &command, Retry::IfDropped).await?;
            users.sort_unstable();
            Ok(users)
        })
    }

    fn set_alert_admin(
        &self,
        chat: ChatId,
        user: UserId,
        on: bool,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let command = cmd(if on { "SADD" } else { "SREM" })
            .arg(key(ADMINS, chat))
            .arg(user)
            .to_owned();
        self.run(move |mut connection| async move {
            query::<()>(&mut connection, &command, Retry::IfDropped).await
        })
    }

    fn claim_alert(
        &self,
        chat: ChatId,
        _now: u64,
        cooldown: Duration,
    ) -> BoxFuture<'_, Result<bool, StorageError>> {
        if cooldown.as_secs() == 0 {
            // No cooldown: every alert may go out (and `EX 0` would be an error).
            return Box::pin(async { Ok(true) });
        }
        let command = cmd("SET")
            .arg(key(COOLDOWN, chat))
            .arg(1)
            .arg("NX")
            .arg("EX")
            .arg(cooldown.as_secs())
            .to_owned();
        self.run(move |mut connection| async move {
            // OK: the key was free and is now ours; nil: an alert is within the cooldown.
            // Never retried: if the first SET reached the server, a second would say "taken".
            let reply: Value = query(&mut connection, &command, Retry::Never).await?;
            Ok(!matches!(reply, Value::Nil))
        })
    }
}
