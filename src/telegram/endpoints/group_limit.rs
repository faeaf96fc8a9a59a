//! One person cannot drown a group (issue 12): in a group, each member gets at most
//! `--group-answers-per-minute` answers a minute (`BotContext::group_answers_per_minute`; 0 =
//! no limit), then one short slow-down note, then silence until the minute passes.
//!
//! Never held back: red-flag notices (the caller asks only for questions without an urgent or
//! emergency red flag; the watch never comes here). Private chats keep Telegram's per-chat pace
//! only. The counts live in the storage, so replicas share them, and only for the window. When
//! the storage cannot be asked the question is answered (fail open). Logged: the action
//! `group-person-limit` and whether the note went out; never a name.

use std::time::Duration;

use teloxide::types::UserId;
use tracing::info;

use super::{record_action, store_failed, unix_now, HandlerError, Turn};
use crate::telegram::outbound::Target;
use crate::telegram::text;

/// The window of the per-person count.
pub(super) const GROUP_LIMIT_WINDOW: Duration = Duration::from_secs(60);

/// What the limit says about one more question of a group member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pace {
    /// Within the limit (or no limit, or the count is unknown): answer.
    Answer,
    /// The first question over the limit in this window: the slow-down note.
    SlowDown,
    /// Later questions over the limit: nothing.
    Silent,
}

/// Counts one more question of `user` (None: no sender, not limited) in the group `chat`.
async fn pace(turn: Turn<'_>, chat: i64, user: Option<UserId>) -> Pace {
    let limit = turn.ctx.group_answers_per_minute;
    let Some(user) = user.filter(|_| limit > 0) else {
        return Pace::Answer;
    };
    let user = i64::try_from(user.0).unwrap_or(i64::MAX);
    let counted = turn
        .ctx
        .storage
        .count_group_request(chat, user, unix_now(), GROUP_LIMIT_WINDOW)
        .await;
    match counted {
        Ok(count) if count <= limit => Pace::Answer,
        Ok(count) if count == limit.saturating_add(1) => Pace::SlowDown,
        Ok(_) => Pace::Silent,
        Err(e) => {
            store_failed("per-person count unavailable; answering", &e);
            Pace::Answer
        }
    }
}

/// Whether a question of `user` in the group of `target` (a message addressed to the bot, or
/// a topic button pressed) may be answered. When it may not, sends the slow-down note to
/// `target` the first time in the window and nothing after.
///
/// # Errors
/// The note could not be sent.
pub(super) async fn allows(
    turn: Turn<'_>,
    target: Target,
    user: Option<UserId>,
) -> Result<bool, HandlerError> {
    let pace = pace(turn, target.chat.0, user).await;
    if pace == Pace::Answer {
        return Ok(true);
    }
    record_action("group-person-limit");
    let note = pace == Pace::SlowDown;
    info!(note, "group-person-limit");
    if note {
        turn.send_html(target, text::GROUP_SLOW_DOWN, None).await?;
    }
    Ok(false)
}
