//! The send budget several replicas share (issue 12): Telegram's flood limits hold per bot,
//! not per process, so replicas behind one Redis take every message's slot from one budget
//! instead of each pacing itself as if it were alone.
//!
//! Stored (Redis only): when the bot may next send overall, and per chat that is being paced
//! the time of its last slot and of its next free one; a chat id and times, nothing else, each
//! kept only while it still holds a send back (seconds). Memory and SQLite serve one process:
//! they have no shared budget, and the replica's own flood gate is the whole budget.

use std::time::Duration;

use futures::future::BoxFuture;

use super::{ChatId, StorageError};

/// The pace a chat's messages must keep: the overall spacing of the bot's messages and the
/// chat's own rate. Plain numbers; which chat gets which rate is the caller's business.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendPace {
    /// The least time between two messages of the bot, to any chats: no burst, so that no
    /// window of a second ever holds more than a second's worth of messages.
    pub overall_interval: Duration,
    /// The time between two messages to the chat, on average.
    pub chat_interval: Duration,
    /// Messages to the chat that may go at once after a quiet spell (at least 1).
    pub chat_burst: u32,
}

/// A send budget shared by every replica of the bot.
pub trait SharedSendBudget: Send + Sync {
    /// Reserves the slot of one message to `chat` and returns how long from now it must wait:
    /// the earliest instant at which both the bot's overall spacing and the chat's rate allow
    /// it, after every message already reserved for the chat (so a chat's messages keep their
    /// order), on the store's clock. The reservation holds whether or not the message is sent.
    ///
    /// Answers within a quarter of a second or fails: the caller paces the send itself then.
    fn reserve_send(
        &self,
        chat: ChatId,
        pace: SendPace,
    ) -> BoxFuture<'_, Result<Duration, StorageError>>;
}
