//! `AlertStorage` for `MemoryStorage`.

use std::collections::BTreeSet;
use std::time::Duration;

use futures::future::BoxFuture;

use super::{with, MemoryStorage};
use crate::storage::alerts::{AlertStorage, UserId};
use crate::storage::{ChatId, StorageError};

/// One group's alert settings.
#[derive(Debug, Default)]
pub(super) struct AlertRow {
    admins: BTreeSet<UserId>,
    last_alert: Option<u64>,
}

impl MemoryStorage {
    /// Moves a group's alert settings to its new id (a migration replaces what the new id had).
    pub(super) fn migrate_alerts(&self, from: ChatId, to: ChatId) {
        with(&self.alerts, |m| {
            if let Some(row) = m.remove(&from) {
                m.insert(to, row);
            }
        });
    }
}

impl AlertStorage for MemoryStorage {
    fn alert_admins(&self, chat: ChatId) -> BoxFuture<'_, Result<Vec<UserId>, StorageError>> {
        let admins = with(&self.alerts, |m| {
            m.get(&chat)
                .map(|row| row.admins.iter().copied().collect())
                .unwrap_or_default()
        });
        Box::pin(async move { Ok(admins) })
    }

    fn set_alert_admin(
        &self,
        chat: ChatId,
        user: UserId,
        on: bool,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        with(&self.alerts, |m| {
            let row = m.entry(chat).or_default();
            if on {
                row.admins.insert(user);
            } else {
                row.admins.remove(&user);
            }
        });
        Box::pin(async { Ok(()) })
    }

    fn claim_alert(
        &self,
        chat: ChatId,
        now: u64,
        cooldown: Duration,
    ) -> BoxFuture<'_, Result<bool, StorageError>> {
        let claimed = with(&self.alerts, |m| {
            let row = m.entry(chat).or_default();
            let free = row
                .last_alert
                .is_none_or(|last| now.saturating_sub(last) >= cooldown.as_secs());
            if free {
                row.last_alert = Some(now);
            }
            free
        });
        Box::pin(async move { Ok(claimed) })
    }
}
