//! The per-person answer rate in groups (issue 12): how many questions one member of a group
//! has addressed to the bot in the current window, so that one person cannot drown a group.
//!
//! Stored: a group's chat id, a user id and a count, each for one window only (a minute in the
//! bot) and then forgotten (Redis expires the key; memory and SQLite drop expired rows). Never
//! a name, a username or anything anyone wrote. Not moved by a group's migration: a window is
//! short, and a fresh count is the lenient side. Part of every [`Storage`](super::Storage) (a
//! supertrait, so each backend keeps it in its own file).

use std::time::Duration;

use futures::future::BoxFuture;

use super::{ChatId, StorageError, UserId};

/// The per-person request counters of groups.
pub trait GroupLimitStorage: Send + Sync {
    /// Counts one more request of `user` in `chat` at `now` (Unix seconds) and returns the
    /// count in the current fixed window, this request included (1 for the first). A window
    /// starts at a person's first request and lasts `window`; the next request after it starts
    /// a new one at 1. With a zero `window` nothing is kept and the count is always 1.
    ///
    /// Stores that keep their own clock (Redis expires keys on the server's clock) may ignore
    /// `now`; memory and SQLite compare it with the saved end of the window.
    fn count_group_request(
        &self,
        chat: ChatId,
        user: UserId,
        now: u64,
        window: Duration,
    ) -> BoxFuture<'_, Result<u32, StorageError>>;
}
