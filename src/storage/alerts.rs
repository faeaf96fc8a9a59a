//! Moderator alerts: which admins of a group asked for a private message when an
//! emergency-tier red flag is posted there, and the alerts' own cooldown.
//!
//! Stored: the group's chat id, the user ids of the admins who turned alerts on, and when the
//! last alert went out. Never a name, a username or anything anyone wrote. Part of every
//! [`Storage`](super::Storage) (a supertrait, so each backend keeps it in its own file); the
//! admins and the cooldown follow a group's migration (`Storage::migrate_chat`).

use std::time::Duration;

use futures::future::BoxFuture;

use super::{ChatId, StorageError};

/// A Telegram user id (an admin's; in a private chat it is also the chat id).
pub type UserId = i64;

/// The opt-in list and the cooldown of moderator alerts.
pub trait AlertStorage: Send + Sync {
    /// The user ids of the admins who turned alerts on in `chat`, ascending.
    fn alert_admins(&self, chat: ChatId) -> BoxFuture<'_, Result<Vec<UserId>, StorageError>>;
    /// Adds (`on`) or removes an admin; adding twice or removing someone absent is fine.
    fn set_alert_admin(
        &self,
        chat: ChatId,
        user: UserId,
        on: bool,
    ) -> BoxFuture<'_, Result<(), StorageError>>;
    /// Atomically claims the right to send the alerts of `chat` at `now` (Unix seconds): true
    /// if no alert was sent within `cooldown`, and then records `now`. Separate from the
    /// red-flag notice's claim, so neither blocks the other; with several replicas exactly one
    /// wins a window.
    fn claim_alert(
        &self,
        chat: ChatId,
        now: u64,
        cooldown: Duration,
    ) -> BoxFuture<'_, Result<bool, StorageError>>;
}
