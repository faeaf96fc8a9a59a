//! `MemoryStorage`: settings in process memory, for tests and single-process demos. Nothing
//! survives a restart.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use futures::future::BoxFuture;

use super::{ChatId, Storage, StorageError};

mod alerts;
mod group_limit;

/// Settings in memory, for tests.
#[derive(Debug, Default)]
pub struct MemoryStorage {
    chats: Mutex<HashMap<ChatId, ChatRow>>,
    /// Running checks apart from the chat rows: they expire and do not follow a migration.
    checks: Mutex<HashMap<ChatId, CheckRow>>,
    /// Topic ids of recent answers by (chat, answer), with their expiry (Unix seconds).
    topics: Mutex<HashMap<(ChatId, i64), (String, u64)>>,
    /// Moderator alerts by chat: the opted-in admins and the last alert (`alerts.rs`).
    alerts: Mutex<HashMap<ChatId, alerts::AlertRow>>,
    /// Emergency settings by chat (a country code or a number); they follow a migration.
    emergency: Mutex<HashMap<ChatId, String>>,
    /// Per-person request counts in groups by (chat, user), with their window's end.
    group_requests: Mutex<HashMap<(ChatId, i64), (u32, u64)>>,
}

#[derive(Debug, Clone, Copy)]
struct ChatRow {
    watch: bool,
    last_notice: Option<u64>,
    notice_claimant: Option<i64>,
}

impl Default for ChatRow {
    fn default() -> Self {
        Self {
            watch: true,
            last_notice: None,
            notice_claimant: None,
        }
    }
}

#[derive(Debug, Clone)]
struct CheckRow {
    answers: Vec<bool>,
    /// Unix seconds; the row counts as absent from then on.
    expires_at: u64,
}

/// Runs `f` on the locked map. A poisoned lock only means another task panicked mid-update of
/// plain data; the map is still usable, so recover it rather than take the bot down.
fn with<K, V, T>(map: &Mutex<HashMap<K, V>>, f: impl FnOnce(&mut HashMap<K, V>) -> T) -> T {
    let mut guard = map.lock().unwrap_or_else(|e| e.into_inner());
    f(&mut guard)
}

impl Storage for MemoryStorage {
    fn red_flag_watch(&self, chat: ChatId) -> BoxFuture<'_, Result<bool, StorageError>> {
        let on = with(&self.chats, |m| m.get(&chat).is_none_or(|row| row.watch));
        Box::pin(async move { Ok(on) })
    }

    fn set_red_flag_watch(
        &self,
        chat: ChatId,
        on: bool,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        with(&self.chats, |m| m.entry(chat).or_default().watch = on);
        Box::pin(async { Ok(()) })
    }

    fn claim_red_flag_notice(
        &self,
        chat: ChatId,
        claimant: i64,
        now: u64,
        cooldown: Duration,
    ) -> BoxFuture<'_, Result<bool, StorageError>> {
        let claimed = with(&self.chats, |m| {
            let row = m.entry(chat).or_default();
            let free = row
                .last_notice
                .is_none_or(|last| now.saturating_sub(last) >= cooldown.as_secs());
            if free {
                row.last_notice = Some(now);
                row.notice_claimant = Some(claimant);
            }
            free || row.notice_claimant == Some(claimant)
        });
        Box::pin(async move { Ok(claimed) })
    }

    fn migrate_chat(&self, from: ChatId, to: ChatId) -> BoxFuture<'_, Result<(), StorageError>> {
        with(&self.chats, |m| {
            if let Some(row) = m.remove(&from) {
                m.insert(to, row);
            }
        });
        self.migrate_alerts(from, to);
        with(&self.emergency, |m| {
            if let Some(setting) = m.remove(&from) {
                m.insert(to, setting);
            }
        });
        Box::pin(async { Ok(()) })
    }

    fn ping(&self) -> BoxFuture<'_, Result<(), StorageError>> {
        Box::pin(async { Ok(()) })
    }

    fn check_answers(
        &self,
        chat: ChatId,
        now: u64,
    ) -> BoxFuture<'_, Result<Option<Vec<bool>>, StorageError>> {
        let answers = with(&self.checks, |m| {
            m.get(&chat)
                .filter(|row| now < row.expires_at)
                .map(|row| row.answers.clone())
        });
        Box::pin(async move { Ok(answers) })
    }

    fn save_check_answers(
        &self,
        chat: ChatId,
        answers: &[bool],
        now: u64,
        ttl: Duration,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let row = CheckRow {
            answers: answers.to_vec(),
            expires_at: now.saturating_add(ttl.as_secs()),
        };
        with(&self.checks, |m| {
            // Abandoned checks would otherwise pile up for the life of the process.
            m.retain(|_, row| now < row.expires_at);
            m.insert(chat, row);
        });
        Box::pin(async { Ok(()) })
    }

    fn end_check(&self, chat: ChatId) -> BoxFuture<'_, Result<(), StorageError>> {
        with(&self.checks, |m| m.remove(&chat));
        Box::pin(async { Ok(()) })
    }

    fn answer_topic(
        &self,
        chat: ChatId,
        answer: i64,
        now: u64,
    ) -> BoxFuture<'_, Result<Option<String>, StorageError>> {
        let topic = with(&self.topics, |m| {
            m.get(&(chat, answer))
                .filter(|(_, expires_at)| now < *expires_at)
                .map(|(topic, _)| topic.clone())
        });
        Box::pin(async move { Ok(topic) })
    }

    fn save_answer_topic(
        &self,
        chat: ChatId,
        answer: i64,
        topic: &str,
        now: u64,
        ttl: Duration,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let row = (topic.to_owned(), now.saturating_add(ttl.as_secs()));
        with(&self.topics, |m| {
            m.retain(|_, (_, expires_at)| now < *expires_at);
            m.insert((chat, answer), row);
        });
        Box::pin(async { Ok(()) })
    }

    fn emergency_setting(
        &self,
        chat: ChatId,
    ) -> BoxFuture<'_, Result<Option<String>, StorageError>> {
        let setting = with(&self.emergency, |m| m.get(&chat).cloned());
        Box::pin(async move { Ok(setting) })
    }

    fn set_emergency_setting(
        &self,
        chat: ChatId,
        setting: Option<&str>,
    ) -> BoxFuture<'_, Result<(), StorageError>> {
        let setting = setting.map(str::to_owned);
        with(&self.emergency, |m| match setting {
            Some(setting) => m.insert(chat, setting),
            None => m.remove(&chat),
        });
        Box::pin(async { Ok(()) })
    }
}
